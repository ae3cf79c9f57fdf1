"""Issue 22's defects 1 to 9: the sandbox answers clients and auditors as AWS does.

Each test is a call a client written elsewhere made (boto3 here; the JavaScript SDK, ScoutSuite
and an independent policy evaluator found them), and fails on the sandbox before this change:
MaxPasswordAge 0, a rocket accepted as a tag value, NoSuchEntity for a missing UserName, no
request id from Account Management, no PermissionsBoundaryUsageCount, lower-case random ids,
microseconds, <message> twice, non-UUID request ids, HTML for an unserved service, and names
that differ only by case."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.exceptions import ClientError

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
TAG_VALUE = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*"


def error(excinfo) -> tuple[str, int, str]:
    response = excinfo.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"]["Message"])


def client(lab, service: str, **config):
    """A client that sends what it is given (`parameter_validation=False`), as the JavaScript
    SDK does: the sandbox's own checks answer."""
    credentials = lab.session.get_credentials()
    return boto3.client(service, endpoint_url=lab.endpoint_url, region_name="us-east-1",
                        aws_access_key_id=credentials.access_key,
                        aws_secret_access_key=credentials.secret_key,
                        aws_session_token=credentials.token,
                        config=Config(parameter_validation=False, retries={"max_attempts": 1},
                                      **config))


def raw(lab, body: str, service: str = "iam") -> tuple[int, dict, str]:
    """A query-protocol request signed as root, and the answer as it is on the wire."""
    credentials = lab.session.get_credentials()
    url = lab.endpoint_url + "/"
    request = AWSRequest(method="POST", url=url, data=body.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    sent = urllib.request.Request(url, data=body.encode(), headers=dict(request.headers.items()),
                                  method="POST")
    try:
        with urllib.request.urlopen(sent, timeout=10) as answer:
            return answer.status, _lower(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, _lower(refused.headers), refused.read().decode()


def _lower(headers) -> dict:
    return {name.lower(): value for name, value in headers.items()}


@pytest.fixture
def made(iam):
    """Names made by a test, removed afterwards (the suite shares one account)."""
    things: dict[str, list[str]] = {"users": [], "groups": [], "roles": [], "policies": [],
                                    "profiles": []}
    yield things
    for name in things["profiles"]:
        iam.delete_instance_profile(InstanceProfileName=name)
    for name in things["roles"]:
        iam.delete_role(RoleName=name)
    for arn in things["policies"]:
        iam.delete_policy(PolicyArn=arn)
    for name in things["groups"]:
        iam.delete_group(GroupName=name)
    for name in things["users"]:
        for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        for policy in iam.list_user_policies(UserName=name)["PolicyNames"]:
            iam.delete_user_policy(UserName=name, PolicyName=policy)
        iam.delete_user(UserName=name)


def suffix() -> str:
    return uuid.uuid4().hex[:8]


# 1. MaxPasswordAge

def test_a_password_policy_without_expiry_has_no_max_password_age(iam):
    try:
        before = iam.get_account_password_policy()["PasswordPolicy"]
    except iam.exceptions.NoSuchEntityException:
        before = None
    try:
        iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True)
        policy = iam.get_account_password_policy()["PasswordPolicy"]
        assert "MaxPasswordAge" not in policy and policy["ExpirePasswords"] is False
        iam.update_account_password_policy(MinimumPasswordLength=14, MaxPasswordAge=90)
        policy = iam.get_account_password_policy()["PasswordPolicy"]
        assert policy["MaxPasswordAge"] == 90 and policy["ExpirePasswords"] is True
    finally:
        if before is None:
            iam.delete_account_password_policy()
        else:
            iam.update_account_password_policy(**{k: v for k, v in before.items()
                                                  if k != "ExpirePasswords"})


# 2. Every constraint of the model, in AWS's words

def test_a_tag_value_outside_iams_characters_is_a_validation_error(iam, made):
    name = f"tagged-{suffix()}"
    with pytest.raises(ClientError) as rocket:
        iam.create_user(UserName=name, Tags=[{"Key": "mood", "Value": "🚀"}])
    assert error(rocket) == ("ValidationError", 400, (
        "1 validation error detected: Value '🚀' at 'tags.1.member.value' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {TAG_VALUE}"))
    assert name not in [user["UserName"] for user in iam.list_users()["Users"]]
    # Letters, spaces and digits of any script are IAM's characters.
    made["users"].append(name)
    iam.create_user(UserName=name, Tags=[{"Key": "équipe", "Value": "Plateforme 日本 ١٢"}])
    assert iam.list_user_tags(UserName=name)["Tags"] == [{"Key": "équipe", "Value": "Plateforme 日本 ١٢"}]


@pytest.mark.parametrize("call, expected", [
    (lambda iam: iam.list_policies(Scope="Everything"),
     "Value 'Everything' at 'scope' failed to satisfy constraint: Member must satisfy enum value "
     "set: [All, AWS, Local]"),
    (lambda iam: iam.list_users(MaxItems=0),
     "Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than "
     "or equal to 1"),
    (lambda iam: iam.update_account_password_policy(MinimumPasswordLength=5),
     "Value '5' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value "
     "greater than or equal to 6"),
    (lambda iam: iam.create_user(UserName="u", Tags=[{"Key": "k" * 129, "Value": "v"}]),
     f"Value '{'k' * 129}' at 'tags.1.member.key' failed to satisfy constraint: Member must have "
     "length less than or equal to 128"),
    (lambda iam: iam.get_user(UserName=""),
     "Value '' at 'userName' failed to satisfy constraint: Member must have length greater than "
     "or equal to 1"),
], ids=["enum", "range", "minimum", "nested length", "empty name"])
def test_each_constraint_of_the_model_is_checked(lab, call, expected):
    with pytest.raises(ClientError) as refused:
        call(client(lab, "iam"))
    assert error(refused) == ("ValidationError", 400, "1 validation error detected: " + expected)


def test_all_broken_constraints_are_named_and_a_password_is_never_repeated(lab):
    with pytest.raises(ClientError) as refused:
        client(lab, "iam").create_login_profile(UserName="no such user!", Password="pässwörd\u0100")
    code, status, message = error(refused)
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("2 validation errors detected: Value 'no such user!' at 'userName'")
    assert "Value at 'password' failed to satisfy constraint: Member must satisfy regular expression" in message
    assert "pässwörd" not in message


def test_sts_is_checked_by_the_same_model(lab):
    with pytest.raises(ClientError) as refused:
        client(lab, "sts").get_session_token(SerialNumber="short", TokenCode="123456")
    assert error(refused) == ("ValidationError", 400, (
        "1 validation error detected: Value 'short' at 'serialNumber' failed to satisfy "
        "constraint: Member must have length greater than or equal to 9"))


def test_every_pattern_of_the_services_the_lab_uses_translates():
    from awslab import aws_model

    for service in ("iam", "sts", "account", "organizations"):
        model = aws_model.service_model(service)
        for name in model.shape_names:
            pattern = model.shape_for(name).metadata.get("pattern")
            if pattern:
                aws_model.java_regex(pattern)  # ValueError otherwise


def test_java_classes_mean_what_java_means():
    from awslab import aws_model

    tag = aws_model.java_regex(TAG_VALUE)
    for ok in ("équipe", "Plateforme 日本", "١٢٣", "a_b.c:d/e=f+g-h@i", "\u00a0"):
        assert tag.fullmatch(ok), ok
    for bad in ("🚀", "a&b", "tab\there", "(x)"):
        assert not tag.fullmatch(bad), bad
    name = aws_model.java_regex(r"[\w+=,.@-]+")  # Java's \w is ASCII
    assert name.fullmatch("Name.with+all=chars,@-_1") and not name.fullmatch("bøb")
    with pytest.raises(ValueError):
        aws_model.java_regex(r"[\p{Alpha}]")


def test_an_ascii_value_is_judged_as_the_whole_pattern_judges_it():
    """An all-ASCII value (almost every one) is checked without reading the categories of every
    Unicode code point (0.2 s per process): the same verdict as the whole translation."""
    import random
    import string

    from awslab import aws_model

    values = random.Random(23)
    alphabet = string.printable + "\x00\x1f\x7f"
    patterns = {aws_model.service_model(service).shape_for(name).metadata.get("pattern")
                for service in ("iam", "sts", "account", "organizations", "sso-admin", "identitystore")
                for name in aws_model.service_model(service).shape_names}
    patterns = sorted(p for p in patterns if p and "\\p{" in p or p and "\\P{" in p) + [TAG_VALUE, r"\P{M}+", r"[\p{Lt}x]+"]
    for pattern in patterns:
        ascii_only, whole = aws_model.java_regex(pattern, True), aws_model.java_regex(pattern)
        for _ in range(300):
            value = "".join(values.choice(alphabet) for _ in range(values.randint(1, 8)))
            assert bool(ascii_only.fullmatch(value)) == bool(whole.fullmatch(value)), (pattern, value)


# 3. A missing required member

def test_enable_mfa_device_without_user_name_is_a_validation_error(lab):
    with pytest.raises(ClientError) as refused:
        client(lab, "iam").enable_mfa_device(SerialNumber=f"arn:aws:iam::{lab.account_id}:mfa/x",
                                             AuthenticationCode1="123456",
                                             AuthenticationCode2="654321")
    assert error(refused) == ("ValidationError", 400, (
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: "
        "Member must not be null"))


# 4. Account Management's request ids

def test_account_management_answers_carry_a_request_id(lab):
    account = lab.client("account")
    for answer in (account.list_regions(MaxResults=5), account.get_contact_information(),
                   account.get_region_opt_status(RegionName="us-east-1")):
        metadata = answer["ResponseMetadata"]
        assert UUID.fullmatch(metadata["RequestId"]), metadata
        assert metadata["HTTPHeaders"]["x-amzn-requestid"] == metadata["RequestId"]


# 5. PermissionsBoundaryUsageCount

def test_list_policies_rows_carry_permissions_boundary_usage_count(iam, made):
    for row in iam.list_policies(Scope="AWS", MaxItems=20)["Policies"]:
        assert row["PermissionsBoundaryUsageCount"] == 0, row["PolicyName"]
    tag = suffix()
    arn = iam.create_policy(PolicyName=f"boundary-{tag}", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                "Resource": "*"}]}))["Policy"]["Arn"]
    made["policies"].append(arn)
    made["roles"].append(f"bounded-{tag}")
    iam.create_role(RoleName=f"bounded-{tag}", PermissionsBoundary=arn,
                    AssumeRolePolicyDocument=json.dumps({
                        "Version": "2012-10-17", "Statement": [{
                            "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                            "Action": "sts:AssumeRole"}]}))
    mine = [row for row in iam.list_policies(Scope="Local")["Policies"] if row["Arn"] == arn]
    assert mine[0]["PermissionsBoundaryUsageCount"] == 1
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 1


# 6. Unique ids

def test_unique_ids_are_shaped_like_aws_and_reach_the_caller_identity(lab, iam, made):
    tag = suffix()
    user = f"ids-{tag}"
    made["users"].append(user)
    user_id = iam.create_user(UserName=user)["User"]["UserId"]
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", user_id), user_id
    made["groups"].append(f"ids-{tag}")
    assert re.fullmatch(r"AGPA[A-Z2-7]{17}", iam.create_group(GroupName=f"ids-{tag}")["Group"]["GroupId"])
    made["profiles"].append(f"ids-{tag}")
    profile = iam.create_instance_profile(InstanceProfileName=f"ids-{tag}")["InstanceProfile"]
    assert re.fullmatch(r"AIPA[A-Z2-7]{17}", profile["InstanceProfileId"])
    policy = iam.create_policy(PolicyName=f"ids-{tag}", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
            "Condition": {"StringEquals": {"aws:userid": user_id}}}]}))["Policy"]
    made["policies"].append(policy["Arn"])
    assert re.fullmatch(r"ANPA[A-Z2-7]{17}", policy["PolicyId"])
    iam.attach_user_policy(UserName=user, PolicyArn=policy["Arn"])
    key = iam.create_access_key(UserName=user)["AccessKey"]
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", key["AccessKeyId"])
    try:
        session = boto3.Session(aws_access_key_id=key["AccessKeyId"],
                                aws_secret_access_key=key["SecretAccessKey"], region_name="us-east-1")
        identity = session.client("sts", endpoint_url=lab.endpoint_url).get_caller_identity()
        assert identity["UserId"] == user_id
        # aws:userid is that id: a policy naming it lets the user read itself.
        assert session.client("iam", endpoint_url=lab.endpoint_url).get_user()["User"]["UserId"] == user_id
    finally:
        iam.detach_user_policy(UserName=user, PolicyArn=policy["Arn"])


# 7. Whole seconds, one <Message>, UUID request ids

def test_iam_answers_whole_seconds_one_message_and_uuid_request_ids(lab, iam, made):
    user = f"seconds-{suffix()}"
    made["users"].append(user)
    status, headers, body = raw(lab, f"Action=CreateUser&UserName={user}&Version=2010-05-08")
    assert status == 200, body
    created = re.search(r"<CreateDate>([^<]+)</CreateDate>", body).group(1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created), created
    request_id = re.search(r"<RequestId>([^<]+)</RequestId>", body).group(1)
    assert UUID.fullmatch(request_id) and headers.get("x-amzn-requestid") == request_id
    key = iam.create_access_key(UserName=user)["AccessKey"]
    assert key["CreateDate"].microsecond == 0

    status, headers, body = raw(lab, "Action=GetUser&UserName=nobody-at-all&Version=2010-05-08")
    assert status == 404 and "<Code>NoSuchEntity</Code>" in body
    assert body.count("The user with name nobody-at-all cannot be found.") == 1, body
    assert "<message>" not in body
    assert UUID.fullmatch(re.search(r"<RequestId>([^<]+)</RequestId>", body).group(1)), body


# 8. A service the sandbox does not serve at all

@pytest.mark.parametrize("service, call, action", [
    ("accessanalyzer", lambda c: c.validate_policy(policyDocument="{}", policyType="IDENTITY_POLICY"),
     "access-analyzer:ValidatePolicy"),  # rest-json
    ("cost-optimization-hub", lambda c: c.list_enrollment_statuses(),
     "cost-optimization-hub:ListEnrollmentStatuses"),  # json (X-Amz-Target)
    ("health", lambda c: c.describe_events(), "health:DescribeEvents"),  # Smithy RPC v2 CBOR
], ids=["rest-json", "json", "cbor"])
def test_a_service_the_sandbox_does_not_serve_is_a_well_formed_error(lab, service, call, action):
    credentials = lab.session.get_credentials()
    unserved = boto3.client(service, endpoint_url=lab.endpoint_url, region_name="us-east-1",
                            aws_access_key_id=credentials.access_key,
                            aws_secret_access_key=credentials.secret_key,
                            aws_session_token=credentials.token)
    with pytest.raises(ClientError) as refused:
        call(unserved)
    code, status, message = error(refused)
    assert (code, status) == ("NotImplemented", 501)
    assert refused.value.response["ResponseMetadata"]["RetryAttempts"] == 0  # not retried
    assert message.startswith(f"The sandbox does not offer {action}:"), message


# 9. Names unique regardless of case

def test_iam_names_are_unique_regardless_of_case(iam, made):
    tag = suffix()
    made["users"].append(f"probe-existing-{tag}")
    iam.create_user(UserName=f"probe-existing-{tag}")
    with pytest.raises(ClientError) as user:
        iam.create_user(UserName=f"PROBE-EXISTING-{tag}")
    assert error(user) == ("EntityAlreadyExists", 409,
                           f"User with name PROBE-EXISTING-{tag} already exists.")

    made["groups"].append(f"administrators-{tag}")
    iam.create_group(GroupName=f"administrators-{tag}")
    with pytest.raises(ClientError) as group:
        iam.create_group(GroupName=f"Administrators-{tag}")
    assert error(group)[:2] == ("EntityAlreadyExists", 409)

    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})
    made["policies"].append(iam.create_policy(PolicyName=f"read-{tag}", PolicyDocument=document)["Policy"]["Arn"])
    with pytest.raises(ClientError) as policy:
        iam.create_policy(PolicyName=f"READ-{tag}", PolicyDocument=document, Path="/other/")
    assert error(policy) == ("EntityAlreadyExists", 409, f"A policy called READ-{tag} already "
                                                         "exists. Duplicate names are not allowed.")

    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    made["roles"].append(f"role-{tag}")
    iam.create_role(RoleName=f"role-{tag}", AssumeRolePolicyDocument=trust)
    with pytest.raises(ClientError) as role:
        iam.create_role(RoleName=f"Role-{tag}", AssumeRolePolicyDocument=trust)
    assert error(role)[:2] == ("EntityAlreadyExists", 409)

    made["profiles"].append(f"profile-{tag}")
    iam.create_instance_profile(InstanceProfileName=f"profile-{tag}")
    with pytest.raises(ClientError) as profile:
        iam.create_instance_profile(InstanceProfileName=f"PROFILE-{tag}")
    assert error(profile)[:2] == ("EntityAlreadyExists", 409)

    # Renaming onto another's name in another case is refused too.
    made["users"].append(f"other-{tag}")
    iam.create_user(UserName=f"other-{tag}")
    with pytest.raises(ClientError) as renamed:
        iam.update_user(UserName=f"other-{tag}", NewUserName=f"Probe-Existing-{tag}")
    assert error(renamed)[:2] == ("EntityAlreadyExists", 409)

    names = {u["UserName"] for u in iam.list_users()["Users"]}
    assert {f"probe-existing-{tag}", f"other-{tag}"} <= names
    assert not names & {f"PROBE-EXISTING-{tag}", f"Probe-Existing-{tag}"}
    assert not {g["GroupName"] for g in iam.list_groups()["Groups"]} & {f"Administrators-{tag}"}

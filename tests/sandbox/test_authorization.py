"""(docs/contract.md, "Sandbox: who may do what"): IAM users get only what their identity-based policies allow.

Each test makes its own users (unique names), calls the sandbox over HTTP with boto3 as
those users, and removes everything it made, so the shared account stays clean."""

import contextlib
import json
import time
import uuid

import boto3
import pyotp
import pytest
from botocore.exceptions import ClientError

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
NO_ALLOW = "because no identity-based policy allows the {action} action"
EXPLICIT = "with an explicit deny in an identity-based policy"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def document(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def refusal(excinfo) -> tuple[int, str, str]:
    error = excinfo.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]


def clients(lab, key: str, secret: str, token: str | None = None):
    session = boto3.Session(aws_access_key_id=key, aws_secret_access_key=secret,
                            aws_session_token=token, region_name="us-east-1")

    class As:
        iam = session.client("iam", endpoint_url=lab.endpoint_url)
        sts = session.client("sts", endpoint_url=lab.endpoint_url)
        account = session.client("account", endpoint_url=lab.endpoint_url)

    return As


def remove_user(iam, name: str) -> None:
    """Everything a user may hold, then the user (root does it: always allowed)."""
    try:
        iam.get_user(UserName=name)
    except ClientError:
        return
    for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    for policy_name in iam.list_user_policies(UserName=name)["PolicyNames"]:
        iam.delete_user_policy(UserName=name, PolicyName=policy_name)
    for attached in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
        iam.detach_user_policy(UserName=name, PolicyArn=attached["PolicyArn"])
    for group in iam.list_groups_for_user(UserName=name)["Groups"]:
        iam.remove_user_from_group(UserName=name, GroupName=group["GroupName"])
    for device in iam.list_mfa_devices(UserName=name)["MFADevices"]:
        iam.deactivate_mfa_device(UserName=name, SerialNumber=device["SerialNumber"])
        iam.delete_virtual_mfa_device(SerialNumber=device["SerialNumber"])
    with contextlib.suppress(ClientError):
        iam.delete_login_profile(UserName=name)
    iam.delete_user(UserName=name)


def remove_group(iam, name: str) -> None:
    try:
        members = iam.get_group(GroupName=name)["Users"]
    except ClientError:
        return
    for member in members:
        iam.remove_user_from_group(GroupName=name, UserName=member["UserName"])
    for policy_name in iam.list_group_policies(GroupName=name)["PolicyNames"]:
        iam.delete_group_policy(GroupName=name, PolicyName=policy_name)
    for attached in iam.list_attached_group_policies(GroupName=name)["AttachedPolicies"]:
        iam.detach_group_policy(GroupName=name, PolicyArn=attached["PolicyArn"])
    iam.delete_group(GroupName=name)


@pytest.fixture
def made(iam):
    """make(prefix) -> (user name, its access key's clients); users and groups removed after."""
    users, groups, policies = [], [], []

    class Made:
        @staticmethod
        def user(prefix="u", key=True):
            name = unique(prefix)
            iam.create_user(UserName=name)
            users.append(name)
            if not key:
                return name, None
            made_key = iam.create_access_key(UserName=name)["AccessKey"]
            return name, (made_key["AccessKeyId"], made_key["SecretAccessKey"])

        @staticmethod
        def group(name=None):
            name = name or unique("g")
            remove_group(iam, name)
            iam.create_group(GroupName=name)
            groups.append(name)
            return name

        @staticmethod
        def policy(text):
            arn = iam.create_policy(PolicyName=unique("p"), PolicyDocument=text)["Policy"]["Arn"]
            policies.append(arn)
            return arn

    try:
        yield Made
    finally:
        for name in users:
            remove_user(iam, name)
        for name in groups:
            remove_group(iam, name)
        for arn in policies:
            iam.delete_policy(PolicyArn=arn)


def user_names(iam) -> list[str]:
    return [user["UserName"] for user in iam.list_users()["Users"]]


def test_a_user_without_policies_may_do_nothing_and_changes_nothing(lab, iam, made):
    name, key = made.user("nobody")
    me = clients(lab, *key)
    acct = lab.account_id
    with pytest.raises(ClientError) as listed:
        me.iam.list_users()
    assert refusal(listed) == (403, "AccessDenied",
                               f"User: arn:aws:iam::{acct}:user/{name} is not authorized to perform: "
                               f"iam:ListUsers on resource: arn:aws:iam::{acct}:user/ "
                               "because no identity-based policy allows the iam:ListUsers action")
    newcomer = unique("newcomer")
    with pytest.raises(ClientError) as created:
        me.iam.create_user(UserName=newcomer)
    assert refusal(created) == (403, "AccessDenied",
                                f"User: arn:aws:iam::{acct}:user/{name} is not authorized to perform: "
                                f"iam:CreateUser on resource: arn:aws:iam::{acct}:user/{newcomer} "
                                "because no identity-based policy allows the iam:CreateUser action")
    assert newcomer not in user_names(iam)
    # sts:GetCallerIdentity needs no permission: the user learns who it is.
    assert me.sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{acct}:user/{name}"
    # Not even its own details without a policy saying so.
    with pytest.raises(ClientError) as own:
        me.iam.get_user()
    assert refusal(own)[1] == "AccessDenied"


def test_the_tutorial_administrators_group_and_leaving_it(lab, iam, made):
    group = made.group("administrators")
    iam.attach_group_policy(GroupName=group, PolicyArn=ADMIN)
    name, key = made.user("admin")
    me = clients(lab, *key)
    with pytest.raises(ClientError):
        me.iam.list_users()   # not yet a member
    iam.add_user_to_group(GroupName=group, UserName=name)
    assert name in user_names(me.iam)
    helper = unique("helper")
    me.iam.create_user(UserName=helper)
    made_users = [helper]
    try:
        assert helper in user_names(iam)
        me.iam.delete_user(UserName=helper)
        made_users.clear()
        # Removing the user from administrators takes its permissions away at once.
        iam.remove_user_from_group(GroupName=group, UserName=name)
        with pytest.raises(ClientError) as listed:
            me.iam.list_users()
        assert refusal(listed)[:2] == (403, "AccessDenied")
        assert NO_ALLOW.format(action="iam:ListUsers") in refusal(listed)[2]
        late = unique("late")
        with pytest.raises(ClientError) as created:
            me.iam.create_user(UserName=late)
        assert refusal(created)[1] == "AccessDenied"
        assert late not in user_names(iam)
    finally:
        for leftover in made_users:
            remove_user(iam, leftover)


def test_each_kind_of_identity_policy_grants(lab, iam, made):
    # An inline user policy.
    inline, key = made.user("inline")
    iam.put_user_policy(UserName=inline, PolicyName="list", PolicyDocument=document(
        allow("iam:ListUsers")))
    assert inline in user_names(clients(lab, *key).iam)
    # An attached customer managed policy.
    attached, key = made.user("attached")
    arn = made.policy(document(allow(["iam:ListUsers", "iam:ListGroups"])))
    iam.attach_user_policy(UserName=attached, PolicyArn=arn)
    assert attached in user_names(clients(lab, *key).iam)
    # An attached AWS managed policy.
    reader, key = made.user("reader")
    iam.attach_user_policy(UserName=reader, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    reader_iam = clients(lab, *key).iam
    assert reader in user_names(reader_iam)
    with pytest.raises(ClientError) as write:
        reader_iam.create_group(GroupName=unique("nope"))
    assert refusal(write)[1] == "AccessDenied"
    # A group's inline policy.
    member, key = made.user("member")
    group = made.group()
    iam.put_group_policy(GroupName=group, PolicyName="list", PolicyDocument=document(
        allow("iam:list*")))   # actions match case-insensitively, with wildcards
    iam.add_user_to_group(GroupName=group, UserName=member)
    member_iam = clients(lab, *key).iam
    assert member in user_names(member_iam)
    assert group in [g["GroupName"] for g in member_iam.list_groups()["Groups"]]
    with pytest.raises(ClientError):
        member_iam.get_group(GroupName=group)


def test_an_explicit_deny_wins(lab, iam, made):
    group = made.group()
    iam.put_group_policy(GroupName=group, PolicyName="everything", PolicyDocument=document(
        allow("*")))
    name, key = made.user("denied")
    iam.add_user_to_group(GroupName=group, UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="no-deleting-users", PolicyDocument=document(
        deny("iam:DeleteUser")))
    victim, _ = made.user("victim", key=False)
    me = clients(lab, *key)
    assert victim in user_names(me.iam)          # the group's Allow works
    with pytest.raises(ClientError) as deleted:
        me.iam.delete_user(UserName=victim)
    acct = lab.account_id
    assert refusal(deleted) == (403, "AccessDenied",
                                f"User: arn:aws:iam::{acct}:user/{name} is not authorized to perform: "
                                f"iam:DeleteUser on resource: arn:aws:iam::{acct}:user/{victim} "
                                f"{EXPLICIT}")
    # A denied call changes nothing: the user is still there.
    assert iam.get_user(UserName=victim)["User"]["UserName"] == victim
    # A Deny in an attached managed policy wins over the group's Allow too.
    arn = made.policy(document(deny("iam:CreateGroup")))
    iam.attach_user_policy(UserName=name, PolicyArn=arn)
    blocked = unique("blocked")
    with pytest.raises(ClientError) as created:
        me.iam.create_group(GroupName=blocked)
    assert refusal(created)[2].endswith(EXPLICIT)
    assert blocked not in [g["GroupName"] for g in iam.list_groups()["Groups"]]


def test_a_denied_call_changes_nothing(lab, iam, made):
    name, key = made.user("reader")
    iam.put_user_policy(UserName=name, PolicyName="read", PolicyDocument=document(
        allow(["iam:Get*", "iam:List*"])))
    target, _ = made.user("target", key=False)
    iam.put_user_policy(UserName=target, PolicyName="kept", PolicyDocument=document(
        allow("iam:GetUser")))
    me = clients(lab, *key).iam
    for call in (lambda: me.delete_user(UserName=target),
                 lambda: me.delete_user_policy(UserName=target, PolicyName="kept"),
                 lambda: me.create_access_key(UserName=target),
                 lambda: me.attach_user_policy(UserName=target, PolicyArn=ADMIN),
                 lambda: me.update_user(UserName=target, NewUserName=unique("renamed"))):
        with pytest.raises(ClientError) as refused:
            call()
        assert refusal(refused)[:2] == (403, "AccessDenied")
    assert iam.get_user(UserName=target)["User"]["UserName"] == target
    assert iam.list_user_policies(UserName=target)["PolicyNames"] == ["kept"]
    assert iam.list_access_keys(UserName=target)["AccessKeyMetadata"] == []
    assert iam.list_attached_user_policies(UserName=target)["AttachedPolicies"] == []
    # What the policy does allow still works.
    assert me.get_user(UserName=target)["User"]["UserName"] == target


def test_a_policy_variable_lets_a_user_manage_only_its_own_keys(lab, iam, made):
    rule = document(allow(["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys",
                           "iam:UpdateAccessKey", "iam:GetUser"],
                          "arn:aws:iam::*:user/${aws:username}"))
    name, key = made.user("self")
    other, _ = made.user("other", key=False)
    iam.put_user_policy(UserName=name, PolicyName="own-keys", PolicyDocument=rule)
    me = clients(lab, *key).iam
    second = me.create_access_key()["AccessKey"]
    assert second["UserName"] == name
    assert {k["AccessKeyId"] for k in me.list_access_keys()["AccessKeyMetadata"]} == {
        key[0], second["AccessKeyId"]}
    me.update_access_key(AccessKeyId=second["AccessKeyId"], Status="Inactive")
    me.delete_access_key(AccessKeyId=second["AccessKeyId"])
    assert me.get_user()["User"]["UserName"] == name
    acct = lab.account_id
    with pytest.raises(ClientError) as theirs:
        me.create_access_key(UserName=other)
    assert refusal(theirs) == (403, "AccessDenied",
                               f"User: arn:aws:iam::{acct}:user/{name} is not authorized to perform: "
                               f"iam:CreateAccessKey on resource: arn:aws:iam::{acct}:user/{other} "
                               "because no identity-based policy allows the iam:CreateAccessKey action")
    with pytest.raises(ClientError):
        me.list_access_keys(UserName=other)
    assert iam.list_access_keys(UserName=other)["AccessKeyMetadata"] == []


BLOCK_UNLESS_MFA = {
    "Sid": "BlockMostAccessUnlessSignedInWithMFA",
    "Effect": "Deny",
    "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser",
                  "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice",
                  "sts:GetSessionToken"],
    "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
}


def enable_mfa(iam, user_name: str) -> tuple[str, pyotp.TOTP]:
    """A virtual MFA device for the user, enabled with two consecutive codes: (serial, totp)."""
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=user_name)["VirtualMFADevice"]
    totp = pyotp.TOTP(device["Base32StringSeed"].decode())
    now = time.time()
    iam.enable_mfa_device(UserName=user_name, SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp.at(now - 30), AuthenticationCode2=totp.at(now))
    return device["SerialNumber"], totp


def next_code(totp: pyotp.TOTP) -> str:
    """A code the sandbox accepts after EnableMFADevice used the current one (one step ahead)."""
    return totp.at(time.time() + 30)


def test_the_mfa_condition_blocks_until_signed_in_with_mfa(lab, iam, made):
    name, key = made.user("mfa")
    iam.attach_user_policy(UserName=name, PolicyArn=ADMIN)
    iam.put_user_policy(UserName=name, PolicyName="force-mfa", PolicyDocument=document(
        BLOCK_UNLESS_MFA))
    me = clients(lab, *key)
    # A long-term access key carries no MFA: the Deny applies (IfExists).
    with pytest.raises(ClientError) as keyed:
        me.iam.list_users()
    assert refusal(keyed)[:2] == (403, "AccessDenied")
    assert refusal(keyed)[2].endswith(f"iam:ListUsers on resource: arn:aws:iam::{lab.account_id}"
                                      f":user/ {EXPLICIT}")
    assert me.iam.get_user()["User"]["UserName"] == name   # in NotAction: allowed
    serial, totp = enable_mfa(me.iam, name)                # the user sets up its own device
    # A session without MFA: AWS refuses every IAM call of such a session.
    plain = me.sts.get_session_token()["Credentials"]
    plain_as = clients(lab, plain["AccessKeyId"], plain["SecretAccessKey"], plain["SessionToken"])
    assert plain_as.sts.get_caller_identity()["Arn"].endswith(f":user/{name}")
    with pytest.raises(ClientError) as no_mfa:
        plain_as.iam.list_users()
    assert refusal(no_mfa)[:2] == (403, "InvalidClientTokenId")
    # A session made with an MFA code: aws:MultiFactorAuthPresent is true, the Deny is gone.
    strong = me.sts.get_session_token(SerialNumber=serial, TokenCode=next_code(totp))["Credentials"]
    strong_as = clients(lab, strong["AccessKeyId"], strong["SecretAccessKey"], strong["SessionToken"])
    assert name in user_names(strong_as.iam)
    # Still only what the policies allow; the long-term key is still blocked.
    with pytest.raises(ClientError):
        me.iam.list_users()


def test_root_may_do_everything(lab, iam, made):
    assert lab.arn == f"arn:aws:iam::{lab.account_id}:root"
    name, _ = made.user("by-root", key=False)
    iam.put_user_policy(UserName=name, PolicyName="deny-all", PolicyDocument=document(deny("*")))
    assert name in user_names(iam)
    root_account = lab.client("account")
    assert root_account.list_regions()["Regions"]
    assert lab.client("sts").get_caller_identity()["Arn"] == lab.arn


def test_account_management_needs_account_permissions(lab, iam, made):
    name, key = made.user("regions")
    me = clients(lab, *key).account
    acct = lab.account_id
    with pytest.raises(ClientError) as listed:
        me.list_regions()
    assert refusal(listed) == (403, "AccessDeniedException",
                               f"User: arn:aws:iam::{acct}:user/{name} is not authorized to perform: "
                               f"account:ListRegions on resource: arn:aws:account::{acct}:account "
                               "because no identity-based policy allows the account:ListRegions action")
    iam.put_user_policy(UserName=name, PolicyName="list-regions", PolicyDocument=document(
        allow("account:ListRegions")))
    regions = {r["RegionName"]: r["RegionOptStatus"] for r in me.list_regions()["Regions"]}
    assert regions["us-east-1"] == "ENABLED_BY_DEFAULT"
    before = regions["af-south-1"]
    with pytest.raises(ClientError) as enabled:
        me.enable_region(RegionName="af-south-1")
    assert refusal(enabled)[:2] == (403, "AccessDeniedException")
    assert "account:EnableRegion" in refusal(enabled)[2]
    # Denied: nothing changed.
    assert lab.client("account").get_region_opt_status(RegionName="af-south-1")[
        "RegionOptStatus"] == before


def test_key_calls_without_user_name_act_on_the_caller_only(lab, iam, made):
    """AWS: an access-key call without UserName is about the caller's own user; another
    user's key id is not found there (NoSuchEntity), whatever the policy allows."""
    rule = document(allow(["iam:DeleteAccessKey", "iam:UpdateAccessKey", "iam:ListAccessKeys",
                           "iam:GetUser", "iam:ListMFADevices"],
                          "arn:aws:iam::*:user/${aws:username}"))
    name, key = made.user("self")
    other, other_key = made.user("other")
    iam.put_user_policy(UserName=name, PolicyName="own-keys", PolicyDocument=rule)
    me = clients(lab, *key).iam
    for call in (lambda: me.update_access_key(AccessKeyId=other_key[0], Status="Inactive"),
                 lambda: me.delete_access_key(AccessKeyId=other_key[0])):
        with pytest.raises(ClientError) as refused:
            call()
        assert refusal(refused)[:2] == (404, "NoSuchEntity")
        assert other_key[0] in refusal(refused)[2]
    assert [(k["AccessKeyId"], k["Status"]) for k in
            iam.list_access_keys(UserName=other)["AccessKeyMetadata"]] == [(other_key[0], "Active")]
    assert [k["UserName"] for k in me.list_access_keys()["AccessKeyMetadata"]] == [name]
    assert me.list_mfa_devices()["MFADevices"] == []


def test_conditions_not_resource_and_wildcards_over_http(lab, iam, made):
    name, key = made.user("cond")
    other, _ = made.user("other", key=False)
    iam.put_user_policy(UserName=name, PolicyName="conditions", PolicyDocument=document(
        # Over TLS (the sandbox stands in for AWS's HTTPS endpoints) and after 2020: allowed.
        allow("iam:ListUsers", Condition={
            "Bool": {"aws:SecureTransport": "true"},
            "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
            "StringEquals": {"aws:username": name}}),
        # Only in the future: never yet.
        allow("iam:ListGroups", Condition={"DateGreaterThan": {"aws:CurrentTime": "2999-01-01T00:00:00Z"}}),
        # Every user but the caller itself.
        {"Effect": "Allow", "Action": "iam:GetU?er", "NotResource": "arn:aws:iam::*:user/${aws:username}"}))
    me = clients(lab, *key).iam
    assert name in user_names(me)
    with pytest.raises(ClientError) as future:
        me.list_groups()
    assert NO_ALLOW.format(action="iam:ListGroups") in refusal(future)[2]
    assert me.get_user(UserName=other)["User"]["UserName"] == other
    with pytest.raises(ClientError) as itself:
        me.get_user()
    assert refusal(itself)[1] == "AccessDenied"


def test_iam_arns_are_checked_for_a_resource_type_when_put(lab, iam, made):
    """A wildcard or variable where an IAM ARN names its resource type is refused as AWS
    refuses it; "*" and root there are taken (moto alone refused them), and grant as AWS's."""
    acct = lab.account_id
    name, key = made.user("typed")
    other, _ = made.user("other", key=False)
    me = clients(lab, *key)
    words = ('IAM resource path must either be "*", root, or start with user/, federated-user/, '
             'role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, '
             'saml-provider/, oidc-provider/, report/, access-report/.')
    for resource in (f"arn:aws:iam::{acct}:us?r/*", f"arn:aws:iam::{acct}:*/{other}",
                     "arn:aws:iam::${aws:PrincipalAccount}:user/*"):
        odd = document(allow("iam:GetUser", resource))
        with pytest.raises(ClientError) as put:
            iam.put_user_policy(UserName=name, PolicyName="odd", PolicyDocument=odd)
        assert refusal(put) == (400, "MalformedPolicyDocument", words)
        with pytest.raises(ClientError) as created:
            made.policy(odd)
        assert refusal(created) == (400, "MalformedPolicyDocument", words)
    assert iam.list_user_policies(UserName=name)["PolicyNames"] == []
    with pytest.raises(ClientError) as refused:
        me.iam.get_user(UserName=other)
    assert refusal(refused)[1] == "AccessDenied"
    iam.put_user_policy(UserName=name, PolicyName="typed", PolicyDocument=document(
        allow("iam:GetAccountSummary", f"arn:aws:iam::{acct}:root"),
        allow("iam:GetUser", f"arn:aws:iam::{acct}:*")))
    made.policy(document(allow("iam:GetUser", "arn:aws:iam::*:root")))
    assert me.iam.get_user(UserName=other)["User"]["UserName"] == other

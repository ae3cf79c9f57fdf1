"""Attacks on the gate (issue 19, findings 1, 2 and 8): the gate judges exactly the request
moto executes, the signature covers the body sent, and crafted input gets a clean 4xx.

Each test is an attempt a weak IAM user (only `IAMUserChangePassword`, as the tutorial's new
user has before joining `administrators`) or someone holding one captured request would make.
Each fails on the sandbox before this change: the attempt either made the user an administrator,
made a key for someone else, or got HTTP 500."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

FORM = "application/x-www-form-urlencoded; charset=utf-8"
ESCALATE = ("Action=AddUserToGroup&GroupName={group}&UserName={user}&Version=2010-05-08"
            "&Action=GetAccountPasswordPolicy")


@pytest.fixture
def weak(iam):
    """An IAM user holding only IAMUserChangePassword, in an account whose password policy lets
    users change their own passwords (so iam:GetAccountPasswordPolicy is allowed to them), and
    an `administrators` group with AdministratorAccess. Yields (user name, group, key, secret)."""
    suffix = uuid.uuid4().hex[:8]
    user, group = f"weak-{suffix}", f"admins-{suffix}"
    try:
        before = iam.get_account_password_policy()["PasswordPolicy"]
    except iam.exceptions.NoSuchEntityException:
        before = None
    iam.update_account_password_policy(MinimumPasswordLength=14, AllowUsersToChangePassword=True)
    iam.create_group(GroupName=group)
    iam.attach_group_policy(GroupName=group, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn="arn:aws:iam::aws:policy/IAMUserChangePassword")
    key = iam.create_access_key(UserName=user)["AccessKey"]
    yield user, group, key["AccessKeyId"], key["SecretAccessKey"]
    for member in iam.get_group(GroupName=group)["Users"]:
        iam.remove_user_from_group(GroupName=group, UserName=member["UserName"])
    iam.detach_group_policy(GroupName=group, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.delete_group(GroupName=group)
    for made in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=user, AccessKeyId=made["AccessKeyId"])
    iam.detach_user_policy(UserName=user, PolicyArn="arn:aws:iam::aws:policy/IAMUserChangePassword")
    iam.delete_user(UserName=user)
    if before is None:  # the suite shares one account: leave its password policy as it was
        iam.delete_account_password_policy()
    else:
        iam.update_account_password_policy(**{k: v for k, v in before.items()
                                              if k not in ("ExpirePasswords", "MaxPasswordAge")
                                              or (k == "MaxPasswordAge" and v)})


def signed_headers(url: str, body: bytes, key: str, secret: str, *, service="iam",
                   content_type=FORM, extra: dict | None = None) -> dict:
    """The headers botocore's signer makes for this body (SigV4, Authorization header)."""
    request = AWSRequest(method="POST", url=url, data=body,
                         headers={"Content-Type": content_type, **(extra or {})})
    SigV4Auth(Credentials(key, secret), service, "us-east-1").add_auth(request)
    return dict(request.headers.items())


def post(url: str, body: bytes, headers: dict) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def send(lab, body: str | bytes, key: str, secret: str, *, path="/", service="iam",
         content_type=FORM, extra: dict | None = None) -> tuple[int, str]:
    data = body.encode() if isinstance(body, str) else body
    url = lab.endpoint_url + path
    return post(url, data, signed_headers(url, data, key, secret, service=service,
                                          content_type=content_type, extra=extra))


def members(iam, group: str) -> list[str]:
    return [user["UserName"] for user in iam.get_group(GroupName=group)["Users"]]


def keys_of(iam, user: str) -> int:
    return len(iam.list_access_keys(UserName=user)["AccessKeyMetadata"])


def code(body: str) -> str:
    return body.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in body else body[:80]


# Finding 1: the gate and moto read one request two ways.

def test_a_doubled_action_does_not_make_a_weak_user_administrator(lab, iam, weak):
    user, group, key, secret = weak
    status, body = send(lab, ESCALATE.format(group=group, user=user), key, secret)
    assert (status, code(body)) == (400, "InvalidQueryParameter"), body
    assert "Action" in body and "more than once" in body
    assert members(iam, group) == []


@pytest.mark.parametrize("doubled", ["UserName", "GroupName", "Version"])
def test_any_parameter_given_twice_is_refused_and_changes_nothing(lab, iam, weak, doubled):
    user, group, key, secret = weak
    params = [("Action", "AddUserToGroup"), ("GroupName", group), ("UserName", user),
              ("Version", "2010-05-08")]
    value = dict(params)[doubled]
    body = "&".join(f"{name}={v}" for name, v in params + [(doubled, value)])
    status, answer = send(lab, body, key, secret)
    assert (status, code(answer)) == (400, "InvalidQueryParameter")
    assert members(iam, group) == []


def test_an_action_in_the_query_beside_a_form_body_is_refused(lab, iam, weak):
    """moto ignores the query when the body is a form; the gate used to let the query win."""
    user, group, key, secret = weak
    body = f"Action=AddUserToGroup&GroupName={group}&UserName={user}&Version=2010-05-08"
    status, answer = send(lab, body, key, secret,
                          path="/?Action=GetAccountPasswordPolicy&Version=2010-05-08")
    assert (status, code(answer)) == (400, "InvalidQueryParameter"), answer
    assert members(iam, group) == []


def test_a_multipart_body_is_refused(lab, iam, weak):
    """moto reads multipart forms too; the query protocol's body is form-urlencoded only."""
    user, group, key, secret = weak
    boundary = "xyzzy"
    parts = [("Action", "AddUserToGroup"), ("GroupName", group), ("UserName", user),
             ("Version", "2010-05-08")]
    body = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                   for name, value in parts) + f"--{boundary}--\r\n"
    status, answer = send(lab, body, key, secret,
                          path="/?Action=GetAccountPasswordPolicy&Version=2010-05-08",
                          content_type=f"multipart/form-data; boundary={boundary}")
    assert status == 400 and code(answer) in {"InvalidQueryParameter", "UnsupportedMediaType"}, answer
    assert members(iam, group) == []


def test_a_blank_user_name_is_read_the_same_by_the_gate_and_moto(lab, iam, weak):
    """`UserName=` is a value (an empty one) for both: never the caller's name in one reading
    and someone else's in the other."""
    user, _group, key, secret = weak
    status, answer = send(lab, "Action=CreateAccessKey&UserName=&Version=2010-05-08", key, secret)
    assert status in (400, 403), answer
    assert keys_of(iam, user) == 1


def test_the_weak_user_can_still_do_what_its_policy_allows(lab, weak):
    _user, _group, key, secret = weak
    status, body = send(lab, "Action=GetAccountPasswordPolicy&Version=2010-05-08", key, secret)
    assert status == 200 and "<MinimumPasswordLength>14<" in body


# Finding 2: the signature covers the body sent.

def test_a_captured_signature_does_not_carry_another_body(lab, iam, weak):
    user, _group, _key, _secret = weak
    frozen = lab.session.get_credentials().get_frozen_credentials()  # root's: a signature of root's
    url = lab.endpoint_url + "/"
    captured = signed_headers(url, b"Action=ListUsers&Version=2010-05-08",
                              frozen.access_key, frozen.secret_key)
    swapped = f"Action=CreateAccessKey&UserName={user}&Version=2010-05-08".encode()
    status, answer = post(url, swapped, captured)
    assert (status, code(answer)) == (403, "SignatureDoesNotMatch"), answer
    assert keys_of(iam, user) == 1


@pytest.mark.parametrize("payload", ["UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "original"])
def test_a_payload_hash_header_does_not_stand_in_for_the_body(lab, iam, weak, payload):
    """X-Amz-Content-Sha256, signed or not, is compared with the body; IAM, STS and Account
    Management take no unsigned or streaming payloads."""
    user, _group, _key, _secret = weak
    frozen = lab.session.get_credentials().get_frozen_credentials()
    url = lab.endpoint_url + "/"
    listed = b"Action=ListUsers&Version=2010-05-08"
    import hashlib

    value = hashlib.sha256(listed).hexdigest() if payload == "original" else payload
    headers = signed_headers(url, listed, frozen.access_key, frozen.secret_key,
                             extra={"X-Amz-Content-Sha256": value})
    swapped = f"Action=CreateAccessKey&UserName={user}&Version=2010-05-08".encode()
    status, answer = post(url, swapped, headers)
    assert status in (400, 403) and code(answer) in {"SignatureDoesNotMatch", "InvalidRequest"}, answer
    assert keys_of(iam, user) == 1


def test_a_correct_payload_hash_header_is_accepted(lab):
    import hashlib

    frozen = lab.session.get_credentials().get_frozen_credentials()
    body = b"Action=ListUsers&Version=2010-05-08"
    status, answer = send(lab, body, frozen.access_key, frozen.secret_key,
                          extra={"X-Amz-Content-Sha256": hashlib.sha256(body).hexdigest()})
    assert status == 200, answer


# Finding 8: crafted input gets a clean 4xx in the service's protocol, nothing changed.

def test_an_unknown_action_is_invalid_action_not_a_server_error(lab):
    frozen = lab.session.get_credentials().get_frozen_credentials()
    status, answer = send(lab, "Action=MakeMeAdmin&Version=2010-05-08",
                          frozen.access_key, frozen.secret_key)
    assert (status, code(answer)) == (400, "InvalidAction"), answer
    assert answer.lstrip().startswith("<ErrorResponse")


def test_a_request_without_an_action_is_missing_action(lab):
    frozen = lab.session.get_credentials().get_frozen_credentials()
    status, answer = send(lab, "Version=2010-05-08", frozen.access_key, frozen.secret_key)
    assert (status, code(answer)) == (400, "MissingAction"), answer


def test_a_policy_document_nested_thousands_deep_is_malformed(lab, iam, weak):
    user, _group, _key, _secret = weak
    deep = "[" * 5000 + "]" * 5000
    document = '{"Version": "2012-10-17", "Statement": ' + deep + "}"
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
        iam.put_user_policy(UserName=user, PolicyName="deep", PolicyDocument=document)
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []
    assert iam.get_user(UserName=user)["User"]["UserName"] == user  # still serving


def test_a_json_body_nested_thousands_deep_is_refused_in_json(lab):
    frozen = lab.session.get_credentials().get_frozen_credentials()
    body = ('{"a": ' * 5000 + "1" + "}" * 5000).encode()
    status, answer = send(lab, body, frozen.access_key, frozen.secret_key, path="/listRegions",
                          service="account", content_type="application/json")
    assert 400 <= status < 500, answer
    assert json.loads(answer)["__type"] in {"SerializationException", "ValidationException"}


def test_the_unsigned_sign_in_route_refuses_deep_json_cleanly(lab):
    body = ('{"a": ' * 5000 + "1" + "}" * 5000).encode()
    request = urllib.request.Request(lab.endpoint_url + "/_awslab/console/sign-in", data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    assert 400 <= status < 500


def test_a_body_too_large_is_refused_before_it_is_read(lab):
    frozen = lab.session.get_credentials().get_frozen_credentials()
    body = b"Action=ListUsers&Version=2010-05-08&Pad=" + b"x" * (3 * 1024 * 1024)
    status, answer = send(lab, body, frozen.access_key, frozen.secret_key)
    assert status in (400, 413), answer


# Issue 22, item 10: a gate refusal answers in the request's protocol.

def test_a_malformed_credential_scope_on_sts_is_answered_in_xml(lab):
    """A key id and a secret swapped (a `/` in the secret): botocore parses the answer."""
    import boto3
    from botocore.exceptions import ClientError

    frozen = lab.session.get_credentials().get_frozen_credentials()
    sts = boto3.client("sts", endpoint_url=lab.endpoint_url, region_name="us-east-1",
                       aws_access_key_id="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                       aws_secret_access_key=frozen.access_key)
    with pytest.raises(ClientError) as refused:
        sts.get_caller_identity()
    assert refused.value.response["Error"]["Code"] in {"IncompleteSignature", "InvalidClientTokenId",
                                                        "SignatureDoesNotMatch"}


def test_a_query_beside_a_json_api_is_refused(lab):
    """moto's _get_param reads the URL query before the JSON body the gate judged."""
    frozen = lab.session.get_credentials().get_frozen_credentials()
    status, answer = send(lab, b"", frozen.access_key, frozen.secret_key,
                          path="/enableRegion?RegionName=af-south-1", service="account",
                          content_type="application/json")
    assert status == 400 and json.loads(answer)["__type"] == "SerializationException", answer


def test_an_account_request_is_judged_by_its_path_not_a_target_header(lab):
    frozen = lab.session.get_credentials().get_frozen_credentials()
    status, answer = send(lab, b"{}", frozen.access_key, frozen.secret_key, path="/listRegions",
                          service="account", content_type="application/json",
                          extra={"X-Amz-Target": "AccountService.GetContactInformation"})
    assert status == 400, answer


def test_a_second_credential_in_the_authorization_header_is_refused(lab):
    frozen = lab.session.get_credentials().get_frozen_credentials()
    url = lab.endpoint_url + "/"
    body = b"Action=ListUsers&Version=2010-05-08"
    headers = signed_headers(url, body, frozen.access_key, frozen.secret_key)
    scope = headers["Authorization"].split("Credential=", 1)[1].split(",", 1)[0]
    headers["Authorization"] += f", Credential={scope.replace('/iam/', '/sts/')}"
    status, answer = post(url, body, headers)
    assert (status, code(answer)) == (403, "IncompleteSignature"), answer


def test_a_form_sent_to_a_json_api_is_refused(lab):
    frozen = lab.session.get_credentials().get_frozen_credentials()
    status, answer = send(lab, "Action=ListUsers&Version=2010-05-08", frozen.access_key,
                          frozen.secret_key, path="/listRegions", service="account")
    assert status == 400, answer

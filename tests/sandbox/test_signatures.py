"""(docs/contract.md, "Sandbox: who may do what"): every request is signed; the sandbox checks the signature as AWS does.

Each refusal is AWS's answer (HTTP 403 and its code), changes nothing, and never reaches
moto; the sandbox goes on serving."""

import datetime
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

LIST_USERS = "Action=ListUsers&Version=2010-05-08"
CREATE_USER = "Action=CreateUser&Version=2010-05-08&UserName={name}"


def client(lab, key, secret, token=None, service="iam", region="us-east-1"):
    return boto3.client(service, endpoint_url=lab.endpoint_url, region_name=region,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token)


def code_of(excinfo) -> tuple[int, str, str]:
    error = excinfo.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]


def root_key(lab):
    frozen = lab.session.get_credentials().get_frozen_credentials()
    return frozen.access_key, frozen.secret_key


def send(lab, body: str, *, key=None, secret=None, service="iam", region="us-east-1",
         when: datetime.datetime | None = None, authorization: str | None = None,
         sign: bool = True) -> tuple[int, str]:
    """POST a query-protocol request, signed by hand (or not), and return (status, body)."""
    url = lab.endpoint_url + "/"
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    request = AWSRequest(method="POST", url=url, data=body.encode(), headers=headers)
    if sign:
        signer = SigV4Auth(Credentials(key, secret), service, region)
        if when is None:
            signer.add_auth(request)
        else:  # botocore signs with "now": make its clock say `when`
            from unittest import mock

            with mock.patch("botocore.auth.get_current_datetime",
                            return_value=when.replace(tzinfo=None)):
                signer.add_auth(request)
    headers = dict(request.headers.items())
    if authorization is not None:
        headers["Authorization"] = authorization
    prepared = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(prepared, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def user_names(iam) -> list[str]:
    return [user["UserName"] for user in iam.list_users()["Users"]]


def test_a_correctly_signed_request_is_answered(lab, iam):
    key, secret = root_key(lab)
    status, body = send(lab, LIST_USERS, key=key, secret=secret)
    assert status == 200 and "<ListUsersResult>" in body


def test_a_wrong_secret_gets_signature_does_not_match_and_changes_nothing(lab, iam):
    key, _secret = root_key(lab)
    with pytest.raises(ClientError) as refused:
        client(lab, key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").create_user(UserName="sneaky")
    status, code, message = code_of(refused)
    assert (status, code) == (403, "SignatureDoesNotMatch")
    assert message.startswith("The request signature we calculated does not match")
    assert "sneaky" not in user_names(iam)


def test_unknown_inactive_and_deleted_keys_get_invalid_client_token_id(lab, iam):
    with pytest.raises(ClientError) as unknown:
        client(lab, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").list_users()
    assert code_of(unknown)[:2] == (403, "InvalidClientTokenId")
    assert code_of(unknown)[2] == "The security token included in the request is invalid."

    iam.create_user(UserName="keyholder")
    iam.attach_user_policy(UserName="keyholder", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    made = iam.create_access_key(UserName="keyholder")["AccessKey"]
    user = client(lab, made["AccessKeyId"], made["SecretAccessKey"])
    try:
        assert user.list_users()["Users"]
        iam.update_access_key(UserName="keyholder", AccessKeyId=made["AccessKeyId"], Status="Inactive")
        with pytest.raises(ClientError) as inactive:
            user.list_users()
        assert code_of(inactive)[:2] == (403, "InvalidClientTokenId")
        iam.delete_access_key(UserName="keyholder", AccessKeyId=made["AccessKeyId"])
        with pytest.raises(ClientError) as deleted:
            user.list_users()
        assert code_of(deleted)[:2] == (403, "InvalidClientTokenId")
    finally:
        iam.detach_user_policy(UserName="keyholder", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        iam.delete_user(UserName="keyholder")


def test_no_signature_gets_missing_authentication_token(lab):
    status, body = send(lab, LIST_USERS, sign=False)
    assert status == 403 and "<Code>MissingAuthenticationToken</Code>" in body


@pytest.mark.parametrize("authorization, expected", [
    ("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00", "IncompleteSignature"),
    ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request",
     "IncompleteSignature"),
    ("AWS AKIAIOSFODNN7EXAMPLE:c2lnbmF0dXJl", "IncompleteSignature"),
    ("garbage", "IncompleteSignature"),
    ("AWS4-HMAC-SHA256 Credential=onlytwo/parts, SignedHeaders=host, Signature=00",
     "IncompleteSignature"),
])
def test_a_malformed_authorization_header_gets_aws_answer(lab, iam, authorization, expected):
    key, secret = root_key(lab)
    status, body = send(lab, CREATE_USER.format(name="malformed"), key=key, secret=secret,
                        authorization=authorization)
    assert status == 403 and f"<Code>{expected}</Code>" in body
    assert "malformed" not in user_names(iam)


def test_a_signature_for_another_service_or_a_region_that_does_not_exist(lab, iam):
    key, secret = root_key(lab)
    status, body = send(lab, CREATE_USER.format(name="wrong-scope"), key=key, secret=secret,
                        service="sts")
    assert status == 403 and "<Code>SignatureDoesNotMatch</Code>" in body
    assert "Credential should be scoped to correct service: &apos;iam&apos;" in body or \
        "Credential should be scoped to correct service: 'iam'" in body
    status, body = send(lab, CREATE_USER.format(name="wrong-scope"), key=key, secret=secret,
                        region="xx-nowhere-1")
    assert status == 403 and "Credential should be scoped to a valid region" in body
    assert "wrong-scope" not in user_names(iam)


@pytest.mark.parametrize("skew, wording", [(-3600, "Signature expired"), (3600, "not yet current")])
def test_a_clock_skewed_by_an_hour_is_refused(lab, iam, skew, wording):
    key, secret = root_key(lab)
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=skew)
    status, body = send(lab, CREATE_USER.format(name="late"), key=key, secret=secret, when=when)
    assert status == 403 and "<Code>SignatureDoesNotMatch</Code>" in body and wording in body
    assert "late" not in user_names(iam)
    # Within 15 minutes, as AWS allows:
    near = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)
    assert send(lab, LIST_USERS, key=key, secret=secret, when=near)[0] == 200


def test_a_refused_request_never_reaches_moto(lab, monkeypatch):
    """The gate answers in this process: count what reaches moto's app in-process."""
    from werkzeug.test import Client

    from awslab.sandbox import server
    from awslab.sandbox.account import Account

    account = Account.load()
    app = server.build_app(account)
    reached = []
    moto_app = app.moto_app

    def counting(environ, start_response):
        reached.append(environ.get("PATH_INFO"))
        return moto_app(environ, start_response)

    app.moto_app = counting
    key = account.root_keys[0]
    request = AWSRequest(method="POST", url="http://127.0.0.1:1/", data=LIST_USERS.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    SigV4Auth(Credentials(key.access_key_id, "not-the-secret"), "iam", "us-east-1").add_auth(request)
    answer = Client(app).post("/", data=LIST_USERS, headers=dict(request.headers.items()),
                              environ_base={"HTTP_HOST": "127.0.0.1:1"})
    assert answer.status_code == 403 and b"SignatureDoesNotMatch" in answer.data
    assert reached == []

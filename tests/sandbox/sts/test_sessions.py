"""(docs/contract.md, "Sandbox: who may do what"): sts:GetSessionToken, with and without MFA, as AWS answers it.

Each test makes its own user (unique name) and removes it, its keys and its MFA device."""

import json
import time
import uuid
from datetime import datetime, timezone

import boto3
import pyotp
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from awslab import sandbox_client as box

WRONG_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
SESSION_STS = "Cannot call GetSessionToken with session credentials"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def refusal(excinfo) -> tuple[int, str, str]:
    error = excinfo.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]


def client(endpoint: str, service: str, key: str, secret: str, token: str | None = None,
           validate: bool = True):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
                        config=Config(parameter_validation=validate))


def session_clients(endpoint: str, credentials: dict):
    args = (credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
    return client(endpoint, "sts", *args), client(endpoint, "iam", *args)


MFA_ONLY_LIST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:ListUsers", "iam:GetUser"], "Resource": "*",
     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})


class User:
    """An IAM user with an access key (and optionally an enabled virtual MFA device)."""

    def __init__(self, iam, endpoint: str, prefix: str, mfa: bool = False):
        self.iam_root, self.endpoint = iam, endpoint
        self.name = unique(prefix)
        iam.create_user(UserName=self.name)
        self.serial = None
        made = iam.create_access_key(UserName=self.name)["AccessKey"]
        self.key = (made["AccessKeyId"], made["SecretAccessKey"])
        self.sts = client(endpoint, "sts", *self.key)
        if mfa:
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=self.name)["VirtualMFADevice"]
            self.serial = device["SerialNumber"]
            self.totp = pyotp.TOTP(device["Base32StringSeed"].decode())
            now = time.time()
            iam.enable_mfa_device(UserName=self.name, SerialNumber=self.serial,
                                  AuthenticationCode1=self.totp.at(now - 30),
                                  AuthenticationCode2=self.totp.at(now))

    def next_code(self) -> str:
        """A code not used yet: EnableMFADevice used the current one; one step ahead is allowed."""
        return self.totp.at(time.time() + 30)

    def remove(self) -> None:
        iam = self.iam_root
        for key in iam.list_access_keys(UserName=self.name)["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=self.name, AccessKeyId=key["AccessKeyId"])
        for name in iam.list_user_policies(UserName=self.name)["PolicyNames"]:
            iam.delete_user_policy(UserName=self.name, PolicyName=name)
        for device in iam.list_mfa_devices(UserName=self.name)["MFADevices"]:
            iam.deactivate_mfa_device(UserName=self.name, SerialNumber=device["SerialNumber"])
        if self.serial:
            iam.delete_virtual_mfa_device(SerialNumber=self.serial)
        iam.delete_user(UserName=self.name)


@pytest.fixture
def users(lab, iam):
    made = []

    def make(prefix="s", mfa=False, endpoint=None, root_iam=None):
        user = User(root_iam or iam, endpoint or lab.endpoint_url, prefix, mfa)
        made.append(user)
        return user

    try:
        yield make
    finally:
        for user in made:
            user.remove()


def test_a_session_without_mfa_acts_as_the_user(lab, users):
    user = users("plain")
    credentials = user.sts.get_session_token()["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and credentials["SessionToken"]
    lifetime = (credentials["Expiration"] - datetime.now(timezone.utc)).total_seconds()
    assert 12 * 3600 - 60 < lifetime <= 12 * 3600 + 5        # AWS's default: 43,200 s
    sts, iam = session_clients(lab.endpoint_url, credentials)
    identity = sts.get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{lab.account_id}:user/{user.name}"
    assert identity["Account"] == lab.account_id
    # AWS: a session made without MFA may call no IAM operation at all.
    with pytest.raises(ClientError) as no_iam:
        iam.get_user()
    assert refusal(no_iam) == (403, "InvalidClientTokenId",
                               "The security token included in the request is invalid.")
    # ... nor GetSessionToken again.
    with pytest.raises(ClientError) as again:
        sts.get_session_token()
    assert refusal(again) == (403, "AccessDenied", SESSION_STS)


def test_a_session_with_an_mfa_code_carries_mfa(lab, iam, users):
    user = users("strong", mfa=True)
    iam.put_user_policy(UserName=user.name, PolicyName="mfa-only", PolicyDocument=MFA_ONLY_LIST)
    # The long-term key carries no MFA: the condition does not hold.
    with pytest.raises(ClientError) as keyed:
        client(lab.endpoint_url, "iam", *user.key).list_users()
    assert refusal(keyed)[1] == "AccessDenied"
    credentials = user.sts.get_session_token(SerialNumber=user.serial, TokenCode=user.next_code(),
                                             DurationSeconds=900)["Credentials"]
    lifetime = (credentials["Expiration"] - datetime.now(timezone.utc)).total_seconds()
    assert 840 < lifetime <= 905
    sts, session_iam = session_clients(lab.endpoint_url, credentials)
    assert sts.get_caller_identity()["Arn"].endswith(f":user/{user.name}")
    assert user.name in [u["UserName"] for u in session_iam.list_users()["Users"]]
    assert session_iam.get_user()["User"]["UserName"] == user.name
    # Still only what the policies allow.
    with pytest.raises(ClientError) as beyond:
        session_iam.create_group(GroupName=unique("no"))
    assert refusal(beyond)[1] == "AccessDenied"
    with pytest.raises(ClientError) as again:
        sts.get_session_token()
    assert refusal(again) == (403, "AccessDenied", SESSION_STS)


def test_wrong_used_and_foreign_codes_are_refused(lab, iam, users):
    user = users("codes", mfa=True)
    other = users("other", mfa=True)
    code = user.next_code()
    now = time.time()
    near = {user.totp.at(now + 30 * step) for step in range(-3, 4)}
    wrong = next(c for c in (f"{n:06d}" for n in range(1000000)) if c not in near)
    with pytest.raises(ClientError) as refused:
        user.sts.get_session_token(SerialNumber=user.serial, TokenCode=wrong)
    assert refusal(refused) == (403, "AccessDenied", WRONG_CODE)
    # The right code once ...
    user.sts.get_session_token(SerialNumber=user.serial, TokenCode=code)
    # ... and not a second time.
    with pytest.raises(ClientError) as reused:
        user.sts.get_session_token(SerialNumber=user.serial, TokenCode=code)
    assert refusal(reused) == (403, "AccessDenied", WRONG_CODE)
    # Another user's device, even with its valid code, is not the caller's.
    with pytest.raises(ClientError) as foreign:
        user.sts.get_session_token(SerialNumber=other.serial, TokenCode=other.next_code())
    assert refusal(foreign)[:2] == (403, "AccessDenied")
    # That code was not used up by the refusal: its owner still gets a session with it.
    other.sts.get_session_token(SerialNumber=other.serial, TokenCode=other.next_code())
    # A serial with no device at all.
    with pytest.raises(ClientError) as missing:
        user.sts.get_session_token(SerialNumber=f"arn:aws:iam::{lab.account_id}:mfa/nothing-here",
                                   TokenCode=user.next_code())
    assert refusal(missing)[:2] == (403, "AccessDenied")


def test_duration_limits_and_malformed_codes(lab, users):
    user = users("limits")
    loose = client(lab.endpoint_url, "sts", *user.key, validate=False)
    for seconds in (899, 129601):
        with pytest.raises(ClientError) as refused:
            loose.get_session_token(DurationSeconds=seconds)
        status, code, message = refusal(refused)
        assert (status, code) == (400, "ValidationError") and str(seconds) in message
    longest = loose.get_session_token(DurationSeconds=129600)["Credentials"]
    lifetime = (longest["Expiration"] - datetime.now(timezone.utc)).total_seconds()
    assert 129600 - 60 < lifetime <= 129605
    with pytest.raises(ClientError) as letters:
        loose.get_session_token(SerialNumber=f"arn:aws:iam::{lab.account_id}:mfa/x", TokenCode="abcdef")
    assert refusal(letters)[1] == "ValidationError"


def test_a_session_with_a_wrong_token_is_no_one(lab, users):
    user = users("token")
    credentials = user.sts.get_session_token()["Credentials"]
    for token in ("not-the-token", None):
        sts = client(lab.endpoint_url, "sts", credentials["AccessKeyId"],
                     credentials["SecretAccessKey"], token)
        with pytest.raises(ClientError) as refused:
            sts.get_caller_identity()
        assert refusal(refused)[:2] == (403, "InvalidClientTokenId")
    # The user's long-term key with a session token: not a session either.
    with pytest.raises(ClientError) as mixed:
        client(lab.endpoint_url, "sts", *user.key, credentials["SessionToken"]).get_caller_identity()
    assert refusal(mixed)[:2] == (403, "InvalidClientTokenId")


def test_a_deleted_user_s_sessions_stop_working(lab, iam, users):
    user = users("gone")
    credentials = user.sts.get_session_token()["Credentials"]
    sts, _ = session_clients(lab.endpoint_url, credentials)
    assert sts.get_caller_identity()["Arn"].endswith(f":user/{user.name}")
    iam.delete_access_key(UserName=user.name, AccessKeyId=user.key[0])
    # Sessions outlive the key they were made with (as on AWS) ...
    assert sts.get_caller_identity()["Arn"].endswith(f":user/{user.name}")
    iam.delete_user(UserName=user.name)
    iam.create_user(UserName=user.name)   # for the fixture's clean-up
    # ... but not the user: a new user of the same name is not the old one's session.
    with pytest.raises(ClientError) as refused:
        sts.get_caller_identity()
    assert refusal(refused)[:2] == (403, "InvalidClientTokenId")


def test_root_s_session_without_mfa_has_the_same_limits(lab):
    """Root too: a GetSessionToken session without MFA may call no IAM operation."""
    root = lab.session.get_credentials().get_frozen_credentials()
    sts = client(lab.endpoint_url, "sts", root.access_key, root.secret_key)
    credentials = sts.get_session_token()["Credentials"]
    assert (credentials["Expiration"] - datetime.now(timezone.utc)).total_seconds() <= 3600 + 5
    session_sts, session_iam = session_clients(lab.endpoint_url, credentials)
    assert session_sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{lab.account_id}:root"
    with pytest.raises(ClientError) as refused:
        session_iam.get_account_summary()
    assert refusal(refused)[:2] == (403, "InvalidClientTokenId")


def test_sessions_survive_stop_and_start(own_sandbox):
    import awslab

    lab = awslab.connect("sandbox")
    iam = lab.client("iam")
    user = User(iam, own_sandbox.endpoint, "kept", mfa=True)
    iam.put_user_policy(UserName=user.name, PolicyName="mfa-only", PolicyDocument=MFA_ONLY_LIST)
    code = user.next_code()
    strong = user.sts.get_session_token(SerialNumber=user.serial, TokenCode=code)["Credentials"]
    plain = user.sts.get_session_token()["Credentials"]

    box.stop()
    started = box.start()
    assert started.account_id == own_sandbox.account_id

    sts, session_iam = session_clients(started.endpoint, strong)
    assert sts.get_caller_identity()["Arn"].endswith(f":user/{user.name}")
    assert session_iam.get_user()["User"]["UserName"] == user.name   # still with MFA
    plain_sts, plain_iam = session_clients(started.endpoint, plain)
    assert plain_sts.get_caller_identity()["Arn"].endswith(f":user/{user.name}")
    with pytest.raises(ClientError) as no_mfa:
        plain_iam.get_user()
    assert refusal(no_mfa)[1] == "InvalidClientTokenId"
    # The code used before the restart stays used.
    with pytest.raises(ClientError) as reused:
        client(started.endpoint, "sts", *user.key).get_session_token(
            SerialNumber=user.serial, TokenCode=code)
    assert refusal(reused) == (403, "AccessDenied", WRONG_CODE)

"""(docs/contract.md, "Sandbox: who may do what"): iam:ChangePassword, and the simulated console sign-in of IAM users
and of root with an MFA device.

Each test makes its own users (unique names) and removes them, and the account password
policy and alias it sets, so the shared account stays clean. Root MFA is enabled only in a
second sandbox (its own AWSLAB_HOME)."""

import contextlib
import csv
import io
import json
import time
import uuid

import boto3
import pyotp
import pytest
from botocore.exceptions import ClientError

from awslab import sandbox_client as console
from awslab.errors import LabError
from awslab.sandbox_client import sign_in_as_root

CHANGE_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"
INCORRECT = "Your authentication information is incorrect"
OLD = "First-Passw0rd!"
NEW = "Second-Passw0rd!"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def refusal(excinfo) -> tuple[int, str, str]:
    error = excinfo.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]


def user_client(endpoint: str, service: str, key: str, secret: str, token: str | None = None):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)


def signed_in_clients(endpoint: str, answer: dict):
    args = (answer["access_key_id"], answer["secret_access_key"], answer["session_token"])
    return user_client(endpoint, "sts", *args), user_client(endpoint, "iam", *args)


def remove_user(iam, name: str) -> None:
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
    for device in iam.list_mfa_devices(UserName=name)["MFADevices"]:
        iam.deactivate_mfa_device(UserName=name, SerialNumber=device["SerialNumber"])
        iam.delete_virtual_mfa_device(SerialNumber=device["SerialNumber"])
    with contextlib.suppress(ClientError):
        iam.delete_login_profile(UserName=name)
    iam.delete_user(UserName=name)


@pytest.fixture
def person(lab, iam):
    """make(prefix, password=OLD, reset=False, key=True) -> user name (and `.key` per name)."""
    made = {}

    def make(prefix="p", password=OLD, reset=False, key=True):
        name = unique(prefix)
        iam.create_user(UserName=name)
        made[name] = None
        iam.create_login_profile(UserName=name, Password=password, PasswordResetRequired=reset)
        if key:
            created = iam.create_access_key(UserName=name)["AccessKey"]
            made[name] = (created["AccessKeyId"], created["SecretAccessKey"])
        return name

    make.key = made
    try:
        yield make
    finally:
        for name in made:
            remove_user(iam, name)
        with contextlib.suppress(ClientError):
            iam.delete_account_password_policy()


def report_row(iam, name: str) -> dict:
    iam.generate_credential_report()
    report = iam.get_credential_report()["Content"].decode()
    return next(row for row in csv.DictReader(io.StringIO(report)) if row["user"] == name)


def next_second() -> None:
    """The credential report counts in seconds: let the clock pass into the next one."""
    time.sleep(1.01 - time.time() % 1)


def enable_mfa(iam, user_name: str) -> pyotp.TOTP:
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=user_name)["VirtualMFADevice"]
    totp = pyotp.TOTP(device["Base32StringSeed"].decode())
    now = time.time()
    iam.enable_mfa_device(UserName=user_name, SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp.at(now - 30), AuthenticationCode2=totp.at(now))
    return totp


def wrong_code(totp: pyotp.TOTP) -> str:
    """Six digits that are none of the device's codes around now."""
    near = {totp.at(time.time() + 30 * step) for step in range(-3, 4)}
    return next(code for code in (f"{n:06d}" for n in range(1000000)) if code not in near)


# iam:ChangePassword

def test_change_password_needs_permission(lab, iam, person):
    name = person("nochange")
    me = user_client(lab.endpoint_url, "iam", *person.key[name])
    with pytest.raises(ClientError) as refused:
        me.change_password(OldPassword=OLD, NewPassword=NEW)
    arn = f"arn:aws:iam::{lab.account_id}:user/{name}"
    assert refusal(refused) == (403, "AccessDenied",
                                f"User: {arn} is not authorized to perform: iam:ChangePassword on "
                                f"resource: {arn} because no identity-based policy allows the "
                                "iam:ChangePassword action")
    # Unchanged: the old password still signs in.
    assert console.sign_in_as_user(lab.endpoint_url, lab.account_id, name, OLD)["signed_in"] is True


def test_change_password_with_iam_user_change_password(lab, iam, person):
    name = person("changer", reset=True)
    iam.attach_user_policy(UserName=name, PolicyArn=CHANGE_PASSWORD)
    me = user_client(lab.endpoint_url, "iam", *person.key[name])
    before = report_row(iam, name)["password_last_changed"]
    assert before.endswith("+00:00")
    with pytest.raises(ClientError) as wrong_old:
        me.change_password(OldPassword="Not-the-Passw0rd", NewPassword=NEW)
    assert refusal(wrong_old)[1] == "AccessDenied"
    with pytest.raises(ClientError) as weak:
        me.change_password(OldPassword=OLD, NewPassword="weak")
    assert refusal(weak)[:2] == (400, "PasswordPolicyViolation")
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is True
    assert report_row(iam, name)["password_last_changed"] == before

    next_second()
    me.change_password(OldPassword=OLD, NewPassword=NEW)
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is False
    after = report_row(iam, name)["password_last_changed"]
    assert after.endswith("+00:00") and after > before
    # The new password is the one that signs in now.
    with pytest.raises(LabError) as old_one:
        console.sign_in_as_user(lab.endpoint_url, lab.account_id, name, OLD)
    assert old_one.value.code == "AuthenticationFailed"
    assert console.sign_in_as_user(lab.endpoint_url, lab.account_id, name, NEW)["signed_in"] is True
    # The policy grants no more than changing one's own password.
    with pytest.raises(ClientError) as other:
        me.list_users()
    assert refusal(other)[1] == "AccessDenied"


def test_password_policy_rules_and_reuse_prevention(lab, iam, person):
    name = person("reuser")
    iam.attach_user_policy(UserName=name, PolicyArn=CHANGE_PASSWORD)
    me = user_client(lab.endpoint_url, "iam", *person.key[name])
    iam.update_account_password_policy(MinimumPasswordLength=16, RequireSymbols=True,
                                       RequireNumbers=True, RequireUppercaseCharacters=True,
                                       RequireLowercaseCharacters=True, PasswordReusePrevention=3)
    with pytest.raises(ClientError) as short:
        me.change_password(OldPassword=OLD, NewPassword="Short-Passw0rd!")   # 15 characters
    assert refusal(short)[1] == "PasswordPolicyViolation" and "16" in refusal(short)[2]
    longer = "A-Longer-Passw0rd!"
    me.change_password(OldPassword=OLD, NewPassword=longer)
    with pytest.raises(ClientError) as no_symbol:
        me.change_password(OldPassword=longer, NewPassword="No-symbols-but-dashes1".replace("-", "x"))
    assert refusal(no_symbol) == (400, "PasswordPolicyViolation",
                                  "Password should have at least one symbol")
    # Back to a password used before: refused while it is one of the last three.
    iam.update_account_password_policy(MinimumPasswordLength=8, PasswordReusePrevention=3)
    with pytest.raises(ClientError) as back:
        me.change_password(OldPassword=longer, NewPassword=OLD)
    assert refusal(back) == (400, "PasswordPolicyViolation", "Policy Error: PasswordReusePrevention")
    me.change_password(OldPassword=longer, NewPassword="Third-Passw0rd!")
    assert console.sign_in_as_user(lab.endpoint_url, lab.account_id, name,
                                   "Third-Passw0rd!")["signed_in"] is True


def test_allow_users_to_change_password_without_a_policy(lab, iam, person):
    name = person("selfservice")
    me = user_client(lab.endpoint_url, "iam", *person.key[name])
    iam.update_account_password_policy(MinimumPasswordLength=8, AllowUsersToChangePassword=True)
    me.change_password(OldPassword=OLD, NewPassword=NEW)
    assert console.sign_in_as_user(lab.endpoint_url, lab.account_id, name, NEW)["signed_in"] is True
    assert me.get_account_password_policy()["PasswordPolicy"]["AllowUsersToChangePassword"] is True
    # Only its own password, and nothing else.
    with pytest.raises(ClientError) as other:
        me.list_users()
    assert refusal(other)[1] == "AccessDenied"
    iam.update_account_password_policy(MinimumPasswordLength=8, AllowUsersToChangePassword=False)
    with pytest.raises(ClientError) as turned_off:
        me.change_password(OldPassword=NEW, NewPassword=OLD)
    assert refusal(turned_off)[1] == "AccessDenied"


# Console sign-in of IAM users

def test_console_sign_in_refuses_wrong_details_alike(lab, iam, person):
    name = person("console", key=False)
    alias = unique("awslab-signin")
    iam.create_account_alias(AccountAlias=alias)
    try:
        for account, user, password in ((lab.account_id, name, "Wrong-Passw0rd!"),
                                        (lab.account_id, unique("nobody"), OLD),
                                        ("111122223333", name, OLD),
                                        ("not-this-alias", name, OLD)):
            with pytest.raises(LabError) as refused:
                console.sign_in_as_user(lab.endpoint_url, account, user, password)
            assert refused.value.code == "AuthenticationFailed"
            assert INCORRECT in str(refused.value)
        # The account's id and its alias both name it.
        for account in (lab.account_id, alias):
            answer = console.sign_in_as_user(lab.endpoint_url, account, name, OLD)
            assert answer["signed_in"] is True
            assert answer["arn"] == f"arn:aws:iam::{lab.account_id}:user/{name}"
    finally:
        iam.delete_account_alias(AccountAlias=alias)


def test_a_required_reset_needs_change_password_permission(lab, iam, person):
    name = person("reset", reset=True, key=False)
    endpoint, account = lab.endpoint_url, lab.account_id
    asked = console.sign_in_as_user(endpoint, account, name, OLD)
    assert asked["next"] == "new_password" and "signed_in" not in asked
    assert any("8" in rule for rule in asked["rules"])
    with pytest.raises(LabError) as refused:
        console.sign_in_as_user(endpoint, account, name, OLD, new_password=NEW)
    assert refused.value.code == "AccessDenied" and "iam:ChangePassword" in str(refused.value)
    # Nothing changed: the old password still signs in (and still asks for a new one).
    assert console.sign_in_as_user(endpoint, account, name, OLD)["next"] == "new_password"
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is True
    assert "PasswordLastUsed" not in iam.get_user(UserName=name)["User"]
    assert report_row(iam, name)["password_last_used"] == "no_information"

    iam.attach_user_policy(UserName=name, PolicyArn=CHANGE_PASSWORD)
    with pytest.raises(LabError) as weak:
        console.sign_in_as_user(endpoint, account, name, OLD, new_password="weak")
    assert weak.value.code == "PasswordPolicyViolation"
    answer = console.sign_in_as_user(endpoint, account, name, OLD, new_password=NEW)
    assert answer["signed_in"] is True and answer["access_key_id"].startswith("ASIA")
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is False
    assert iam.get_user(UserName=name)["User"]["PasswordLastUsed"]
    used = report_row(iam, name)["password_last_used"]
    assert used.startswith("20") and used.endswith("+00:00")
    with pytest.raises(LabError):
        console.sign_in_as_user(endpoint, account, name, OLD)
    assert console.sign_in_as_user(endpoint, account, name, NEW)["signed_in"] is True
    sts, _ = signed_in_clients(endpoint, answer)
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{account}:user/{name}"


MFA_ONLY_LIST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})


def test_console_sign_in_with_an_mfa_device(lab, iam, person):
    name = person("mfa", key=False)
    plain = person("plain", key=False)
    for who in (name, plain):
        iam.put_user_policy(UserName=who, PolicyName="mfa-only", PolicyDocument=MFA_ONLY_LIST)
    totp = enable_mfa(iam, name)
    endpoint, account = lab.endpoint_url, lab.account_id
    assert console.sign_in_as_user(endpoint, account, name, OLD) == {"next": "mfa_code"}
    # A wrong password is refused before any code is asked for.
    with pytest.raises(LabError) as wrong_password:
        console.sign_in_as_user(endpoint, account, name, "Wrong-Passw0rd!")
    assert wrong_password.value.code == "AuthenticationFailed"
    code = totp.at(time.time() + 30)   # EnableMFADevice used the current one
    with pytest.raises(LabError) as refused:
        console.sign_in_as_user(endpoint, account, name, OLD, mfa_code=wrong_code(totp))
    assert refused.value.code == "InvalidAuthenticationCode"
    answer = console.sign_in_as_user(endpoint, account, name, OLD, mfa_code=code)
    assert answer["signed_in"] is True
    sts, session_iam = signed_in_clients(endpoint, answer)
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{account}:user/{name}"
    # aws:MultiFactorAuthPresent is true for this session: the condition holds.
    assert name in [u["UserName"] for u in session_iam.list_users()["Users"]]
    # The same code once more is refused.
    with pytest.raises(LabError) as reused:
        console.sign_in_as_user(endpoint, account, name, OLD, mfa_code=code)
    assert reused.value.code == "InvalidAuthenticationCode"
    # Signed in without MFA (no device), the same policy allows nothing.
    plain_answer = console.sign_in_as_user(endpoint, account, plain, OLD)
    _, plain_iam = signed_in_clients(endpoint, plain_answer)
    with pytest.raises(ClientError) as denied:
        plain_iam.list_users()
    assert refusal(denied)[1] == "AccessDenied"
    assert iam.get_user(UserName=name)["User"]["PasswordLastUsed"]


# Root's console sign-in once root has an MFA device (a sandbox of its own)

def test_root_console_sign_in_asks_for_root_s_mfa_code(own_sandbox):
    import awslab
    from awslab.sandbox.account import load_or_create

    lab = awslab.connect("sandbox")
    endpoint, secret = own_sandbox.endpoint, load_or_create().console_secret
    assert console.root_console_session(endpoint, secret)["access_key_id"].startswith("ASIA")
    device = console.create_root_virtual_mfa(lab, "root-phone")
    totp = pyotp.TOTP(device["seed"])
    now = time.time()
    console.enable_root_mfa(lab, device["serial_number"], totp.at(now - 30), totp.at(now))

    with pytest.raises(LabError) as asked:
        console.root_console_session(endpoint, secret)
    assert asked.value.code == "MFACodeRequired"
    assert asked.value.details["serial_numbers"] == [device["serial_number"]]
    with pytest.raises(LabError) as wrong:
        console.root_console_session(endpoint, secret, wrong_code(totp))
    assert wrong.value.code == "InvalidAuthenticationCode"
    # The owner's sign-in takes the code from the simulated authenticator app.
    session = sign_in_as_root(endpoint)
    sts = user_client(endpoint, "sts", session["access_key_id"], session["secret_access_key"],
                      session["session_token"])
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{own_sandbox.account_id}:root"

"""What many test files share: an account as notebook 02 leaves it, root's MFA, the API calls
a block makes, an AWS error's code, whether a process has ended. Fixtures are in conftest.py (tests/ and tests/sandbox/)."""

from __future__ import annotations

from contextlib import contextmanager

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
CHANGE_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"
HEADER = "User name,Password,Access key ID,Secret access key,Console login link"


def make_user(lab, user_name="awslab-admin", group_name="administrators", *, admin=True,
              password="Correct-Horse-Battery-9", record=True, write_csv=True) -> dict:
    """What notebook 02 leaves: the group with AdministratorAccess, the user with a console
    password (reset required, IAMUserChangePassword attached), an access key, the .csv."""
    from awslab import record as rec
    from awslab.home import write_private
    from awslab.steps.s04_sign_in import credentials_csv_path

    iam = lab.client("iam")
    account = lab.account_id
    remember = (lambda *a, **k: rec.remember(account, *a, **k)) if record else (lambda *a, **k: None)
    if admin:
        try:
            iam.create_group(GroupName=group_name)
            remember("group", group_name)
        except iam.exceptions.EntityAlreadyExistsException:
            pass
        iam.attach_group_policy(GroupName=group_name, PolicyArn=ADMIN)
        remember("group_policy", f"{group_name}|{ADMIN}")
    iam.create_user(UserName=user_name)
    remember("user", user_name)
    iam.create_login_profile(UserName=user_name, Password=password, PasswordResetRequired=True)
    remember("login_profile", user_name)
    iam.attach_user_policy(UserName=user_name, PolicyArn=CHANGE_PASSWORD)
    remember("user_policy", f"{user_name}|{CHANGE_PASSWORD}")
    if admin:
        iam.add_user_to_group(GroupName=group_name, UserName=user_name)
        remember("group_membership", f"{user_name}|{group_name}")
    key = iam.create_access_key(UserName=user_name)["AccessKey"]
    remember("access_key", key["AccessKeyId"], user=user_name)
    path = credentials_csv_path(account, user_name)
    if write_csv:
        write_private(path, f"{HEADER}\n{user_name},{password},{key['AccessKeyId']},"
                            f"{key['SecretAccessKey']},{lab.sign_in_url()}\n")
        remember("csv", str(path), user=user_name)
    return {"user_name": user_name, "password": password, "access_key_id": key["AccessKeyId"],
            "secret_access_key": key["SecretAccessKey"], "csv": path}


def root_keys_present(lab) -> int:
    return lab.client("iam").get_account_summary()["SummaryMap"]["AccountAccessKeysPresent"]


@contextmanager
def counting_calls(*clients):
    """The names of the API calls the clients make inside the block (botocore's before-call);
    a Lab caches its clients, so lab.client("iam") is the one the lab's code uses."""
    seen: list[str] = []

    def handler(model, **_ignored):
        seen.append(model.name)

    for client in clients:
        client.meta.events.register("before-call", handler)
    try:
        yield seen
    finally:
        for client in clients:
            client.meta.events.unregister("before-call", handler)


def assign_root_mfa(lab) -> str:
    """Root's virtual MFA device, made and assigned as notebook 01 does; its serial number."""
    import time

    import pyotp

    from awslab.sandbox_client import create_root_virtual_mfa, enable_root_mfa

    device = create_root_virtual_mfa(lab, "root-account-mfa-device")
    totp = pyotp.TOTP(device["seed"])
    step = int(time.time() // 30)
    enable_root_mfa(lab, device["serial_number"], totp.at((step - 1) * 30), totp.at(step * 30))
    return device["serial_number"]


def error_code(excinfo) -> str:
    """The AWS error code of a botocore ClientError caught by pytest.raises."""
    return excinfo.value.response["Error"]["Code"]


def process_gone(pid: int, within: float = 0.0) -> bool:
    """Whether process `pid` ended, checked until `within` seconds have passed: reaped when it is
    this process's child, and a zombie (ended, not yet reaped by its parent) counts as ended."""
    import os
    import time

    deadline = time.monotonic() + within
    while True:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return True
        except ChildProcessError:  # not ours: /proc says
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                        return True
            except FileNotFoundError:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)

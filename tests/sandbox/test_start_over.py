"""`awslab sandbox reset` on a running sandbox: a brand-new account in the same process.

What the old reset (stop the process, delete its files, start a new one) gave, the running
sandbox now makes in place (awslab/sandbox/start_over.py): a new account id and root keys, an
empty account (moto's backends and the additions' state), no guessing counted against it, no
saved state that comes back after a restart; only root may ask for it.
"""

import boto3
import pytest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from awslab import sandbox_client as box
from awslab.errors import LabError
from awslab.sandbox.account import load_or_create
from awslab.sandbox.start_over import PATH


@pytest.fixture
def own(tmp_path, monkeypatch):
    """A sandbox of this test's own, whose lockouts outlast the test (AWSLAB_THROTTLE_SECONDS)."""
    monkeypatch.setenv("AWSLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWSLAB_SANDBOX_PORT", "0")
    monkeypatch.setenv("AWSLAB_THROTTLE_SECONDS", "600")
    try:
        yield box.start()
    finally:
        box.stop()


def client(endpoint: str, service: str, key_id: str, secret: str, token: str | None = None):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key_id, aws_secret_access_key=secret,
                        aws_session_token=token,
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))


def root(info):
    key = load_or_create().root_keys[0]
    return key, client(info.endpoint, "iam", key.access_key_id, key.secret_access_key)


def test_only_root_may_reset_the_account(own):
    _, iam = root(own)
    iam.create_user(UserName="admin")
    iam.attach_user_policy(UserName="admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="admin")["AccessKey"]
    with pytest.raises(LabError) as refused:
        box.call(own.endpoint, PATH, {},
                 credentials=Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    assert refused.value.code == "AccessDenied"
    with pytest.raises(LabError) as unsigned:
        box.call(own.endpoint, PATH, {})
    assert unsigned.value.code == "MissingAuthenticationToken"
    assert load_or_create().account_id == own.account_id
    assert [user["UserName"] for user in iam.list_users()["Users"]] == ["admin"]


def test_reset_is_a_brand_new_account_in_the_same_process(own):
    old_key, iam = root(own)
    old_secret = load_or_create().console_secret
    iam.create_user(UserName="before")
    iam.create_account_alias(AccountAlias="before-reset")
    account = client(own.endpoint, "account", old_key.access_key_id, old_key.secret_access_key)
    account.enable_region(RegionName="me-south-1")
    sts = client(own.endpoint, "sts", old_key.access_key_id, old_key.secret_access_key)
    session = sts.get_session_token()["Credentials"]
    # Guessing root's console sign-in locks it (for AWSLAB_THROTTLE_SECONDS).
    for _ in range(5):
        with pytest.raises(LabError):
            box.root_console_session(own.endpoint, "not-the-secret")
    with pytest.raises(LabError) as locked:
        box.root_console_session(own.endpoint, old_secret)
    assert locked.value.code == "Throttling"

    info = box.reset()

    assert (info.pid, info.port, info.endpoint) == (own.pid, own.port, own.endpoint)
    assert box.running().pid == own.pid  # no new process
    new = load_or_create()
    assert info.account_id == new.account_id != own.account_id
    assert new.root_keys[0].access_key_id != old_key.access_key_id and new.console_secret != old_secret
    _, fresh = root(info)
    assert fresh.list_users()["Users"] == []
    assert fresh.list_account_aliases()["AccountAliases"] == []
    assert fresh.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0
    me = client(info.endpoint, "sts", new.root_keys[0].access_key_id,
                new.root_keys[0].secret_access_key).get_caller_identity()
    assert me["Account"] == new.account_id and me["Arn"] == f"arn:aws:iam::{new.account_id}:root"
    key = new.root_keys[0]
    assert client(info.endpoint, "account", key.access_key_id, key.secret_access_key) \
        .get_region_opt_status(RegionName="me-south-1")["RegionOptStatus"] == "DISABLED"
    # The old account's credentials open nothing now: root's key, its session.
    for old in (iam, client(own.endpoint, "iam", session["AccessKeyId"], session["SecretAccessKey"],
                            session["SessionToken"])):
        with pytest.raises(ClientError) as refused:
            old.list_users()
        assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
    # Nothing counted against the new account's root: its console sign-in works at once.
    assert box.root_console_session(info.endpoint, new.console_secret)["access_key_id"]
    # What was saved of the old account does not come back after a restart; the new one's does.
    fresh.create_user(UserName="after")
    box.stop()
    again = box.start()
    assert again.account_id == new.account_id
    _, kept = root(again)
    assert [user["UserName"] for user in kept.list_users()["Users"]] == ["after"]
    assert kept.list_account_aliases()["AccountAliases"] == []


def test_reset_without_root_keys_signs_with_a_root_console_session(own):
    old_key, iam = root(own)
    iam.delete_access_key(AccessKeyId=old_key.access_key_id)
    assert load_or_create().root_keys == []
    info = box.reset()
    assert info.pid == own.pid and info.account_id != own.account_id
    _, fresh = root(info)
    assert fresh.list_users()["Users"] == []

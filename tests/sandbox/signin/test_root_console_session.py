"""(docs/contract.md, "Sandbox: a new account"): the owner can always sign in to the console as root; a console session is root,
temporary, and not an access key."""

import csv
import io
import json
import stat
import time
import urllib.error
import urllib.request
from datetime import datetime

import boto3
import pytest
from botocore.exceptions import ClientError

import awslab
from awslab import sandbox_client as box
from awslab.errors import LabError
from awslab.sandbox.account import Account, account_path
from awslab.sandbox_client import (
    call,
    console_session_path,
    create_root_virtual_mfa,
    lab_credentials,
    sign_in_as_root,
)
from tests.helpers import error_code


def _session_clients(endpoint: str, session: dict, token: str | None = None):
    boto = boto3.Session(aws_access_key_id=session["access_key_id"],
                         aws_secret_access_key=session["secret_access_key"],
                         aws_session_token=token or session["session_token"], region_name="us-east-1")
    return boto.client("sts", endpoint_url=endpoint), boto.client("iam", endpoint_url=endpoint)


def test_console_session_is_root_but_not_an_access_key(lab, iam):
    session = sign_in_as_root(lab.endpoint_url)
    assert session["access_key_id"].startswith("ASIA")
    assert set(session) == {"access_key_id", "secret_access_key", "session_token", "expiration"}
    lifetime = time.mktime(time.strptime(session["expiration"], "%Y-%m-%dT%H:%M:%SZ")) - time.mktime(
        time.gmtime())
    assert 11.9 * 3600 < lifetime <= 12 * 3600 + 5
    sts, root_iam = _session_clients(lab.endpoint_url, session)
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{lab.account_id}:root"
    assert root_iam.get_user()["User"]["Arn"] == f"arn:aws:iam::{lab.account_id}:root"

    # Not an access key: nowhere among root's keys.
    root_keys = [k["AccessKeyId"] for k in root_iam.list_access_keys()["AccessKeyMetadata"]]
    assert session["access_key_id"] not in root_keys and root_keys
    # A 04-like retirement, done from the console session: no root access keys are left.
    for key_id in root_keys:
        root_iam.delete_access_key(AccessKeyId=key_id)
    try:
        assert root_iam.get_account_summary()["SummaryMap"]["AccountAccessKeysPresent"] == 0
        assert root_iam.list_access_keys()["AccessKeyMetadata"] == []
        root_iam.generate_credential_report()
        report = root_iam.get_credential_report()["Content"].decode()
        row = next(r for r in csv.DictReader(io.StringIO(report)) if r["user"] == "<root_account>")
        assert row["access_key_1_active"] == "false" and row["access_key_2_active"] == "false"
        assert session["access_key_id"] not in report

        # The lab falls back to a root console session, kept (0600) and reused.
        credentials = lab_credentials()
        assert credentials["principal"] == "root (console session)"
        assert credentials["access_key_id"].startswith("ASIA") and credentials["session_token"]
        assert stat.S_IMODE(console_session_path().stat().st_mode) == 0o600
        assert lab_credentials()["access_key_id"] == credentials["access_key_id"]
        connected = awslab.connect("sandbox")
        assert connected.is_root and connected.principal == "root"
        assert connected.client("iam").get_account_summary()["SummaryMap"]["AccountAccessKeysPresent"] == 0
        # Root's MFA is set up in the console: a console session may do it.
        device = create_root_virtual_mfa(connected, "console-session-check")
        assert device["serial_number"].endswith(":mfa/console-session-check")
        root_iam.delete_virtual_mfa_device(SerialNumber=device["serial_number"])  # not assigned

        # A session key with a wrong session token is no one.
        sts_wrong, _ = _session_clients(lab.endpoint_url, session, token="not-the-token")
        with pytest.raises(ClientError) as wrong:
            sts_wrong.get_caller_identity()
        assert error_code(wrong) == "InvalidClientTokenId"
    finally:
        # Give the shared sandbox a root key again (the later tests sign in with it).
        root_iam.create_access_key()
        console_session_path().unlink(missing_ok=True)
    assert box.lab_credentials()["principal"] == "root"


def test_wrong_or_missing_console_secret_is_refused(lab):
    for body in (b'{"console_secret": "not-it"}', b"{}"):
        request = urllib.request.Request(lab.endpoint_url + "/_awslab/console/root-session", data=body,
                                         method="POST", headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403
        answer = json.loads(refused.value.read())
        assert answer["error"] == "AccessDenied" and "console secret" in answer["message"]
        assert "access_key_id" not in answer


def test_the_console_secret_lives_only_in_account_json(lab, tmp_path):
    path = account_path()
    account = Account.load(path)
    assert account.console_secret and len(account.console_secret) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert account.console_secret not in repr(account)
    # An account.json from before the console sign-in gets a secret on load, and keeps it.
    old = tmp_path / "account.json"
    data = json.loads(path.read_text())
    data.pop("console_secret")
    old.write_text(json.dumps(data))
    upgraded = Account.load(old)
    assert upgraded.console_secret and upgraded.account_id == account.account_id
    assert json.loads(old.read_text())["console_secret"] == upgraded.console_secret
    assert Account.load(old).console_secret == upgraded.console_secret


@pytest.fixture
def short_sessions(sandbox, tmp_path, monkeypatch):
    """A second sandbox (its own AWSLAB_HOME) whose console sessions last 5 seconds (time for
    the test's first calls on a loaded machine; it then waits for the expiry, not longer)."""
    monkeypatch.setenv("AWSLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWSLAB_CONSOLE_SESSION_SECONDS", "5")
    monkeypatch.setenv("AWSLAB_SANDBOX_PORT", "0")  # any free port
    try:
        yield box.start()
    finally:
        box.stop()


def test_an_expired_console_session_gets_expired_token_and_the_lab_signs_in_again(short_sessions):
    session = sign_in_as_root(short_sessions.endpoint)
    sts, root_iam = _session_clients(short_sessions.endpoint, session)
    assert sts.get_caller_identity()["Arn"].endswith(":root")
    for key in root_iam.list_access_keys()["AccessKeyMetadata"]:
        root_iam.delete_access_key(AccessKeyId=key["AccessKeyId"])
    first = lab_credentials()
    assert first["principal"] == "root (console session)"
    expires = max(datetime.fromisoformat(kept["expiration"].replace("Z", "+00:00")).timestamp()
                  for kept in (session, first))  # the test's session and the lab's kept one
    time.sleep(max(0.0, expires - time.time()) + 1.1)  # the expiration is to the second
    with pytest.raises(ClientError) as expired:
        sts.get_caller_identity()
    assert error_code(expired) == "ExpiredToken"
    assert expired.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "expired" in expired.value.response["Error"]["Message"]
    # An expired session is no longer root for the simulated console either.
    lab = awslab.connect("sandbox")   # the kept session has expired: a new sign-in
    assert lab.is_root
    assert lab.session.get_credentials().access_key != first["access_key_id"]
    from botocore.credentials import ReadOnlyCredentials

    expired_credentials = ReadOnlyCredentials(first["access_key_id"], first["secret_access_key"],
                                              first["session_token"])
    with pytest.raises(LabError) as refused:
        call(short_sessions.endpoint, "/_awslab/root-mfa/create", {"device_name": "late"},
             credentials=expired_credentials)
    assert refused.value.code == "ExpiredToken"

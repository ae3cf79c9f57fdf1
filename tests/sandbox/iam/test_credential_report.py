"""(docs/contract.md, "Sandbox: a new account"; an auditor's view): the credential report and each access key's last use.

AWS:
- GetAccountSummary has `AccountPasswordPresent` (1: root has a password, as every account's
  root user does).
- GenerateCredentialReport makes a report only when there is none or the last is over four
  hours old; GetCredentialReport hands back that report as it was when generated. (The
  shared test sandbox makes a new one each time, AWSLAB_REPORT_SECONDS=0; here a sandbox of
  its own keeps IAM's four hours.)
- Every long-term access key, root's too, records its last use: GetAccessKeyLastUsed and the
  report's access_key_N_last_used_date, _region and _service (`N/A` for a key never used);
  root's console sign-in is its password's last use.
"""

import csv
import io
import time
from datetime import datetime, timedelta, timezone

import boto3
import pytest

import awslab
from awslab import sandbox_client
from awslab.sandbox_client import sign_in_as_root, sign_in_as_user


def rows(iam) -> dict[str, dict]:
    iam.generate_credential_report()
    report = iam.get_credential_report()["Content"].decode()
    return {row["user"]: row for row in csv.DictReader(io.StringIO(report))}


def recent(value, seconds: float = 120) -> bool:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return abs(datetime.now(timezone.utc) - moment) < timedelta(seconds=seconds)


@pytest.fixture
def four_hour_sandbox(sandbox, tmp_path, monkeypatch):
    """A sandbox of its own that keeps credential reports four hours, as IAM does."""
    monkeypatch.delenv("AWSLAB_REPORT_SECONDS", raising=False)
    monkeypatch.setenv("AWSLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWSLAB_SANDBOX_PORT", "0")
    try:
        yield sandbox_client.start()
    finally:
        sandbox_client.stop()


def test_the_summary_says_root_has_a_password(iam):
    assert iam.get_account_summary()["SummaryMap"]["AccountPasswordPresent"] == 1


def test_a_report_is_kept_as_it_was_generated(four_hour_sandbox):
    import awslab

    iam = awslab.connect("sandbox").client("iam")
    assert iam.generate_credential_report()["State"] == "STARTED"
    first = iam.get_credential_report()
    assert recent(first["GeneratedTime"])
    iam.create_user(UserName="made-after-the-report")
    assert iam.generate_credential_report()["State"] == "COMPLETE"  # the same report, not a new one
    again = iam.get_credential_report()
    assert again["Content"] == first["Content"] and again["GeneratedTime"] == first["GeneratedTime"]
    assert b"made-after-the-report" not in again["Content"]

    sandbox_client.stop()  # kept across a restart, as the account is
    sandbox_client.start()
    iam = awslab.connect("sandbox").client("iam")
    assert iam.get_credential_report()["Content"] == first["Content"]


def test_each_access_key_records_its_last_use(own_sandbox):
    lab = awslab.connect("sandbox")  # a brand-new account: the lab signs with root's access key
    iam = lab.client("iam")
    root_key = sandbox_client.lab_credentials()["access_key_id"]
    assert root_key.startswith("AKIA")
    lab.client("sts").get_caller_identity()
    used = iam.get_access_key_last_used(AccessKeyId=root_key)
    assert "UserName" not in used  # root's key: no IAM user
    assert used["AccessKeyLastUsed"]["Region"] == "us-east-1"
    assert used["AccessKeyLastUsed"]["ServiceName"] == "iam"  # this very call, signed with it
    assert recent(used["AccessKeyLastUsed"]["LastUsedDate"])

    iam.create_user(UserName="key-user")
    first = iam.create_access_key(UserName="key-user")["AccessKey"]
    second = iam.create_access_key(UserName="key-user")["AccessKey"]
    try:
        never = iam.get_access_key_last_used(AccessKeyId=second["AccessKeyId"])
        assert never["UserName"] == "key-user"
        assert never["AccessKeyLastUsed"] == {"Region": "N/A", "ServiceName": "N/A"}
        boto3.client("sts", endpoint_url=lab.endpoint_url, region_name="us-east-1",
                     aws_access_key_id=first["AccessKeyId"],
                     aws_secret_access_key=first["SecretAccessKey"]).get_caller_identity()
        once = iam.get_access_key_last_used(AccessKeyId=first["AccessKeyId"])["AccessKeyLastUsed"]
        assert (once["Region"], once["ServiceName"]) == ("us-east-1", "sts")
        assert recent(once["LastUsedDate"])

        report = rows(iam)
        user = report["key-user"]
        assert recent(user["access_key_1_last_used_date"])
        assert (user["access_key_1_last_used_region"], user["access_key_1_last_used_service"]) == ("us-east-1", "sts")
        assert [user[f"access_key_2_last_used_{part}"] for part in ("date", "region", "service")] == ["N/A"] * 3
        root = report["<root_account>"]
        assert recent(root["access_key_1_last_used_date"])
        assert root["access_key_1_last_used_region"] == "us-east-1"
        assert root["access_key_1_last_used_service"] in ("iam", "sts")
        assert root["access_key_2_last_used_date"] == "N/A"
    finally:
        for key in (first, second):
            iam.delete_access_key(UserName="key-user", AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName="key-user")


def test_sessions_are_not_access_keys_and_record_nothing(lab, iam):
    session = sign_in_as_root(lab.endpoint_url)
    boto3.client("sts", endpoint_url=lab.endpoint_url, region_name="us-east-1",
                 aws_access_key_id=session["access_key_id"],
                 aws_secret_access_key=session["secret_access_key"],
                 aws_session_token=session["session_token"]).get_caller_identity()
    assert session["access_key_id"] not in rows(iam)["<root_account>"].values()


def test_sign_ins_are_the_passwords_last_use(lab, iam):
    before = time.time()
    sign_in_as_root(lab.endpoint_url)  # root's console sign-in: its password
    root = rows(iam)["<root_account>"]
    assert datetime.fromisoformat(root["password_last_used"]).timestamp() >= int(before)
    assert recent(iam.get_user()["User"]["PasswordLastUsed"])

    iam.create_user(UserName="console-user")
    iam.create_login_profile(UserName="console-user", Password="Correct-Horse-Battery-9")
    try:
        assert rows(iam)["console-user"]["password_last_used"] == "no_information"
        signed = sign_in_as_user(lab.endpoint_url, lab.account_id, "console-user", "Correct-Horse-Battery-9")
        assert signed.get("signed_in")
        used = iam.get_user(UserName="console-user")["User"]["PasswordLastUsed"]
        assert recent(used) and used.microsecond == 0  # whole seconds, as AWS (Prowler parses them so)
        assert rows(iam)["console-user"]["access_key_1_last_used_date"] == "N/A"
    finally:
        iam.delete_login_profile(UserName="console-user")
        iam.delete_user(UserName="console-user")

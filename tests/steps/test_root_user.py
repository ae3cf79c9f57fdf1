"""Where the root user stands: the summary, the credential report's root row, Check again."""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timedelta, timezone

import pyotp
import pytest

from awslab.errors import LabError
from awslab.forms.s01_root_user import RootStatus, console_steps_html
from awslab.steps.s01_root_user import (
    SECURITY_CREDENTIALS_URL,
    credential_report,
    read_root_status,
    root_report_row,
)
from tests.helpers import counting_calls

HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
          "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
          "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
          "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
          "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
          "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n")


def stubbed(lab):
    """The same lab with an IAM client of its own, to stub AWS answers the sandbox never gives."""
    import boto3
    from botocore.stub import Stubber

    session = boto3.Session(aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x",
                            region_name=lab.region)
    other = dataclasses.replace(lab, session=session)
    return other, Stubber(other.client("iam"))


def test_a_new_account_is_red_with_its_root_row(lab):
    status = RootStatus(lab)
    reading = status.refresh()
    assert reading.mfa_enabled is False and reading.access_keys_present is True
    assert reading.problems == []
    assert reading.report_row["arn"] == f"arn:aws:iam::{lab.account_id}:root"
    assert reading.report_row["mfa_active"] == "false"
    text = status.lines.value
    assert "The root user has no MFA (AccountMFAEnabled = 0)." in text
    assert "The root user has access keys (AccountAccessKeysPresent = 1)." in text
    assert "mfa_active = false" in text and "Root access key 1 is active" in text
    assert "Root password last used" in text
    assert status.widget.layout.border.endswith("#d13212")
    assert status.progress.value == 1.0 and status.progress_box.layout.display == "none"
    assert "root MFA off" in reading.summary()


def test_check_again_turns_green_after_root_mfa(lab):
    from awslab import sandbox_client as console
    from awslab.forms.s01_root_user import VirtualMfaForm

    status = RootStatus(lab)
    status.refresh()
    # A real account's form: console steps, a link and Check again; nothing to submit.
    real = dataclasses.replace(lab, target="aws")
    form = VirtualMfaForm(real)
    form.on_assigned(status.refresh)
    assert SECURITY_CREDENTIALS_URL in form.intro.value
    assert form.check_again() is False and "no MFA device yet" in form.message.value

    # The learner assigns MFA "in the console" (here: the sandbox's simulated one) ...
    device = console.create_root_virtual_mfa(lab, "console-phone")
    totp = pyotp.TOTP(device["seed"])
    console.enable_root_mfa(lab, device["serial_number"], totp.at(time.time() - 30), totp.at(time.time()))
    # ... and presses Check again: the panel re-reads and turns green.
    [check] = [w for w in form.after.children if "awslab-check-again" in w._dom_classes]
    check.click()
    assert "AccountMFAEnabled = 1" in form.message.value
    # The report IAM holds was made before the MFA (IAM makes one at most every four hours):
    # the summary is current, and the panel says the report lags.
    assert status.state.mfa_enabled is True and status.state.report_row["mfa_active"] == "false"
    assert "The report is older than the MFA change." in status.lines.value
    # Root's access keys (notebook 04 retires them) are still a red row: the border stays red.
    assert "Root access key 1 is active" in status.lines.value
    assert status.widget.layout.border.endswith("#d13212")
    status.button.click()  # the panel's own Check again
    assert "The root user has MFA (AccountMFAEnabled = 1)." in status.lines.value


def test_progress_while_waiting_for_complete(lab):
    other, stub = stubbed(lab)
    for state in ("STARTED", "INPROGRESS", "COMPLETE"):
        stub.add_response("generate_credential_report", {"State": state})
    root = ("<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,"
            "2024-05-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,"
            "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n")
    stub.add_response("get_credential_report", {"Content": (HEADER + root).encode(), "ReportFormat": "text/csv"})
    seen = []
    with stub:
        text, _ = credential_report(other, lambda fraction, said: seen.append((fraction, said)), poll=0)
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("STARTED" in said for _, said in seen) and any("INPROGRESS" in said for _, said in seen)
    row = root_report_row(text)
    assert row["mfa_active"] == "true" and row["password_last_used"].startswith("2024-05-01")
    assert root_report_row(HEADER) is None


def test_after_the_lab_assigns_root_mfa_only_the_summary_is_read(lab):
    """The MFA form tells the panel what the lab changed: AccountMFAEnabled is read fresh, the
    credential report row is kept (and the panel says the report lags); Check again re-reads
    both, downloading the report IAM holds without generating a new one."""
    from awslab.forms.s01_root_user import VirtualMfaForm

    status = RootStatus(lab)
    status.refresh()
    form = VirtualMfaForm(lab, auto_submit=True)
    form.on_assigned(status.refresh)
    iam = lab.client("iam")
    with counting_calls(iam) as calls:
        form.show()
    assert form.result == f"arn:aws:iam::{lab.account_id}:mfa/root-account-mfa-device"
    assert calls.count("GetAccountSummary") == 1
    assert not {"GenerateCredentialReport", "GetCredentialReport"} & set(calls)
    assert status.state.mfa_enabled is True and status.state.problems == []
    text = status.lines.value
    assert "The root user has MFA (AccountMFAEnabled = 1)." in text
    assert "mfa_active = false" in text and "The report is older than the MFA change." in text
    assert "✘" not in text.split("mfa_active")[0].rsplit("awslab-line", 1)[-1]  # stale, not failed: no red mark
    assert status.widget.layout.border.endswith("#d13212")  # root's access keys: still to do

    with counting_calls(iam) as calls:
        status.button.click()  # Check again: everything, read again
    assert calls == ["GetAccountSummary", "GetCredentialReport"]
    # That report is the one made before the MFA, as on AWS for four hours; a new one (the
    # test sandbox makes it at once, as IAM would four hours later) shows it.
    assert status.state.report_row["mfa_active"] == "false"
    assert "older than the MFA change" in status.lines.value
    iam.generate_credential_report()
    status.button.click()
    assert status.state.report_row["mfa_active"] == "true"
    assert "mfa_active = true" in status.lines.value
    assert "older than the MFA change" not in status.lines.value


def test_a_report_is_generated_again_unless_known_to_be_under_four_hours_old(lab):
    now = datetime.now(timezone.utc)
    root = ("<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,"
            "N/A,not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,"
            "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n")

    def answer(generated):
        return {"Content": (HEADER + root).encode(), "ReportFormat": "text/csv", "GeneratedTime": generated}

    cases = {
        "never read": (None, [("generate", None), ("get", now)]),
        "read 5 hours ago": (now - timedelta(hours=5), [("generate", None), ("get", now)]),
        "read 1 hour ago": (now - timedelta(hours=1), [("get", now - timedelta(hours=1))]),
        "gone since": (now - timedelta(hours=1), [("get", "ReportNotPresent"), ("generate", None), ("get", now)]),
        "expired on AWS's clock": (now - timedelta(hours=1), [("get", "ReportExpired"), ("generate", None),
                                                              ("get", now)]),
        "replaced by an old one": (now - timedelta(hours=1), [("get", now - timedelta(hours=5)),
                                                              ("generate", None), ("get", now)]),
    }
    for case, (known, expected) in cases.items():
        other, stub = stubbed(lab)
        for call, value in expected:
            if call == "generate":
                stub.add_response("generate_credential_report", {"State": "COMPLETE"})
            elif isinstance(value, str):
                stub.add_client_error("get_credential_report", value, "no report", 410)
            else:
                stub.add_response("get_credential_report", answer(value))
        with stub:
            text, generated = credential_report(other, known_time=known, poll=0)
        stub.assert_no_pending_responses()
        assert root_report_row(text)["arn"].endswith(":root"), case
        assert generated == expected[-1][1], case


def test_report_that_never_completes_says_so(lab):
    other, stub = stubbed(lab)
    stub.add_response("generate_credential_report", {"State": "STARTED"})
    with stub, pytest.raises(LabError, match="still generating the credential report"):
        credential_report(other, timeout=0, poll=0)


def test_no_permission_names_the_missing_permission(lab):
    other, stub = stubbed(lab)
    stub.add_client_error("get_account_summary", "AccessDenied", "not authorized", 403)
    stub.add_client_error("generate_credential_report", "AccessDenied", "not authorized", 403)
    with stub:
        status = RootStatus(other)
        reading = status.refresh()
    assert reading.mfa_enabled is None and reading.report_row is None
    assert any("`iam:GetAccountSummary`" in p for p in reading.problems)
    assert any("`iam:GenerateCredentialReport`" in p for p in reading.problems)
    assert "iam:GetAccountSummary" in status.lines.value
    assert "unknown" in reading.summary()


def test_read_root_status_never_touches_access_keys(lab):
    iam = lab.client("iam")
    before = iam.list_access_keys()["AccessKeyMetadata"]
    read_root_status(lab)
    assert iam.list_access_keys()["AccessKeyMetadata"] == before


def test_console_steps_link_to_the_security_credentials_page():
    text = console_steps_html()
    assert "https://console.aws.amazon.com/iam/home#/security_credentials" in text
    assert "Assign MFA device" in text and "MFA code 2" in text
    assert "never asks for root access keys" in text

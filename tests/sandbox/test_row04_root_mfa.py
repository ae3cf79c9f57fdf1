"""Row 4: root MFA through the simulated console; AccountMFAEnabled and the <root_account> row."""

import base64
import csv
import io
import time

import pyotp
import pytest

from awslab.errors import LabError
from awslab.sandbox import console


def test_root_mfa(lab, iam):
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountMFAEnabled"] == 0
    assert console.root_mfa_status(lab)["mfa_enabled"] is False

    device = console.create_root_virtual_mfa(lab, "root-phone")
    assert device["serial_number"] == f"arn:aws:iam::{lab.account_id}:mfa/root-phone"
    assert base64.b64decode(device["qr_png_base64"]).startswith(b"\x89PNG")
    assert device["otpauth_uri"].startswith("otpauth://totp/Amazon%20Web%20Services:root-phone")
    totp = pyotp.TOTP(device["seed"])
    now = time.time()
    code1, code2 = totp.at(now - 30), totp.at(now)

    with pytest.raises(LabError) as refused:
        console.enable_root_mfa(lab, device["serial_number"], code2, code1)
    assert refused.value.code == "InvalidAuthenticationCode"
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0
    assert console.root_mfa_status(lab)["mfa_enabled"] is False

    console.enable_root_mfa(lab, device["serial_number"], code1, code2)
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1
    assert console.root_mfa_status(lab)["mfa_enabled"] is True

    iam.generate_credential_report()
    report = iam.get_credential_report()["Content"].decode()
    rows = list(csv.DictReader(io.StringIO(report)))
    assert list(rows[0].keys())[:8] == ["user", "arn", "user_creation_time", "password_enabled",
                                        "password_last_used", "password_last_changed",
                                        "password_next_rotation", "mfa_active"]
    assert len(rows[0]) == 22
    root = rows[0]
    assert root["user"] == "<root_account>"
    assert root["arn"] == f"arn:aws:iam::{lab.account_id}:root"
    assert root["mfa_active"] == "true"
    assert root["access_key_1_active"] == "true"
    assert root["access_key_2_active"] == "false"


def test_root_mfa_console_needs_a_root_key(lab):
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(lab.endpoint_url + "/_awslab/root-mfa/create",
                                     data=json.dumps({"access_key_id": "AKIAIOSFODNN7EXAMPLE",
                                                      "device_name": "x"}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(request, timeout=5)
    assert denied.value.code == 403
    assert json.loads(denied.value.read())["error"] == "AccessDenied"


def test_credential_report_says_when_it_was_generated(iam):
    """moto alone answers a fixed GeneratedTime of 2015-02-02; AWS says when it made it."""
    from datetime import datetime, timedelta, timezone

    iam.generate_credential_report()
    generated = iam.get_credential_report()["GeneratedTime"]
    assert abs(datetime.now(timezone.utc) - generated) < timedelta(hours=4, minutes=1)

"""(docs/contract.md, "Sandbox: a new account"): root MFA through the simulated console; AccountMFAEnabled and the <root_account> row."""

import base64
import csv
import io
import time

import pyotp
import pytest

from awslab import sandbox_client as console
from awslab.errors import LabError


def test_root_mfa(own_sandbox):
    import awslab

    lab = awslab.connect("sandbox")
    iam = lab.client("iam")
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


def test_root_mfa_console_needs_root_signing_it(lab, iam):
    """The simulated console's calls are signed like AWS requests, by root only."""
    import json
    import urllib.error
    import urllib.request

    from botocore.credentials import ReadOnlyCredentials

    # Unsigned, with a key id in the body as the console once accepted: refused.
    request = urllib.request.Request(lab.endpoint_url + "/_awslab/root-mfa/create",
                                     data=json.dumps({"access_key_id": "AKIAIOSFODNN7EXAMPLE",
                                                      "device_name": "x"}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(request, timeout=5)
    assert denied.value.code == 403
    assert json.loads(denied.value.read())["error"] == "MissingAuthenticationToken"

    # Root's key id with a wrong secret: refused.
    root = lab.session.get_credentials().get_frozen_credentials()
    with pytest.raises(LabError) as wrong:
        console.call(lab.endpoint_url, "/_awslab/root-mfa/create", {"device_name": "x"},
                     credentials=ReadOnlyCredentials(root.access_key, "not-the-secret", None))
    assert wrong.value.code == "SignatureDoesNotMatch"

    # An IAM user, even an administrator, is not root.
    iam.create_user(UserName="not-root")
    iam.attach_user_policy(UserName="not-root",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="not-root")["AccessKey"]
    try:
        with pytest.raises(LabError) as refused:
            console.call(lab.endpoint_url, "/_awslab/root-mfa/create", {"device_name": "x"},
                         credentials=ReadOnlyCredentials(key["AccessKeyId"],
                                                         key["SecretAccessKey"], None))
        assert refused.value.code == "AccessDenied"
    finally:
        iam.delete_access_key(UserName="not-root", AccessKeyId=key["AccessKeyId"])
        iam.detach_user_policy(UserName="not-root",
                               PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        iam.delete_user(UserName="not-root")
    assert [d["VirtualMFADeviceName"] if "VirtualMFADeviceName" in d else d["SerialNumber"]
            for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]
            if d["SerialNumber"].endswith(":mfa/x")] == []


def test_credential_report_says_when_it_was_generated(iam):
    """moto alone answers a fixed GeneratedTime of 2015-02-02; AWS says when it made it."""
    from datetime import datetime, timedelta, timezone

    iam.generate_credential_report()
    generated = iam.get_credential_report()["GeneratedTime"]
    assert abs(datetime.now(timezone.utc) - generated) < timedelta(hours=4, minutes=1)

"""The reusable MFA form: the console's steps, bad input, nothing half-made, no secret in state."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import time

import pyotp
import pytest

from awslab import record
from awslab.errors import LabError
from awslab.forms.s01_root_user import SimulatedAuthenticator, VirtualMfaForm
from awslab.steps.s01_root_user import diagnose_codes


def widget_state_text() -> str:
    """The state of every live widget, as a saved notebook would hold it."""
    from ipywidgets.widgets.widget import _instances

    return json.dumps([w.get_state() for w in list(_instances.values())], default=str)


def assert_no_secret(seed: str, png: bytes) -> None:
    text = widget_state_text()
    assert seed not in text
    assert base64.b64encode(png).decode() not in text
    assert "otpauth://" not in text and "secret=" not in text
    assert not re.search(r"[A-Z2-7]{32,}", text)


def unassigned(iam) -> list[str]:
    return [d["SerialNumber"] for d in
            iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]]


@pytest.fixture
def user(lab):
    lab.client("iam").create_user(UserName="mfa-alice")
    return "mfa-alice"


def test_iam_user_gets_a_device_and_no_secret_reaches_widget_state(lab, user):
    iam = lab.client("iam")
    form = VirtualMfaForm(lab, user_name=user)
    assert form.mode == "ready" and form.device_name.value == user
    form.continue_button.click()  # driven as a person would: the buttons
    device = form.device
    assert form.step2.layout.display == "" and form.button.layout.display == ""
    seed, png = device.seed, device.qr_png
    assert png.startswith(b"\x89PNG") and len(seed) >= 16
    form.app_button.click()
    app = form.authenticator
    assert app.code == pyotp.TOTP(seed).now()
    assert_no_secret(seed, png)
    assert seed not in repr(form.device) and seed not in repr(app) and seed not in repr(form.widget)

    form.code1.value, form.code2.value = app.consecutive_codes()
    form.button.click()
    serial = form.result
    assert form.error is None, form.error
    assert serial == f"arn:aws:iam::{lab.account_id}:mfa/{user}"
    assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName=user)["MFADevices"]] == [serial]
    assert unassigned(iam) == []
    assert "is assigned to the IAM user mfa-alice" in form.message.value
    assert record.was_created(lab.account_id, "mfa_device", serial)
    assert [e for e in record.created(lab.account_id) if e["name"] == serial][0]["user"] == user
    assert form.code1.value == form.code2.value == ""
    assert_no_secret(seed, png)

    # Again: already has MFA, says so, offers nothing.
    again = VirtualMfaForm(lab, user_name=user, auto_submit=True)
    again.show()
    assert again.mode == "already" and again.result == serial
    assert "already has MFA" in again.message.value
    assert again.step1.layout.display == "none" and again.button.layout.display == "none"


def test_headless_iam_user_and_listeners(lab, user):
    told = []
    form = VirtualMfaForm(lab, user_name=user, device_name="alice-phone", auto_submit=True)
    form.on_assigned(lambda: told.append(True))
    form.show()
    assert form.result == f"arn:aws:iam::{lab.account_id}:mfa/alice-phone"
    assert told == [True]


def test_listeners_are_told_what_the_lab_changed_and_plain_ones_still_work(lab, user):
    """After the lab assigns a device itself, a listener taking `changed` hears what changed (so
    it can re-read only that); after the learner's Check again (a real account's root, done in
    the console) every listener is called plainly, and re-reads everything."""
    from awslab import sandbox_client as console

    told = []

    def plain():
        told.append("plain")

    def aware(changed=None):
        told.append(changed)

    form = VirtualMfaForm(lab, user_name=user, auto_submit=True)
    form.on_assigned(plain)
    form.on_assigned(aware)
    form.on_assigned(print)  # a builtin: no signature to read, called plainly
    form.show()
    assert form.result and told == ["plain", "user_mfa"]

    told.clear()
    real = VirtualMfaForm(dataclasses.replace(lab, target="aws"))
    real.on_assigned(plain)
    real.on_assigned(aware)
    device = console.create_root_virtual_mfa(lab, "console-phone")
    totp = pyotp.TOTP(device["seed"])
    console.enable_root_mfa(lab, device["serial_number"], totp.at(time.time() - 30), totp.at(time.time()))
    assert real.check_again() is True
    assert told == ["plain", None]


def test_bad_codes_each_get_their_sentence_and_change_nothing(lab, user):
    iam = lab.client("iam")
    form = VirtualMfaForm(lab, user_name=user)
    device = form.set_up_device()
    serial, totp = device.serial_number, pyotp.TOTP(device.seed)
    now = time.time()
    other = pyotp.TOTP(pyotp.random_base32()).now()
    bad = [
        (("12a456", totp.now()), "MFA code 1 must be exactly 6 digits"),
        ((totp.now(), "12345"), "MFA code 2 must be exactly 6 digits"),
        (("", totp.now()), "MFA code 1 is empty"),
        ((totp.now(), totp.now()), "You typed the same code twice"),
        ((other, other[::-1] if other[::-1] != other else "000001"), "InvalidAuthenticationCode"),
        ((totp.at(now - 90), totp.at(now)), "not consecutive"),
        ((totp.at(now), totp.at(now - 30)), "wrong order"),
        ((totp.at(now - 300), totp.at(now - 270)), "expired"),
    ]
    for (code1, code2), expected in bad:
        form.code1.value, form.code2.value = code1, code2
        assert form.submit() is None
        assert expected in form.error, (code1, code2, form.error)
        assert "\n" not in form.error and "Traceback" not in form.error
        assert iam.list_mfa_devices(UserName=user)["MFADevices"] == []
        assert unassigned(iam) == [serial]  # the same device waits for its codes
    assert "neither code belongs" in diagnose_codes(device.seed, other, other)

    # Retrying with good codes reuses the waiting device.
    form.code1.value, form.code2.value = totp.at(time.time() - 30), totp.at(time.time())
    assert form.submit() == serial
    assert unassigned(iam) == []


def test_headless_refusal_raises_the_sentence(lab, user):
    form = VirtualMfaForm(lab, user_name=user, auto_submit=True)
    form.set_up_device()
    form.code1.value, form.code2.value = "abcdef", "123456"
    with pytest.raises(LabError, match="MFA code 1 must be exactly 6 digits"):
        form.submit()


def test_device_name_that_exists_is_explained(lab, user):
    iam = lab.client("iam")
    iam.create_virtual_mfa_device(VirtualMFADeviceName="taken")
    form = VirtualMfaForm(lab, user_name=user, device_name="taken")
    form.continue_button.click()
    assert "already exists" in form.error and "EntityAlreadyExists" in form.error
    assert form.device is None and form.step2.layout.display == "none"
    assert unassigned(iam) == [f"arn:aws:iam::{lab.account_id}:mfa/taken"]

    form.device_name.value = "has space"
    form.continue_button.click()
    assert "is not valid" in form.error
    assert len(unassigned(iam)) == 1


def test_nothing_is_orphaned(lab, user):
    iam = lab.client("iam")
    # Cancel deletes the waiting device.
    form = VirtualMfaForm(lab, user_name=user)
    serial = form.set_up_device().serial_number
    assert unassigned(iam) == [serial]
    form.cancel_button.click()
    assert unassigned(iam) == [] and not record.was_created(lab.account_id, "mfa_device", serial)

    # An attempt abandoned (the notebook closed) is deleted and made again next time.
    VirtualMfaForm(lab, user_name=user).set_up_device()
    second = VirtualMfaForm(lab, user_name=user)
    device = second.set_up_device()
    assert second.error is None and unassigned(iam) == [device.serial_number]

    # A refusal retrying cannot fix deletes the device.
    iam.delete_user(UserName=user)
    app = second.use_simulated_authenticator()
    second.code1.value, second.code2.value = app.consecutive_codes()
    assert second.submit() is None
    assert "NoSuchEntity" in second.error and "deleted" in second.error
    assert unassigned(iam) == [] and second.device is None
    assert second.step2.layout.display == "none"


def test_security_key_and_hardware_are_explained_not_simulated(lab, user):
    form = VirtualMfaForm(lab, user_name=user)
    for kind in ("security_key", "hardware"):
        form.kind.value = kind
        assert "cannot be simulated" in form.kind_help.value
        assert form.continue_button.disabled
        with pytest.raises(LabError, match="physical device"):
            form.set_up_device()
    assert unassigned(lab.client("iam")) == []


def test_root_in_the_sandbox_through_the_simulated_console(lab):
    iam = lab.client("iam")
    VirtualMfaForm(lab).set_up_device()  # an attempt abandoned: made again below, not orphaned
    form = VirtualMfaForm(lab)
    assert form.mode == "ready" and form.device_name.value == "root-account-mfa-device"
    device = form.set_up_device()
    assert unassigned(iam) == [device.serial_number]
    seed, png = device.seed, device.qr_png
    app = form.use_simulated_authenticator()
    assert_no_secret(seed, png)
    totp = pyotp.TOTP(seed)
    form.code1.value, form.code2.value = totp.now(), totp.at(time.time() - 30)
    assert form.submit() is None and "wrong order" in form.error
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0

    form.code1.value, form.code2.value = app.consecutive_codes()
    serial = form.submit()
    assert serial == f"arn:aws:iam::{lab.account_id}:mfa/root-account-mfa-device", form.error
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1
    assert [e for e in record.created(lab.account_id) if e["name"] == serial][0]["user"] == "root"
    assert_no_secret(seed, png)

    again = VirtualMfaForm(lab, auto_submit=True)
    again.show()
    assert again.mode == "already" and "The root user already has MFA" in again.message.value


def test_no_permission_to_read_the_account_summary(lab):
    import boto3
    from botocore.stub import Stubber

    session = boto3.Session(aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x",
                            region_name=lab.region)
    denied = dataclasses.replace(lab, session=session)
    stub = Stubber(denied.client("iam"))
    stub.add_client_error("get_account_summary", "AccessDenied", "not authorized", 403)
    with stub:
        form = VirtualMfaForm(denied)
    assert form.mode == "unreadable" and "`iam:GetAccountSummary`" in form.error
    assert form.step1.layout.display == "none"


def test_real_account_root_is_console_only(lab):
    real = dataclasses.replace(lab, target="aws")  # reads still reach the sandbox
    form = VirtualMfaForm(real, auto_submit=True)
    assert form.mode == "console_only"
    assert "https://console.aws.amazon.com/iam/home#/security_credentials" in form.intro.value
    assert form.step1.layout.display == "none" and form.button.layout.display == "none"
    form.show()  # headless: skipped with a note, no error
    assert form.result is None
    with pytest.raises(LabError):
        form.set_up_device()


def test_real_account_iam_user_needs_confirmation(lab, user):
    real = dataclasses.replace(lab, target="aws", confirm_account_id=None)
    form = VirtualMfaForm(real, user_name=user)
    form.continue_button.click()
    assert "confirm_account_id" in form.error
    assert unassigned(lab.client("iam")) == []
    assert form.app_button.layout.display != ""  # never a simulated app on a real account


def test_simulated_authenticator_counts_down():
    seed = pyotp.random_base32()
    clock = [999_999_995.0]  # 5 s into a 30 s window
    app = SimulatedAuthenticator(seed, "Amazon Web Services: x@1", clock=lambda: clock[0])
    assert app.code == pyotp.TOTP(seed).at(clock[0]) and app.seconds_left == 25
    assert app.consecutive_codes() == (pyotp.TOTP(seed).at(clock[0] - 30), app.code)
    clock[0] += 30
    app._answer(app, {"event": "refresh"}, [])
    assert app.code == pyotp.TOTP(seed).at(clock[0])
    assert seed not in json.dumps(app.get_state(), default=str) and seed not in repr(app)

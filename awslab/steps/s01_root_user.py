"""Notebook 01: secure the root user. Where it stands, read from the account, and a virtual MFA
device assigned the way the console does it. No widgets here (the panel and the form are in
awslab/forms/s01_root_user.py).

Defined for `notebooks/01_secure_the_root_user.ipynb`:

cell "Where you stand" (the RootStatus panel), three readings from two IAM calls:

    read_root_status(lab, ...)      GetAccountSummary's `AccountMFAEnabled` and
                                    `AccountAccessKeysPresent`, and the credential report's
                                    `<root_account>` row (a RootReading)
    credential_report(lab, ...)     generate, wait for COMPLETE, download (04's checklist too)
    root_mfa_enabled(lab)           the form's Check again, on a real account

  IAM makes a new credential report at most every four hours, and GenerateCredentialReport
  hands back the existing one until then: so a re-read downloads a report known to be under
  four hours old at once, without asking IAM to generate it again. The report can lag behind a
  change (MFA added, keys deleted since): the account summary is current.

cell "Assign the virtual MFA device" (and notebook 02's optional MFA for the new user), one
function per button of the console's Assign MFA device:

    set_up_virtual_mfa(lab, device_name, user_name, waiting)   Continue
    simulated_app_device(lab, device)        No phone? Use the simulated authenticator app
    assign_virtual_mfa(lab, device, code1, code2)              Assign MFA
    discard_virtual_mfa(lab, device)         Cancel
    mfa_already(lab, user_name)              what the form offers (already has MFA?)

  `user_name=None` is the root user: in the sandbox through its simulated console; on a real
  account AWS lets root assign MFA only in the console (`CONSOLE_STEPS`). Nothing is left
  half-made: bad codes leave the device waiting for new ones; Cancel, or a refusal retrying
  cannot fix, deletes it; a device the lab made but never assigned (a closed notebook) is
  deleted and made again next time. The seed and QR code are secrets: they live in a
  NewVirtualMfa (its repr hides them) and are forgotten once the device is assigned.

Nothing here ever asks for, or creates, root access keys.
"""

from __future__ import annotations

import base64
import csv
import io
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pyotp
from botocore.exceptions import ClientError

from awslab import record
from awslab.errors import Code, LabError, code_of, explain
from awslab.log import get_logger
from awslab.redaction import keep_out_of_logs

# Where the root user stands (cell "Where you stand").

SECURITY_CREDENTIALS_URL = "https://console.aws.amazon.com/iam/home#/security_credentials"
ROOT_ROW = "<root_account>"
REPORT_TIMEOUT = 60.0
REPORT_POLL = 2.0  # the longest pause between polls; the first is 0.02 s
REPORT_LIFETIME = timedelta(hours=4)   # IAM makes a new report at most this often
REPORT_MARGIN = timedelta(minutes=10)  # for clocks that disagree a little
NO_REPORT = {"ReportNotPresent", "ReportExpired", "ReportInProgress"}


# Reading the account.

def account_summary(lab) -> dict:
    """GetAccountSummary's SummaryMap (needs `iam:GetAccountSummary`)."""
    return lab.client("iam").get_account_summary()["SummaryMap"]


def root_mfa_enabled(lab) -> bool:
    """True when the root user has an MFA device (`AccountMFAEnabled` is 1)."""
    return account_summary(lab).get("AccountMFAEnabled", 0) == 1


def _fresh(generated, now: datetime | None = None) -> bool:
    """True for a report IAM generated under four hours ago (so GenerateCredentialReport would
    hand back that same report)."""
    if not isinstance(generated, datetime):
        return False
    if generated.tzinfo is None:
        generated = generated.replace(tzinfo=timezone.utc)
    age = (now or datetime.now(timezone.utc)) - generated
    return -REPORT_MARGIN <= age < REPORT_LIFETIME - REPORT_MARGIN


def _report_text(answer: dict) -> str:
    content = answer["Content"]
    return content.decode("utf-8") if isinstance(content, bytes | bytearray) else str(content)


def credential_report(lab, on_progress=None, timeout: float = REPORT_TIMEOUT,
                      poll: float = REPORT_POLL, known_time=None) -> tuple[str, object]:
    """Generate the credential report, wait for COMPLETE, return (csv text, generated time).

    `on_progress(fraction, text)` is called while waiting (fraction 0..1). IAM makes a new
    report at most every four hours; a newer request returns the existing one. So when
    `known_time` (the GeneratedTime of a report the caller downloaded before) is under four
    hours old, the report is downloaded at once, without a GenerateCredentialReport that
    would return that same report; if IAM no longer has it, it is generated as usual."""
    iam = lab.client("iam")
    report = lambda fraction, text: on_progress and on_progress(fraction, text)  # noqa: E731
    if _fresh(known_time):
        report(0.5, "Downloading the credential report (IAM makes a new one at most every four hours)…")
        try:
            answer = iam.get_credential_report()
        except ClientError as error:
            if code_of(error) not in NO_REPORT:
                raise
        else:
            if _fresh(answer.get("GeneratedTime")):
                report(1.0, "Credential report ready.")
                return _report_text(answer), answer.get("GeneratedTime")
    started = time.monotonic()
    report(0.05, "Asking IAM to generate the credential report…")
    pause = min(0.02, poll)
    while True:
        state = iam.generate_credential_report().get("State", "")
        if state == "COMPLETE":
            break
        waited = time.monotonic() - started
        if waited > timeout:
            raise LabError(f"IAM was still generating the credential report after {int(timeout)} "
                           "seconds; wait a minute and press Check again.", code=Code.ReportTimeout)
        # IAM gives no percentage: show the wait against a typical few seconds.
        report(min(0.9, 0.1 + waited / 10), f"IAM is generating the credential report ({state}), "
                                            f"{waited:.0f} s so far…")
        time.sleep(pause)
        pause = min(pause * 2, poll)  # quick at first (the sandbox, a small account), then patient
    report(0.95, "Downloading the report…")
    answer = iam.get_credential_report()
    report(1.0, "Credential report ready.")
    return _report_text(answer), answer.get("GeneratedTime")


def root_report_row(report_csv: str) -> dict | None:
    """The `<root_account>` row of a credential report as a dict, or None if absent."""
    for row in csv.DictReader(io.StringIO(report_csv)):
        if row.get("user") == ROOT_ROW:
            return row
    return None


@dataclass
class RootReading:
    """One reading of where the root user stands; None where it could not be read."""

    mfa_enabled: bool | None = None
    access_keys_present: bool | None = None
    report_row: dict | None = None
    report_time: object = None
    problems: list[str] = field(default_factory=list)

    @property
    def secure(self) -> bool:
        return bool(self.mfa_enabled) and self.access_keys_present is False

    def summary(self) -> str:
        """One line: what a notebook cell shows for a reading."""
        def said(value, yes, no):
            return "unknown" if value is None else (yes if value else no)

        parts = [
            "root MFA " + said(self.mfa_enabled, "on (AccountMFAEnabled = 1)", "off (AccountMFAEnabled = 0)"),
            "root access keys " + said(self.access_keys_present, "present (AccountAccessKeysPresent = 1)",
                                       "none (AccountAccessKeysPresent = 0)"),
        ]
        if self.report_row is not None:
            parts.append(f"credential report <root_account> mfa_active = {self.report_row.get('mfa_active')}")
        text = "Root user: " + "; ".join(parts) + "."
        return text + "".join(" " + problem for problem in self.problems)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self.summary())


def read_root_status(lab, on_progress=None, previous: RootReading | None = None,
                     keep_report: bool = False) -> RootReading:
    """Read the summary and the report's root row; each failure becomes one sentence in
    `problems` (for example a missing `iam:GetAccountSummary` permission).

    `previous` is the last reading: a report it holds that is under four hours old is
    downloaded again without a new generation (IAM would return that same report). With
    `keep_report` its report row is kept as it is and only the summary is read (after a
    change the summary shows at once, such as root's MFA)."""
    reading = RootReading()
    try:
        summary = account_summary(lab)
        reading.mfa_enabled = summary.get("AccountMFAEnabled", 0) == 1
        reading.access_keys_present = summary.get("AccountAccessKeysPresent", 0) == 1
    except Exception as error:
        reading.problems.append(explain(error, "reading the account summary"))
    if keep_report and previous is not None and previous.report_row is not None:
        reading.report_row, reading.report_time = previous.report_row, previous.report_time
        return reading
    try:
        text, generated = credential_report(lab, on_progress,
                                            known_time=previous.report_time if previous else None)
        reading.report_row = root_report_row(text)
        reading.report_time = generated
        if reading.report_row is None:
            reading.problems.append("The credential report has no <root_account> row, so the root "
                                    "user's password and key dates cannot be shown.")
    except Exception as error:
        reading.problems.append(explain(error, "getting the credential report"))
    return reading


# The real account: the console is the only way to assign root's MFA.

CONSOLE_STEPS = (
    "Sign in to the AWS Management Console as the root user (Sign in, Root user, your email "
    "address and password).",
    "Open the root user's Security credentials page (the link below, or your account name at "
    "the top right, then Security credentials).",
    "Under Multi-factor authentication (MFA), choose Assign MFA device.",
    "Type a device name, choose Authenticator app (or Passkey or security key, or Hardware TOTP "
    "token), then Next.",
    "For an authenticator app: choose Show QR code and scan it with the app (or Show secret key "
    "and type it in).",
    "Type the code the app shows in MFA code 1, wait up to 30 seconds for the next code, type it "
    "in MFA code 2, then choose Add MFA (Assign MFA).",
    "Come back here and press Check again: the panel's MFA row turns green when AWS sees the device.",
)


# Assigning a virtual MFA device (cell "Assign the virtual MFA device").

ROOT_DEVICE_NAME = "root-account-mfa-device"
ISSUER = "Amazon Web Services"
STEP = 30
DEVICE_NAME = re.compile(r"[\w+=,.@-]{1,226}")
CODE = re.compile(r"\d{6}")

KINDS = [
    ("Authenticator app (virtual MFA device)", "virtual"),
    ("Passkey or security key", "security_key"),
    ("Hardware TOTP token (other hardware MFA device)", "hardware"),
]
KIND_HELP = {
    "virtual": "An app on your phone or computer (Google Authenticator, Microsoft Authenticator, "
               "Authy, 1Password, …) that shows a new 6-digit code every 30 seconds. Free, and "
               "the one this notebook walks you through.",
    "security_key": "A physical key (YubiKey and other FIDO2 keys) or a passkey you touch to sign "
                    "in; the strongest choice against phishing. It needs the real device in a "
                    "browser, so it cannot be simulated here: register it in the console.",
    "hardware": "A key fob that shows codes, bought from a supported vendor; its serial number and "
                "codes come from the physical token, so it cannot be simulated here: register it "
                "in the console.",
}


@dataclass(repr=False)
class NewVirtualMfa:
    """A virtual MFA device made for one attempt, not yet assigned. Holds secrets: never display."""

    serial_number: str
    device_name: str
    user_name: str | None  # None: the root user
    account_label: str
    seed: str = field(repr=False)
    qr_png: bytes = field(repr=False)
    assigned: bool = False
    discarded: bool = False

    def __repr__(self) -> str:
        return f"NewVirtualMfa(serial_number={self.serial_number!r}, seed=hidden)"

    def forget_secrets(self) -> None:
        self.seed, self.qr_png = "", b""


def whose(user_name: str | None) -> str:
    return "the root user" if user_name is None else f"the IAM user {user_name}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def check_device_name(name: str | None) -> str:
    name = (name or "").strip()
    if not DEVICE_NAME.fullmatch(name):
        raise LabError(f"The device name {name!r} is not valid: use 1 to 226 letters, digits or "
                       "+=,.@_- (no spaces), for example my-phone.", code=Code.ValidationError)
    return name


def check_codes(code1, code2, seed: str | None = None) -> tuple[str, str]:
    """Both codes as 6 digits (spaces removed), checked before any call to AWS."""
    codes = []
    for number, code in ((1, code1), (2, code2)):
        text = re.sub(r"\s+", "", str(code or ""))
        if not text:
            raise LabError(f"MFA code {number} is empty: type the 6-digit code your authenticator "
                           "app shows.", code=Code.InvalidInput)
        if not CODE.fullmatch(text):
            raise LabError(f"MFA code {number} must be exactly 6 digits, as your authenticator app "
                           f"shows them (you typed {len(text)} characters).", code=Code.InvalidInput)
        codes.append(text)
    if codes[0] == codes[1] and not (seed and _consecutive(seed, *codes)):
        raise LabError("You typed the same code twice: type the code the app shows now in MFA code 1, "
                       "wait until it shows the next one (up to 30 seconds), and type that in MFA code 2.",
                       code=Code.InvalidInput)
    return codes[0], codes[1]


def _steps(totp: pyotp.TOTP, code: str, counter: int, back: int = 20) -> list[int]:
    return [step for step in range(counter - back, counter + 3) if totp.at(step * STEP) == code]


def _consecutive(seed: str, code1: str, code2: str, now: float | None = None) -> bool:
    totp = pyotp.TOTP(seed)
    counter = int((time.time() if now is None else now) // STEP)
    return any(b == a + 1 for a in _steps(totp, code1, counter) for b in _steps(totp, code2, counter))


def diagnose_codes(seed: str, code1: str, code2: str, now: float | None = None) -> str:
    """Why AWS may have refused these codes, in words a learner can act on."""
    totp = pyotp.TOTP(seed)
    counter = int((time.time() if now is None else now) // STEP)
    first, second = _steps(totp, code1, counter), _steps(totp, code2, counter)
    if not first and not second:
        return ("neither code belongs to this device: use the app entry you added from this "
                "device's QR code or secret key, and let your phone set its clock automatically")
    if not first or not second:
        return (f"MFA code {1 if not first else 2} is not a code of this device: copy each code "
                "exactly as the app shows it")
    if any(b == a + 1 for a in first for b in second):
        if max(second) < counter - 1:
            return ("the codes have expired: AWS accepts a pair only for about a minute, so type "
                    "the code the app shows now and then the next one")
        return "these codes were used already: wait for two new codes from the app"
    if any(b == a - 1 for a in first for b in second):
        return "the codes are in the wrong order: type the earlier code in MFA code 1 and the next one in MFA code 2"
    return ("the two codes are not consecutive: type the code the app shows now, wait for the "
            "next one (up to 30 seconds), and type that one right away")


def _account_label(lab) -> str:
    try:
        aliases = lab.client("iam").list_account_aliases().get("AccountAliases", [])
    except Exception:  # the label is cosmetic: the account id will do
        aliases = []
    return aliases[0] if aliases else lab.account_id


def _serial(lab, device_name: str) -> str:
    return f"arn:aws:iam::{lab.account_id}:mfa/{device_name}"


def _qr_png(seed: str, device_name: str, label: str) -> bytes:
    import qrcode

    uri = pyotp.TOTP(seed).provisioning_uri(name=f"{device_name}@{label}", issuer_name=ISSUER)
    buffer = io.BytesIO()
    qrcode.make(uri).save(buffer, format="PNG")
    return buffer.getvalue()


def _already_exists(lab, device_name: str) -> LabError:
    return LabError(f"A virtual MFA device named {device_name!r} already exists in account "
                    f"{lab.account_id} (AWS said EntityAlreadyExists): device names are unique in "
                    "an account, so type another device name.", code=Code.EntityAlreadyExists)


def _lab_made_unassigned(lab, serial: str) -> bool:
    """True when the lab made this device for an attempt that never finished."""
    entries = [e for e in record.created(lab.account_id)
               if e["kind"] == "mfa_device" and e["name"] == serial]
    if not entries or entries[-1].get("assigned"):
        return False
    iam = lab.client("iam")
    for page in iam.get_paginator("list_virtual_mfa_devices").paginate(AssignmentStatus="Unassigned"):
        if any(d["SerialNumber"] == serial for d in page["VirtualMFADevices"]):
            return True
    return False


def mfa_already(lab, user_name: str | None) -> list[str] | None:
    """The serial numbers of the MFA devices the user (None: root) has, [] for none.
    For root, from GetAccountSummary (and the sandbox console for the serial numbers)."""
    if user_name is None:
        summary = lab.client("iam").get_account_summary()["SummaryMap"]
        if summary.get("AccountMFAEnabled", 0) != 1:
            return []
        if lab.sandbox:
            from awslab import sandbox_client as console

            try:
                devices = console.root_mfa_status(lab).get("devices", [])
                found = [d["serial_number"] for d in devices if d.get("enabled")]
                return found or ["(an MFA device)"]
            except LabError:
                pass
        return ["(an MFA device)"]
    devices = lab.client("iam").list_mfa_devices(UserName=user_name)["MFADevices"]
    return [d["SerialNumber"] for d in devices]


def create_virtual_mfa(lab, device_name: str, user_name: str | None = None) -> NewVirtualMfa:
    """Create a virtual MFA device for the user (None: root, sandbox only) and return it with
    its seed and QR code. A device of that name the lab made earlier and never assigned is
    deleted and made again; anyone else's gets EntityAlreadyExists, explained."""
    device_name = check_device_name(device_name)
    lab.require_write(f"create an MFA device for {whose(user_name)}")
    label = _account_label(lab)
    serial = _serial(lab, device_name)
    for attempt in (1, 2):
        try:
            if user_name is None:
                made = _create_root(lab, device_name)
            else:
                answer = lab.client("iam").create_virtual_mfa_device(VirtualMFADeviceName=device_name)
                data = answer["VirtualMFADevice"]
                seed = data["Base32StringSeed"]
                seed = seed.decode("ascii") if isinstance(seed, bytes | bytearray) else str(seed)
                keep_out_of_logs(seed)
                made = NewVirtualMfa(data["SerialNumber"], device_name, user_name, label, seed,
                                     data.get("QRCodePNG") or b"")
            break
        except Exception as error:
            if code_of(error) != Code.EntityAlreadyExists:
                raise
            if attempt == 1 and _lab_made_unassigned(lab, serial):
                _delete_device(lab, serial)
                continue
            raise _already_exists(lab, device_name) from None
    made.account_label = label
    if not made.qr_png.startswith(b"\x89PNG"):
        made.qr_png = _qr_png(made.seed, device_name, label)
    record.remember(lab.account_id, "mfa_device", made.serial_number,
                    user=user_name or "root", assigned=False)
    get_logger().info("created virtual MFA device %s for %s", made.serial_number, whose(user_name))
    return made


def _create_root(lab, device_name: str) -> NewVirtualMfa:
    if not lab.sandbox:
        raise LabError("AWS lets the root user assign MFA only in the console, not through the API: "
                       "follow the console steps shown.", code=Code.ConsoleOnly)
    from awslab import sandbox_client as console

    data = console.create_root_virtual_mfa(lab, device_name)
    keep_out_of_logs(data.get("seed"), data.get("otpauth_uri"), data.get("qr_png_base64"))
    png = base64.b64decode(data.get("qr_png_base64") or "")
    return NewVirtualMfa(data["serial_number"], device_name, None, lab.account_id, data["seed"], png)


def assign_virtual_mfa(lab, device: NewVirtualMfa, code1, code2) -> str:
    """Assign the device after two consecutive codes; return its serial number.

    Bad codes (checked first, then by AWS) leave the device waiting for new codes; any other
    refusal deletes it, so nothing half-made stays in the account."""
    if device.discarded or device.assigned:
        raise LabError("This device attempt is over: choose Continue to set up a new device.",
                       code=Code.Stale)
    code1, code2 = check_codes(code1, code2, device.seed)
    lab.require_write(f"assign an MFA device to {whose(device.user_name)}")
    try:
        if device.user_name is None:
            from awslab import sandbox_client as console

            console.enable_root_mfa(lab, device.serial_number, code1, code2)
        else:
            lab.client("iam").enable_mfa_device(UserName=device.user_name,
                                                SerialNumber=device.serial_number,
                                                AuthenticationCode1=code1, AuthenticationCode2=code2)
    except Exception as error:
        code = code_of(error)
        if code == "InvalidAuthenticationCode":
            help_ = diagnose_codes(device.seed, code1, code2)
            raise LabError(f"AWS said InvalidAuthenticationCode: Authentication code for device is not "
                           f"valid ({help_}).", code=code) from None
        if code in (Code.Throttling, Code.ConcurrentModification, Code.SandboxDown):
            raise  # worth retrying with the same device
        sentence = explain(error, f"assigning the MFA device to {whose(device.user_name)}")
        discard_virtual_mfa(lab, device)
        raise LabError(sentence + " The unassigned device was deleted; nothing was changed.",
                       code=code) from None
    device.assigned = True
    device.forget_secrets()
    record.remember(lab.account_id, "mfa_device", device.serial_number,
                    user=device.user_name or "root", assigned=True)
    get_logger().info("assigned MFA device %s to %s", device.serial_number, whose(device.user_name))
    return device.serial_number


def _delete_device(lab, serial: str) -> None:
    lab.require_write("delete an unassigned MFA device")
    try:
        lab.client("iam").delete_virtual_mfa_device(SerialNumber=serial)
    except ClientError as error:
        if code_of(error) != Code.NoSuchEntity:
            raise
    record.forget(lab.account_id, "mfa_device", serial)


def discard_virtual_mfa(lab, device: NewVirtualMfa | None) -> None:
    """Cancel: delete a device made for an attempt that will not be assigned (never an assigned
    one; None, no device yet: nothing to do)."""
    if device is None or device.assigned or device.discarded:
        return
    device.discarded = True
    device.forget_secrets()
    try:
        _delete_device(lab, device.serial_number)
    except Exception:  # best effort; the record keeps it for clean-up
        get_logger().exception("could not delete unassigned MFA device %s", device.serial_number)


def set_up_virtual_mfa(lab, device_name: str, user_name: str | None = None,
                       waiting: NewVirtualMfa | None = None, kind: str = "virtual") -> NewVirtualMfa:
    """Continue: the device for `user_name` (None: root) that waits for its two codes. The one
    `waiting` already is kept when it has this name; under another name it is deleted first,
    so an attempt leaves at most one unassigned device. Only an authenticator app (`kind`
    "virtual", one of KINDS) can be simulated: the other kinds need the physical device."""
    if kind != "virtual":
        raise LabError(f"{dict((v, k) for k, v in KINDS)[kind]} needs the physical device, "
                       "which this lab cannot simulate: register it in the console, or choose "
                       "Authenticator app here.", code=Code.NotSimulated)
    name = check_device_name(device_name)
    if waiting is not None and not waiting.discarded:
        if waiting.device_name == name:
            return waiting
        discard_virtual_mfa(lab, waiting)
    return create_virtual_mfa(lab, name, user_name)


def simulated_app_device(lab, device: NewVirtualMfa | None) -> NewVirtualMfa:
    """No phone? Use the simulated authenticator app: the device the simulated app may add, as
    scanning its QR code would (the form shows the app; its seed stays in the kernel). Only in
    the sandbox: on a real account a real app, or the learner could not sign in later."""
    if not lab.sandbox:
        raise LabError("The simulated authenticator app works only in the sandbox: on a real "
                       "account use a real app, or you could not sign in later.", code=Code.NotSandbox)
    if device is None or device.discarded:
        raise LabError("Choose Continue first, to make the device the app will add.", code=Code.NoDevice)
    return device

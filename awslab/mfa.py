"""Assigning a virtual MFA device, the way the console does it: one reusable form.

    form = VirtualMfaForm(lab)                       # the root user (sandbox: simulated console)
    form = VirtualMfaForm(lab, user_name="alice")    # an IAM user, through the IAM API
    form.on_assigned(status.refresh)                 # called after success (told what changed
                                                     #   when it takes a `changed` keyword)
    form.show()                                      # headless (auto_submit): codes from the
    form.result                                      #   simulated authenticator; the serial number

The flow: choose "Authenticator app (virtual MFA device)", name the device, Continue (the
device is created: its QR code and secret key can be shown, once, in the live notebook
only), type two consecutive codes, Assign MFA. The seed and QR code are secrets: they
live in the kernel (`SecretImage`, `SecretText`, this module's objects) and are forgotten
after the device is assigned; they never reach widget state, a repr, a log or an error.

Nothing is left half-made: a device waits for its codes while the form lives (wrong codes
can be retyped), "Cancel" or a refusal that retrying cannot fix deletes it, and a device
the lab made but never assigned (a closed notebook) is deleted and made again next time.
The plain functions (`create_virtual_mfa`, `assign_virtual_mfa`, `discard_virtual_mfa`)
do the work; the form calls them.
"""

from __future__ import annotations

import base64
import inspect
import io
import re
import time
from dataclasses import dataclass, field

import anywidget
import ipywidgets as W
import pyotp
import traitlets
from botocore.exceptions import ClientError

from awslab import record
from awslab.errors import Code, LabError, code_of, explain
from awslab.forms import AMBER, GREY, Form, note
from awslab.log import get_logger, keep_out_of_logs
from awslab.secret_widgets import SecretImage, SecretText

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


# The plain functions.

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
            from awslab.sandbox import console

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
    from awslab.sandbox import console

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
            from awslab.sandbox import console

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


def discard_virtual_mfa(lab, device: NewVirtualMfa) -> None:
    """Delete a device made for an attempt that will not be assigned (never an assigned one)."""
    if device.assigned or device.discarded:
        return
    device.discarded = True
    device.forget_secrets()
    try:
        _delete_device(lab, device.serial_number)
    except Exception:  # best effort; the record keeps it for clean-up
        get_logger().exception("could not delete unassigned MFA device %s", device.serial_number)


# The simulated authenticator app.

_AUTH_ESM = r"""
function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "awslab-authenticator";
  box.style.cssText = "border:1px solid #aab7b8;border-radius:12px;padding:8px 12px;width:260px;" +
                      "font-family:sans-serif;background:#fafafa";
  const title = document.createElement("div");
  title.style.cssText = "font-size:12px;color:#545b64";
  const code = document.createElement("div");
  code.className = "awslab-authenticator-code";
  code.style.cssText = "font-size:28px;font-weight:700;letter-spacing:4px;font-family:monospace";
  const bar = document.createElement("progress");
  bar.max = 30;
  bar.style.width = "100%";
  const left = document.createElement("div");
  left.style.cssText = "font-size:12px;color:#545b64";
  box.append(title, code, bar, left);
  el.appendChild(box);
  let asked = 0;
  function paint() {
    title.textContent = model.get("label");
    const c = model.get("code");
    code.textContent = c ? c.slice(0, 3) + " " + c.slice(3) : "------";
    const remaining = Math.max(0, model.get("expires_at") - Date.now() / 1000);
    bar.value = remaining;
    left.textContent = remaining > 0 ? "new code in " + Math.ceil(remaining) + " s" : "getting the next code…";
    if (remaining <= 0 && Date.now() - asked > 2000) { asked = Date.now(); model.send({ event: "refresh" }); }
  }
  model.on("change:code", paint);
  model.on("change:expires_at", paint);
  const timer = setInterval(paint, 250);
  paint();
  return () => clearInterval(timer);
}
export default { render };
"""


class SimulatedAuthenticator(anywidget.AnyWidget):
    """An authenticator app for learners without a phone (sandbox only).

    Shows the current 6-digit code and a countdown; the browser asks the kernel for the next
    code when the countdown ends (no thread), and `refresh()` does it from code. The seed
    stays in the kernel (`self._totp`): only the current code, which expires in 30 seconds,
    is widget state."""

    _esm = traitlets.Unicode(_AUTH_ESM).tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    code = traitlets.Unicode("").tag(sync=True)
    expires_at = traitlets.Float(0.0).tag(sync=True)

    def __init__(self, seed: str, label: str, clock=time.time):
        super().__init__(label=label)
        self._totp = pyotp.TOTP(seed)
        self._clock = clock
        self.on_msg(self._answer)
        self.add_class("awslab-authenticator")
        self.refresh()

    def _answer(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "refresh":
            self.refresh()

    def refresh(self) -> str:
        now = self._clock()
        self.code = self._totp.at(now)
        self.expires_at = float((int(now // STEP) + 1) * STEP)
        return self.code

    @property
    def seconds_left(self) -> int:
        return max(0, int(self.expires_at - self._clock() + 0.999))

    def code_at(self, when: float) -> str:
        return self._totp.at(when)

    def consecutive_codes(self) -> tuple[str, str]:
        """Two consecutive codes, as a person would type them: the previous window's, then now's."""
        now = self._clock()
        return self._totp.at(now - STEP), self._totp.at(now)

    def __repr__(self) -> str:
        return f"SimulatedAuthenticator(label={self.label!r}, seed=hidden)"

    def _repr_keys(self):
        yield "label"


# The form.

CODE_STYLE = {"description_width": "initial"}

def _takes_keyword(callback, name: str) -> bool:
    try:
        parameters = inspect.signature(callback).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters and parameters[name].kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


class VirtualMfaForm(Form):
    """Assign MFA device, as in the console: type, name, Continue, QR code or secret key,
    MFA code 1 and 2, Assign MFA. `user_name=None` is the root user."""

    submit_label = "Assign MFA"

    def __init__(self, lab, *, user_name: str | None = None, device_name: str | None = None,
                 auto_submit: bool = False):
        self.user_name = user_name
        self.default_device_name = device_name or user_name or ROOT_DEVICE_NAME
        self.device: NewVirtualMfa | None = None
        self.authenticator: SimulatedAuthenticator | None = None
        self.secrets: list = []
        self.mode = "ready"  # ready | already | console_only | unreadable
        self.existing: list[str] = []
        self._callbacks: list = []
        self.title = f"Assign MFA device: {whose(user_name)}"
        self.doing = f"assigning an MFA device to {whose(user_name)}"
        super().__init__(lab, auto_submit=auto_submit)
        # Assign MFA sits beside Cancel, at the end of step 2 (as in the console), not in a row
        # of its own under it.
        self.widget.children = tuple(child for child in self.widget.children
                                     if not (isinstance(child, W.HBox) and self.button in child.children))
        self.button_row.children = (self.button, self.cancel_button)
        self.button.layout.display = "none"
        self.read_state()

    # Building.
    def build(self) -> list:
        self.intro = W.HTML()
        self.kind = W.RadioButtons(options=KINDS, value="virtual", description="MFA device",
                                   style={"description_width": "initial"}, layout=W.Layout(width="auto"))
        self.kind.add_class("awslab-mfa-kind")
        self.kind_help = W.HTML()
        self.kind.observe(lambda _c: self._paint_kind(), "value")
        self.device_name = W.Text(value=self.default_device_name, description="Device name", style={"description_width": "initial"},
                                  placeholder="for example my-phone")
        self.device_name.add_class("awslab-device-name")
        self.continue_button = W.Button(description="Continue", button_style="primary",
                                        layout=W.Layout(width="auto"))
        self.continue_button.add_class("awslab-continue")
        self.continue_button.on_click(lambda _b: self._guarded(self.set_up_device, self.device_name))
        self.step1 = W.VBox([W.HTML("<b>1. Select MFA device</b>"), self.kind, self.kind_help,
                             self.device_name, W.HBox([self.continue_button])])
        self.code1 = W.Text(description="MFA code 1", placeholder="6 digits", style=CODE_STYLE,
                            continuous_update=True)
        self.code2 = W.Text(description="MFA code 2", placeholder="the next 6 digits", style=CODE_STYLE,
                            continuous_update=True)
        self.button_row = W.HBox()  # Assign MFA, then Cancel (filled in once the base made the button)
        self.code1.add_class("awslab-code1")
        self.code2.add_class("awslab-code2")
        self.secret_box = W.VBox()
        self.app_button = W.Button(description="No phone? Use the simulated authenticator app",
                                   layout=W.Layout(width="auto", align_self="flex-start"))
        self.app_button.add_class("awslab-use-simulated-app")
        self.app_button.on_click(lambda _b: self._guarded(self.use_simulated_authenticator))
        self.app_box = W.VBox()
        self.cancel_button = W.Button(description="Cancel", tooltip="Cancel: delete this unassigned device",
                                      layout=W.Layout(width="auto", margin="0 0 0 8px"))
        self.cancel_button.add_class("awslab-cancel")
        self.cancel_button.on_click(lambda _b: self._guarded(self.cancel))
        self.step2 = W.VBox([
            W.HTML("<b>2. Set up device</b>" + note(
                "Install an authenticator app, then add an account in it: scan the QR code, or type "
                "the secret key. Then type two codes in a row from the app and choose Assign MFA.")),
            self.secret_box, self.app_button, self.app_box, self.code1, self.code2, self.button_row,
        ])
        self.step2.layout.display = "none"
        self._paint_kind()
        return [self.intro, self.step1, self.step2]

    def _paint_kind(self) -> None:
        kind = self.kind.value
        color = GREY if kind == "virtual" else AMBER
        self.kind_help.value = note(KIND_HELP[kind], color)
        self.continue_button.disabled = kind != "virtual"

    def on_assigned(self, callback) -> None:
        """Call `callback()` after a device is assigned (e.g. a status panel's refresh).

        When the lab itself has just assigned the device, a callback that takes a `changed`
        keyword is called with `changed="root_mfa"` (or `"user_mfa"`), so it can re-read only
        what that changed; after the learner's own Check again it is called plainly."""
        self._callbacks.append(callback)

    def _hide_steps(self) -> None:
        self.step1.layout.display = "none"
        self.step2.layout.display = "none"
        self.button.layout.display = "none"

    def read_state(self) -> None:
        """Decide what the form offers: the steps, "already has MFA", or console steps only."""
        self.mode, self.error = "ready", None
        if self.user_name is None and not self.lab.sandbox:
            from awslab.root_user import console_steps_html

            self.mode = "console_only"
            self._hide_steps()
            check = W.Button(description="Check again", layout=W.Layout(width="auto"))
            check.add_class("awslab-check-again")
            check.on_click(lambda _b: self.check_again())
            self.intro.value = console_steps_html()
            self.after.children = (check,)
            self.check_again(quiet=True)
            return
        try:
            self.existing = mfa_already(self.lab, self.user_name)
        except Exception as error:
            self.mode = "unreadable"
            self.error = explain(error, "checking for an MFA device" if self.user_name else
                                 "reading the account summary")
            self._hide_steps()
            self.say(False, self.error)
            return
        if self.existing:
            self.mode = "already"
            self._hide_steps()
            self.result = self.existing[0] if self.existing[0].startswith("arn:") else None
            self.say(True, f"{_cap(whose(self.user_name))} already has "
                           f"MFA ({', '.join(self.existing)}): nothing to do here. This lab never "
                           "removes an MFA device; replace one in the console if you lose it.")
            return
        where = ("the sandbox's simulated console (the same steps as the AWS console)"
                 if self.lab.sandbox else "the IAM API, on the real account")
        self.intro.value = note(f"Assign a virtual MFA device to {whose(self.user_name)} through {where}.")

    def check_again(self, quiet: bool = False) -> bool:
        """Real account, root: re-read AccountMFAEnabled; on success tell the listeners."""
        from awslab.root_user import root_mfa_enabled

        try:
            enabled = root_mfa_enabled(self.lab)
        except Exception as error:
            self.error = explain(error, "reading the account summary")
            self.say(False, self.error)
            return False
        if enabled:
            self.say(True, "AWS sees an MFA device on the root user (AccountMFAEnabled = 1).")
            if not quiet:
                self._tell_listeners()
        else:
            self.say(None, "The root user has no MFA device yet (AccountMFAEnabled = 0): follow the "
                           "steps, then press Check again.")
        return enabled

    # The steps.
    def _guarded(self, step, field=None) -> None:
        """Run a step from a button: a refusal shows one sentence (headless: raises it), and
        `field`, the value it judged, is marked invalid until it changes."""
        try:
            step()
            self.error = None
        except Exception as error:
            if field is not None:
                self.mark_invalid(field, True)
            self.refuse(error)

    def set_up_device(self) -> NewVirtualMfa:
        """Continue: create the device (or keep the one waiting) and show its QR code and key."""
        if self.mode != "ready":
            raise LabError(self.error or f"{_cap(whose(self.user_name))} already has MFA: nothing to set up.",
                           code=self.mode)
        if self.kind.value != "virtual":
            raise LabError(f"{dict((v, k) for k, v in KINDS)[self.kind.value]} needs the physical device, "
                           "which this lab cannot simulate: register it in the console, or choose "
                           "Authenticator app here.", code=Code.NotSimulated)
        name = check_device_name(self.device_name.value)
        if self.device is not None and not self.device.discarded:
            if self.device.device_name == name:
                return self.device
            self.cancel()
        self.device = create_virtual_mfa(self.lab, name, self.user_name)
        self.secrets = [SecretImage("QR code", self.device.qr_png),
                        SecretText("Secret key", self.device.seed)]
        self.secret_box.children = tuple(self.secrets)
        self.app_button.layout.display = "" if self.lab.sandbox else "none"
        self.step2.layout.display = ""
        self.button.layout.display = ""
        self.kind.disabled = self.device_name.disabled = self.continue_button.disabled = True
        self.say(None, f"Device {self.device.serial_number} is ready for its codes.")
        return self.device

    def use_simulated_authenticator(self) -> SimulatedAuthenticator:
        """Add the device to the simulated authenticator app (as scanning the QR code would)."""
        if not self.lab.sandbox:
            raise LabError("The simulated authenticator app works only in the sandbox: on a real "
                           "account use a real app, or you could not sign in later.", code=Code.NotSandbox)
        if self.device is None or self.device.discarded:
            raise LabError("Choose Continue first, to make the device the app will add.", code=Code.NoDevice)
        if self.authenticator is None or self.authenticator.label != self._app_label():
            self.authenticator = SimulatedAuthenticator(self.device.seed, self._app_label())
        self.app_box.children = (self.authenticator, W.HTML(note(
            "This stands in for the app on your phone: type its code in MFA code 1, wait for the "
            "next one, type that in MFA code 2.")))
        return self.authenticator

    def _app_label(self) -> str:
        return f"{ISSUER}: {self.device.device_name}@{self.device.account_label}"

    def cancel(self) -> None:
        """Cancel: delete the waiting device; nothing is left half-made."""
        if self.device is not None:
            discard_virtual_mfa(self.lab, self.device)
        self._reset_steps()
        self.say(None, "Cancelled; the unassigned device was deleted and nothing else changed.")

    def _reset_steps(self) -> None:
        for secret in self.secrets:
            secret.forget()
        self.secrets = []
        self.secret_box.children = ()
        self.app_box.children = ()
        self.authenticator = None
        self.device = None
        with self.quietly():  # the form's own reset, not the learner correcting a refused code
            self.code1.value = self.code2.value = ""
        self.step2.layout.display = "none"
        self.button.layout.display = "none"
        self.kind.disabled = self.device_name.disabled = False
        self._paint_kind()

    # The Form contract.
    def values(self) -> dict:
        return {"code1": self.code1.value, "code2": self.code2.value}

    def action(self, code1, code2):
        if self.device is None:
            raise LabError("Choose Continue first, to make the device and see its QR code.", code=Code.NoDevice)
        return assign_virtual_mfa(self.lab, self.device, code1, code2)

    def submit(self):
        try:
            return super().submit()
        finally:
            if self.device is not None and self.device.discarded:
                self._reset_steps()  # refused for good: the device is gone; start again at step 1
            elif self.error is not None and self.device is not None:
                self._mark_codes(self.error)

    def _mark_codes(self, sentence: str) -> None:
        """A refused pair of codes: the code(s) the sentence names are marked invalid until the
        learner changes one (the base clears the message then), and focus goes to the first."""
        ones = "MFA code 1" in sentence and "MFA code 2" not in sentence
        twos = "MFA code 2" in sentence and "MFA code 1" not in sentence
        fields = [self.code1] if ones else [self.code2] if twos else [self.code1, self.code2]
        for code in fields:
            self.mark_invalid(code, True)
        self.focus(fields[0])

    def show_result(self, serial: str) -> None:
        for secret in self.secrets:
            secret.forget()
        self.secrets = []
        self.secret_box.children = ()
        with self.quietly():
            self.code1.value = self.code2.value = ""
        self.step1.layout.display = "none"
        self.step2.layout.display = "none"
        self.button.layout.display = "none"
        self.mode = "already"
        self.existing = [serial]
        self.say(True, f"MFA device {serial} is assigned to {whose(self.user_name)}.")
        kept = (self.authenticator,) if self.authenticator is not None else ()
        self.after.children = (*kept, W.HTML(note(
            "From now on, signing in needs the password and a code from this device. Keep the app's "
            "account safe: if you change phones, move it first (or assign a second device).")))
        self._tell_listeners(changed="root_mfa" if self.user_name is None else "user_mfa")

    def _tell_listeners(self, changed: str | None = None) -> None:
        for callback in self._callbacks:
            try:
                if changed is not None and _takes_keyword(callback, "changed"):
                    callback(changed=changed)
                else:
                    callback()
            except Exception:
                get_logger().exception("after-assign callback failed")

    def show(self) -> None:
        from IPython.display import display

        display(self.widget)
        if not self.auto_submit or self.mode == "already":
            return
        if self.mode == "unreadable" and self.lab.sandbox:
            raise LabError(self.error)
        if self.mode != "ready" or not self.lab.sandbox:
            self.say(None, "Headless run on a real account: MFA codes must be typed by a person, so "
                           "this step was skipped; run this notebook interactively to assign MFA.")
            return
        self._guarded(self.set_up_device)
        app = self.use_simulated_authenticator()
        self.code1.value, self.code2.value = app.consecutive_codes()
        self.submit()


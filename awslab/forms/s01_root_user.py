"""Notebook 01's panel and form (and notebook 02's optional MFA for the new user): widgets only,
the work is in awslab/steps/s01_root_user.py.

Cell "Where you stand":

    status = RootStatus(lab)
    status.show()            # reads at once; "Check again" re-reads
    status.state             # the last reading (a RootReading), for tests and other notebooks

  Each reading green or red with what it means in one sentence; a progress bar while IAM
  generates the credential report. After the lab itself assigns root's MFA, the panel re-reads
  only the account summary (`refresh(changed="root_mfa")`).

Cell "Assign the virtual MFA device", as the console does it:

    form = VirtualMfaForm(lab)                       # the root user (sandbox: simulated console)
    form = VirtualMfaForm(lab, user_name="alice")    # an IAM user, through the IAM API
    form.on_assigned(status.refresh)                 # called after success (told what changed
                                                     #   when it takes a `changed` keyword)
    form.show()                                      # headless (auto_submit): codes from the
    form.result                                      #   simulated authenticator; the serial number

  Choose "Authenticator app (virtual MFA device)", name the device, Continue (the device is
  created: its QR code and secret key can be shown, once, in the live notebook only), type two
  consecutive codes, Assign MFA. Each button runs its step through Form.run(label) (the
  form's `actions`). The seed and QR code live in the kernel (`SecretImage`, `SecretText`,
  the SimulatedAuthenticator) and are forgotten after the device is assigned; they never
  reach widget state, a repr, a log or an error. On a real account, the root user's form
  shows the console steps and Check again: AWS lets root assign MFA only in the console.
"""

from __future__ import annotations

import html
import inspect
import time

import anywidget
import ipywidgets as W
import pyotp
import traitlets

from awslab.errors import Code, LabError, explain
from awslab.forms import AMBER, GREEN, GREY, RED, Form, line, mark, note
from awslab.forms.secret_widgets import SecretImage, SecretText
from awslab.log import get_logger
from awslab.steps import s01_root_user as s01
from awslab.steps.s01_root_user import (
    CONSOLE_STEPS,
    ISSUER,
    KIND_HELP,
    KINDS,
    ROOT_DEVICE_NAME,
    SECURITY_CREDENTIALS_URL,
    STEP,
    NewVirtualMfa,
    RootReading,
    _cap,
    read_root_status,
    whose,
)

# Where the root user stands (cell "Where you stand").

def _when(value: str | None) -> str:
    if not value or value in ("N/A", "no_information", "not_supported"):
        return {"no_information": "never (or no information)", "not_supported": "not recorded for root",
                None: "unknown", "": "unknown"}.get(value, "never")
    return value.replace("T", " ").replace("+00:00", " UTC")


def reading_lines(lab, reading: RootReading) -> list[str]:
    """The panel's lines as HTML: each green or red with what it means."""
    rows: list[str] = []
    if reading.mfa_enabled is not None:
        rows.append(line(reading.mfa_enabled,
                         "The root user has MFA (AccountMFAEnabled = 1)." if reading.mfa_enabled
                         else "The root user has no MFA (AccountMFAEnabled = 0).",
                         "Someone who learns the root password still needs your MFA device to sign in."
                         if reading.mfa_enabled else
                         "The password alone opens the whole account; assign an MFA device below."))
    if reading.access_keys_present is not None:
        if reading.access_keys_present:
            why = ("This sandbox's lab signs its calls with them until notebook 04 removes them; "
                   "on a real account, never create root access keys." if lab.sandbox else
                   "Anything holding them can do anything in the account; delete them in the console "
                   "(Security credentials, Access keys) once you use an IAM user instead.")
        else:
            why = "No program can act as the root user; keep it that way."
        rows.append(line(not reading.access_keys_present,
                         "The root user has access keys (AccountAccessKeysPresent = 1)."
                         if reading.access_keys_present else
                         "The root user has no access keys (AccountAccessKeysPresent = 0).", why))
    row = reading.report_row
    if row is not None:
        mfa = row.get("mfa_active") == "true"
        generated = reading.report_time
        if hasattr(generated, "strftime"):
            generated = generated.strftime("%Y-%m-%d %H:%M UTC")
        stale = bool(reading.mfa_enabled) and not mfa  # the report predates the MFA: not a failure
        rows.append(line(None if stale else mfa,
                         f"Credential report, <root_account> row: mfa_active = {row.get('mfa_active')}.",
                         f"Report generated {generated or 'just now'}."))
        if stale:
            rows.append(line(None, "The report is older than the MFA change.",
                             "IAM makes a new credential report at most every four hours; the account "
                             "summary above is current."))
        rows.append(line(None, f"Root password last used: {_when(row.get('password_last_used'))}.",
                         "Sign in as root only for the few tasks that need it."))
        gone = reading.access_keys_present is False  # the summary is current; the report may not be
        for number in (1, 2):
            active = row.get(f"access_key_{number}_active") == "true"
            rotated = row.get(f"access_key_{number}_last_rotated")
            if active and gone:
                rows.append(line(True, f"Root access key {number}: deleted since the report was generated "
                                       "(AccountAccessKeysPresent = 0).",
                                 "The credential report still lists it as active until IAM makes a "
                                 "new report (at most every four hours)."))
            elif active:
                rows.append(line(False, f"Root access key {number} is active, last rotated "
                                        f"{_when(rotated)}.",
                                 f"Last used {_when(row.get(f'access_key_{number}_last_used_date'))}."))
            else:
                rows.append(line(True, f"Root access key {number}: none active."))
    for problem in reading.problems:
        rows.append(f'<div class="awslab-problem" style="color:{AMBER}">{html.escape(problem)}</div>')
    return rows


class RootStatus:
    """The "where you stand" panel: reads at once, re-reads on "Check again" or `refresh()`."""

    def __init__(self, lab):
        self.lab = lab
        self.state: RootReading | None = None
        self.lines = W.HTML()
        self.lines.add_class("awslab-root-status")
        self.progress = W.FloatProgress(value=0.0, min=0.0, max=1.0, description="Report",
                                        layout=W.Layout(width="320px"))
        self.progress.add_class("awslab-progress")
        self.progress_text = W.HTML()
        self.progress_box = W.HBox([self.progress, self.progress_text])
        self.progress_box.layout.display = "none"
        # Sized to its words (a column of a VBox otherwise stretches it across the panel).
        self.button = W.Button(description="Check again", layout=W.Layout(width="auto", align_self="flex-start"))
        self.button.add_class("awslab-check-again")
        self.button.on_click(lambda _b: self.refresh())
        self.heading = W.HTML("<h4 style='margin:4px 0'>Where the root user stands</h4>")
        self.widget = W.VBox([self.heading, self.lines, self.progress_box, self.button])
        self.widget.add_class("awslab-root-panel")
        from awslab.following import changes

        self._followed, self.identity = changes(lab), ""  # who it reads as, once the lab switched

    def _progress(self, fraction: float, text: str) -> None:
        self.progress.value = fraction
        self.progress_text.value = f'<span style="color:{GREY}">{html.escape(text)}</span>'

    def refresh(self, changed: str | None = None) -> RootReading:
        """Re-read the account and repaint; returns the reading.

        `changed="root_mfa"`: the lab itself has just assigned root's MFA device (the MFA
        form says so), so only the account summary is read again; the credential report row
        is kept (IAM's report lags behind such a change by up to four hours, and the panel
        says so). Anything else, or nothing (Check again, a cell re-run), re-reads it all."""
        self.button.disabled = True
        self.progress_box.layout.display = ""
        self._progress(0.0, "Reading the account summary…")
        try:
            self.state = read_root_status(self.lab, self._progress, previous=self.state,
                                          keep_report=changed == "root_mfa")
        finally:
            self.button.disabled = False
            self.progress_box.layout.display = "none"
        from awslab.following import notice

        said, self._followed = notice(self.lab, self._followed)
        self.identity = said or self.identity
        rows = reading_lines(self.lab, self.state)
        # Green only when no row is red: what is still to do keeps the panel red.
        color = RED if any(mark(False) in row for row in rows) else GREEN
        self.widget.layout.border = f"2px solid {color}"
        self.widget.layout.padding = "6px"
        checked = time.strftime("%H:%M:%S")
        read_as = note(self.identity) if self.identity else ""
        self.lines.value = read_as + "".join(rows) + note(f"Checked at {checked}.")
        return self.state

    def show(self) -> None:
        from IPython.display import display

        display(self.widget)
        self.refresh()


# The real account: the console steps.

def console_steps_html() -> str:
    """The console steps for a real account, with the link to root's security credentials."""
    items = "".join(f"<li>{html.escape(step)}</li>" for step in CONSOLE_STEPS)
    return (f"<div class='awslab-console-steps'><p>AWS lets the root user assign MFA only in the "
            f"console, never through the API, so this notebook cannot do it for you (and it never "
            f"asks for root access keys).</p><ol>{items}</ol>"
            f"<p><a href='{SECURITY_CREDENTIALS_URL}' target='_blank' rel='noopener'>"
            f"Open the root user's Security credentials page</a> "
            f"<code>{SECURITY_CREDENTIALS_URL}</code></p></div>")


# The simulated authenticator app.

_AUTH_ESM = r"""
function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "awslab-authenticator";
  // As wide as its label (never broken inside a word: "my-/phone"), at least 260px.
  box.style.cssText = "border:1px solid #aab7b8;border-radius:12px;padding:8px 12px;min-width:260px;" +
                      "width:max-content;max-width:100%;box-sizing:border-box;font-family:sans-serif;background:#fafafa";
  const issuer = document.createElement("div");
  issuer.style.cssText = "font-size:12px;color:#545b64;white-space:nowrap";
  const account = document.createElement("div");
  account.className = "awslab-authenticator-account";
  account.style.cssText = "font-size:12px;color:#16191f;white-space:nowrap";
  const code = document.createElement("div");
  code.className = "awslab-authenticator-code";
  code.style.cssText = "font-size:28px;font-weight:700;letter-spacing:4px;font-family:monospace";
  const bar = document.createElement("progress");
  bar.max = 30;
  bar.style.width = "100%";
  const left = document.createElement("div");
  left.className = "awslab-authenticator-left";
  left.style.cssText = "font-size:12px;color:#545b64";
  box.append(issuer, account, code, bar, left);
  el.appendChild(box);
  let asked = 0;
  function paint() {
    const label = model.get("label");
    const cut = label.indexOf(": ");
    issuer.textContent = cut < 0 ? label : label.slice(0, cut);
    account.textContent = cut < 0 ? "" : label.slice(cut + 2);
    // A saved view (the notebook reopened without its kernel, or the kernel stopped): no kernel
    // to ask for the next code, so it says so instead of waiting for one.
    if (el.closest(".jupyter-widgets-disconnected")) {
      code.textContent = "--- ---";
      bar.style.display = "none";
      left.textContent = "A saved view: the app shows codes only while its notebook's kernel runs.";
      return;
    }
    bar.style.display = "";
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
        from awslab.forms.a11y import tag

        tag(self)  # FormAria finds it by this class (focus): an anywidget takes no class once drawn
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


# The form (cell "Assign the virtual MFA device").

CODE_STYLE = {"description_width": "initial"}
SIMULATED_APP = "No phone? Use the simulated authenticator app"


def _takes_keyword(callback, name: str) -> bool:
    try:
        parameters = inspect.signature(callback).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters and parameters[name].kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


class VirtualMfaForm(Form):
    """Assign MFA device, as in the console: type, name, Continue, QR code or secret key,
    MFA code 1 and 2, Assign MFA. `user_name=None` is the root user.

    `result` is the serial number of the assigned device (what Assign MFA returned), or None;
    the other buttons' steps return what the form shows next (the device, its app, whether
    AWS sees root's MFA), never kept as the result."""

    actions = {
        "Assign MFA": s01.assign_virtual_mfa,         # step 2 (the primary: what auto_submit runs)
        "Continue": s01.set_up_virtual_mfa,           # step 1
        SIMULATED_APP: s01.simulated_app_device,      # sandbox only
        "Cancel": s01.discard_virtual_mfa,            # deletes the waiting device
        "Check again": s01.root_mfa_enabled,          # a real account's root: after the console
    }

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
        self.continue_button = self.place("Continue")
        self.continue_button.button_style = "primary"
        self.continue_button.add_class("awslab-continue")
        self.step1 = W.VBox([W.HTML("<b>1. Select MFA device</b>"), self.kind, self.kind_help,
                             self.device_name, W.HBox([self.continue_button])])
        self.code1 = W.Text(description="MFA code 1", placeholder="6 digits", style=CODE_STYLE,
                            continuous_update=True)
        self.code2 = W.Text(description="MFA code 2", placeholder="the next 6 digits", style=CODE_STYLE,
                            continuous_update=True)
        self.code1.add_class("awslab-code1")
        self.code2.add_class("awslab-code2")
        self.cancel_button = self.place("Cancel")
        self.cancel_button.tooltip = "Cancel: delete this unassigned device"
        self.cancel_button.layout.margin = "2px 2px 2px 8px"  # level with Assign MFA (2px: ipywidgets' own)
        self.cancel_button.add_class("awslab-cancel")
        # Assign MFA sits beside Cancel, at the end of step 2 (as in the console), not in a row
        # of its own under it.
        self.button_row = W.HBox([self.place(self.primary), self.cancel_button])
        self.secret_box = W.VBox()
        self.app_button = self.place(SIMULATED_APP)
        self.app_button.layout.align_self = "flex-start"
        self.app_button.add_class("awslab-use-simulated-app")
        self.app_box = W.VBox()
        # A real account's root: shown under the console steps (read_state).
        self.check_button = self.place("Check again")
        self.check_button.layout.align_self = "flex-start"
        self.check_button.add_class("awslab-check-again")
        self.step2_heading = W.HTML("<b>2. Set up device</b>" + note(
            "Install an authenticator app, then add an account in it: scan the QR code, or type "
            "the secret key. Then type two codes in a row from the app and choose Assign MFA."))
        self.step2_heading.add_class("awslab-step2-heading")
        self.step2 = W.VBox([
            self.step2_heading,
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
            self.mode = "console_only"
            self._hide_steps()
            self.intro.value = console_steps_html()
            self.after.children = (self.check_button,)
            try:  # where root stands now; Check again (run) reads it again after the console
                self._say_root_mfa(s01.root_mfa_enabled(self.lab))
            except Exception as error:
                self.error = explain(error, "reading the account summary")
                self.say(False, self.error)
            return
        try:
            self.existing = s01.mfa_already(self.lab, self.user_name)
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
            self.say(True, self._already())
            return
        where = ("the sandbox's simulated console (the same steps as the AWS console)"
                 if self.lab.sandbox else "the IAM API, on the real account")
        self.intro.value = note(f"Assign a virtual MFA device to {whose(self.user_name)} through {where}.")

    def _already(self) -> str:
        return (f"{_cap(whose(self.user_name))} already has MFA ({', '.join(self.existing)}): "
                "nothing to do here. This lab never removes an MFA device; replace one in the "
                "console if you lose it.")

    def _say_root_mfa(self, enabled: bool) -> None:
        if enabled:
            self.say(True, "AWS sees an MFA device on the root user (AccountMFAEnabled = 1).")
        else:
            self.say(None, "The root user has no MFA device yet (AccountMFAEnabled = 0): follow the "
                           "steps, then press Check again.")

    # The buttons, each one run(label) of the base, for code as for clicks.
    def check_again(self) -> bool:
        """Check again (a real account's root, after the console steps): re-read
        AccountMFAEnabled; when AWS sees a device, the listeners are told."""
        return bool(self.run("Check again"))

    def set_up_device(self) -> NewVirtualMfa:
        """Continue: create the device (or keep the one waiting) and show its QR code and key.
        From code a refusal is raised too (it is shown in the form as a click's is)."""
        return self._run_or_raise("Continue")

    def use_simulated_authenticator(self) -> SimulatedAuthenticator:
        """Add the device to the simulated authenticator app (as scanning the QR code would)."""
        self._run_or_raise(SIMULATED_APP)
        return self.authenticator

    def cancel(self) -> None:
        """Cancel: delete the waiting device; nothing is left half-made."""
        self.run("Cancel")

    def _run_or_raise(self, label: str):
        result = self.run(label)
        if self.error is not None:
            raise LabError(self.error)
        return result

    def submit(self):
        """Assign MFA (what auto_submit runs). Headless in the sandbox with no device yet, the
        console's steps come first, as a person takes them, each through run(label):
        Continue, the simulated authenticator app, its two consecutive codes."""
        if self.auto_submit and self.device is None and self.mode == "ready" and self.lab.sandbox:
            self.set_up_device()
            app = self.use_simulated_authenticator()
            self.code1.value, self.code2.value = app.consecutive_codes()
        return super().submit()

    def skip_headless(self) -> str | None:
        if self.mode == "already":
            return self._already()
        if self.mode == "unreadable" and self.lab.sandbox:
            raise LabError(self.error)
        if self.mode != "ready" or not self.lab.sandbox:
            return ("Headless run on a real account: MFA codes must be typed by a person, so "
                    "this step was skipped; run this notebook interactively to assign MFA.")
        return None

    def run(self, label: str):
        kept, doing = self.result, self.doing
        if label == "Check again":
            self.doing = "reading the account summary"
        try:
            return super().run(label)
        finally:
            self.doing = doing
            if label != self.primary:
                self.result = kept  # the assigned device's serial number, whatever came since
            if self.device is not None and self.device.discarded:
                self._reset_steps()  # refused for good: the device is gone; start again at step 1
            elif self.error is not None and label == self.primary and self.device is not None:
                self._mark_codes(self.error)
            elif self.error is not None and label == "Continue":
                self.mark_invalid(self.device_name, True)  # until the learner changes the name
            if self.device is None:
                self._paint_kind()  # Continue is usable for the authenticator app only
            elif label == SIMULATED_APP and self.error is None and self.authenticator is not None:
                self.focus(self.authenticator)  # what the button produced
            elif label == "Continue" and self.error is None:
                self.focus(self.step2_heading)  # the next step (Continue itself is now disabled)

    def _app_label(self) -> str:
        return f"{ISSUER}: {self.device.device_name}@{self.device.account_label}"

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

    # The Form contract: each step's keyword arguments, and what its result shows.
    def values(self, label: str | None = None) -> dict:
        if label == "Continue":
            if self.mode != "ready":
                raise LabError(self.error or f"{_cap(whose(self.user_name))} already has MFA: nothing to set up.",
                               code=self.mode)
            return {"device_name": self.device_name.value, "user_name": self.user_name,
                    "waiting": self.device, "kind": self.kind.value}
        if label in (SIMULATED_APP, "Cancel"):
            return {"device": self.device}
        if label == "Check again":
            return {}
        if self.device is None:
            raise LabError("Choose Continue first, to make the device and see its QR code.", code=Code.NoDevice)
        return {"device": self.device, "code1": self.code1.value, "code2": self.code2.value}

    def show_result(self, result, label: str | None = None) -> None:
        if label == "Continue":
            self._show_device(result)
        elif label == SIMULATED_APP:
            self._show_app()
        elif label == "Cancel":
            self._reset_steps()
            self.say(None, "Cancelled; the unassigned device was deleted and nothing else changed.")
        elif label == "Check again":
            self._say_root_mfa(result)
            if result:
                self._tell_listeners()
        else:
            self._show_assigned(result)

    def _show_device(self, device: NewVirtualMfa) -> None:
        if device is not self.device:
            if self.device is not None:
                self._reset_steps()  # the device that waited under another name is gone
            self.device = device
            self.secrets = [SecretImage("QR code", device.qr_png), SecretText("Secret key", device.seed)]
            self.secret_box.children = tuple(self.secrets)
        self.app_button.layout.display = "" if self.lab.sandbox else "none"
        self.step2.layout.display = ""
        self.button.layout.display = ""
        self.kind.disabled = self.device_name.disabled = self.continue_button.disabled = True
        self.say(None, f"Device {device.serial_number} is ready for its codes.")

    def _show_app(self) -> None:
        if self.authenticator is None or self.authenticator.label != self._app_label():
            self.authenticator = SimulatedAuthenticator(self.device.seed, self._app_label())
        self.app_box.children = (self.authenticator, W.HTML(note(
            "This stands in for the app on your phone: type its code in MFA code 1, wait for the "
            "next one, type that in MFA code 2.")))
        self.say(None, f"Device {self.device.serial_number} is ready for its codes.")

    def _mark_codes(self, sentence: str) -> None:
        """A refused pair of codes: the code(s) the sentence names are marked invalid until the
        learner changes one (the base clears the message then), and focus goes to the first."""
        ones = "MFA code 1" in sentence and "MFA code 2" not in sentence
        twos = "MFA code 2" in sentence and "MFA code 1" not in sentence
        fields = [self.code1] if ones else [self.code2] if twos else [self.code1, self.code2]
        for code in fields:
            self.mark_invalid(code, True)
        self.focus(fields[0])

    def _show_assigned(self, serial: str) -> None:
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

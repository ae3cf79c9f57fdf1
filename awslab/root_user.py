"""Notebook 01: where the root user stands, read from the account.

Three readings from two IAM calls, each shown green or red with what it means in one sentence:

- `GetAccountSummary`'s `AccountMFAEnabled` (root has MFA);
- `GetAccountSummary`'s `AccountAccessKeysPresent` (root has access keys);
- the credential report's `<root_account>` row (generated on request; IAM takes a few
  seconds, so the panel shows a progress bar while it waits for `COMPLETE`). The report can
  be up to four hours old: where the account summary says otherwise (MFA added, keys
  deleted since), the row says so instead of showing what is no longer true.

    status = RootStatus(lab)
    status.show()            # reads at once; "Check again" re-reads
    status.state             # the last reading (a RootReading), for tests and other notebooks

IAM makes a new credential report at most every four hours, and GenerateCredentialReport
hands back the existing one until then: so a re-read downloads a report the panel knows to be
under four hours old at once, without asking IAM to generate it again. After the lab itself
assigns root's MFA, the panel re-reads only the account summary (`refresh(changed="root_mfa")`).

Root MFA itself is assigned with awslab.mfa.VirtualMfaForm (the sandbox's simulated
console) or, on a real account, only in the AWS console: `console_steps()` gives the steps.
Nothing here ever asks for, or creates, root access keys.
"""

from __future__ import annotations

import csv
import html
import io
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import ipywidgets as W
from botocore.exceptions import ClientError

from awslab.errors import Code, LabError, code_of, explain
from awslab.forms import AMBER, GREEN, GREY, RED, line, mark, note

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


# Showing it.

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
        self.button = W.Button(description="Check again", layout=W.Layout(width="auto"))
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


# The real account: the console is the only way.

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


def console_steps_html() -> str:
    """The console steps for a real account, with the link to root's security credentials."""
    items = "".join(f"<li>{html.escape(step)}</li>" for step in CONSOLE_STEPS)
    return (f"<div class='awslab-console-steps'><p>AWS lets the root user assign MFA only in the "
            f"console, never through the API, so this notebook cannot do it for you (and it never "
            f"asks for root access keys).</p><ol>{items}</ol>"
            f"<p><a href='{SECURITY_CREDENTIALS_URL}' target='_blank' rel='noopener'>"
            f"Open the root user's Security credentials page</a> "
            f"<code>{SECURITY_CREDENTIALS_URL}</code></p></div>")

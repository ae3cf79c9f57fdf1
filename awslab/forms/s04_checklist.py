"""Notebook 04's checklist and its fixes, drawn: ChecklistView (the table, with refresh()),
PasswordPolicyForm (1.7, 1.8) and SecurityContactForm (1.2). The AWS work is
awslab/steps/s04_checklist.py; each form's `actions` table names the step behind its button.
No widget library is imported until a view or form is built (`awslab check` prints text).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from botocore.exceptions import ClientError

from awslab.errors import Code, LabError, explain
from awslab.forms.base import Form
from awslab.forms.html import AMBER, GREEN, GREY, RED, line, note, table
from awslab.steps import s04_checklist as s04
from awslab.steps.s04_checklist import (
    BENCHMARK_LENGTH,
    BENCHMARK_REUSE,
    FAIL,
    FIELDS,
    PASS,
    UNKNOWN,
    Check,
    Facts,
    current_password_policy,
    describe,
    describe_policy,
    policy_problems,
    problems_by_field,
    report_note,
    run_checklist,
    security_contact,
    summary,
)

_COLORS = {PASS: GREEN, FAIL: RED, UNKNOWN: AMBER}


def html_table(checks: list[Check], report: str = "") -> str:
    rows = []
    for c in checks:
        color = GREY if c.advisory and c.status == FAIL else _COLORS[c.status]
        extra = (f"<div style='color:{AMBER};margin-top:2px'><i>The tutorial's choice:</i> "
                 f"{html.escape(c.tradeoff)}</div>") if c.tradeoff else ""
        rows.append([
            html.escape(c.cis or "—"),
            f"<span class='awslab-check-status' style='color:{color};font-weight:700'>{c.label}</span>",
            f"<b>{html.escape(c.title)}</b><div>{html.escape(c.why)}</div>{extra}",
            f"{html.escape(c.meaning)} <a href='{html.escape(c.link)}' target='_blank'>AWS docs</a>",
        ])
    said = summary(checks)
    first = (f"<div class='awslab-checklist-summary' style='font-weight:600;margin:4px 0'>"
             f"{html.escape(said)}</div>")
    # The summary first (a long table should not hide it), and again under the table.
    lag = f"<div class='awslab-report-age'>{note(report)}</div>" if report else ""
    return (first + table(["CIS v5.0", "Result", "Check", "What it means"], rows, raw=True)
            + lag + note(said))



class ChecklistView:
    """The checklist as an HTML table in the notebook, with refresh()."""

    def __init__(self, lab):
        import ipywidgets as W

        self.lab = lab
        self.checks: list[Check] = []
        self.facts: Facts | None = None
        self.widget = W.HTML()
        self.widget.add_class("awslab-checklist")
        self.refresh()

    def refresh(self, changed: Iterable[str] | None = None) -> list[Check]:
        """Read the account and repaint. Without `changed` (a refresh the learner asks for)
        everything is read again. `changed` names the facts a change the lab itself just made
        affects (the password policy form: `("policy",)`): only those are read again, the rest
        of the last reading stands."""
        if changed is None or self.facts is None:
            known = self.facts.report_time if self.facts is not None else None
            self.facts = Facts(self.lab, report_time=known)
        else:
            self.facts.forget(*changed)
        self.checks = run_checklist(self.lab, self.facts)
        self.widget.value = html_table(self.checks, report_note(self.facts))
        return self.checks

    def status(self, cis_or_title: str) -> str:
        return next(c.status for c in self.checks if cis_or_title in (c.cis, c.title))

    def show(self) -> None:
        from IPython.display import display

        display(self.widget)



class PasswordPolicyForm(Form):
    """The account's password policy, with the benchmark's values (1.7, 1.8) as defaults."""

    title = "Fix: the account's password policy (CIS 1.7 and 1.8)"
    actions = {"Set password policy": s04.set_password_policy}
    doing = "setting the password policy"

    def __init__(self, lab, *, auto_submit: bool = False, checklist: ChecklistView | None = None):
        self.checklist = checklist
        super().__init__(lab, auto_submit=auto_submit)

    def build(self) -> list:
        import ipywidgets as W

        try:
            self.before = current_password_policy(self.lab)
        except ClientError as error:
            self.before = None
            self.say(None, explain(error, "reading the password policy"))
        now = self.before or {}
        style = {"description_width": "16em"}
        # Plain number fields: a value AWS would refuse is refused with a sentence when
        # submitted, not silently changed to the nearest allowed one as bounded fields do.
        self.length = W.IntText(value=max(BENCHMARK_LENGTH, now.get("MinimumPasswordLength", 0)),
                                description="Minimum length", style=style)
        self.reuse = W.IntText(value=max(BENCHMARK_REUSE, now.get("PasswordReusePrevention") or 0),
                               description="Remember last N passwords", style=style)
        self.max_age = W.IntText(value=now.get("MaxPasswordAge") or 0,
                                 description="Expire after days (0: never)", style=style)
        self.numbers = {"minimum_length": self.length, "reuse_prevention": self.reuse,
                        "max_age_days": self.max_age}
        self.flags = {
            key: W.Checkbox(value=now.get(field_, True), description=text, indent=False,
                            layout=W.Layout(width="auto"))
            for key, field_, text in [
                ("require_uppercase", "RequireUppercaseCharacters", "an uppercase letter"),
                ("require_lowercase", "RequireLowercaseCharacters", "a lowercase letter"),
                ("require_numbers", "RequireNumbers", "a number"),
                ("require_symbols", "RequireSymbols", "a symbol"),
                ("allow_users_to_change", "AllowUsersToChangePassword", "users may change their own password"),
            ]}
        self.length.add_class("awslab-policy-length")
        self.reuse.add_class("awslab-policy-reuse")
        self.now = W.HTML()
        self.now.add_class("awslab-policy-now")
        self._paint_now()
        return [self.now, self.length, self.reuse, self.max_age, W.HTML("<b>Require at least</b>"),
                W.VBox(list(self.flags.values()))]

    def _paint_now(self) -> None:
        """The heading says what the account's policy is now (after a change too)."""
        self.now.value = note(describe_policy(self.before) + " The benchmark asks for at least "
                              f"{BENCHMARK_LENGTH} characters and {BENCHMARK_REUSE} remembered "
                              "passwords; it no longer asks for expiry, which makes people pick "
                              "weaker passwords.")

    def submit(self):
        result = super().submit()
        if result is None and self.error is not None:
            # The numbers the sentence judged, marked until the learner changes one.
            values = self.values()
            refused = [self.numbers[name] for name in policy_problems(
                values["minimum_length"], values["reuse_prevention"], values["max_age_days"])]
            for number in refused:
                self.mark_invalid(number, True)
            if refused:
                self.focus(refused[0])
        return result

    def meets_benchmark(self) -> bool:
        now = self.before or {}
        return (now.get("MinimumPasswordLength", 0) >= BENCHMARK_LENGTH
                and (now.get("PasswordReusePrevention") or 0) >= BENCHMARK_REUSE)

    def values(self, label: str | None = None) -> dict:
        return {"minimum_length": self.length.value, "reuse_prevention": self.reuse.value,
                "max_age_days": self.max_age.value,
                **{key: box.value for key, box in self.flags.items()}}

    def show_result(self, policy: dict, label: str | None = None) -> None:
        import ipywidgets as W

        self.before = policy
        self._paint_now()
        length = policy.get("MinimumPasswordLength") or 0
        reuse = policy.get("PasswordReusePrevention") or 0
        rows = [line(True, "The password policy is set."),
                line(length >= BENCHMARK_LENGTH, f"Minimum password length {length}",
                     f"the benchmark's {BENCHMARK_LENGTH} or more (1.7)" if length >= BENCHMARK_LENGTH
                     else f"under the benchmark's {BENCHMARK_LENGTH}: 1.7 still fails"),
                line(reuse >= BENCHMARK_REUSE, f"Reuse prevention {reuse or 'off'}",
                     f"the benchmark's {BENCHMARK_REUSE} (1.8)" if reuse >= BENCHMARK_REUSE
                     else f"under the benchmark's {BENCHMARK_REUSE}: 1.8 still fails")]
        self.after.children = (W.HTML("".join(rows) + note(
            "New passwords must follow it; existing ones are checked at their next change.")),)
        if self.checklist is not None:
            self.checklist.refresh(changed=("policy",))  # only the password checks need a new read

    def skip_headless(self) -> str | None:
        """Headless, the benchmark's values are set only when the policy falls short."""
        if self.meets_benchmark():
            return "The password policy already meets 1.7 and 1.8; nothing changed."
        return None


class SecurityContactForm(Form):
    """The account's security contact (CIS 1.2): name, title, email, phone."""

    title = "Fix: the account's security contact (CIS 1.2)"
    actions = {"Register security contact": s04.set_security_contact}
    doing = "registering the security contact"

    def __init__(self, lab, security_contact: dict | None = None, *, auto_submit: bool = False,
                 checklist=None):
        self.checklist = checklist
        self.given = self.parameter("security_contact", security_contact, {})
        super().__init__(lab, auto_submit=auto_submit)
        self.widget.add_class("awslab-security-contact")

    def build(self) -> list:
        import ipywidgets as W

        try:
            self.current = security_contact(self.lab)
            now = (f"Now: {describe(self.current)}." if self.current else
                   "No security contact is registered now: AWS's security notices reach the "
                   "primary contact only.")
        except Exception as error:
            self.current = None
            now = explain(error, "reading the security contact")
        current = self.current or {}
        style = {"description_width": "8em"}
        self.fields = {}
        for key, label, shown, placeholder in [
                ("name", "Name", "Name", "a person or a team"),
                ("title", "Title", "Title", "Security team"),
                ("email", "Email", "EmailAddress", "security@example.com"),
                ("phone", "Phone", "PhoneNumber", "+1 206-555-0199")]:
            field = W.Text(value=str(self.given.get(key) or current.get(shown) or ""),
                           description=label, placeholder=placeholder, style=style)
            field.add_class(f"awslab-contact-{key}")
            self.fields[key] = field
        self.now = W.HTML(note(now + " AWS writes to it about security issues in the account "
                               "(abuse reports, exposed keys): use an address a team reads."))
        return [self.now, *self.fields.values()]

    def values(self, label: str | None = None) -> dict:
        return {key: field.value for key, field in self.fields.items()}

    def submit(self):
        result = super().submit()
        if result is None and self.error is not None:
            # The fields the sentence judged, marked until the learner changes one.
            values = {key: str(value or "").strip() for key, value in self.values().items()}
            refused = [self.fields[key] for key in problems_by_field(**values)]
            for field in refused:
                self.mark_invalid(field, True)
            if refused:
                self.focus(refused[0])
        return result

    def show_result(self, contact: dict, label: str | None = None) -> None:
        import ipywidgets as W

        self.current = contact
        self.now.value = note(f"Now: {describe(contact)}.")
        self.after.children = (W.HTML(line(True, f"Security contact: {describe(contact)}",
                                           "99_clean_up puts back what the account had before")),)
        if self.checklist is not None:
            self.checklist.refresh(changed=("security_contact",))

    def skip_headless(self) -> str | None:
        """Headless, the contact given in `security_contact` is registered; none given, skipped;
        a field it does not know is refused (headless: raised, so the cell fails and says why)."""
        if not self.given:
            return "No security contact given (security_contact is empty): nothing registered."
        unknown = sorted(set(self.given) - set(FIELDS))
        if unknown:
            self.refuse(LabError(f"security_contact has no field {unknown[0]!r}: give name, title, "
                                 "email and phone.", code=Code.WrongParameter))
        return None


__all__ = ["ChecklistView", "PasswordPolicyForm", "SecurityContactForm", "html_table"]

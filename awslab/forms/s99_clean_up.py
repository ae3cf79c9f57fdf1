"""Notebook 99's form: what the lab created, a confirmation, the removal and what stayed (and why).

The AWS work is awslab/steps/s99_clean_up.py; this module only draws it. No widget library is
imported until a form is built (`awslab clean` never builds one).
"""

from __future__ import annotations

from awslab.forms.base import Form
from awslab.forms.html import line, note, table
from awslab.steps import s99_clean_up as s99
from awslab.steps.s99_clean_up import CleanUpResult, Plan


def plan_html(plan: Plan) -> str:
    parts = []
    if plan.nothing_to_do:
        parts.append(line(True, s99.nothing_sentence(plan)))
    else:
        if plan.switch_to_root:
            parts.append(note("The lab signs in as a user it created; it switches back to the "
                              "sandbox's root user first, so it isn't deleting itself."))
        parts.append(table(["#", "will be removed, in this order"],
                           [[i, r.what] for i, r in enumerate(plan.removals, 1)]))
        if plan.as_root_console:
            parts.append(note(s99.as_root_console_note(plan)))
            start = len(plan.removals) + 1
            parts.append(table(["#", "then, signed in to the console as the root user"],
                               [[i, r.what] for i, r in enumerate(plan.as_root_console, start)]))
    if plan.kept:
        parts.append("<b>Stays</b>" + "".join(line(None, k.what, k.why) for k in plan.kept))
    if plan.stale:
        parts.append(note("Already gone (the record forgets them): " + ", ".join(plan.stale)))
    return "".join(parts)


def result_html(result: CleanUpResult) -> str:
    rows = [line(True, f"Removed {w}") for w in result.removed]
    rows += [line(False, f"Not removed: {k.what}", k.why) for k in result.failed]
    if result.switched_to_root:
        rows.append(line(True, s99.switched_sentence(result)))
    if not rows:
        rows.append(line(True, "Nothing to do."))
    return "".join(rows)


class CleanUpForm(Form):
    """What the lab created, a confirmation, then the removal and what stayed (and why)."""

    title = "Remove what the lab created"
    actions = {"Delete these": s99.clean_up}
    doing = "removing what the lab created"

    def __init__(self, lab, *, auto_submit: bool = False, group_name: str | None = None,
                 user_name: str | None = None):
        self.also_check = (user_name, group_name)
        super().__init__(lab, auto_submit=auto_submit)
        self.button.button_style = "danger"

    def build(self) -> list:
        import ipywidgets as W  # the form's only: `awslab clean` runs without widgets

        self.listing = W.HTML()
        self.listing.add_class("awslab-clean-up-list")
        self.refresh()
        return [self.listing]

    def refresh(self) -> Plan:
        self.plan = s99.plan_clean_up(self.lab, also_check=self.also_check)
        self.listing.value = plan_html(self.plan)
        self.button.layout.display = "none" if self.plan.nothing_to_do else ""
        return self.plan

    def values(self, label: str | None = None) -> dict:
        return {}

    def _clicked(self, label: str | None = None) -> None:
        if label not in (None, self.primary):
            super()._clicked(label)
            return
        n = self.plan.count
        self.ask(f"Delete these {n} things from account {self.lab.account_id}? This can't be undone.",
                 self.submit, yes_label="Delete them")

    def show_result(self, result: CleanUpResult, label: str | None = None) -> None:
        import ipywidgets as W

        self.after.children = (W.HTML(result_html(result)),)
        if result.switched_to_root:
            from awslab.session import connect

            self.lab = connect("sandbox", self.lab.confirm_account_id)
        self.refresh()

    def skip_headless(self) -> str | None:
        """Headless with nothing to remove: nothing is asked or deleted."""
        return "Nothing was deleted: there is nothing to clean up." if self.plan.nothing_to_do else None


__all__ = ["CleanUpForm", "plan_html", "result_html"]

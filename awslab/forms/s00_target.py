"""Notebook 00's form (cell "Where will the lab work?") and the banner every notebook's first
cell shows: who you are, where, and where the account stands. The work is in
awslab/steps/s00_connect.py.

    form = TargetForm(target, confirm_account_id, auto_submit=auto_submit)
    form.show()          # connects at once with the parameters (connecting only reads)
    lab = form.result
    banner(lab)          # notebooks 01 to 99: who you are
"""

from __future__ import annotations

import html
import os

import ipywidgets as W

from awslab.forms import AMBER, GREEN, RED, Form, line, note
from awslab.session import TARGETS, saved_connection
from awslab.steps import s00_connect as s00


def banner(lab) -> W.HTML:
    """Who you are, where, and a clear warning when that is the root user."""
    where = ("the sandbox: a simulated brand-new AWS account on this machine (no cost, no network)"
             if lab.sandbox else "a REAL AWS account: changes here are real")
    parts = [
        f"<div><b>Signed in as</b> <code>{html.escape(lab.arn)}</code></div>",
        f"<div><b>Account</b> {lab.account_id} &nbsp; <b>Region</b> {lab.region} &nbsp; <b>Target</b> {html.escape(where)}</div>",
    ]
    if lab.is_root and lab.sandbox and "session" in s00._lab_principal():
        parts.append("<div>Signed in through the sandbox's simulated console (temporary credentials, "
                     "not access keys), as the root user signs in to the AWS console.</div>")
    if lab.is_root:
        parts.append(
            f'<div style="color:{RED};font-weight:700">You are the root user. It can do everything, '
            "including close the account, and no policy can limit it. This lab uses it only to secure "
            "itself and create an administrator, then retires its access keys (notebook 04).</div>")
    if not lab.sandbox and lab.confirm_account_id != lab.account_id:
        parts.append(f'<div style="color:{AMBER}">Reads only: to let the lab change this account, set '
                     f'<code>confirm_account_id = "{lab.account_id}"</code> in the parameters cell.</div>')
    if s00.on_binder():
        parts.append(f'<div style="color:{RED};font-weight:700">This is Binder, a public service: '
                     "never paste real AWS keys here. Use the sandbox.</div>")
    border = RED if lab.is_root else GREEN
    widget = W.HTML("".join(parts), layout=W.Layout(border=f"2px solid {border}", padding="6px"))
    widget.add_class("awslab-banner")
    return widget


def overview(lab) -> W.HTML:
    rows = [line(step.done, f"{step.notebook}: {step.section}", step.detail) for step in s00.progress(lab)]
    return W.HTML("<b>Where this account stands</b>" + "".join(rows))


class TargetForm(Form):
    """Pick the sandbox or a real account (with a profile); connect; show who you are."""

    title = "Choose where the lab works"
    actions = {"Connect": s00.connect_target}
    doing = "connecting"

    def __init__(self, target: str = "sandbox", confirm_account_id: str | None = None, *,
                 auto_submit: bool = False, profile: str | None = None, region: str | None = None):
        self._target, self._profile, self._region = target, profile, region
        self.confirm_account_id = self.parameter("confirm_account_id", confirm_account_id)
        super().__init__(None, auto_submit=auto_submit)

    def build(self) -> list:
        saved = saved_connection()
        profiles = s00.available_profiles()
        self.target = W.ToggleButtons(options=[("Sandbox (simulated account)", "sandbox"),
                                               ("Real AWS account", "aws")],
                                      value=self._target if self._target in TARGETS else "sandbox",
                                      description="Target", style={"button_width": "auto"})
        default_profile = self._profile or saved.get("profile") or os.environ.get("AWS_PROFILE")
        options = [("(default credential chain)", "")] + [(p, p) for p in profiles]
        self.profile = W.Dropdown(options=options,
                                  value=default_profile if default_profile in profiles else "",
                                  description="Profile")
        self.region = W.Text(value=self._region or saved.get("region") or "", placeholder="from the profile",
                             description="Region")
        self.real = W.VBox([self.profile, self.region,
                            W.HTML(note("A real account: the lab reads freely, and changes it only when "
                                        "confirm_account_id names it. Never paste root keys anywhere."))])

        def toggle(_change=None):
            self.real.layout.display = "" if self.target.value == "aws" else "none"

        self.target.observe(toggle, "value")
        toggle()
        if self._target not in TARGETS:
            self.bad_target = self._target
        return [self.target, self.real]

    def values(self, label: str | None = None) -> dict:
        # A target the parameters cell named but the toggle cannot show ("azure") is tried once,
        # so that connect() refuses it in its own words; after that, the toggle's choice.
        target, self.bad_target = getattr(self, "bad_target", None) or self.target.value, None
        return {"target": target, "confirm_account_id": self.confirm_account_id,
                "profile": self.profile.value or None, "region": self.region.value.strip() or None}

    def show_result(self, lab, label: str | None = None) -> None:
        self.after.children = (banner(lab), overview(lab))

    def show(self) -> None:
        """Display and connect at once with the parameters, headless or not (connecting only
        reads): not a headless-only override, so it stays a show()."""
        from IPython.display import display

        display(self.widget)
        if not self.refuse_wrong_parameter():
            self.submit()

"""Notebook 03's forms: the account alias, and the Regions.

Cells of `notebooks/03_account_alias_and_regions.ipynb`: "The account alias" shows AliasForm,
"Regions" shows RegionsForm. Each form names the steps (awslab/steps/s03_alias_regions.py)
behind its buttons; every button goes through Form.run(label). A question a person would
confirm (replacing or deleting the alias, disabling a Region) is asked first, and counts as
confirmed headless.
"""

from __future__ import annotations

import html
import re

import ipywidgets as W

from awslab.errors import Code, LabError, explain
from awslab.forms.base import Form
from awslab.forms.html import AMBER, GREEN, GREY, line, note
from awslab.log import get_logger
from awslab.steps import s03_alias_regions as s03
from awslab.steps.s03_alias_regions import (
    ALIAS_RULE,
    DISABLE_MEANS,
    STATUS_WORDS,
    _described,
    account_url,
    alias_problem,
    alias_url,
    current_alias,
    default_interval,
    default_timeout,
    list_regions,
)

# Notebook 04 holds the sandbox's simulated console sign-in (a link relative to this notebook:
# JupyterLab opens it in a new tab).
CONSOLE_SIGN_IN_NOTEBOOK = "04_sign_in_and_review.ipynb"


_LINK = 'style="color:#0972d3;text-decoration:underline"'  # JupyterLab's own CSS hides links in widgets


def _sign_in_url(lab, url: str, css: str, where: bool = True, why: bool = True) -> W.Widget:
    """A sign-in URL to copy. On a real account, with a link that opens it. In the sandbox the
    URL names no real AWS account (an alias there may even be someone else's on AWS), so it is
    text (saying so unless `why` is False: said once for URLs shown together), with a link to
    where the sandbox simulates that page (`where`): notebook 04's console sign-in."""
    if lab.sandbox:
        said = (f' <span style="color:{GREY}">(the address your account would have on AWS; the sandbox '
                "is not on AWS, so there it belongs to another account or to none)</span>" if why else "")
        shown = f'<div class="{css}" style="margin:2px 0"><code>{html.escape(url)}</code>{said}</div>'
        if where:
            shown += (f'<div style="margin:2px 0 6px 0">The sandbox simulates the sign-in page in '
                      f'<a href="{CONSOLE_SIGN_IN_NOTEBOOK}" target="_blank" rel="noopener" {_LINK}>'
                      "notebook 04, Sign in and review</a> (its console sign-in form).</div>")
        return W.HTML(shown)
    field = W.Text(value=url, layout=W.Layout(width="460px"), tooltip="the sign-in URL, to copy")
    field.add_class(css)
    link = W.HTML(f'<a href="{html.escape(url)}" target="_blank" rel="noopener" {_LINK}>open the sign-in page</a>',
                  layout=W.Layout(margin="0 0 0 8px"))
    return W.HBox([field, link], layout=W.Layout(align_items="center"))


class AliasForm(Form):
    """Set, replace or delete the account alias; the field checks AWS's rule as you type.

    Notebook 03, cell "The account alias". Save alias asks first when it would replace the
    account's alias; Delete alias always asks first."""

    title = "Account alias"
    actions = {"Save alias": s03.set_account_alias, "Delete alias": s03.delete_account_alias}
    doings = {"Save alias": "setting the account alias", "Delete alias": "deleting the account alias"}
    doing = doings["Save alias"]

    def __init__(self, lab, alias: str | None = None, *, auto_submit: bool = False):
        self._initial = self.parameter("account_alias", alias)
        self._alias: str | None = None      # the account's alias, as last read
        self._taken: set[str] = set()       # aliases AWS said another account holds
        self._question = None               # (alias, box): the open "replace?" question
        super().__init__(lab, auto_submit=auto_submit)
        # After the base's own observer (which clears a refusal of the old value): the hint, the
        # open question and aria-invalid follow the value now in the field.
        self.field.observe(lambda _change: self._value_changed(), names="value")

    def build(self) -> list:
        self.current = W.HTML()
        self.current.add_class("awslab-alias-current")
        self.delete_button = self.place("Delete alias")
        self.delete_button.tooltip = "Delete the account alias (asks first)"
        self.delete_button.layout = W.Layout(width="auto", margin="0 0 0 12px")
        self.delete_button.add_class("awslab-delete-alias")
        self.urls = W.HTML()
        self.urls.add_class("awslab-alias-urls")
        self.field = W.Text(value=self._initial or "", placeholder="for example acme-prod",
                            description="Alias", continuous_update=True, layout=W.Layout(width="360px"))
        self.field.add_class("awslab-alias")
        self.hint = W.HTML()
        self.hint.add_class("awslab-alias-hint")
        self.refresh()
        self._check_as_you_type()
        rule = note(f"AWS's rule: {ALIAS_RULE}. Aliases are unique across all of AWS.")
        # The current alias with its Delete button on one row; Save goes under the field.
        current_row = W.HBox([self.current, self.delete_button], layout=W.Layout(align_items="center"))
        return [current_row, self.urls, W.HTML(rule), self.field, self.hint]

    def skip_headless(self) -> str | None:
        if not self._initial:
            return "account_alias is None: no alias set (the form stays here for you to use)."
        return None

    def refresh(self) -> str | None:
        """Show the current alias and sign-in URLs; return the alias."""
        try:
            alias = current_alias(self.lab)
        except Exception as error:
            self.current.value = line(False, explain(error, "reading the account alias"))
            self.urls.value = ""
            return None
        self._alias = alias
        simulated = "simulated in the sandbox" if self.lab.sandbox else ""
        urls = (f"<div>Sign-in URL{f' ({simulated})' if simulated else ''}: "
                f"<code>{html.escape(alias_url(self.lab, alias))}</code></div>" if alias else "")
        self.current.value = line(True if alias else None,
                                  f"Current alias: {alias}" if alias else "This account has no alias yet.")
        self.urls.value = (urls + f"<div>Account-id sign-in URL (always works{'; ' + simulated if simulated else ''}): "
                                  f"<code>{html.escape(account_url(self.lab))}</code></div>")
        # Nothing to delete: no button (rather than a button that does nothing).
        self.delete_button.layout.display = None if alias else "none"
        self.delete_button.disabled = alias is None
        return alias

    def _check_as_you_type(self) -> None:
        """The hint judges the value now in the field, and agrees with what AWS said about it."""
        value = self.field.value
        if not value:
            self.hint.value = ""
            self.mark_invalid(self.field, False)
            return
        problem = alias_problem(value)
        if problem:
            self.hint.value = line(False, problem)
            self.mark_invalid(self.field, True, self.hint)
        elif value in self._taken:
            self.hint.value = line(False, f"'{value}' follows the rule, but another AWS account holds it "
                                          "(AWS said so when you saved it): choose another alias.")
            self.mark_invalid(self.field, True, self.message if self.error else self.hint)
        elif value == self._alias:
            self.hint.value = line(True, f"'{value}' is already this account's alias.")
            self.mark_invalid(self.field, False)
        else:
            would = "your simulated sign-in URL would be" if self.lab.sandbox else "your sign-in URL would be"
            self.hint.value = line(True, f"Follows the rule; {would} {alias_url(self.lab, value)}")
            self.mark_invalid(self.field, False)

    def _value_changed(self) -> None:
        """A new value: the hint judges it, and a question about another alias goes."""
        if self._question is not None and self._question[0] != self.field.value:
            box = self._question[1]
            self._question = None
            self.after.children = tuple(c for c in self.after.children if c is not box)
            if self.error is None:
                self.say(None, "The alias changed, so the question about the old one is gone; "
                               "press Save alias again.")
        self._check_as_you_type()

    def refuse(self, error: BaseException, doing: str | None = None) -> str:
        """A refused alias: the hint and aria-invalid say so too (never a green mark beside it)."""
        code = getattr(error, "code", None)
        if code == Code.EntityAlreadyExists:
            self._taken.add(self.field.value)
        self._check_as_you_type()
        if code in (Code.InvalidAlias, Code.EntityAlreadyExists):
            self.mark_invalid(self.field, True)  # described by the message, which says why
        return super().refuse(error, doing)

    # The buttons: each asks first where a person would be asked, then run(label).
    def _clicked(self, label: str | None = None) -> None:
        if label != "Delete alias":
            super()._clicked(label)
            return
        try:
            self.delete()
        except LabError:
            pass  # already shown in the form

    def values(self, label: str | None = None) -> dict:
        self.doing = self.doings.get(label, self.doing)
        return {"alias": self.field.value} if label in (None, "Save alias") else {}

    def submit(self):
        """Save alias. Replacing the account's alias asks first (confirmed headless); until the
        question is answered, the result is {"asked": question, "alias": alias}."""
        alias = self.field.value
        try:
            current = None if alias_problem(alias) else current_alias(self.lab)
        except Exception:  # the step reads it again, and its refusal says why
            current = None
        if not current or current == alias:
            return self.run("Save alias")
        question = (f"Replace the alias '{current}' with '{alias}'? An account has one alias: "
                    f"{alias_url(self.lab, current)} stops working (the account-id "
                    "URL keeps working).")
        saved = []

        def yes():
            self._question = None
            saved.append(self.run("Save alias"))

        self.ask(question, yes, yes_label="Replace")
        if saved:  # headless: confirmed at once
            return saved[0]
        self._question = (alias, self.after.children[-1])
        self.error = None
        self.result = {"asked": question, "alias": alias}
        self.say(None, "Nothing changed yet: answer the question below.")
        return self.result

    def delete(self):
        """Delete alias, after asking (confirmed headless)."""
        alias = self.refresh()
        if alias is None:  # nothing to ask: the step finds no alias and says so
            return self.run("Delete alias")
        deleted = []
        self.ask(f"Delete the alias '{alias}'? {alias_url(self.lab, alias)} stops working; "
                 "the account-id URL keeps working.", lambda: deleted.append(self.run("Delete alias")),
                 yes_label="Delete")
        return deleted[0] if deleted else None  # headless: confirmed at once

    def show_result(self, result, label: str | None = None) -> None:
        self.refresh()
        self._check_as_you_type()
        if label == "Delete alias":
            self.after.children = (W.VBox([W.HTML("<b>Sign in with the account-id URL:</b>"),
                                           _sign_in_url(self.lab, result["account_url"], "awslab-account-url")]),)
            if result["changed"]:
                self.say(True, f"The alias '{result['alias']}' is deleted; its sign-in URL no longer works.")
            else:
                self.say(None, "This account has no alias; nothing to delete.")
            return
        alias = result["alias"]
        if result["changed"]:
            was = f" (replacing '{result['previous']}')" if result.get("previous") else ""
            self.say(True, f"The account alias is now '{alias}'{was}.")
        else:
            self.say(True, f"'{alias}' is already this account's alias; nothing changed.")
        # One panel: focus goes to it after saving, and a screen reader reads both URLs.
        self.after.children = (W.VBox([
            W.HTML("<b>Your sign-in URL</b> (on a real account, bookmark it: IAM users sign in there):"),
            _sign_in_url(self.lab, result["sign_in_url"], "awslab-sign-in-url", where=False),
            W.HTML("<b>The account-id URL</b> keeps working too:"),
            _sign_in_url(self.lab, result["account_url"], "awslab-account-url", why=False),  # said above
        ]),)

_STATUS_COLORS = {"ENABLED": GREEN, "ENABLED_BY_DEFAULT": GREEN, "ENABLING": AMBER, "DISABLING": AMBER,
                  "DISABLED": GREY}


_CELL = 'style="text-align:left;padding:2px 8px"'


def _status_html(status: str) -> str:
    """The status, coloured; a Region this account opted in to is also in bold."""
    color = _STATUS_COLORS.get(status, GREY)
    weight = ";font-weight:700" if status == "ENABLED" else ""
    return f'<span style="color:{color}{weight}">{html.escape(STATUS_WORDS.get(status, status))}</span>'


def _regions_table(regions: list[dict], statuses: dict[str, str], only_opt_in: bool = False) -> str:
    """The Regions as one HTML table: code, name, status; each row has the class
    awslab-region-<code>. With `only_opt_in`, the Regions enabled by default are left out."""
    head = "".join(f"<th {_CELL}>{title}</th>" for title in ("Region", "Name", "Status"))
    rows = []
    for region in regions:
        if only_opt_in and not region["opt_in"]:
            continue
        code = html.escape(region["code"])
        status = statuses.get(region["code"], region["status"])
        rows.append(f'<tr class="awslab-region-{code}"><td {_CELL}><code>{code}</code></td>'
                    f'<td {_CELL}>{html.escape(region["name"])}</td>'
                    f'<td class="awslab-region-status" {_CELL}>{_status_html(status)}</td></tr>')
    # The box scrolls, so it takes keyboard focus (arrow keys scroll it) and is named for screen
    # readers (axe-core: scrollable-region-focusable).
    label = "Opt-in Regions and their status" if only_opt_in else "Regions and their opt-in status"
    return (f'<div class="awslab-regions-scroll" tabindex="0" role="region" aria-label="{label}" '
            'style="max-height:22em;overflow-y:auto">'
            f'<table class="awslab-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _choice_label(region: dict, status: str) -> str:
    """How the Region reads in the list: "eu-south-1 · Europe (Milan) · disabled" (plain text)."""
    return f"{region['code']} · {region['name']} · {STATUS_WORDS.get(status, status)}"


def _button_state(status: str | None) -> tuple[str, bool, str]:
    """(description, disabled, style) of the Region button for a Region with this status: always
    an action's name; disabled while there is nothing to do."""
    if status == "DISABLED":
        return "Enable", False, "primary"
    if status == "ENABLED":
        return "Disable", False, ""
    if status == "ENABLING":
        return "Enabling…", True, ""
    if status == "DISABLING":
        return "Disabling…", True, ""
    return "Enable Region", True, ""  # nothing chosen, or nothing AWS lets you change


class RegionsForm(Form):
    """Every Region with its status; enable or disable opt-in Regions and watch them settle.

    Notebook 03, cell "Regions". Enable these Regions enables the codes typed in the field; the
    button beside the list of opt-in Regions enables the chosen Region, or disables it after
    asking; each enabled Region is watched until ENABLED (Check again, after the time bound)."""

    title = "Regions"
    actions = {"Enable these Regions": s03.enable_regions, "Enable": s03.enable_region,
               "Disable": s03.disable_region, "Check again": s03.wait_for_regions}
    doing = "enabling the Regions"

    def __init__(self, lab, regions_to_enable=None, *, auto_submit: bool = False,
                 timeout: float | None = None, interval: float | None = None):
        self._initial = self.parameter("regions_to_enable", regions_to_enable, [])
        self.timeout = default_timeout(lab) if timeout is None else timeout
        self.interval = default_interval(lab) if interval is None else interval
        self.statuses: dict[str, str] = {}  # Region code -> its status, as last seen
        self.regions: list[dict] = []
        self.progress_log: list[tuple[str, str, float]] = []  # (code, status, elapsed) as watched
        self.still_enabling: list[str] = []
        self._options: tuple = ()
        self._relabelling = False
        self._typed: list[str] = []  # the codes as typed, for saying how they were read
        self._label: str | None = None  # the button whose step runs now
        self._code: str | None = None   # the Region of the Enable / Disable button's step
        self._known: list[str] | None = None
        self._watching: list[str] = []  # the Regions Check again watches
        self._bars: dict = {}            # Region code -> (its progress bar, its label)
        super().__init__(lab, auto_submit=auto_submit)
        # The filter only changes what the table shows: a refusal of typed codes still stands.
        self.only_opt_in.unobserve(self._field_changed, names="value")

    def build(self) -> list:
        self.listing = W.HTML()
        self.listing.add_class("awslab-regions-listing")
        self.only_opt_in = W.Checkbox(value=False, description="Only opt-in Regions", indent=False)
        self.only_opt_in.add_class("awslab-opt-in-filter")
        self.only_opt_in.observe(lambda _c: self._show_table(), names="value")
        self.table = W.HTML()
        self.table.add_class("awslab-regions")
        same = {"style": {"description_width": "8em"}}
        # Wide enough for the longest label ("ap-southeast-5 · Asia Pacific (Malaysia) · enabling…").
        self.choice = W.Dropdown(description="Opt-in Region", layout=W.Layout(width="560px"), **same)
        self.choice.add_class("awslab-region-choice")
        self.choice.observe(lambda _c: self._show_button(), names="value")
        # One button for the chosen Region: Enable or Disable, as its status allows.
        self.region_button = self.place("Enable")
        self.place("Disable")
        self.action_buttons["Disable"] = self.region_button
        self.region_button.layout = W.Layout(width="auto", min_width="7em", margin="0 0 0 8px")
        self.region_button.add_class("awslab-region-button")
        self.field = W.Text(value=", ".join(self._initial), description="Region codes",
                            placeholder="several at once, e.g. eu-south-1, af-south-1",
                            layout=W.Layout(width="480px", margin="12px 0 0 0"), **same)
        self.field.add_class("awslab-regions-to-enable")
        self.progress = W.VBox()
        self.progress.add_class("awslab-region-progress")
        self.check_again = self.place("Check again")
        self.check_again.layout.display = "none"
        self.check_again.add_class("awslab-check-again")
        # Under the message, as they settle; one panel, which takes focus after a submission.
        self.results = W.VBox([self.progress, self.check_again])
        self.results.add_class("awslab-region-results")
        self.after.children = (self.results,)
        self.refresh()
        # The actions first; the table scrolls in its own box (34 Regions are taller than a screen).
        return [self.listing, W.HBox([self.choice, self.region_button], layout=W.Layout(align_items="center")),
                self.only_opt_in, self.table, self.field]

    def skip_headless(self) -> str | None:
        if not self._initial:
            return ("regions_to_enable is empty: no Region changed (choose a Region in the list above the table to "
                    "enable it).")
        return None

    # The table, and the list of opt-in Regions with its button.
    def refresh(self) -> list[dict]:
        try:
            self.regions = list_regions(self.lab)
        except Exception as error:
            self.regions = []
            self.statuses = {}
            sentence = explain(error, "listing the Regions")
            if not isinstance(error, LabError):
                get_logger().exception("listing the Regions failed")
            self.listing.value = line(False, sentence)
            self._show()
            return []
        self.statuses = {r["code"]: r["status"] for r in self.regions}
        opt_in = [r for r in self.regions if r["opt_in"]]
        on = [r for r in opt_in if r["status"] == "ENABLED"]
        self.listing.value = line(None, f"{len(self.regions)} Regions: {len(self.regions) - len(opt_in)} enabled "
                                        f"by default, {len(opt_in)} opt-in ({len(on)} of them enabled).")
        self._show()
        return self.regions

    def _show(self) -> None:
        self._show_table()
        self._show_choices()

    def _show_table(self) -> None:
        self.table.value = (_regions_table(self.regions, self.statuses, self.only_opt_in.value)
                            if self.regions else "")

    def _show_choices(self) -> None:
        """Label the opt-in Regions with their status; the chosen Region stays chosen. The
        options are only replaced when a label changed."""
        options = tuple((_choice_label(r, self.statuses.get(r["code"], r["status"])), r["code"])
                        for r in self.regions if r["opt_in"])
        if options != self._options:
            chosen = self.choice.value
            self._relabelling = True  # replacing the options picks the first one for a moment
            try:
                with self.quietly(), self.choice.hold_sync():  # the form's change, not the learner's
                    self.choice.options = options
                    if chosen in [code for _, code in options]:
                        self.choice.value = chosen
            finally:
                self._relabelling = False
            self._options = options
        self._show_button()

    def _show_button(self) -> None:
        if self._relabelling:
            return
        code = self.choice.value
        description, disabled, style = _button_state(self.statuses.get(code))
        if code is None:
            tooltip = "Choose an opt-in Region in the list first"
        elif disabled:
            tooltip = f"{_described(code)} is {STATUS_WORDS.get(self.statuses.get(code), 'changing')}"
        else:
            tooltip = f"{description} {_described(code)}"
        with self.region_button.hold_sync():
            self.region_button.description = description
            self.region_button.disabled = disabled
            self.region_button.button_style = style
            self.region_button.tooltip = tooltip

    def _set_status(self, code: str, status: str) -> None:
        """One Region's new status (while watching): the table and the list follow."""
        if code not in self.statuses or self.statuses[code] == status:
            return
        self.statuses[code] = status
        self._show()

    def status_of(self, code: str) -> str | None:
        return self.statuses.get(code)

    # The buttons: every one runs its step through run(label).
    def _clicked(self, label: str | None = None) -> None:
        try:
            if label in ("Enable", "Disable"):
                self._toggle_chosen()
            elif label == "Check again":
                self.watch(self.still_enabling)
            else:
                self.submit()
        except LabError:
            pass  # already shown in the form

    def values(self, label: str | None = None) -> dict:
        self._label = label
        if label == "Enable":
            self.doing = f"enabling the Region {self._code}"
            return {"code": self._code, "known": self._known}
        if label == "Disable":
            self.doing = f"disabling the Region {self._code}"
            return {"code": self._code, "known": self._known}
        if label == "Check again":
            codes = self._watching
            self.doing = f"checking the Region{'s' if len(codes) != 1 else ''} {', '.join(codes)}"
            return {"codes": codes, "timeout": self.timeout, "interval": self.interval,
                    "on_progress": self._progress}
        # Enable these Regions: the codes typed in the field.
        self.doing = type(self).doing
        self._typed = [c.strip() for c in re.split(r"[,\s]+", self.field.value) if c.strip()]
        return {"codes": self._typed}

    def refuse(self, error: BaseException, doing: str | None = None) -> str:
        if self._label == self.primary and getattr(error, "code", None) in (Code.UnknownRegion,
                                                                            Code.EnabledByDefault):
            self.mark_invalid(self.field, True)  # the message says which code, and why
        if self._label == "Check again":  # the Regions may still be enabling: offer to look again
            self.still_enabling = list(self._watching)
            self.check_again.layout.display = None
        return super().refuse(error, doing)

    def _read_as(self) -> str:
        """How typed codes were read, when not as typed ("EU-South-1 as eu-south-1"): said, not silent."""
        changed = [f"{typed} as {typed.strip().lower()}" for typed in self._typed
                   if typed != typed.strip().lower()]
        return f"Region codes are lowercase: the lab read {', '.join(changed)}." if changed else ""

    def show_result(self, result, label: str | None = None) -> None:
        if label == "Enable":
            self.refresh()
            self.watch([result["code"]])
            self.result = {**result, "status": self.status_of(result["code"]) or result["status"]}
        elif label == "Disable":
            code = result["code"]
            self.refresh()
            if result["changed"]:
                self.say(True, f"{_described(code)} is being disabled ({result['status']}); " + DISABLE_MEANS + ".")
            else:
                self.say(None, f"{_described(code)} is already {result['status']}; nothing changed.")
        elif label == "Check again":
            self._watched(result)
        elif not result:
            self.say(None, "No Regions to enable: type Region codes, or choose a Region and press Enable.")
        else:
            self.refresh()
            self.watch([r["code"] for r in result])
            if self._read_as():
                self.message.value += note(self._read_as())
            self.result = [{**r, "status": self.status_of(r["code"]) or r["status"]} for r in result]

    # One Region at a time, from the list of opt-in Regions and its button.
    def _toggle_chosen(self) -> None:
        if self.choice.value is not None:
            self.toggle(self.choice.value)

    def toggle(self, code: str) -> None:
        """Disable the Region if it is ENABLED, otherwise enable it."""
        if self.status_of(code) == "ENABLED":
            self.disable(code)
        else:
            self.enable(code)

    def enable(self, code: str):
        """Enable one Region and watch it until ENABLED (or the time bound)."""
        self._code, self._known = code, None
        return self.run("Enable")

    def disable(self, code: str):
        """Disable one Region, after asking (confirmed headless)."""
        if not self.regions:
            self.refresh()
        known = [r["code"] for r in self.regions] or None
        text = str(code or "").strip().lower()
        self._code, self._known = code, known
        if known is None or text not in known:
            return self.run("Disable")  # the step refuses it, saying why; nothing is asked
        self._code = text
        disabled = []
        self.ask(f"Disable {_described(text)}? {DISABLE_MEANS}.", lambda: disabled.append(self.run("Disable")),
                 yes_label="Disable")
        return disabled[0] if disabled else None  # headless: confirmed at once

    # Watching ENABLING -> ENABLED.
    def watch(self, codes: list[str]) -> dict[str, str] | None:
        """Poll each Region until ENABLED (run("Check again")), with a progress bar and the
        elapsed time; after `self.timeout` seconds stop waiting, say so, and show "Check again"."""
        self.check_again.layout.display = "none"
        self._watching = list(codes)
        self._bars = {}
        return self.run("Check again")

    def _progress(self, code: str, status: str, elapsed: float) -> None:
        """One poll of one Region: its bar (added when its watch starts), the table and the list."""
        if code not in self._bars:
            bar = W.FloatProgress(value=0, min=0, max=max(self.timeout, 0.001), bar_style="info",
                                  layout=W.Layout(width="240px"))
            label = W.HTML()
            label.add_class("awslab-region-elapsed")
            self._bars[code] = (bar, label)
            self.progress.children = tuple(
                W.HBox([W.HTML(f"<code>{html.escape(c)}</code>", layout=W.Layout(width="140px")), b, t])
                for c, (b, t) in self._bars.items())
        bar, label = self._bars[code]
        self.progress_log.append((code, status, elapsed))
        bar.value = bar.max if status == "ENABLED" else min(elapsed, bar.max)
        bar.bar_style = "success" if status == "ENABLED" else "info"
        label.value = f"{html.escape(STATUS_WORDS.get(status, status))} {elapsed:.0f} s"
        self._set_status(code, status)

    def _watched(self, final: dict[str, str]) -> None:
        self.still_enabling = [code for code, status in final.items() if status == "ENABLING"]
        done = [code for code, status in final.items() if status == "ENABLED"]
        if self.still_enabling:
            self.check_again.layout.display = None
            self.say(None, f"Still enabling after {self.timeout:.0f} s: {', '.join(self.still_enabling)}. AWS can "
                           "take minutes, sometimes hours; the lab stopped waiting (nothing is wrong). Press "
                           "Check again later.")
        elif done:
            self.say(True, f"Enabled: {', '.join(_described(c) for c in done)}.")
        self.refresh()


__all__ = ["AliasForm", "RegionsForm"]

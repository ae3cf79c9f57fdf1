"""Notebook 03: give the account a memorable sign-in URL, and choose its Regions.

Alias (IAM): an account has at most one alias, unique across all of AWS; it turns the
sign-in URL https://<account-id>.signin.aws.amazon.com/console into
https://<alias>.signin.aws.amazon.com/console (the account-id URL keeps working).

    current_alias(lab)                  -> "acme-prod" or None
    alias_problem("My_Co")              -> one sentence, or None when AWS would accept it
    set_account_alias(lab, "acme-prod") -> {"alias", "previous", "changed", "sign_in_url", "account_url"}
    delete_account_alias(lab)           -> {"alias", "changed", "account_url"}

Regions (Account Management API): Regions launched after 20 March 2019 are opt-in; the
others are ENABLED_BY_DEFAULT and cannot be changed. Enabling goes DISABLED -> ENABLING ->
ENABLED (minutes, sometimes hours, on a real account).

    list_regions(lab)                   -> [{"code", "name", "status", "opt_in"}, ...]
    enable_region(lab, "eu-south-1")   -> {"code", "name", "status", "changed"}
    disable_region(lab, "eu-south-1")
    wait_for_region(lab, "eu-south-1", timeout=120, on_progress=...) -> final status

The forms (AliasForm, RegionsForm) call these; every refusal is one sentence.
"""

from __future__ import annotations

import difflib
import functools
import html
import re
import time

import ipywidgets as W

from awslab import record
from awslab.errors import Code, LabError, code_of, explain
from awslab.forms import AMBER, GREEN, GREY, Form, line, note
from awslab.log import get_logger

# --------------------------------------------------------------------------------------
# Alias
# --------------------------------------------------------------------------------------

ALIAS_PATTERN = r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"
_ALIAS = re.compile(ALIAS_PATTERN)
ALIAS_RULE = ("3 to 63 characters: lowercase letters, digits and single hyphens, "
              "starting and ending with a letter or digit")


def _tidy(alias: str) -> str:
    """The nearest alias AWS would accept, for a "try ..." hint ('' if none)."""
    text = re.sub(r"[^a-z0-9-]+", "-", alias.strip().lower())
    text = re.sub(r"-{2,}", "-", text).strip("-")[:63].rstrip("-")
    return text if _ALIAS.fullmatch(text) else ""


def alias_problem(alias) -> str | None:
    """One sentence saying why AWS would refuse `alias`, or None when it follows the rule."""
    alias = "" if alias is None else str(alias)
    if _ALIAS.fullmatch(alias):
        return None
    shown = repr(alias)
    tidy = _tidy(alias)
    hint = f" (try '{tidy}')" if tidy and tidy != alias else ""
    if not alias.strip():
        return f"Type an alias first: {ALIAS_RULE}."
    if alias != alias.strip():
        return f"The alias {shown} has spaces at its ends; remove them{hint}."
    if len(alias) < 3:
        return f"The alias {shown} has {len(alias)} character{'s' if len(alias) != 1 else ''}; an alias needs 3 to 63."
    if len(alias) > 63:
        return f"The alias is {len(alias)} characters long; an alias can have at most 63{hint}."
    if any(c.isupper() for c in alias):
        return f"The alias {shown} has uppercase letters; an alias uses lowercase letters only{hint}."
    if "_" in alias:
        return f"The alias {shown} has an underscore, which aliases cannot contain; use a hyphen instead{hint}."
    others = sorted({c for c in alias if not re.match(r"[a-z0-9-]", c)})
    if others:
        listed = " ".join(repr(c) for c in others)
        return (f"The alias {shown} contains {listed}; an alias can only have lowercase letters, "
                f"digits and hyphens{hint}.")
    if "--" in alias:
        return f"The alias {shown} has two hyphens in a row; use single hyphens{hint}."
    if alias.startswith("-"):
        return f"The alias {shown} starts with a hyphen; it must start with a letter or digit{hint}."
    if alias.endswith("-"):
        return f"The alias {shown} ends with a hyphen; it must end with a letter or digit{hint}."
    return f"The alias {shown} does not follow AWS's rule: {ALIAS_RULE}."  # pragma: no cover


def check_alias(alias) -> str:
    """The alias, or LabError with the sentence saying why AWS would refuse it."""
    problem = alias_problem(alias)
    if problem:
        raise LabError(problem.rstrip(".") + "; nothing changed.", code=Code.InvalidAlias)
    return alias


def alias_suggestions(alias: str, account_id: str = "", count: int = 3) -> list[str]:
    """Concrete alternatives that follow the rule: the alias with something of your own added."""
    base = _tidy(alias) or "my-account"
    year = time.strftime("%Y")
    tails = [account_id[-4:] if account_id else "", "team", year, "lab", "aws"]
    found = []
    for tail in tails:
        if not tail:
            continue
        candidate = f"{base[:62 - len(tail)].rstrip('-')}-{tail}"
        if _ALIAS.fullmatch(candidate) and candidate not in found and candidate != alias:
            found.append(candidate)
    return found[:count]


def account_url(lab) -> str:
    """The sign-in URL with the account id: it works whether or not there is an alias."""
    return lab.sign_in_url(None)


def alias_url(lab, alias: str) -> str:
    return lab.sign_in_url(alias)


def current_alias(lab) -> str | None:
    aliases = lab.client("iam").list_account_aliases().get("AccountAliases", [])
    return aliases[0] if aliases else None


def _taken(alias: str, lab) -> LabError:
    tries = " or ".join(f"'{s}'" for s in alias_suggestions(alias, lab.account_id))
    return LabError(
        f"AWS said EntityAlreadyExists: the alias '{alias}' belongs to another account; aliases are "
        f"unique across all of AWS, so your first choice may be taken: try adding something of your "
        f"own, such as {tries}; nothing changed.",
        code=Code.EntityAlreadyExists)


def set_account_alias(lab, alias: str) -> dict:
    """Make `alias` the account's alias (replacing the current one, if any).

    Setting the alias it already has changes nothing. Records the alias, and the one it
    replaced, so clean-up can put things back.
    """
    from botocore.exceptions import ClientError

    alias = check_alias(alias)
    previous = current_alias(lab)
    result = {"alias": alias, "previous": previous, "sign_in_url": alias_url(lab, alias),
              "account_url": account_url(lab)}
    if previous == alias:
        return {**result, "previous": None, "changed": False}
    lab.require_write(f"set the account alias to '{alias}'")
    try:
        lab.client("iam").create_account_alias(AccountAlias=alias)
    except ClientError as error:
        code = code_of(error)
        if code == Code.EntityAlreadyExists:
            raise _taken(alias, lab) from None
        raise
    # If the lab set the alias it replaced, that one is gone: carry its own "previous" over,
    # so the record still names the alias the account had before the lab touched it.
    original = previous
    for entry in record.created(lab.account_id):
        if entry["kind"] == "alias" and entry["name"] == previous:
            original = entry.get("previous")
            record.forget(lab.account_id, "alias", previous)
    record.remember(lab.account_id, "alias", alias, previous=original)
    return {**result, "changed": True}


def delete_account_alias(lab) -> dict:
    """Remove the account's alias; the account-id sign-in URL keeps working."""
    alias = current_alias(lab)
    if alias is None:
        return {"alias": None, "changed": False, "account_url": account_url(lab)}
    lab.require_write(f"delete the account alias '{alias}'")
    lab.client("iam").delete_account_alias(AccountAlias=alias)
    record.forget(lab.account_id, "alias", alias)
    return {"alias": alias, "changed": True, "account_url": account_url(lab)}


# --------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------

DEFAULT_STATUS = "ENABLED_BY_DEFAULT"
ENABLED_STATUSES = ("ENABLED", DEFAULT_STATUS)
STATUS_WORDS = {
    "ENABLED_BY_DEFAULT": "enabled by default",
    "ENABLED": "enabled",
    "ENABLING": "enabling…",
    "DISABLING": "disabling…",
    "DISABLED": "disabled",
}
DISABLE_MEANS = (
    "IAM access to resources in that Region stops: nobody in this account can use them until you "
    "enable it again, but the resources are not deleted (and keep costing what they cost)")


@functools.lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    """Region code -> human name ("eu-south-1" -> "Europe (Milan)"), from botocore's own
    partition data (every partition), so new Regions arrive with a botocore upgrade.

    Only the small `partitions` file is read: it describes every Region, and the 1.2 MB
    `endpoints.json` adds nothing here."""
    import botocore.session

    loader = botocore.session.get_session().get_component("data_loader")
    try:
        data = loader.load_data("partitions")
    except Exception:  # a botocore without it: every Region is shown by its code
        return {}
    names: dict[str, str] = {}
    for partition in data.get("partitions", []):
        for code, info in partition.get("regions", {}).items():
            if isinstance(info, dict) and info.get("description"):
                names[code] = info["description"]
    return names


def region_name(code: str) -> str:
    return region_names().get(code, code)


def _row(region: dict) -> dict:
    code, status = region["RegionName"], region["RegionOptStatus"]
    return {"code": code, "name": region_name(code), "status": status, "opt_in": status != DEFAULT_STATUS}


def list_regions(lab) -> list[dict]:
    """Every Region the account can see, with its name and opt-in status (ListRegions, all pages)."""
    paginator = lab.client("account").get_paginator("list_regions")
    rows = []
    for page in paginator.paginate(PaginationConfig={"PageSize": 50}):
        rows.extend(_row(region) for region in page.get("Regions", []))
    return sorted(rows, key=lambda r: r["code"])


def region_status(lab, code: str) -> str:
    return lab.client("account").get_region_opt_status(RegionName=code)["RegionOptStatus"]


_CODE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


def check_region_code(lab, code, known: list[str] | None = None) -> str:
    """The Region code, cleaned, or LabError naming the nearest real codes."""
    text = str(code or "").strip().lower()
    if not text:
        raise LabError("Type a Region code first (for example eu-south-1); nothing changed.", code=Code.UnknownRegion)
    if known is None:
        known = [r["code"] for r in list_regions(lab)]
    if text in known:
        return text
    near = difflib.get_close_matches(text, known, n=2, cutoff=0.6)
    if near:
        hint = f" (did you mean {' or '.join(near)}?)"
    elif not _CODE.match(text):
        hint = " (Region codes look like eu-south-1, not names like Milan)"
    else:
        hint = " (the table lists every Region code)"
    raise LabError(f"'{code}' is not a Region code this account knows{hint}; nothing changed.",
                   code=Code.UnknownRegion)


def _described(code: str) -> str:
    """"Europe (Milan) eu-south-1", as the console's Region menu reads."""
    name = region_name(code)
    return f"{name} {code}" if name != code else code


def enable_region(lab, code: str, known: list[str] | None = None) -> dict:
    """Opt in to a Region. Already enabled or enabling: nothing to do. The Region then is
    ENABLING until AWS finishes (wait_for_region watches that)."""
    code = check_region_code(lab, code, known)
    status = region_status(lab, code)
    result = {"code": code, "name": region_name(code), "status": status, "changed": False}
    if status == DEFAULT_STATUS:
        raise LabError(f"{_described(code)} is enabled by default: every account can use it, and it "
                       "cannot be enabled or disabled; nothing changed.", code=Code.EnabledByDefault)
    if status == "DISABLING":
        raise LabError(f"{_described(code)} is being disabled right now (DISABLING): wait until it is "
                       "DISABLED, then enable it; nothing changed.", code=Code.Conflict)
    if status in ("ENABLED", "ENABLING"):
        return result
    lab.require_write(f"enable the Region {code}")
    lab.client("account").enable_region(RegionName=code)
    record.remember(lab.account_id, "region", code)
    return {**result, "status": region_status(lab, code), "changed": True}


def disable_region(lab, code: str, known: list[str] | None = None) -> dict:
    """Opt out of a Region: IAM access to its resources stops (they are not deleted)."""
    code = check_region_code(lab, code, known)
    status = region_status(lab, code)
    result = {"code": code, "name": region_name(code), "status": status, "changed": False}
    if status == DEFAULT_STATUS:
        raise LabError(f"{_described(code)} is enabled by default: it cannot be disabled; nothing changed.",
                       code=Code.EnabledByDefault)
    if status == "ENABLING":
        raise LabError(f"{_described(code)} is still being enabled (ENABLING): AWS cannot disable it "
                       "until it is ENABLED; wait, then disable it; nothing changed.", code=Code.Conflict)
    if status in ("DISABLED", "DISABLING"):
        return result
    lab.require_write(f"disable the Region {code}")
    lab.client("account").disable_region(RegionName=code)
    record.forget(lab.account_id, "region", code)
    return {**result, "status": region_status(lab, code), "changed": True}


def enable_regions(lab, codes: list[str]) -> list[dict]:
    """Enable several Regions; every code is checked first, so a typo changes nothing."""
    codes = [c for c in (codes or []) if str(c).strip()]
    if not codes:
        return []
    regions = list_regions(lab)
    known = [r["code"] for r in regions]
    cleaned = [check_region_code(lab, code, known) for code in codes]
    by_code = {r["code"]: r for r in regions}
    for code in cleaned:
        status = by_code[code]["status"]
        if status == DEFAULT_STATUS:
            raise LabError(f"{_described(code)} is enabled by default: every account can use it, and it "
                           "cannot be enabled or disabled; take it out of the list; nothing changed.",
                           code=Code.EnabledByDefault)
    return [enable_region(lab, code, known) for code in dict.fromkeys(cleaned)]


def default_timeout(lab) -> float:
    """How long to watch a Region enabling before saying "still enabling": AWS takes minutes."""
    return 30.0 if lab.sandbox else 120.0


def default_interval(lab) -> float:
    return 0.25 if lab.sandbox else 5.0


def wait_for_region(lab, code: str, *, until: str = "ENABLED", timeout: float | None = None,
                    interval: float | None = None, on_progress=None) -> str:
    """Poll GetRegionOptStatus until the Region reaches `until` (or settles elsewhere), or
    `timeout` seconds pass; return the last status. on_progress(status, elapsed) after each poll."""
    timeout = default_timeout(lab) if timeout is None else timeout
    interval = default_interval(lab) if interval is None else interval
    started = time.monotonic()
    while True:
        status = region_status(lab, code)
        elapsed = time.monotonic() - started
        if on_progress is not None:
            on_progress(status, elapsed)
        if status == until or status not in ("ENABLING", "DISABLING") or elapsed >= timeout:
            return status
        time.sleep(min(interval, max(0.0, timeout - elapsed)) or interval)


# --------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------

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
    """Set, replace or delete the account alias; the field checks AWS's rule as you type."""

    title = "Account alias"
    submit_label = "Save alias"
    doing = "setting the account alias"

    def __init__(self, lab, alias: str | None = None, *, auto_submit: bool = False):
        self._initial = self.parameter("account_alias", alias)
        self._confirmed_alias: str | None = None
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
        self.delete_button = W.Button(description="Delete alias", tooltip="Delete the account alias (asks first)",
                                      layout=W.Layout(width="auto", margin="0 0 0 12px"))
        self.delete_button.add_class("awslab-delete-alias")
        self.delete_button.on_click(lambda _b: self.delete())
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

    def values(self) -> dict:
        return {"alias": self.field.value}

    def action(self, alias: str):
        check_alias(alias)
        current = current_alias(self.lab)
        if current and current != alias and self._confirmed_alias != alias:
            question = (f"Replace the alias '{current}' with '{alias}'? An account has one alias: "
                        f"{alias_url(self.lab, current)} stops working (the account-id "
                        "URL keeps working).")
            asking = {"now": True, "yes": False}

            def yes():
                if asking["now"]:  # headless: confirmed at once
                    asking["yes"] = True
                else:              # a person clicked Yes later
                    self._question = None
                    self._confirmed_alias = alias
                    try:
                        self.submit()
                    finally:
                        self._confirmed_alias = None

            self.ask(question, yes, yes_label="Replace")
            asking["now"] = False
            if not asking["yes"]:
                self._question = (alias, self.after.children[-1])
                return {"asked": question, "alias": alias}
        return set_account_alias(self.lab, alias)

    def show_result(self, result) -> None:
        if result and result.get("asked"):
            self.say(None, "Nothing changed yet: answer the question below.")
            return
        self.refresh()
        self._check_as_you_type()
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

    def show(self) -> None:
        if self.auto_submit and not self._initial and not self.wrong_parameter:
            from IPython.display import display

            display(self.widget)
            self.say(None, "account_alias is None: no alias set (the form stays here for you to use).")
            return
        super().show()

    def delete(self) -> None:
        """Delete the alias after asking (auto-confirmed headless)."""
        alias = self.refresh()
        if alias is None:
            self.error = None
            self.say(None, "This account has no alias; nothing to delete.")
            return

        def delete_now():
            try:
                result = delete_account_alias(self.lab)
            except Exception as error:
                self.refuse(error, "deleting the account alias")
                return
            self.error = None
            self.result = result
            self.refresh()
            self._check_as_you_type()
            self.after.children = (W.VBox([W.HTML("<b>Sign in with the account-id URL:</b>"),
                                           _sign_in_url(self.lab, result["account_url"], "awslab-account-url")]),)
            if result["changed"]:
                self.say(True, f"The alias '{result['alias']}' is deleted; its sign-in URL no longer works.")
            else:
                self.say(None, "This account has no alias; nothing to delete.")
            self.focus(self.after.children[-1])

        self.ask(f"Delete the alias '{alias}'? {alias_url(self.lab, alias)} stops working; "
                 "the account-id URL keeps working.", delete_now, yes_label="Delete")


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
    """Every Region with its status; enable or disable opt-in Regions and watch them settle."""

    title = "Regions"
    submit_label = "Enable these Regions"
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
        self.region_button = W.Button(layout=W.Layout(width="auto", min_width="7em", margin="0 0 0 8px"))
        self.region_button.add_class("awslab-region-button")
        self.region_button.on_click(lambda _b: self._toggle_chosen())
        self.field = W.Text(value=", ".join(self._initial), description="Region codes",
                            placeholder="several at once, e.g. eu-south-1, af-south-1",
                            layout=W.Layout(width="480px", margin="12px 0 0 0"), **same)
        self.field.add_class("awslab-regions-to-enable")
        self.progress = W.VBox()
        self.progress.add_class("awslab-region-progress")
        self.check_again = W.Button(description="Check again", layout=W.Layout(width="auto", display="none"))
        self.check_again.add_class("awslab-check-again")
        self.check_again.on_click(lambda _b: self.watch(self.still_enabling))
        # Under the message, as they settle; one panel, which takes focus after a submission.
        self.results = W.VBox([self.progress, self.check_again])
        self.results.add_class("awslab-region-results")
        self.after.children = (self.results,)
        self.refresh()
        # The actions first; the table scrolls in its own box (34 Regions are taller than a screen).
        return [self.listing, W.HBox([self.choice, self.region_button], layout=W.Layout(align_items="center")),
                self.only_opt_in, self.table, self.field]

    def show(self) -> None:
        if self.auto_submit and not self._initial and not self.wrong_parameter:
            from IPython.display import display

            display(self.widget)
            self.say(None, "regions_to_enable is empty: no Region changed (choose a Region in the list above the table to "
                           "enable it).")
            return
        super().show()

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

    # Submitting: enable the Regions typed in the field, then watch them.
    def values(self) -> dict:
        return {"codes": [c.strip() for c in re.split(r"[,\s]+", self.field.value) if c.strip()]}

    def action(self, codes: list[str]):
        self._typed = codes
        if not codes:
            return []
        try:
            return enable_regions(self.lab, codes)
        except LabError as error:
            if error.code in (Code.UnknownRegion, Code.EnabledByDefault):
                self.mark_invalid(self.field, True)  # the message says which code, and why
            raise

    def _read_as(self) -> str:
        """How typed codes were read, when not as typed ("EU-South-1 as eu-south-1"): said, not silent."""
        changed = [f"{typed} as {typed.strip().lower()}" for typed in self._typed
                   if typed != typed.strip().lower()]
        return f"Region codes are lowercase: the lab read {', '.join(changed)}." if changed else ""

    def show_result(self, result) -> None:
        if not result:
            self.say(None, "No Regions to enable: type Region codes, or choose a Region and press Enable.")
            return
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

    def _attempt(self, doing: str, step):
        try:
            return step()
        except Exception as error:
            self.refuse(error, doing)
            return None

    def enable(self, code: str):
        """Enable one Region and watch it until ENABLED (or the time bound)."""
        result = self._attempt(f"enabling the Region {code}", lambda: enable_region(self.lab, code))
        if result is None:
            return None
        self.error = None
        self.refresh()
        self.watch([result["code"]])
        return {**result, "status": self.status_of(result["code"]) or result["status"]}

    def disable(self, code: str) -> None:
        """Disable one Region, after asking (auto-confirmed headless)."""
        checked = self._attempt(f"disabling the Region {code}", lambda: check_region_code(self.lab, code,
                                [r["code"] for r in self.regions] or None))
        if checked is None:
            return

        def disable_now():
            result = self._attempt(f"disabling the Region {checked}", lambda: disable_region(self.lab, checked))
            if result is None:
                return
            self.error = None
            self.refresh()
            if result["changed"]:
                self.say(True, f"{_described(checked)} is being disabled ({result['status']}); " + DISABLE_MEANS + ".")
            else:
                self.say(None, f"{_described(checked)} is already {result['status']}; nothing changed.")

        self.ask(f"Disable {_described(checked)}? {DISABLE_MEANS}.", disable_now, yes_label="Disable")

    # Watching ENABLING -> ENABLED.
    def watch(self, codes: list[str]) -> dict[str, str]:
        """Poll each Region until ENABLED, with a progress bar and the elapsed time; after
        `self.timeout` seconds stop waiting, say so, and show "Check again"."""
        self.check_again.layout.display = "none"
        final: dict[str, str] = {}
        bars = []
        for code in codes:
            bar = W.FloatProgress(value=0, min=0, max=max(self.timeout, 0.001), bar_style="info",
                                  layout=W.Layout(width="240px"))
            label = W.HTML()
            label.add_class("awslab-region-elapsed")
            bars.append(W.HBox([W.HTML(f"<code>{html.escape(code)}</code>", layout=W.Layout(width="140px")),
                                bar, label]))

            def progress(status, elapsed, bar=bar, label=label, code=code):
                self.progress_log.append((code, status, elapsed))
                bar.value = bar.max if status == "ENABLED" else min(elapsed, bar.max)
                bar.bar_style = "success" if status == "ENABLED" else "info"
                label.value = f"{html.escape(STATUS_WORDS.get(status, status))} {elapsed:.0f} s"
                self._set_status(code, status)

            self.progress.children = tuple(bars)
            status = self._attempt(f"checking the Region {code}",
                                   lambda code=code, progress=progress: wait_for_region(
                                       self.lab, code, timeout=self.timeout, interval=self.interval,
                                       on_progress=progress))
            if status is None:
                return final
            final[code] = status
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
        return final


__all__ = [
    "ALIAS_PATTERN", "AliasForm", "RegionsForm", "alias_problem", "alias_suggestions", "check_alias",
    "current_alias", "delete_account_alias", "disable_region", "enable_region", "enable_regions",
    "list_regions", "region_name", "region_names", "region_status", "set_account_alias", "wait_for_region",
]

"""Notebook 03: give the account a memorable sign-in URL, and choose its Regions.

Defined for `notebooks/03_account_alias_and_regions.ipynb`, one function per thing the learner
does; no widgets here (the forms are in awslab/forms/s03_alias_regions.py).

Alias (IAM), cell "The account alias" (AliasForm: Save alias, Delete alias): an account has at
most one alias, unique across all of AWS; it turns the sign-in URL
https://<account-id>.signin.aws.amazon.com/console into
https://<alias>.signin.aws.amazon.com/console (the account-id URL keeps working).

    current_alias(lab)                  -> "acme-prod" or None
    alias_problem("My_Co")              -> one sentence, or None when AWS would accept it
    set_account_alias(lab, "acme-prod") -> {"alias", "previous", "changed", "sign_in_url", "account_url"}
    delete_account_alias(lab)           -> {"alias", "changed", "account_url"}

Regions (Account Management API), cell "Regions" (RegionsForm: Enable these Regions, the
Enable/Disable button of the chosen Region, Check again): Regions launched after 20 March 2019
are opt-in; the others are ENABLED_BY_DEFAULT and cannot be changed. Enabling goes
DISABLED -> ENABLING -> ENABLED (minutes, sometimes hours, on a real account).

    list_regions(lab)                   -> [{"code", "name", "status", "opt_in"}, ...]
    enable_regions(lab, ["eu-south-1"]) -> [{"code", "name", "status", "changed"}, ...]
    enable_region(lab, "eu-south-1")    -> {"code", "name", "status", "changed"}
    disable_region(lab, "eu-south-1")
    wait_for_region(lab, "eu-south-1", timeout=120, on_progress=...) -> final status
    wait_for_regions(lab, codes, ...)   -> {code: final status}  (Check again)

Every refusal is one sentence (a LabError).
"""

from __future__ import annotations

import difflib
import functools
import re
import time

from awslab import record
from awslab.errors import Code, LabError, code_of

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


def wait_for_regions(lab, codes: list[str], *, timeout: float | None = None, interval: float | None = None,
                     on_progress=None) -> dict[str, str]:
    """wait_for_region for each Region in turn: {code: its last status}. on_progress(code,
    status, elapsed) after each poll (the form's progress bars)."""
    final: dict[str, str] = {}
    for code in codes:
        each = None if on_progress is None else (lambda status, elapsed, code=code: on_progress(code, status, elapsed))
        final[code] = wait_for_region(lab, code, timeout=timeout, interval=interval, on_progress=each)
    return final


__all__ = [
    "ALIAS_PATTERN", "ALIAS_RULE", "DEFAULT_STATUS", "DISABLE_MEANS", "ENABLED_STATUSES", "STATUS_WORDS",
    "account_url", "alias_problem", "alias_suggestions", "alias_url", "check_alias", "check_region_code",
    "current_alias", "default_interval", "default_timeout", "delete_account_alias", "disable_region",
    "enable_region", "enable_regions", "list_regions", "region_name", "region_names", "region_status",
    "set_account_alias", "wait_for_region", "wait_for_regions",
]

"""What the lab created, per account, so that clean-up removes that and nothing else.

Kept in AWSLAB_HOME/records/<account_id>.json: a list of {"kind", "name", ...} entries
(kinds: group, user, access_key, login_profile, mfa_device, alias, region, policy_attachment,
password_policy and security_contact, each with the `previous` setting clean-up puts back).
"""

from __future__ import annotations

import time
from pathlib import Path

from awslab.home import lab_home, read_json, write_json_private

# The tag on every IAM user the lab creates (key, value): what clean-up may remove even
# without a record.
LAB_TAG = ("created-by", "awslab")


def _path(account_id: str) -> Path:
    return lab_home() / "records" / f"{account_id}.json"


def created(account_id: str) -> list[dict]:
    return read_json(_path(account_id), default=[]) or []


def remember(account_id: str, kind: str, name: str, **info) -> None:
    entries = [e for e in created(account_id) if not (e["kind"] == kind and e["name"] == name)]
    entries.append({"kind": kind, "name": name, "at": time.time(), **info})
    write_json_private(_path(account_id), entries)


def forget(account_id: str, kind: str, name: str) -> None:
    entries = created(account_id)
    kept = [e for e in entries if not (e["kind"] == kind and e["name"] == name)]
    if kept != entries:
        write_json_private(_path(account_id), kept)


def was_created(account_id: str, kind: str, name: str) -> bool:
    return any(e["kind"] == kind and e["name"] == name for e in created(account_id))


def forget_account(account_id: str) -> None:
    _path(account_id).unlink(missing_ok=True)


def latest(account_id: str, kind: str) -> str | None:
    """The name of the last `kind` (user, group, ...) the lab made in this account, if any."""
    entries = [e for e in created(account_id) if e["kind"] == kind]
    return max(entries, key=lambda e: e.get("at", 0))["name"] if entries else None

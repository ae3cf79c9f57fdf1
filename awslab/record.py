"""What the lab created, per account, so that clean-up removes that and nothing else.

Kept in AWSLAB_HOME/records/<account_id>.json as a list of typed entries, each a `Made`:

    Made(kind, name, parent)     # Made("group_membership", "administrators", parent="alice")

`kind` is the record kind of one class in awslab.steps.kinds (user, group, group_policy,
group_membership, login_profile, user_policy, access_key, mfa_device, alias, region,
password_policy, security_contact, cli_profile, cli_file, csv, and notebook 05's sso_user,
sso_group, sso_membership, permission_set, account_assignment, sso_profile, sso_token,
organization, identity_center); `name` names the thing, `parent` the thing it belongs to (the
user of an access key, a membership or a user policy; the group of a group policy; the
permission set of an account assignment), or None. What else clean-up needs (the `previous`
setting it puts back, the files of a profile, an id) is kept beside them in `info`.

On disk each entry is {"kind", "name", "parent", "at", ...info}. Records written by earlier
sessions still load: their "user|group" and "group|arn" names, and their `user` field, become
`parent` when read; every entry is written back in the new form.

    remember(account_id, Made("user", "alice"))            # or remember(account_id, "user", "alice")
    forget(account_id, made); was_created(account_id, made); created(account_id) -> list[Made]
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from awslab.home import lab_home, read_json, write_json_private

# The tag on every IAM user the lab creates (key, value): what clean-up may remove even
# without a record. Defined once; awslab.steps.kinds tags with it.
LAB_TAG = ("created-by", "awslab")

# Kinds whose entries earlier sessions wrote as "parent|name" (the part before "|" is the
# parent: the user of a membership or user policy, the group of a group policy, the
# permission set of an account assignment).
JOINED = ("group_membership", "user_policy", "group_policy", "sso_membership", "account_assignment")
# Kinds whose parent is an IAM user (or "root" for an MFA device): the `user` of old entries.
USER_PARENT = ("access_key", "mfa_device", "csv", "group_membership", "user_policy")

_ANY = object()  # forget()/was_created() with a kind and a name only: any parent


@dataclass(frozen=True)
class Made:
    """One thing the lab made: its typed record key (kind, name, parent), and what clean-up
    needs to know beside it (`info`, `at`; not part of the key)."""

    kind: str
    name: str
    parent: str | None = None
    info: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    at: float = field(default=0.0, compare=False, hash=False, repr=False)

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.kind, self.name, self.parent)

    # Read as the dict entries of earlier versions were (e["kind"], e.get("user"), e["previous"]),
    # so code written against them keeps working while it moves to the attributes.
    def __getitem__(self, name: str):
        if name in ("kind", "name", "parent", "at"):
            return getattr(self, name)
        if name == "user" and self.kind in USER_PARENT and self.parent is not None:
            return self.parent
        return self.info[name]

    def get(self, name: str, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def to_json(self) -> dict:
        return {"kind": self.kind, "name": self.name, "parent": self.parent, "at": self.at, **self.info}

    @classmethod
    def from_json(cls, entry: dict) -> Made:
        """An entry as any version wrote it: the new form, or an old one ("user|group" names,
        a `user` field)."""
        info = {k: v for k, v in entry.items() if k not in ("kind", "name", "parent", "at")}
        return cls.of(str(entry["kind"]), str(entry["name"]), entry.get("parent"),
                      at=float(entry.get("at") or 0.0), **info)

    @classmethod
    def of(cls, kind: str, name: str, parent: str | None = None, *, at: float = 0.0, **info) -> Made:
        """A Made from a kind and a name as callers of earlier versions gave them: a name
        "parent|name" of a joined kind, or a `user` in info, becomes the parent."""
        if parent is None and kind in JOINED and "|" in name:
            parent, _, name = name.partition("|")
        if kind in USER_PARENT and "user" in info:
            user = info.pop("user")
            parent = parent if parent is not None else user
        return cls(kind, name, parent, info, at)


def _path(account_id: str) -> Path:
    return lab_home() / "records" / f"{account_id}.json"


def created(account_id: str) -> list[Made]:
    """Everything recorded for the account, oldest first."""
    return [Made.from_json(e) for e in read_json(_path(account_id), default=[]) or []
            if isinstance(e, dict) and "kind" in e and "name" in e]


def _write(account_id: str, entries: list[Made]) -> None:
    write_json_private(_path(account_id), [e.to_json() for e in entries])


def _wanted(kind_or_made, name, parent) -> tuple[str, str, object]:
    if isinstance(kind_or_made, Made):
        return kind_or_made.kind, kind_or_made.name, kind_or_made.parent
    made = Made.of(kind_or_made, name, parent if parent is not _ANY else None)
    return made.kind, made.name, (made.parent if (parent is not _ANY or made.parent is not None) else _ANY)


def _matches(entry: Made, kind: str, name: str, parent) -> bool:
    return entry.kind == kind and entry.name == name and (parent is _ANY or entry.parent == parent)


def remember(account_id: str, kind_or_made, name: str | None = None, parent: str | None = None,
             **info) -> Made:
    """Record a thing the lab made (replacing an entry with the same key). Takes a Made, or a
    kind, a name and a parent (old callers' "parent|name" and `user=` still understood)."""
    if isinstance(kind_or_made, Made):
        made = Made(kind_or_made.kind, kind_or_made.name, kind_or_made.parent,
                    {**kind_or_made.info, **info}, time.time())
    else:
        made = Made.of(kind_or_made, str(name), parent, at=time.time(), **info)
    entries = [e for e in created(account_id) if e.key != made.key]
    entries.append(made)
    _write(account_id, entries)
    return made


def forget(account_id: str, kind_or_made, name: str | None = None, parent=_ANY) -> None:
    """Forget a thing (it is gone). With a kind and a name but no parent, any parent."""
    wanted = _wanted(kind_or_made, name, parent)
    entries = created(account_id)
    kept = [e for e in entries if not _matches(e, *wanted)]
    if len(kept) != len(entries):
        _write(account_id, kept)


def was_created(account_id: str, kind_or_made, name: str | None = None, parent=_ANY) -> bool:
    wanted = _wanted(kind_or_made, name, parent)
    return any(_matches(e, *wanted) for e in created(account_id))


def entry(account_id: str, kind_or_made, name: str | None = None, parent=_ANY) -> Made | None:
    """The recorded entry (with its info), or None."""
    wanted = _wanted(kind_or_made, name, parent)
    return next((e for e in reversed(created(account_id)) if _matches(e, *wanted)), None)


def forget_account(account_id: str) -> None:
    _path(account_id).unlink(missing_ok=True)


def latest(account_id: str, kind: str) -> str | None:
    """The name of the last `kind` (user, group, ...) the lab made in this account, if any."""
    entries = [e for e in created(account_id) if e.kind == kind]
    return max(entries, key=lambda e: e.at)["name"] if entries else None

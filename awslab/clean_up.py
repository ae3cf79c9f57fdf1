"""Clean up: remove what the lab created, and only that, in the order AWS requires.

What the lab created comes from its record (awslab.record, under AWSLAB_HOME) and from
the `created-by=awslab` tag on IAM users; never "everything in the account".

    plan = plan_clean_up(lab)        # reads only: what would go, what stays and why
    result = clean_up(lab)           # deletes (plans again first), forgets what it removed
    CleanUpForm(lab).show()          # the notebook's list, a confirmation, the result

The identity the lab signs in as is never deleted from under it. In the sandbox, when the
lab signs in as a user the lab created and root still has an access key, the lab switches
back to root first and removes everything. When root has no key left (notebook 04 retired
them), the lab removes everything else as that user, then signs in to the simulated console
as root (a root console session: temporary credentials, as the account's owner signs in to
the AWS console with email, password and MFA) and removes that user and its group the way
AWS requires; the lab then signs in as root through the console session. On a real account
that user stays, with what keeps it an administrator, and the learner is told why and what
to do (sign in to the console as root or as another administrator).
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from botocore.exceptions import ClientError

from awslab import record
from awslab.checklist import is_root_device
from awslab.errors import Code, LabError, code_of, explain
from awslab.forms import Form, line, note, table

TAG_KEY, TAG_VALUE = "created-by", "awslab"

# The order AWS requires: a user's parts before the user, a group's before the group.
PHASES = ["access key", "login profile", "MFA device", "group membership", "user policy", "user",
          "group member", "group policy", "group", "alias", "region", "password policy",
          "security contact", "CLI profile", "credentials file"]


@dataclass
class Removal:
    phase: str
    what: str                                  # for people: "access key AKIA… of user alice"
    run: Callable[[], None] = field(repr=False)
    forget: list[tuple[str, str]] = field(default_factory=list)   # record entries it settles

    @property
    def order(self) -> int:
        return PHASES.index(self.phase)


@dataclass
class Kept:
    what: str
    why: str


@dataclass
class Plan:
    account_id: str
    removals: list[Removal]
    kept: list[Kept]
    switch_to_root: bool = False
    stale: list[str] = field(default_factory=list)   # recorded, already gone: forgotten
    # Sandbox, the lab signs in as a user it created, root has no access keys: what goes
    # last, signed in to the console as root (that user, its group, its files).
    as_root_console: list[Removal] = field(default_factory=list)
    lab_user: str | None = None

    @property
    def nothing_to_do(self) -> bool:
        return not self.removals and not self.switch_to_root and not self.as_root_console

    @property
    def count(self) -> int:
        return len(self.removals) + len(self.as_root_console)


@dataclass
class CleanUpResult:
    removed: list[str]
    failed: list[Kept]        # what could not be removed, with why
    kept: list[Kept]
    already_gone: list[str]
    switched_to_root: bool = False
    root_console: bool = False      # the last steps were done in a root console session


def _missing(error: Exception) -> bool:
    return isinstance(error, ClientError) and code_of(error) in (Code.NoSuchEntity, Code.ResourceNotFoundException)


# Where the lab's local files are.

def _aws_file(variable: str, default: str) -> Path:
    return Path(os.environ.get(variable) or Path.home() / ".aws" / default).expanduser()


def _profile_sections(profile: str, entry: dict | None = None) -> list[tuple[Path, str]]:
    """(file, section) pairs of a profile: the files the record names, else the CLI's defaults."""
    entry = entry or {}
    config_name = "default" if profile == "default" else f"profile {profile}"
    credentials = entry.get("credentials_file") or _aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
    config = entry.get("config_file") or _aws_file("AWS_CONFIG_FILE", "config")
    return [(Path(credentials), profile), (Path(config), config_name)]


def _has_section(path: Path, section: str) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    return re.search(rf"^\s*\[\s*{re.escape(section)}\s*\]\s*$", text, re.M) is not None


def remove_profile(profile: str, entry: dict | None = None, account: str | None = None) -> None:
    """Remove one profile's sections from the AWS CLI files, keeping every other line; a file
    the lab created (recorded for `account`) that is left empty goes too."""
    from awslab.home import write_private

    for path, section in _profile_sections(profile, entry):
        if not _has_section(path, section):
            continue
        kept, skipping = [], False
        for text_line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            header = re.match(r"^\s*\[\s*(.+?)\s*\]\s*$", text_line)
            if header:
                skipping = header.group(1) == section
            if not skipping:
                kept.append(text_line)
        write_private(path, "".join(kept))
        if account:
            _drop_if_lab_made_and_empty(account, path)


def _drop_if_lab_made_and_empty(account: str, path: Path) -> None:
    """An AWS CLI file the lab created: removed once empty; forgotten once it holds only what
    is not the lab's (the learner's own profiles: it stays theirs)."""
    if not record.was_created(account, "cli_file", str(path)):
        return
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        record.forget(account, "cli_file", str(path))
        return
    if not text.strip():
        path.unlink(missing_ok=True)
        record.forget(account, "cli_file", str(path))
        return
    sections = {m.group(1) for m in re.finditer(r"^\s*\[\s*(.+?)\s*\]\s*$", text, re.M)}
    labs = {s for e in record.created(account) if e["kind"] == "cli_profile"
            for p, s in _profile_sections(e["name"], e) if str(p) == str(path)}
    if not sections & labs:
        record.forget(account, "cli_file", str(path))


# Planning (reads only).

def _lab_users(iam, entries: list[dict]) -> tuple[set[str], set[str]]:
    """(users the lab created that exist, recorded users already gone)."""
    recorded = {e["name"] for e in entries if e["kind"] == "user"}
    existing, gone = set(), set()
    for name in recorded:
        try:
            iam.get_user(UserName=name)
            existing.add(name)
        except ClientError as error:
            if not _missing(error):
                raise
            gone.add(name)
    for page in iam.get_paginator("list_users").paginate():
        for user in page["Users"]:
            name = user["UserName"]
            if name in existing:
                continue
            tags = user.get("Tags")
            if tags is None:
                tags = iam.list_user_tags(UserName=name).get("Tags", [])
            if any(t["Key"] == TAG_KEY and t["Value"] == TAG_VALUE for t in tags):
                existing.add(name)
    return existing, gone


def _root_key_in_sandbox():
    """Root's active access key in the sandbox (the lab's own simulated account), or None."""
    from awslab.sandbox.account import Account

    account = Account.load()
    for key in (account.root_keys if account else []):
        if key.status == "Active":
            return key
    return None


def plan_clean_up(lab, *, also_check: tuple[str | None, ...] = ()) -> Plan:
    """What clean-up would remove, in order, and what it leaves and why. Reads only (it forgets
    record entries whose resource is already gone)."""
    iam = lab.client("iam")
    account = lab.account_id
    entries = record.created(account)
    removals: list[Removal] = []
    kept: list[Kept] = []
    stale: list[str] = []
    try:
        users, gone_users = _lab_users(iam, entries)
    except ClientError as error:
        raise LabError(explain(error, "listing what the lab created")) from None
    for name in gone_users:
        stale.append(f"user {name}")
        record.forget(account, "user", name)
    groups = set()
    for entry in entries:
        if entry["kind"] != "group":
            continue
        try:
            iam.get_group(GroupName=entry["name"], MaxItems=1)
            groups.add(entry["name"])
        except ClientError as error:
            if not _missing(error):
                raise LabError(explain(error, "listing what the lab created")) from None
            stale.append(f"group {entry['name']}")
            record.forget(account, "group", entry["name"])

    # The lab's own identity: never delete it from under the lab.
    switch_to_root = False
    finish_as_root = False
    protected_users: set[str] = set()
    protected_groups: set[str] = set()
    protected_keys: set[str] = set()
    me = lab.user_name
    if me and me in users:
        if lab.sandbox and _root_key_in_sandbox() is not None:
            switch_to_root = True
        else:
            # In the sandbox it goes last, in a root console session (see clean_up).
            finish_as_root = lab.sandbox
            protected_users.add(me)
            if not finish_as_root:
                kept.append(Kept(
                    f"user {me}, its keys, password, MFA and group memberships",
                    f"the lab signs in as {me}, and an identity can't delete itself (its access keys "
                    "go first, which ends its own session): sign in to the AWS console as the root "
                    f"user (or as another administrator) and delete {me} in IAM, or connect the lab "
                    "as another administrator (notebook 00) and run the clean-up again"))
            try:
                mine = [g["GroupName"] for g in iam.list_groups_for_user(UserName=me)["Groups"]]
            except ClientError:
                mine = []
            try:
                protected_keys.update(k["AccessKeyId"] for k in
                                      iam.list_access_keys(UserName=me)["AccessKeyMetadata"])
            except ClientError:
                pass
            for group in mine:
                if group in groups:
                    protected_groups.add(group)
                    if not finish_as_root:
                        kept.append(Kept(f"group {group} and its policies",
                                         f"{me} gets its permissions through it (see above)"))

    def add(phase, what, run, *forget):
        removals.append(Removal(phase, what, run, list(forget)))

    as_root: list[Removal] = []

    def add_as_root(phase, what, run, *forget):
        as_root.append(Removal(phase, what, run, list(forget)))

    if finish_as_root:
        # Listed now (read as the lab's user); planned again and done as root (clean_up).
        try:
            _plan_user(iam, me, add_as_root)
            for group in sorted(protected_groups):
                _plan_group(iam, group, {me}, add_as_root)
        except ClientError as error:
            kept.append(Kept(f"user {me}", explain(error, "checking it")))

    for user in sorted(users - protected_users):
        _plan_user(iam, user, add)
    for group in sorted(groups - protected_groups):
        _plan_group(iam, group, users - protected_users, add)

    for entry in entries:
        kind, name = entry["kind"], entry["name"]
        owner = entry.get("user") or name.split("|", 1)[0]
        before = len(stale)
        try:
            if kind == "access_key" and owner not in users:
                _plan_key(iam, owner, name, add, stale)
            elif kind == "login_profile" and name not in users:
                _plan_login_profile(iam, name, add, stale)
            elif kind == "mfa_device" and owner not in protected_users:
                _plan_mfa(iam, entry.get("user"), name, add, stale, kept, only_unassigned=owner in users)
            elif kind == "group_membership":
                user, _, group = name.partition("|")
                if user not in users and group not in groups:
                    _plan_membership(iam, user, group, add, stale)
            elif kind == "user_policy":
                user, _, arn = name.partition("|")
                if user not in users:
                    _plan_user_policy(iam, user, arn, add, stale)
            elif kind == "group_policy":
                group, _, arn = name.partition("|")
                if group not in groups:
                    _plan_group_policy(iam, group, arn, add, stale)
            elif kind == "alias":
                _plan_alias(iam, name, entry.get("previous"), add, stale)
            elif kind == "region":
                _plan_region(lab, name, add, stale, kept)
            elif kind == "password_policy":
                _plan_password_policy(iam, entry, add, stale)
            elif kind == "security_contact":
                _plan_security_contact(lab, entry, add, stale)
            elif kind == "cli_profile":
                mine = belongs_to_kept_user(entry, protected_users) or entry.get("key") in protected_keys
                present = any(_has_section(p, s) for p, s in _profile_sections(name, entry))
                if mine and present and finish_as_root:
                    add_as_root("CLI profile", f"AWS CLI profile {name} (in the AWS CLI's credentials "
                                "and config files)", _done_as_root)
                elif mine and present:
                    kept.append(Kept(f"AWS CLI profile {name}", "it holds the kept user's keys"))
                elif any(_has_section(p, s) for p, s in _profile_sections(name, entry)):
                    add("CLI profile", f"AWS CLI profile {name} (in the AWS CLI's credentials and config files"
                        f"{_made_files_note(account, name, entry)})",
                        lambda n=name, e=entry: remove_profile(n, e, account), ("cli_profile", name))
                else:
                    stale.append(f"AWS CLI profile {name}")
            elif kind == "cli_file":
                path = Path(name)
                if not path.exists():
                    stale.append(f"AWS CLI file {name}")
                elif not path.read_text(encoding="utf-8").strip():
                    add("credentials file", f"AWS CLI file {name} (the lab created it; it is empty)",
                        lambda p=path: p.unlink(missing_ok=True), ("cli_file", name))
                # else: it goes (or is forgotten) when the lab's profile in it is removed
            elif kind == "csv":
                mine = belongs_to_kept_user(entry, protected_users)
                if mine and Path(name).exists() and finish_as_root:
                    add_as_root("credentials file", f"credentials file {name}", _done_as_root)
                elif mine and Path(name).exists():
                    kept.append(Kept(f"credentials file {name}", "it holds the kept user's keys"))
                elif Path(name).exists():
                    add("credentials file", f"credentials file {name}",
                        lambda p=name: Path(p).unlink(missing_ok=True), ("csv", name))
                else:
                    stale.append(f"credentials file {name}")
        except ClientError as error:
            kept.append(Kept(f"{kind} {name}", explain(error, "checking it")))
        if len(stale) > before:  # recorded, but already gone: the record forgets it
            record.forget(account, kind, name)

    # Things the learner named that the lab did not create: say so, leave them.
    for name in filter(None, also_check):
        if name in users or name in groups:
            continue
        for kind, probe in (("user", lambda n=name: iam.get_user(UserName=n)),
                            ("group", lambda n=name: iam.get_group(GroupName=n, MaxItems=1))):
            try:
                probe()
            except ClientError:
                continue
            kept.append(Kept(f"{kind} {name}", "the lab did not create it (no record, no "
                             f"{TAG_KEY}={TAG_VALUE} tag), so clean-up leaves it"))

    removals.sort(key=lambda r: r.order)
    as_root.sort(key=lambda r: r.order)
    return Plan(account, removals, kept, switch_to_root, stale, as_root, me if finish_as_root else None)


def _made_files_note(account: str, profile: str, entry: dict) -> str:
    made = [str(p) for p, _s in _profile_sections(profile, entry) if record.was_created(account, "cli_file", str(p))]
    return ("; the lab created those files, so each goes too once nothing else is left in it" if len(made) == 2
            else f"; the lab created {made[0]}, so it goes too once nothing else is left in it" if made else "")


def _done_as_root() -> None:
    """A listed step that clean_up plans again, and does, in the root console session."""


def belongs_to_kept_user(entry: dict, protected_users: set[str]) -> bool:
    """Whether a csv or cli_profile entry holds the keys of a user that stays."""
    if entry.get("user"):
        return entry["user"] in protected_users
    name = Path(str(entry["name"])).name
    return any(name == user or name.endswith(f"-{user}_credentials.csv") or name == f"awslab-{user}"
               for user in protected_users)


def _plan_key(iam, user, key_id, add, stale):
    try:
        keys = [k["AccessKeyId"] for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]] if user else []
    except ClientError as error:
        if not _missing(error):
            raise
        keys = []
    if key_id not in keys:
        stale.append(f"access key {key_id}")
        return
    add("access key", f"access key {key_id} of user {user}",
        lambda: iam.delete_access_key(UserName=user, AccessKeyId=key_id), ("access_key", key_id))


def _plan_login_profile(iam, user, add, stale):
    try:
        iam.get_login_profile(UserName=user)
    except ClientError as error:
        if _missing(error):
            stale.append(f"console password of {user}")
            return
        raise
    add("login profile", f"console password (login profile) of user {user}",
        lambda: iam.delete_login_profile(UserName=user), ("login_profile", user))


def _plan_mfa(iam, user, serial, add, stale, kept, only_unassigned=False):
    virtual = {d["SerialNumber"]: d for page in iam.get_paginator("list_virtual_mfa_devices").paginate()
               for d in page["VirtualMFADevices"]}
    device = virtual.get(serial)
    owner = str((device or {}).get("User", {}).get("Arn", ""))
    if device is not None and not device.get("EnableDate") and not owner:
        add("MFA device", f"unassigned virtual MFA device {serial}",
            lambda: iam.delete_virtual_mfa_device(SerialNumber=serial), ("mfa_device", serial))
        return
    if device is not None and (user == "root" or is_root_device(device)):
        kept.append(Kept(f"the root user's MFA device {serial}",
                         "the lab never weakens the root user: only root can remove its MFA, in the console"))
        return
    if only_unassigned:
        return  # assigned to a user the lab removes: that user's plan covers it
    assigned = []
    if user:
        try:
            assigned = [d["SerialNumber"] for d in iam.list_mfa_devices(UserName=user)["MFADevices"]]
        except ClientError as error:
            if not _missing(error):
                raise
    if serial in assigned:
        add("MFA device", f"MFA device {serial} of user {user} (deactivated, then deleted)",
            lambda: _delete_mfa(iam, user, serial), ("mfa_device", serial))
    else:
        stale.append(f"MFA device {serial}")


def _delete_mfa(iam, user, serial):
    iam.deactivate_mfa_device(UserName=user, SerialNumber=serial)
    if ":mfa/" in serial:  # a virtual device: its entity goes too
        try:
            iam.delete_virtual_mfa_device(SerialNumber=serial)
        except ClientError as error:
            if not _missing(error):
                raise


def _plan_membership(iam, user, group, add, stale):
    try:
        groups = [g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]]
    except ClientError as error:
        if _missing(error):
            stale.append(f"membership of {user} in {group}")
            return
        raise
    if group not in groups:
        stale.append(f"membership of {user} in {group}")
        return
    add("group membership", f"membership of user {user} in group {group}",
        lambda: iam.remove_user_from_group(GroupName=group, UserName=user),
        ("group_membership", f"{user}|{group}"))


def _plan_user_policy(iam, user, arn, add, stale):
    try:
        attached = [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]]
    except ClientError as error:
        if _missing(error):
            stale.append(f"policy {arn} on {user}")
            return
        raise
    if arn not in attached:
        stale.append(f"policy {arn} on {user}")
        return
    add("user policy", f"policy {arn.rsplit('/', 1)[-1]} attached to user {user}",
        lambda: iam.detach_user_policy(UserName=user, PolicyArn=arn), ("user_policy", f"{user}|{arn}"))


def _plan_group_policy(iam, group, arn, add, stale):
    try:
        attached = [p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"]]
    except ClientError as error:
        if _missing(error):
            stale.append(f"policy {arn} on {group}")
            return
        raise
    if arn not in attached:
        stale.append(f"policy {arn} on {group}")
        return
    add("group policy", f"policy {arn.rsplit('/', 1)[-1]} attached to group {group}",
        lambda: iam.detach_group_policy(GroupName=group, PolicyArn=arn), ("group_policy", f"{group}|{arn}"))


def _plan_user(iam, user, add):
    """A user the lab created, with every part AWS makes us remove first."""
    for key in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:
        key_id = key["AccessKeyId"]
        add("access key", f"access key {key_id} of user {user}",
            lambda k=key_id: iam.delete_access_key(UserName=user, AccessKeyId=k), ("access_key", key_id))
    try:
        iam.get_login_profile(UserName=user)
        add("login profile", f"console password (login profile) of user {user}",
            lambda: iam.delete_login_profile(UserName=user), ("login_profile", user))
    except ClientError as error:
        if not _missing(error):
            raise
    for device in iam.list_mfa_devices(UserName=user)["MFADevices"]:
        serial = device["SerialNumber"]
        add("MFA device", f"MFA device {serial} of user {user} (deactivated, then deleted)",
            lambda s=serial: _delete_mfa(iam, user, s), ("mfa_device", serial))
    for group in iam.list_groups_for_user(UserName=user)["Groups"]:
        name = group["GroupName"]
        add("group membership", f"membership of user {user} in group {name}",
            lambda g=name: iam.remove_user_from_group(GroupName=g, UserName=user),
            ("group_membership", f"{user}|{name}"))
    for policy in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]:
        arn = policy["PolicyArn"]
        add("user policy", f"policy {policy['PolicyName']} attached to user {user}",
            lambda a=arn: iam.detach_user_policy(UserName=user, PolicyArn=a), ("user_policy", f"{user}|{arn}"))
    for name in iam.list_user_policies(UserName=user)["PolicyNames"]:
        add("user policy", f"inline policy {name} of user {user}",
            lambda n=name: iam.delete_user_policy(UserName=user, PolicyName=n))
    add("user", f"user {user}", lambda: iam.delete_user(UserName=user), ("user", user))


def _plan_group(iam, group, leaving_users: set[str], add):
    members = [u["UserName"] for page in iam.get_paginator("get_group").paginate(GroupName=group)
               for u in page["Users"]]
    for user in members:
        if user in leaving_users:
            continue  # its membership goes with the user
        add("group member", f"member {user} of group {group} (the user stays)",
            lambda u=user: iam.remove_user_from_group(GroupName=group, UserName=u),
            ("group_membership", f"{user}|{group}"))
    for policy in iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"]:
        arn = policy["PolicyArn"]
        add("group policy", f"policy {policy['PolicyName']} attached to group {group}",
            lambda a=arn: iam.detach_group_policy(GroupName=group, PolicyArn=a), ("group_policy", f"{group}|{arn}"))
    for name in iam.list_group_policies(GroupName=group)["PolicyNames"]:
        add("group policy", f"inline policy {name} of group {group}",
            lambda n=name: iam.delete_group_policy(GroupName=group, PolicyName=n))
    add("group", f"group {group}", lambda: iam.delete_group(GroupName=group), ("group", group))


def _plan_alias(iam, alias, previous, add, stale):
    if alias not in iam.list_account_aliases()["AccountAliases"]:
        stale.append(f"account alias {alias}")
        return

    def remove():
        iam.delete_account_alias(AccountAlias=alias)
        if previous:
            iam.create_account_alias(AccountAlias=previous)
    what = (f"account alias {alias} (back to {previous}, the alias the account had before)" if previous
            else f"account alias {alias} (the sign-in URL goes back to the account ID)")
    add("alias", what, remove, ("alias", alias))


def _region_status(account, region: str) -> str:
    return account.get_region_opt_status(RegionName=region).get("RegionOptStatus", "")


def _plan_region(lab, region, add, stale, kept):
    account = lab.client("account")
    status = _region_status(account, region)
    if status in ("DISABLED", "DISABLING"):
        stale.append(f"Region {region} ({status.lower()})")
        return
    if status == "ENABLED_BY_DEFAULT":
        kept.append(Kept(f"Region {region}", "it is enabled by default and can't be disabled"))
        return
    add("region", f"Region {region} (disabled again)", lambda: _disable_region(lab, region),
        ("region", region))


def _disable_region(lab, region: str) -> None:
    account = lab.client("account")
    deadline = time.monotonic() + (30 if lab.sandbox else 5)
    while _region_status(account, region) == "ENABLING":
        if time.monotonic() > deadline:
            raise LabError(f"Region {region} is still being enabled, and AWS can't disable a Region "
                           "until that ends: run the clean-up again later.", code=Code.StillEnabling)
        time.sleep(0.5)
    account.disable_region(RegionName=region)


def _plan_password_policy(iam, entry, add, stale):
    previous = entry.get("previous")
    try:
        iam.get_account_password_policy()
        exists = True
    except ClientError as error:
        if not _missing(error):
            raise
        exists = False
    if not exists and not previous:
        stale.append("the account's password policy")
        return

    def restore():
        if previous:
            from awslab.checklist import restorable_policy

            iam.update_account_password_policy(**restorable_policy(previous))
        else:
            try:
                iam.delete_account_password_policy()
            except ClientError as error:
                if not _missing(error):
                    raise
    what = ("the account's password policy, back to what it was before the lab" if previous else
            "the account's password policy (there was none before the lab)")
    add("password policy", what, restore, ("password_policy", entry["name"]))


def _plan_security_contact(lab, entry, add, stale):
    from awslab.contacts import restore_security_contact, security_contact

    previous = entry.get("previous")
    if security_contact(lab) is None and not previous:
        stale.append("the account's security contact")
        return
    what = ("the account's security contact, back to the one it had before the lab" if previous else
            "the account's security contact (there was none before the lab)")
    add("security contact", what, lambda: restore_security_contact(lab, previous),
        ("security_contact", entry["name"]))


# Doing it.

def _switch_back_to_root(lab):
    """Root still has an access key: the lab forgets the user's saved credentials and signs in
    with root's key again."""
    from awslab.sandbox.credentials import forget_lab_credentials
    from awslab.session import connect

    forget_lab_credentials()
    return connect("sandbox", lab.confirm_account_id, region=lab.region)


def clean_up(lab) -> CleanUpResult:
    """Remove what the lab created (planned afresh), in AWS's order; forget each removal."""
    lab.require_write("remove what the lab created")
    plan = plan_clean_up(lab)
    switched = False
    if plan.switch_to_root:
        lab = _switch_back_to_root(lab)
        switched = True
        plan = plan_clean_up(lab)
    removed, failed, gone, kept = [], [], list(plan.stale), list(plan.kept)
    _run(lab, plan.removals, removed, failed, gone)
    if plan.lab_user:
        _finish_as_root_console(lab, plan.lab_user, removed, failed, gone, kept)
    return CleanUpResult(removed, failed, kept, gone, switched or bool(plan.lab_user),
                         root_console=bool(plan.lab_user))


def _run(lab, removals: list[Removal], removed: list, failed: list, gone: list) -> None:
    for removal in removals:
        try:
            removal.run()
        except Exception as error:
            if _missing(error):
                gone.append(removal.what)
            else:
                failed.append(Kept(removal.what, explain(error, f"removing the {removal.phase}")))
                continue
        else:
            removed.append(removal.what)
        for kind, name in removal.forget:
            record.forget(lab.account_id, kind, name)
        if removal.phase == "user":  # whatever else the record held about that user is gone too
            _forget_parts_of(lab.account_id, removal.forget[0][1])


def _finish_as_root_console(lab, user: str, removed: list, failed: list, gone: list, kept: list) -> None:
    """Sign in to the simulated console as root and remove the lab's own user, its group and
    files (planned again, as root); then the lab signs in as root instead of that user."""
    from awslab.home import read_json
    from awslab.sandbox.credentials import credentials_path, forget_lab_credentials
    from awslab.session import connect_root_console

    root = connect_root_console(lab.confirm_account_id, region=lab.region)
    plan = plan_clean_up(root)
    gone.extend(w for w in plan.stale if w not in gone)
    kept[:] = plan.kept + [k for k in kept if k.what not in {k2.what for k2 in plan.kept}]
    _run(root, plan.removals, removed, failed, gone)
    saved = read_json(credentials_path()) or {}
    try:
        keys = [k["AccessKeyId"] for k in
                root.client("iam").list_access_keys(UserName=user)["AccessKeyMetadata"]]
    except ClientError as error:
        if not _missing(error):
            raise LabError(explain(error, f"checking the access keys of {user}")) from None
        keys = []
    if saved.get("access_key_id") not in keys:
        forget_lab_credentials()  # that key is gone: the lab signs in as root (console session)


def _forget_parts_of(account_id: str, user: str) -> None:
    for entry in record.created(account_id):
        owner = entry.get("user") or entry["name"].split("|", 1)[0]
        if entry["kind"] in ("access_key", "login_profile", "mfa_device", "group_membership",
                             "user_policy") and owner == user:
            record.forget(account_id, entry["kind"], entry["name"])


# The notebook's form.

class CleanUpForm(Form):
    """What the lab created, a confirmation, then the removal and what stayed (and why)."""

    title = "Remove what the lab created"
    submit_label = "Delete these"
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
        self.plan = plan_clean_up(self.lab, also_check=self.also_check)
        self.listing.value = describe_plan(self.plan, html_out=True)
        self.button.layout.display = "none" if self.plan.nothing_to_do else ""
        return self.plan

    def action(self) -> CleanUpResult:
        return clean_up(self.lab)

    def _clicked(self) -> None:
        n = self.plan.count
        self.ask(f"Delete these {n} things from account {self.lab.account_id}? This can't be undone.",
                 self.submit, yes_label="Delete them")

    def show_result(self, result: CleanUpResult) -> None:
        import ipywidgets as W

        self.after.children = (W.HTML(describe_result(result, html_out=True)),)
        if result.switched_to_root:
            from awslab.session import connect

            self.lab = connect("sandbox", self.lab.confirm_account_id)
        self.refresh()

    def show(self) -> None:
        from IPython.display import display

        display(self.widget)
        if self.auto_submit and not self.plan.nothing_to_do:
            self._clicked()  # headless, the question counts as confirmed


def _nothing(plan: Plan) -> str:
    if plan.kept:
        return (f"Nothing to clean up in account {plan.account_id}: what the lab created is gone, "
                "except what stays below, for the reason given.")
    return f"Nothing to clean up: nothing the lab created is left in account {plan.account_id}."


def describe_plan(plan: Plan, html_out: bool = False) -> str:
    if html_out:
        parts = []
        if plan.nothing_to_do:
            parts.append(line(True, _nothing(plan)))
        else:
            if plan.switch_to_root:
                parts.append(note("The lab signs in as a user it created; it switches back to the "
                                  "sandbox's root user first, so it isn't deleting itself."))
            parts.append(table(["#", "will be removed, in this order"],
                               [[i, r.what] for i, r in enumerate(plan.removals, 1)]))
            if plan.as_root_console:
                parts.append(note(_as_root_console_note(plan)))
                start = len(plan.removals) + 1
                parts.append(table(["#", "then, signed in to the console as the root user"],
                                   [[i, r.what] for i, r in enumerate(plan.as_root_console, start)]))
        if plan.kept:
            parts.append("<b>Stays</b>" + "".join(line(None, k.what, k.why) for k in plan.kept))
        if plan.stale:
            parts.append(note("Already gone (the record forgets them): " + ", ".join(plan.stale)))
        return "".join(parts)
    out = []
    if plan.nothing_to_do:
        out.append(_nothing(plan))
    else:
        if plan.switch_to_root:
            out.append("The lab signs in as a user it created: it switches back to root first.")
        out.append(f"Will be removed from account {plan.account_id}, in this order:")
        out += [f"  {i:>2}. {r.what}" for i, r in enumerate(plan.removals, 1)]
        if plan.as_root_console:
            out.append(_as_root_console_note(plan))
            out += [f"  {i:>2}. {r.what}" for i, r in
                    enumerate(plan.as_root_console, len(plan.removals) + 1)]
    if plan.kept:
        out.append("Stays:")
        out += [f"  - {k.what}: {k.why}" for k in plan.kept]
    if plan.stale:
        out.append("Already gone: " + ", ".join(plan.stale))
    return "\n".join(out)


def _as_root_console_note(plan: Plan) -> str:
    return (f"The lab signs in as {plan.lab_user}, a user it created, and the root user has no "
            f"access keys left. An identity can't delete itself, so {plan.lab_user} goes last: the "
            "lab signs in to the (simulated) console as the root user, as you would on AWS with the "
            "account's email address, password and MFA, and removes it there. Afterwards the lab "
            "signs in as root through that console session (temporary credentials, not an access key).")


def _switched(result: CleanUpResult) -> str:
    if result.root_console:
        return ("The lab now signs in as the sandbox's root user through a console session "
                "(temporary credentials; root still has no access keys).")
    return "The lab signs in as the sandbox's root user again."


def describe_result(result: CleanUpResult, html_out: bool = False) -> str:
    if html_out:
        rows = [line(True, f"Removed {w}") for w in result.removed]
        rows += [line(False, f"Not removed: {k.what}", k.why) for k in result.failed]
        if result.switched_to_root:
            rows.append(line(True, _switched(result)))
        if not rows:
            rows.append(line(True, "Nothing to do."))
        return "".join(rows)
    out = [f"removed: {w}" for w in result.removed]
    out += [f"NOT removed: {k.what}: {k.why}" for k in result.failed]
    if result.switched_to_root:
        out.append(_switched(result))
    return "\n".join(out) or "Nothing to do."


def clean_cli(target: str = "sandbox", confirm_account_id: str | None = None, yes: bool = False) -> int:
    """`awslab clean`: list, ask (unless --yes), remove. 0 when all went, 1 when some could not."""
    from awslab.session import connect

    lab = connect(target, confirm_account_id)
    plan = plan_clean_up(lab)
    print(describe_plan(plan))
    if plan.nothing_to_do:
        return 0
    if lab.target == "aws" and str(confirm_account_id or "").strip() != lab.account_id:
        given = f" (it was given {confirm_account_id!r})" if confirm_account_id else ""
        raise LabError(f"To remove what the lab created in the real AWS account {lab.account_id}, run "
                       f"`awslab clean --target aws --confirm-account-id {lab.account_id}`{given}: the lab "
                       "never changes a real account unconfirmed; nothing was deleted.", code=Code.NotConfirmed)
    lab.require_write("remove what the lab created")
    if not yes:
        if not sys.stdin.isatty():
            print("awslab: nothing was deleted: stdin is not a terminal, so there is no one to ask; "
                  "run `awslab clean --yes` to delete the things listed above without asking.",
                  file=sys.stderr)
            return 2
        answer = input(f"Delete these {plan.count} things? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Cancelled; nothing was deleted.")
            return 1
    result = clean_up(lab)
    print(describe_result(result))
    return 1 if result.failed else 0


__all__ = ["CleanUpForm", "CleanUpResult", "Kept", "Plan", "Removal", "clean_cli", "clean_up",
           "describe_plan", "describe_result", "plan_clean_up", "remove_profile"]

"""Clean up: remove what the lab created, and only that, in the order AWS requires.

Defined for notebooks/99_clean_up.ipynb: cell "Remove what the lab created" (the form in
awslab/forms/s99_clean_up.py lists plan_clean_up(lab), asks, then runs clean_up(lab)); and for
`awslab clean` (awslab/cli.py).

What the lab created comes from its record (awslab.record: typed `Made` entries) and from the
`created-by=awslab` tag on IAM users; never "everything in the account". Each entry names its
kind (awslab/steps/kinds.py), so the plan is: for each thing the lab made, and the parts AWS
requires removed before it (a user's keys, password, MFA, memberships and policies; a group's
members and policies), in `phase` order, if it `exists`: `delete` (unless the kind says why it
`stays`: root's MFA device, a Region enabled by default, on a real account the organization
and IAM Identity Center's instance, with the console steps to remove them).

    plan = plan_clean_up(lab)        # reads only: what would go, what stays and why
    result = clean_up(lab)           # deletes (plans again first), forgets what it removed

Two special cases remain: the lab's own identity and the root console switch. The identity
the lab signs in as is never deleted from under it. In the sandbox, when the lab signs in as a
user the lab created and root still has an access key, the lab switches back to root first and
removes everything. When root has no key left (notebook 04 retired them), the lab removes
everything else as that user, then signs in to the simulated console as root (a root console
session: temporary credentials, as the account's owner signs in to the AWS console with email,
password and MFA) and removes that user and its group the way AWS requires; the lab then signs
in as root through the console session. On a real account that user stays, with what keeps it
an administrator, and the learner is told why and what to do (sign in to the console as root
or as another administrator).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from awslab import record
from awslab.errors import LabError, explain
from awslab.steps import kinds
from awslab.steps.kinds import (
    PHASES,
    TAG_KEY,
    TAG_VALUE,
    AccessKey,
    CliProfile,
    CredentialsCsv,
    Group,
    GroupPolicy,
    Kind,
    LoginProfile,
    Membership,
    MfaDevice,
    User,
    UserPolicy,
    missing,
)

# Kept for callers of earlier versions (awslab.clean_up.PHASES): the order lives with the kinds.
__all__ = ["PHASES", "CleanUpResult", "Kept", "Plan", "Removal", "clean_up", "describe_plan",
           "describe_result", "plan_clean_up"]


@dataclass
class Removal:
    kind: Kind
    what: str                                  # for people: "access key AKIA… of user alice"

    @property
    def phase(self) -> str:
        return self.kind.phase

    @property
    def order(self) -> int:
        return self.kind.order


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


# Planning (reads only; forgets record entries whose thing is already gone).

def _root_key_in_sandbox():
    """Root's active access key in the sandbox (the lab's own simulated account), or None."""
    from awslab.sandbox_client import active_root_key

    return active_root_key()


def _existing(lab, names, kind, stale: list[str]) -> set[str]:
    """Those of `names` (users or groups) that exist; the others are forgotten as gone."""
    found = set()
    for name in names:
        if kind(name).exists(lab):
            found.add(name)
        else:
            stale.append(kind(name).gone)
            kind(name).forget(lab)
    return found


def _belongs(kind: Kind, users: set[str], groups: set[str], keys: set[str]) -> bool:
    """Whether a thing is part of the lab's own identity (its user, group or files)."""
    if isinstance(kind, (AccessKey, MfaDevice, LoginProfile)):
        return kind.user in users
    if isinstance(kind, UserPolicy):
        return kind.owner in users
    if isinstance(kind, Membership):
        return kind.user in users or kind.group in groups
    if isinstance(kind, GroupPolicy):
        return kind.owner in groups
    if isinstance(kind, CliProfile):
        return kind.belongs_to(users, keys)
    if isinstance(kind, CredentialsCsv):
        return kind.belongs_to(users)
    return False


def plan_clean_up(lab, *, also_check: tuple[str | None, ...] = ()) -> Plan:
    """What clean-up would remove, in order, and what it leaves and why. Reads only (it forgets
    record entries whose resource is already gone)."""
    iam = lab.client("iam")
    account = lab.account_id
    entries = record.created(account)
    kept: list[Kept] = []
    stale: list[str] = []
    try:
        users = _existing(lab, {e.name for e in entries if e.kind == User.kind}, User, stale)
        users |= set(User.tagged(lab))
        groups = _existing(lab, {e.name for e in entries if e.kind == Group.kind}, Group, stale)
    except ClientError as error:
        raise LabError(explain(error, "listing what the lab created")) from None

    # The lab's own identity: never delete it from under the lab.
    switch_to_root = finish_as_root = False
    mine_users: set[str] = set()
    mine_groups: set[str] = set()
    mine_keys: set[str] = set()
    me = lab.user_name
    if me and me in users:
        if lab.sandbox and _root_key_in_sandbox() is not None:
            switch_to_root = True
        else:
            finish_as_root = lab.sandbox   # in the sandbox it goes last, in a root console session
            mine_users.add(me)
            if not finish_as_root:
                kept.append(Kept(
                    f"user {me}, its keys, password, MFA and group memberships",
                    f"the lab signs in as {me}, and an identity can't delete itself (its access keys "
                    "go first, which ends its own session): sign in to the AWS console as the root "
                    f"user (or as another administrator) and delete {me} in IAM, or connect the lab "
                    "as another administrator (notebook 00) and run the clean-up again"))
            try:
                mine_groups = {g["GroupName"] for g in iam.list_groups_for_user(UserName=me)["Groups"]} & groups
            except ClientError:
                pass
            try:
                mine_keys = {k["AccessKeyId"] for k in iam.list_access_keys(UserName=me)["AccessKeyMetadata"]}
            except ClientError:
                pass
            if not finish_as_root:
                kept += [Kept(f"group {group} and its policies", f"{me} gets its permissions through it (see above)")
                         for group in sorted(mine_groups)]

    planned: dict[tuple, Removal] = {}
    as_root: dict[tuple, Removal] = {}

    def add(kind: Kind, into: dict, what: str | None = None) -> None:
        into.setdefault(kind.made().key, Removal(kind, what or kind.what))

    if finish_as_root:
        # Listed now (read as the lab's user); planned again and done as root (clean_up).
        try:
            for kind in [*User(me).parts(lab), User(me)]:
                add(kind, as_root)
            for group in sorted(mine_groups):
                for kind in [*Group(group).parts(lab, leaving={me}), Group(group)]:
                    add(kind, as_root)
        except ClientError as error:
            kept.append(Kept(f"user {me}", explain(error, "checking it")))
    leaving = users - mine_users
    try:
        for user in sorted(leaving):
            for kind in [*User(user).parts(lab), User(user)]:
                add(kind, planned)
        for group in sorted(groups - mine_groups):
            for kind in [*Group(group).parts(lab, leaving=leaving), Group(group)]:
                add(kind, planned)
    except ClientError as error:
        raise LabError(explain(error, "listing what the lab created")) from None

    # Everything else the record holds: if it exists, it goes (or says why it stays).
    for entry in entries:
        if entry.kind in (User.kind, Group.kind) or entry.key in planned or entry.key in as_root:
            continue
        try:
            kind = kinds.of(entry)
        except KeyError:
            continue   # a kind a later version of the lab wrote
        mine = _belongs(kind, mine_users, mine_groups, mine_keys)
        if mine and not isinstance(kind, (CliProfile, CredentialsCsv)):
            continue   # the lab's own user and group: above (kept, or done as root)
        try:
            there = kind.exists(lab)
            why = kind.stays(lab) if there else None
        except (ClientError, LabError) as error:
            kept.append(Kept(kind.gone, error.sentence if isinstance(error, LabError)
                             else explain(error, "checking it")))
            continue
        if not there:
            stale.append(kind.gone)
            record.forget(account, entry)
        elif mine and finish_as_root:
            add(kind, as_root)
        elif mine:
            kept.append(Kept(kind.gone if isinstance(kind, CliProfile) else kind.what,
                             "it holds the kept user's keys"))
        elif why is not None:
            if why:
                kept.append(Kept(kind.kept_as, why))
        else:
            add(kind, planned, kind.describe(lab) if isinstance(kind, CliProfile) else None)

    # Things the learner named that the lab did not create: say so, leave them.
    for name in filter(None, also_check):
        if name in users or name in groups:
            continue
        for kind in (User(name), Group(name)):
            try:
                there = kind.exists(lab)
            except ClientError:
                continue
            if there:
                kept.append(Kept(kind.what, "the lab did not create it (no record, no "
                                 f"{TAG_KEY}={TAG_VALUE} tag), so clean-up leaves it"))

    removals = sorted(planned.values(), key=lambda r: r.order)
    return Plan(account, removals, kept, switch_to_root, stale,
                sorted(as_root.values(), key=lambda r: r.order), me if finish_as_root else None)


# Doing it.

def _switch_back_to_root(lab):
    """Root still has an access key: the lab forgets the user's saved credentials and signs in
    with root's key again."""
    from awslab.sandbox_client import forget_lab_credentials
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
            removal.kind.delete(lab)   # forgets it (a user: its parts too)
        except Exception as error:
            if missing(error):
                gone.append(removal.what)
            else:
                failed.append(Kept(removal.what, explain(error, f"removing the {removal.phase}")))
        else:
            removed.append(removal.what)


def _finish_as_root_console(lab, user: str, removed: list, failed: list, gone: list, kept: list) -> None:
    """Sign in to the simulated console as root and remove the lab's own user, its group and
    files (planned again, as root); then the lab signs in as root instead of that user."""
    from awslab.sandbox_client import forget_lab_credentials, saved_credentials
    from awslab.session import connect_root_console

    root = connect_root_console(lab.confirm_account_id, region=lab.region)
    plan = plan_clean_up(root)
    gone.extend(w for w in plan.stale if w not in gone)
    kept[:] = plan.kept + [k for k in kept if k.what not in {k2.what for k2 in plan.kept}]
    _run(root, plan.removals, removed, failed, gone)
    saved = saved_credentials()
    try:
        keys = [k["AccessKeyId"] for k in
                root.client("iam").list_access_keys(UserName=user)["AccessKeyMetadata"]]
    except ClientError as error:
        if not missing(error):
            raise LabError(explain(error, f"checking the access keys of {user}")) from None
        keys = []
    if saved.get("access_key_id") not in keys:
        forget_lab_credentials()  # that key is gone: the lab signs in as root (console session)


# What the plan and the result say (the form draws them in HTML: awslab/forms/s99_clean_up.py).

def nothing_sentence(plan: Plan) -> str:
    if plan.kept:
        return (f"Nothing to clean up in account {plan.account_id}: what the lab created is gone, "
                "except what stays below, for the reason given.")
    return f"Nothing to clean up: nothing the lab created is left in account {plan.account_id}."


def as_root_console_note(plan: Plan) -> str:
    return (f"The lab signs in as {plan.lab_user}, a user it created, and the root user has no "
            f"access keys left. An identity can't delete itself, so {plan.lab_user} goes last: the "
            "lab signs in to the (simulated) console as the root user, as you would on AWS with the "
            "account's email address, password and MFA, and removes it there. Afterwards the lab "
            "signs in as root through that console session (temporary credentials, not an access key).")


def switched_sentence(result: CleanUpResult) -> str:
    if result.root_console:
        return ("The lab now signs in as the sandbox's root user through a console session "
                "(temporary credentials; root still has no access keys).")
    return "The lab signs in as the sandbox's root user again."


def describe_plan(plan: Plan) -> str:
    """The plan as text (awslab clean prints it)."""
    out = []
    if plan.nothing_to_do:
        out.append(nothing_sentence(plan))
    else:
        if plan.switch_to_root:
            out.append("The lab signs in as a user it created: it switches back to root first.")
        out.append(f"Will be removed from account {plan.account_id}, in this order:")
        out += [f"  {i:>2}. {r.what}" for i, r in enumerate(plan.removals, 1)]
        if plan.as_root_console:
            out.append(as_root_console_note(plan))
            out += [f"  {i:>2}. {r.what}" for i, r in
                    enumerate(plan.as_root_console, len(plan.removals) + 1)]
    if plan.kept:
        out.append("Stays:")
        out += [f"  - {k.what}: {k.why}" for k in plan.kept]
    if plan.stale:
        out.append("Already gone: " + ", ".join(plan.stale))
    return "\n".join(out)


def describe_result(result: CleanUpResult) -> str:
    """The result as text (awslab clean prints it)."""
    out = [f"removed: {w}" for w in result.removed]
    out += [f"NOT removed: {k.what}: {k.why}" for k in result.failed]
    if result.switched_to_root:
        out.append(switched_sentence(result))
    return "\n".join(out) or "Nothing to do."

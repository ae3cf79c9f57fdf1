"""Set up additional users: the administrators group and the first IAM user.

What the console's "Create user group" and "Create user" pages do, as plain functions
(tested) and forms that call them:

    create_admin_group(lab, "administrators", [ADMIN_POLICY_ARN])
    new = create_user(lab, "alice", console_access=True, programmatic_access=True,
                      groups=["administrators"], tags={"team": "security"})
    new.csv_path, new.access_key_id      # the secrets stay in the object (never in its repr)
    describe_user(lab, "alice")          # the user as it is now
    create_another_access_key(lab, "alice")

Creating a user is one unit: a sequence of steps, each with its undo. When a step fails,
the steps already done are undone in reverse and the LabError names the failed step.
Everything created is tagged (users: created-by=awslab) and recorded with awslab.record.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as W
from botocore.exceptions import ClientError
from IPython.display import display

from awslab import record
from awslab.credentials_file import (
    credentials_csv,
    credentials_csv_path,
    read_credentials_csv,
    save_cli_profile,
    write_credentials_csv,
)
from awslab.errors import Code, LabError, code_of, explain
from awslab.forms import AMBER, GREEN, GREY, RED, Form, line, note, table
from awslab.log import get_logger, keep_out_of_logs
from awslab.overview import ADMIN_POLICY_ARN, CHANGE_PASSWORD_ARN
from awslab.passwords import (
    PasswordInput,
    PasswordPolicy,
    generate_password,
    password_policy,
    password_problem,
)
from awslab.record import LAB_TAG

__all__ = [
    "ADMIN_POLICY_ARN", "CHANGE_PASSWORD_ARN", "DEFAULT_GROUP_NAME", "DEFAULT_USER_NAME", "LAB_TAG", "GroupForm", "NewKey", "NewUser",
    "UserForm", "WhatYouHaveNow", "optional_user_mfa",
    "aws_managed_policies", "create_admin_group", "create_another_access_key", "create_user",
    "credentials_csv_path", "describe_group", "describe_user", "group_name_problem", "group_policies", "plan_user",
    "resolve_policy", "save_cli_profile", "search_policies", "tags_problem", "user_name_problem",
]

DEFAULT_USER_NAME = "awslab-admin"
DEFAULT_GROUP_NAME = "administrators"
MAX_TAGS, MAX_KEY, MAX_VALUE = 50, 128, 256
MAX_ACCESS_KEYS = 2
_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
_TAG_SYMBOLS = set("_.:/=+-@ ")

# AWS's own descriptions of the managed policies learners pick most, for when GetPolicy
# gives none (the sandbox's copies of AWS managed policies carry no description).
KNOWN_DESCRIPTIONS = {
    "AdministratorAccess": "Provides full access to AWS services and resources.",
    "PowerUserAccess": "Provides full access to AWS services and resources, but does not allow management "
                       "of Users and groups.",
    "ReadOnlyAccess": "Provides read-only access to AWS services and resources.",
    "ViewOnlyAccess": "This policy grants permissions to view resources and basic metadata across all AWS services.",
    "IAMUserChangePassword": "Provides the ability for an IAM user to change their own password.",
    "IAMFullAccess": "Provides full access to IAM via the AWS Management Console.",
    "IAMReadOnlyAccess": "Provides read only access to IAM via the AWS Management Console.",
    "SecurityAudit": "The security audit template grants access to read security configuration metadata. "
                     "It is useful for software that audits the configuration of an AWS account.",
    "Billing": "Grants permissions for billing and cost management. This includes viewing account usage "
               "and viewing and modifying budgets and payment methods.",
}


# ---------------------------------------------------------------------------- validation

def _short(text: str, width: int = 24) -> str:
    return text if len(text) <= width else text[:width] + "…"


def _name_problem(kind: str, name: str, max_len: int) -> str | None:
    if not name:
        return f"Type a {kind} name."
    if len(name) > max_len:
        return f"The {kind} name is {len(name)} characters long; IAM allows at most {max_len}."
    if not _NAME.fullmatch(name):
        bad = sorted({c for c in name if not _NAME.fullmatch(c)})
        shown = " ".join(repr(c) for c in bad[:5])
        return (f"The {kind} name {_short(name)!r} contains {shown}: IAM allows only letters, digits "
                "and + = , . @ _ - (no spaces).")
    return None


def user_name_problem(name: str) -> str | None:
    """IAM's rule for user names ([\\w+=,.@-]{1,64}) as a sentence, or None."""
    return _name_problem("user", name or "", 64)


def group_name_problem(name: str) -> str | None:
    """IAM's rule for group names ([\\w+=,.@-]{1,128}) as a sentence, or None."""
    return _name_problem("group", name or "", 128)


def _tag_char_ok(c: str) -> bool:
    return c in _TAG_SYMBOLS or unicodedata.category(c)[0] in "LNZ"


def _tag_pairs(tags) -> list[tuple[str, str]]:
    if not tags:
        return []
    if isinstance(tags, dict):
        return [(str(k), "" if v is None else str(v)) for k, v in tags.items()]
    pairs = []
    for item in tags:
        if isinstance(item, dict):
            pairs.append((str(item.get("Key", "")), str(item.get("Value", "") or "")))
        else:
            key, value = item
            pairs.append((str(key), "" if value is None else str(value)))
    return pairs


def tags_problem(tags) -> str | None:
    """IAM's tag limits (50 per user, including the lab's own tag; key 1-128 and value 0-256
    characters of letters, numbers, spaces and _ . : / = + - @) as a sentence, or None."""
    pairs = _tag_pairs(tags)
    if len(pairs) + 1 > MAX_TAGS:
        return (f"{len(pairs)} tags is too many: IAM allows {MAX_TAGS} per user and the lab adds "
                f"{LAB_TAG[0]}={LAB_TAG[1]}, so you can add at most {MAX_TAGS - 1}.")
    seen: set[str] = set()
    for key, value in pairs:
        if not key.strip():
            return "A tag key can't be empty: give every tag a key, or remove the row."
        if len(key) > MAX_KEY:
            return f"The tag key {_short(key)!r} is {len(key)} characters long; IAM allows at most {MAX_KEY}."
        if len(value) > MAX_VALUE:
            return (f"The value of tag {_short(key)!r} is {len(value)} characters long; "
                    f"IAM allows at most {MAX_VALUE}.")
        for what, text in (("key", key), ("value", value)):
            bad = sorted({c for c in text if not _tag_char_ok(c)})
            if bad:
                return (f"The tag {what} {_short(text)!r} contains {' '.join(repr(c) for c in bad[:5])}: IAM allows "
                        "letters, numbers, spaces and _ . : / = + - @.")
        if key.lower().startswith("aws:"):
            return f"The tag key {_short(key)!r} starts with 'aws:', which AWS reserves for its own tags."
        if key.lower() == LAB_TAG[0]:
            return f"The tag key {LAB_TAG[0]!r} is the one the lab uses to mark what it created; pick another key."
        if key.lower() in seen:
            return f"The tag key {_short(key)!r} appears twice; IAM keys are unique (ignoring case)."
        seen.add(key.lower())
    return None


def _missing(error: BaseException) -> bool:
    return code_of(error) == Code.NoSuchEntity


def _as_sentence_body(sentence: str) -> str:
    return sentence.rstrip(".")


# ---------------------------------------------------------------------------- policies

_policies: dict[tuple[str, str], list[dict]] = {}
_descriptions: dict[str, str] = {}
# AWS managed policies (arn:<partition>:iam::aws:policy/...) this process has seen exist, per
# target. AWS publishes them; no account can create or delete one, so once seen, one need not
# be looked up again before attaching it (customer managed policies always are).
_known_aws_policies: set[tuple[str, str]] = set()
_AWS_MANAGED = re.compile(r"arn:[\w-]+:iam::aws:policy/")


def _seen_aws_policy(lab, arn: str) -> None:
    if _AWS_MANAGED.match(arn):
        _known_aws_policies.add((lab.target, arn))


def aws_managed_policies(lab, refresh: bool = False) -> list[dict]:
    """Every AWS managed policy (ListPolicies Scope=AWS, through its paginator), cached per account."""
    key = (lab.target, lab.account_id)
    if refresh or key not in _policies:
        found = []
        for page in lab.client("iam").get_paginator("list_policies").paginate(Scope="AWS"):
            found.extend(page["Policies"])
        _policies[key] = sorted(found, key=lambda p: p["PolicyName"].lower())
        for policy in found:
            _seen_aws_policy(lab, policy["Arn"])
    return _policies[key]


def search_policies(policies: list[dict], text: str, limit: int = 10) -> list[dict]:
    """Policies whose name contains `text` (ignoring case), exact and prefix matches first."""
    needle = (text or "").strip().lower()
    if not needle:
        return policies[:limit]
    hits = [p for p in policies if needle in p["PolicyName"].lower()]
    hits.sort(key=lambda p: (p["PolicyName"].lower() != needle, not p["PolicyName"].lower().startswith(needle),
                             len(p["PolicyName"]), p["PolicyName"].lower()))
    return hits[:limit]


def policy_description(lab, policy: dict | str) -> str:
    """A policy's description (GetPolicy; ListPolicies does not return it), cached."""
    arn = policy if isinstance(policy, str) else policy["Arn"]
    if arn not in _descriptions:
        text = "" if isinstance(policy, str) else policy.get("Description", "")
        if not text:
            try:
                text = lab.client("iam").get_policy(PolicyArn=arn)["Policy"].get("Description", "")
            except ClientError:
                text = ""
        _descriptions[arn] = text or KNOWN_DESCRIPTIONS.get(arn.rsplit("/", 1)[-1], "")
    return _descriptions[arn]


def resolve_policy(lab, name_or_arn: str) -> str:
    """The ARN of an AWS managed policy given by name (AdministratorAccess) or ARN."""
    wanted = (name_or_arn or "").strip()
    if wanted.startswith("arn:"):
        return wanted
    try:  # most AWS managed policies live at the root path: one call instead of the whole list
        arn = lab.client("iam").get_policy(PolicyArn=f"arn:aws:iam::aws:policy/{wanted}")["Policy"]["Arn"]
    except ClientError:
        pass
    else:
        _seen_aws_policy(lab, arn)
        return arn
    try:
        names = {policy["PolicyName"]: policy["Arn"] for policy in aws_managed_policies(lab)}
    except ClientError:
        return f"arn:aws:iam::aws:policy/{wanted}"
    if wanted in names:
        return names[wanted]
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.8)
    meant = f"did you mean {close[0]}? Or " if close else ""
    raise LabError(f"No AWS managed policy is named {wanted!r}: {meant}search the list for the policy you "
                   "mean (names are case sensitive, for example AdministratorAccess).", code=Code.NoSuchEntity)


def _policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


# ---------------------------------------------------------------------------- undoable steps

@dataclass
class Step:
    title: str
    do: Callable[[], object]
    undo: Callable[[], None] | None = None


def run_steps(lab, what: str, steps: list[Step]) -> list[str]:
    """Do each step; when one fails, undo the done ones in reverse and raise a LabError naming
    the failed step (and anything that could not be undone). Returns the titles done."""
    done: list[Step] = []
    for number, step in enumerate(steps, 1):
        try:
            step.do()
        except Exception as error:  # every failure is undone, then told in one sentence
            if not isinstance(error, LabError):
                get_logger().exception("%s: step %r failed", what, step.title)
            reason = _as_sentence_body(explain(error))
            left = _undo(done)
            if not done:
                after = "nothing was created"
            elif not left:
                after = (f"the {len(done)} steps already done were undone" if len(done) > 1
                         else "the step already done was undone") + ", so nothing is left half-made"
            else:
                after = ("undoing failed for: " + "; ".join(left) +
                         " (remove those by hand, or run notebook 99 to clean up)")
            raise LabError(f"{what} failed at step {number} of {len(steps)}, {step.title}: {reason}; {after}.",
                           code=code_of(error)) from None
        done.append(step)
    return [s.title for s in done]


def _undo(done: list[Step]) -> list[str]:
    left = []
    for step in reversed(done):
        if step.undo is None:
            continue
        try:
            step.undo()
        except Exception as error:
            if _missing(error):
                continue  # already gone
            get_logger().exception("undoing %r failed", step.title)
            left.append(step.title)
    return left


# ---------------------------------------------------------------------------- groups

def group_policies(iam, group_name: str) -> tuple[list[dict], list[str]] | None:
    """The group's attached policies and inline policy names, or None if it does not exist
    (both calls answer NoSuchEntity for a missing group, so no GetGroup is needed)."""
    try:
        attached = [p for page in iam.get_paginator("list_attached_group_policies").paginate(GroupName=group_name)
                    for p in page["AttachedPolicies"]]
        inline = [n for page in iam.get_paginator("list_group_policies").paginate(GroupName=group_name)
                  for n in page["PolicyNames"]]
    except ClientError as error:
        if _missing(error):
            return None
        raise
    return attached, inline


def describe_group(iam, group_name: str) -> dict | None:
    """The group's attached and inline policies and members, or None if it does not exist."""
    try:
        users = [u["UserName"] for page in iam.get_paginator("get_group").paginate(GroupName=group_name)
                 for u in page["Users"]]
    except ClientError as error:
        if _missing(error):
            return None
        raise
    policies = group_policies(iam, group_name)
    if policies is None:  # deleted between the calls
        return None
    attached, inline = policies
    return {"name": group_name, "policies": attached, "inline": inline, "users": users}


@dataclass
class GroupResult:
    group_name: str
    created: bool
    attached: list[str]
    already: list[str]
    # The group as the account now holds it (describe_group's shape): read before the writes,
    # in the same call, plus what they did; known without reading it back.
    group: dict | None = None


def create_admin_group(lab, group_name: str = DEFAULT_GROUP_NAME, policy_arns=(ADMIN_POLICY_ARN,), *,
                       exists_ok: bool = True) -> GroupResult:
    """Create the group with the policies attached, or (when it exists and `exists_ok`) attach
    the ones it lacks. One unit: on failure, what was done is undone."""
    group_name = (group_name or "").strip()
    problem = group_name_problem(group_name)
    if problem:
        raise LabError(problem, code=Code.ValidationError)
    arns = list(dict.fromkeys(a for a in (policy_arns or []) if a))
    if not arns:
        raise LabError("Pick at least one policy for the group (AdministratorAccess for administrators).",
                       code=Code.InvalidInput)
    iam = lab.client("iam")
    for arn in arns:
        if (lab.target, arn) in _known_aws_policies:
            continue  # an AWS managed policy seen already: no account can delete it
        try:
            iam.get_policy(PolicyArn=arn)
        except ClientError as error:
            if _missing(error):
                raise LabError(f"The policy {arn} does not exist: pick one from the list.", code=Code.NoSuchEntity) from None
            raise
        _seen_aws_policy(lab, arn)
    existing = describe_group(iam, group_name)
    if existing is not None and not exists_ok:
        raise LabError(f"The group {group_name!r} already exists: pick another name, or use the existing group.",
                       code=Code.EntityAlreadyExists)
    have = {p["PolicyArn"] for p in (existing or {}).get("policies", [])}
    missing = [a for a in arns if a not in have]
    account = lab.account_id
    steps: list[Step] = []
    if existing is None:
        def make():
            lab.require_write("create the group")
            iam.create_group(GroupName=group_name)
            record.remember(account, "group", group_name)

        def unmake():
            iam.delete_group(GroupName=group_name)
            record.forget(account, "group", group_name)

        steps.append(Step(f"create the group {group_name}", make, unmake))
    for arn in missing:
        def attach(arn=arn):
            lab.require_write("attach the policy")
            iam.attach_group_policy(GroupName=group_name, PolicyArn=arn)
            record.remember(account, "group_policy", f"{group_name}|{arn}")

        def detach(arn=arn):
            iam.detach_group_policy(GroupName=group_name, PolicyArn=arn)
            record.forget(account, "group_policy", f"{group_name}|{arn}")

        steps.append(Step(f"attach {_policy_name(arn)} to {group_name}", attach, detach))
    if steps:
        lab.require_write("create the group" if existing is None else "attach policies to the group")
    verb = "Creating the group" if existing is None else "Attaching policies to the group"
    run_steps(lab, f"{verb} {group_name}", steps)
    now = dict(existing) if existing else {"name": group_name, "policies": [], "inline": [], "users": []}
    now["policies"] = sorted([*now["policies"], *({"PolicyName": _policy_name(a), "PolicyArn": a} for a in missing)],
                             key=lambda p: p["PolicyName"])  # in name order, as ListAttachedGroupPolicies answers
    return GroupResult(group_name, existing is None, missing, [a for a in arns if a in have], now)


class GroupForm(Form):
    live: weakref.WeakSet = weakref.WeakSet()  # the user forms below hear when a group is made
    """The console's "Create user group": a name and a search over AWS managed policies."""

    title = "Create the user group"
    submit_label = "Create group"
    doing = "creating the group"

    def __init__(self, lab, group_name: str = DEFAULT_GROUP_NAME, policy_name: str = "AdministratorAccess", *,
                 auto_submit: bool = False):
        self._group_name = self.parameter("group_name", group_name, DEFAULT_GROUP_NAME)
        self._policy_name = self.parameter("policy_name", policy_name)
        self.policy_problem: str | None = None  # why policy_name names no AWS managed policy
        self.selected: dict[str, str] = {}
        self.made_now: set[str] = set()  # groups this form created
        self.listeners: list = []  # called when the form creates or finds the group (WhatYouHaveNow)
        GroupForm.live.add(self)
        super().__init__(lab, auto_submit=auto_submit)
        # After the base's watch: a new name first clears a refusal, then is judged itself.
        self.name.observe(lambda _c: self._refresh_existing(), "value")

    @property
    def group_name(self) -> str:
        """The group this form created or attached policies to; before that, the name in the form."""
        return self.result.group_name if self.result is not None else self.name.value.strip()

    def build(self) -> list:
        # Judged as you type, as the user form's name is (each change reads the group: GetGroup).
        self.name = W.Text(value=self._group_name, description="Group name", continuous_update=True,
                           style={"description_width": "8em"}, layout=W.Layout(width="32em"))
        self.name.add_class("awslab-group-name")
        self.search = W.Text(description="Search", placeholder="Filter AWS managed policies by name",
                             continuous_update=True, style={"description_width": "8em"},
                             layout=W.Layout(width="32em"))
        self.search.add_class("awslab-policy-search")
        self.results = W.VBox()
        self.results.add_class("awslab-policy-results")
        self.chosen = W.HTML()
        self.existing = W.HTML()
        self.existing.add_class("awslab-group-existing")
        self.policies: list[dict] = []
        try:
            # Headless, the policy is resolved by name: the whole list (about 1,400) is for searching.
            self.policies = [] if self.auto_submit else aws_managed_policies(self.lab)
        except ClientError as error:
            self.results.children = (W.HTML(note(explain(error, "listing the AWS managed policies"), RED)),)
        try:
            arn = resolve_policy(self.lab, self._policy_name) if self._policy_name else None
        except LabError as error:
            arn = None
            self.policy_problem = self.error = error.sentence  # a change of any field clears it
            self.say(False, error.sentence)
            self.mark_invalid(self.search, True)
        if arn:
            self.selected[arn] = _policy_name(arn)
        if self._policy_name:
            self.search.value = self._policy_name
        self.search.observe(lambda _c: self._filter(), "value")
        self._filter()
        self._refresh_existing()
        return [self.name, self.existing,
                W.HTML("<b>Permissions policies</b> (AWS managed; the policy's description is under its name)"),
                self.search, self.results, self.chosen]

    def _filter(self) -> None:
        if not self.policies:
            return
        rows = []
        for policy in search_policies(self.policies, self.search.value):
            box = W.Checkbox(value=policy["Arn"] in self.selected, description=policy["PolicyName"], indent=False,
                             layout=W.Layout(width="auto"))
            box.add_class("awslab-policy-choice")

            def toggle(change, policy=policy):
                if change["new"]:
                    self.selected[policy["Arn"]] = policy["PolicyName"]
                else:
                    self.selected.pop(policy["Arn"], None)
                self._show_chosen()

            box.observe(toggle, "value")
            kind = "AWS managed - job function" if policy.get("Path", "/").startswith("/job-function/") else "AWS managed"
            text = policy_description(self.lab, policy)
            desc = W.HTML(f'<div style="color:{GREY};margin:-4px 0 4px 24px">{html.escape(kind)}'
                          f'{" · " + html.escape(text) if text else ""}</div>')
            rows.append(W.VBox([box, desc]))
        if not rows:
            rows = [W.HTML(note(f"No AWS managed policy name contains {self.search.value.strip()!r}."))]
        self.results.children = tuple(rows)
        if hasattr(self, "widget"):  # ticking a policy is a correction too
            self.watch_fields(*rows)
        self._show_chosen()

    def _show_chosen(self) -> None:
        names = ", ".join(sorted(self.selected.values())) or "none yet"
        self.chosen.value = f"<div><b>Selected</b>: {html.escape(names)}</div>"

    def _refresh_existing(self) -> None:
        """What the group name in the form means now: a broken rule (the field marked invalid),
        a group to create, or the group that is there already."""
        name = self.name.value.strip()
        problem = group_name_problem(name)
        self.mark_invalid(self.name, bool(problem), self.existing if problem else None)
        if problem:
            self.existing.value = note(problem, RED)
            self.button.description = "Create group"
            return
        try:
            group = describe_group(self.lab.client("iam"), name)
        except ClientError as error:
            self.existing.value = note(explain(error, "reading the group"), RED)
            return
        self._show_existing(name, group)

    def _earlier(self, name: str) -> str:
        """Who made the group that is there: this form just now, the lab earlier, or someone else."""
        if name in self.made_now:
            return "made just now by this form"
        if record.was_created(self.lab.account_id, "group", name):
            return "made earlier by this lab"
        return "not made by this lab"

    def _show_existing(self, name: str, group: dict | None) -> None:
        if group is None:
            self.existing.value = note(f"The group {name} does not exist yet; Create group creates it.")
            self.button.description = "Create group"
            return
        whose = self._earlier(name)
        if whose == "made just now by this form":
            self.existing.value = _group_html(group, "was created just now")
        elif whose == "made earlier by this lab":
            self.existing.value = _group_html(group, "is already there, made earlier by this lab")
        else:  # the one real conflict: a group of that name that someone else made
            self.existing.value = _group_html(group, "already exists, and this lab did not create it", None) + note(
                "Check that it is the group you mean: Attach policies adds the ticked policies it lacks to it "
                "(it never detaches any), or type another name to create a new group.", AMBER)
        self.button.description = "Attach policies"

    def values(self) -> dict:
        return {"group_name": self.name.value.strip(), "policy_arns": sorted(self.selected)}

    def action(self, group_name, policy_arns):
        if not policy_arns and self.policy_problem:  # policy_name named none: say so, not "pick one"
            raise LabError(self.policy_problem, code=Code.NoSuchEntity)
        return create_admin_group(self.lab, group_name, policy_arns)

    def show_result(self, result: GroupResult) -> None:
        name = result.group_name
        if result.created:
            self.made_now.add(name)
            self.say(True, f"Created the group {name} with "
                           f"{', '.join(_policy_name(a) for a in result.attached)}.")
        elif result.attached:
            self.say(True, f"The group {name} was already there ({self._earlier(name)}); attached "
                           f"{', '.join(_policy_name(a) for a in result.attached)}.")
        else:
            self.say(None, f"The group {name} is already there ({self._earlier(name)}) with "
                           f"{', '.join(_policy_name(a) for a in result.already)}; nothing to do.")
        # The group as it now is: read in this submit before the writes, plus what they did.
        if result.group is not None:
            self._show_existing(name, result.group)
        else:
            self._refresh_existing()
        for listener in self.listeners:
            listener()


def _group_html(group: dict, status: str, ok: bool | None = True) -> str:
    names = [p["PolicyName"] for p in group["policies"]] + [f"{n} (inline)" for n in group["inline"]]
    members = ", ".join(group["users"]) or "no members yet"
    return (line(ok, f"The group {group['name']} {status}.",
                 f"policies: {', '.join(names) or 'none'}; members: {members}"))


# ---------------------------------------------------------------------------- users

@dataclass
class UserPlan:
    """What creating a user will do, worked out (and checked) before any write."""
    user_name: str
    console_access: bool
    programmatic_access: bool
    generate: bool
    require_password_reset: bool
    groups: list[str]
    tags: list[tuple[str, str]]
    policy_rule: str = ""
    group_policies: dict[str, list[str]] = field(default_factory=dict)
    password_rules: PasswordPolicy | None = field(default=None, repr=False, compare=False)

    @property
    def policies(self) -> list[str]:
        """Every policy the user ends up with, and where from."""
        found = [f"{name} (from group {group})" for group, names in self.group_policies.items() for name in names]
        if self.console_access and self.require_password_reset:
            found.append(f"{_policy_name(CHANGE_PASSWORD_ARN)} (attached to the user, so they can set their "
                         "new password)")
        return found

    def creations(self) -> list[tuple[str, str]]:
        out = [("IAM user", f"{self.user_name}, tags: " +
                ", ".join(f"{k}={v}" for k, v in [*self.tags, LAB_TAG]))]
        if self.console_access:
            how = "auto-generated" if self.generate else "custom (typed)"
            reset = "must create a new password at next sign-in" if self.require_password_reset else "no reset required"
            out.append(("Console password (login profile)", f"{how}; {reset}"))
            if self.require_password_reset:
                out.append(("Policy attached to the user", _policy_name(CHANGE_PASSWORD_ARN)))
        for group in self.groups:
            out.append(("Group membership", group))
        if self.programmatic_access:
            out.append(("Access key", "one, Active (the secret access key is shown once)"))
        out.append(("Credentials file", "the .csv the console offers, kept under AWSLAB_HOME (readable only by you)"))
        return out


def user_exists_sentence(user_name: str) -> str:
    return (f"The user {user_name} already exists: pick another name (its secret access key and "
            "password can't be shown again, only replaced).")


def missing_group_sentence(group: str) -> str:
    return f"The group {group} does not exist: create it first (the form above), or leave it out."


def access_problem(console_access: bool, programmatic_access: bool) -> str | None:
    if not console_access and not programmatic_access:
        return ("Choose at least one access type: console access (a password), programmatic access "
                "(an access key), or both.")
    return None


class AccountReads:
    """What plan_user needs to know about the account, read when asked."""

    def __init__(self, iam):
        self.iam = iam

    def password_policy(self) -> PasswordPolicy:
        return password_policy(self.iam)

    def user_exists(self, user_name: str) -> bool | None:
        """True or False; None when it could not be told."""
        try:
            self.iam.get_user(UserName=user_name)
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    def group_policies(self, group: str) -> tuple[list[dict], list[str]] | None:
        return group_policies(self.iam, group)


class ReviewReads(AccountReads):
    """The same answers, each read once (the review redraws at every keystroke and must call
    AWS for none): the user names from one ListUsers, each group's policies and the password
    policy when first needed. The submit reads the account again, right before any write."""

    def __init__(self, iam):
        super().__init__(iam)
        self._policy: PasswordPolicy | ClientError | None = None
        self._users: set[str] | None = None
        self._users_unknown = False
        self._groups: dict[str, tuple | None] = {}

    def password_policy(self) -> PasswordPolicy:
        if self._policy is None:
            try:
                self._policy = super().password_policy()
            except ClientError as error:
                self._policy = error
        if isinstance(self._policy, ClientError):
            raise self._policy
        return self._policy

    def user_exists(self, user_name: str) -> bool | None:
        if self._users is None and not self._users_unknown:
            try:
                self._users = {u["UserName"] for page in self.iam.get_paginator("list_users").paginate()
                               for u in page["Users"]}
            except ClientError:
                get_logger().warning("listing the users failed; the submit checks the name", exc_info=True)
                self._users_unknown = True
        if self._users is None:
            return None
        return user_name in self._users

    def made(self, user_name: str) -> None:
        if self._users is not None:
            self._users.add(user_name)

    def group_policies(self, group: str):
        if group not in self._groups:
            self._groups[group] = super().group_policies(group)
        return self._groups[group]


def plan_user(lab, user_name: str, *, console_access: bool = True, programmatic_access: bool = True,
              password: str | None = None, require_password_reset: bool = True, groups=(), tags=None,
              password_rules: PasswordPolicy | None = None, reads: AccountReads | None = None) -> UserPlan:
    """Check everything before any write (LabError with one sentence) and say what will be done.
    `password_rules`: the account's password policy when the caller has just read it;
    `reads`: where the account's facts come from (the review's ReviewReads reads each once);
    by default each is read here."""
    user_name = (user_name or "").strip()
    problem = user_name_problem(user_name)
    if problem:
        raise LabError(problem, code=Code.ValidationError)
    problem = access_problem(console_access, programmatic_access)
    if problem:
        raise LabError(problem, code=Code.InvalidInput)
    problem = tags_problem(tags)
    if problem:
        raise LabError(problem, code=Code.InvalidInput)
    reads = reads or AccountReads(lab.client("iam"))
    policy = None
    if console_access:
        policy = password_rules or reads.password_policy()
        if password is not None:
            problem = password_problem(policy, password, user_name)
            if problem:
                raise LabError(problem, code=Code.PasswordPolicyViolation)
    if reads.user_exists(user_name):
        raise LabError(user_exists_sentence(user_name), code=Code.EntityAlreadyExists)
    groups = list(dict.fromkeys(g for g in (groups or []) if g))
    policies_by_group = {}
    for group in groups:
        found = reads.group_policies(group)  # also tells whether the group exists
        if found is None:
            raise LabError(missing_group_sentence(group), code=Code.NoSuchEntity)
        attached, inline = found
        policies_by_group[group] = [p["PolicyName"] for p in attached] + [f"{n} (inline)" for n in inline]
    return UserPlan(user_name, bool(console_access), bool(programmatic_access), password is None,
                    bool(require_password_reset), groups, _tag_pairs(tags),
                    policy.describe() if policy else "", policies_by_group, policy)


@dataclass
class NewUser:
    """A created user and its credentials. The secrets are kept here for the credentials panel
    and never appear in the repr."""
    user_name: str
    arn: str
    console_url: str
    csv_path: Path
    groups: list[str]
    policies: list[str]
    steps: list[str]
    access_key_id: str | None = None
    generated_password: bool = False
    password: str | None = field(default=None, repr=False)
    secret_access_key: str | None = field(default=None, repr=False)
    login_profile: dict = field(default_factory=dict)
    tags: dict = field(default_factory=dict)

    def described(self) -> dict:
        """What describe_user would read back, known without asking: the user was just made."""
        keys = [{"id": self.access_key_id, "status": "Active", "created": "just now"}] if self.access_key_id else []
        return {"name": self.user_name, "arn": self.arn, "created": "just now", "groups": self.groups,
                "policies": self.policies, "access_keys": keys,
                "login_profile": self.login_profile or {"exists": False, "reset_required": False},
                "mfa_devices": [], "tags": self.tags}

    def __repr__(self) -> str:
        return f"NewUser({self.user_name!r}, access_key_id={self.access_key_id!r}, secrets=hidden)"

    def csv_text(self) -> str:
        return credentials_csv(self.user_name, self.password, self.access_key_id, self.secret_access_key,
                               self.console_url)


def console_url(lab) -> str:
    """The account's console sign-in URL, with its alias when it has one."""
    try:
        aliases = lab.client("iam").list_account_aliases()["AccountAliases"]
    except ClientError:
        aliases = []
    return lab.sign_in_url(aliases[0] if aliases else None)


def create_user(lab, user_name: str, *, console_access: bool = True, programmatic_access: bool = True,
                password: str | None = None, require_password_reset: bool = True, groups=(), tags=None) -> NewUser:
    """Create the user as the console's "Create user" does, as one unit: user (tagged
    created-by=awslab), console password, IAMUserChangePassword when a reset is required,
    group memberships, access key, credentials .csv. On failure every step already done is
    undone in reverse and the LabError names the failed step."""
    plan = plan_user(lab, user_name, console_access=console_access, programmatic_access=programmatic_access,
                     password=password, require_password_reset=require_password_reset, groups=groups, tags=tags)
    lab.require_write("create the user")
    iam = lab.client("iam")
    account, name = lab.account_id, plan.user_name
    if plan.console_access and password is None:
        password = generate_password(plan.password_rules or password_policy(iam), name)
    if plan.console_access:
        keep_out_of_logs(password)
    else:
        password = None
    made: dict = {}
    link = console_url(lab)
    steps: list[Step] = []

    def make_user():
        lab.require_write("create the user")
        tags = [{"Key": k, "Value": v} for k, v in [*plan.tags, LAB_TAG]]
        made["arn"] = iam.create_user(UserName=name, Tags=tags)["User"]["Arn"]
        record.remember(account, "user", name)

    def delete_user():
        iam.delete_user(UserName=name)
        record.forget(account, "user", name)

    steps.append(Step(f"create the user {name}", make_user, delete_user))

    if plan.console_access:
        def make_login():
            lab.require_write("create the user's password")
            iam.create_login_profile(UserName=name, Password=password,
                                     PasswordResetRequired=plan.require_password_reset)
            record.remember(account, "login_profile", name)

        def delete_login():
            iam.delete_login_profile(UserName=name)
            record.forget(account, "login_profile", name)

        steps.append(Step("create the console password (login profile)", make_login, delete_login))
        if plan.require_password_reset:
            def attach():
                lab.require_write("attach IAMUserChangePassword")
                iam.attach_user_policy(UserName=name, PolicyArn=CHANGE_PASSWORD_ARN)
                record.remember(account, "user_policy", f"{name}|{CHANGE_PASSWORD_ARN}")

            def detach():
                iam.detach_user_policy(UserName=name, PolicyArn=CHANGE_PASSWORD_ARN)
                record.forget(account, "user_policy", f"{name}|{CHANGE_PASSWORD_ARN}")

            steps.append(Step("attach IAMUserChangePassword to the user", attach, detach))

    for group in plan.groups:
        def join(group=group):
            lab.require_write("add the user to the group")
            iam.add_user_to_group(GroupName=group, UserName=name)
            record.remember(account, "group_membership", f"{name}|{group}")

        def leave(group=group):
            iam.remove_user_from_group(GroupName=group, UserName=name)
            record.forget(account, "group_membership", f"{name}|{group}")

        steps.append(Step(f"add the user to the group {group}", join, leave))

    if plan.programmatic_access:
        def make_key():
            lab.require_write("create the access key")
            key = iam.create_access_key(UserName=name)["AccessKey"]
            made["key_id"], made["secret"] = key["AccessKeyId"], key["SecretAccessKey"]
            keep_out_of_logs(made["secret"])
            record.remember(account, "access_key", made["key_id"], user=name)

        def delete_key():
            iam.delete_access_key(UserName=name, AccessKeyId=made["key_id"])
            record.forget(account, "access_key", made["key_id"])

        steps.append(Step("create the access key", make_key, delete_key))

    def write_csv():
        text = credentials_csv(name, password, made.get("key_id"), made.get("secret"), link)
        made["csv"] = write_credentials_csv(account, text, name)

    def remove_csv():
        path = credentials_csv_path(account, name)
        path.unlink(missing_ok=True)
        record.forget(account, "csv", str(path))

    steps.append(Step("write the credentials .csv file", write_csv, remove_csv))
    done = run_steps(lab, f"Creating the user {name}", steps)
    get_logger().info("created user %s (%d steps)", name, len(done))
    return NewUser(name, made["arn"], link, made["csv"], plan.groups, plan.policies, done,
                   access_key_id=made.get("key_id"), generated_password=plan.generate and plan.console_access,
                   password=password, secret_access_key=made.get("secret"),
                   login_profile={"exists": plan.console_access,
                                  "reset_required": plan.console_access and plan.require_password_reset},
                   tags=dict([*plan.tags, LAB_TAG]))


def describe_user(lab, user_name: str) -> dict | None:
    """The user as it is now: groups, every policy (direct, inline, through groups), access
    keys (id, status), login profile, MFA devices, tags; None if there is no such user."""
    iam = lab.client("iam")
    try:
        user = iam.get_user(UserName=user_name)["User"]
    except ClientError as error:
        if _missing(error):
            return None
        raise
    groups = [g["GroupName"] for page in iam.get_paginator("list_groups_for_user").paginate(UserName=user_name)
              for g in page["Groups"]]
    direct = [p["PolicyName"] for page in iam.get_paginator("list_attached_user_policies").paginate(UserName=user_name)
              for p in page["AttachedPolicies"]]
    inline = [n for page in iam.get_paginator("list_user_policies").paginate(UserName=user_name)
              for n in page["PolicyNames"]]
    policies = [f"{n} (attached to the user)" for n in direct] + [f"{n} (inline in the user)" for n in inline]
    for group in groups:
        found = group_policies(iam, group)
        if found:
            attached, inline = found
            policies += [f"{p['PolicyName']} (from group {group})" for p in attached]
            policies += [f"{n} (inline in group {group})" for n in inline]
    keys = [{"id": k["AccessKeyId"], "status": k["Status"], "created": str(k.get("CreateDate", ""))[:19]}
            for k in iam.list_access_keys(UserName=user_name)["AccessKeyMetadata"]]
    try:
        profile = iam.get_login_profile(UserName=user_name)["LoginProfile"]
        login = {"exists": True, "reset_required": bool(profile.get("PasswordResetRequired"))}
    except ClientError as error:
        if not _missing(error):
            raise
        login = {"exists": False, "reset_required": False}
    mfa = [d["SerialNumber"] for d in iam.list_mfa_devices(UserName=user_name)["MFADevices"]]
    tags = {t["Key"]: t["Value"] for t in user.get("Tags", [])}
    return {"name": user_name, "arn": user["Arn"], "created": str(user.get("CreateDate", ""))[:19],
            "groups": groups, "policies": policies, "access_keys": keys, "login_profile": login,
            "mfa_devices": mfa, "tags": tags}


@dataclass
class NewKey:
    user_name: str
    access_key_id: str
    csv_path: Path
    secret_access_key: str = field(repr=False, default="")

    def __repr__(self) -> str:
        return f"NewKey({self.user_name!r}, access_key_id={self.access_key_id!r}, secret=hidden)"


def create_another_access_key(lab, user_name: str) -> NewKey:
    """A new access key for an existing user (AWS allows two per user); the lab's .csv for the
    user gets the new key (keeping the password column). The old key stays until you delete it."""
    iam = lab.client("iam")
    try:
        keys = iam.list_access_keys(UserName=user_name)["AccessKeyMetadata"]
    except ClientError as error:
        if _missing(error):
            raise LabError(f"There is no user {user_name}: create it first.", code=Code.NoSuchEntity) from None
        raise
    limit = (f"{user_name} already has {MAX_ACCESS_KEYS} access keys "
             f"({', '.join(k['AccessKeyId'] + ' ' + k['Status'] for k in keys)}), the most AWS allows per user "
             "(LimitExceeded): delete one you no longer use (deactivate it first to check nothing needs it), "
             "then create another.")
    if len(keys) >= MAX_ACCESS_KEYS:
        raise LabError(limit, code=Code.LimitExceeded)
    lab.require_write("create an access key")
    try:
        key = iam.create_access_key(UserName=user_name)["AccessKey"]
    except ClientError as error:
        if code_of(error) == Code.LimitExceeded:
            raise LabError(limit, code=Code.LimitExceeded) from None
        raise
    keep_out_of_logs(key["SecretAccessKey"])
    record.remember(lab.account_id, "access_key", key["AccessKeyId"], user=user_name)
    old = read_credentials_csv(credentials_csv_path(lab.account_id, user_name)) or {}
    text = credentials_csv(user_name, old.get("Password") or None, key["AccessKeyId"], key["SecretAccessKey"],
                           old.get("Console login link") or console_url(lab))
    path = write_credentials_csv(lab.account_id, text, user_name)
    return NewKey(user_name, key["AccessKeyId"], path, key["SecretAccessKey"])


def _user_html(info: dict) -> str:
    login = info["login_profile"]
    if login["exists"]:
        login_text = "console password set" + ("; must create a new one at next sign-in" if login["reset_required"] else "")
    else:
        login_text = "no console password"
    keys = [[k["id"], k["status"], k["created"]] for k in info["access_keys"]]
    parts = [
        line(True, f"User {info['name']}", info["arn"]),
        line(None, "Groups", ", ".join(info["groups"]) or "none"),
        line(None, "Console access", login_text),
        line(None, "MFA devices", ", ".join(info["mfa_devices"]) or "none"),
        line(None, "Tags", ", ".join(f"{k}={v}" for k, v in info["tags"].items()) or "none"),
        "<div><b>Policies</b></div>" + ("<ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in info["policies"])
                                        + "</ul>" if info["policies"] else note("none")),
        "<div><b>Access keys</b></div>" + (table(["Access key ID", "Status", "Created"], keys) if keys
                                           else note("none")),
    ]
    return "".join(parts)


# ---------------------------------------------------------------------------- the user form

def _field_message(css_class: str) -> W.HTML:
    """The message under one field: it judges that field's current value only."""
    message = W.HTML(layout=W.Layout(margin="0 0 2px 0"))
    message.add_class(css_class)
    return message


class UserForm(Form):
    """The console's "Create user": name, access types, password, groups, tags, review, Create."""

    title = "Create the IAM user"
    submit_label = "Create user"
    doing = "creating the user"

    def __init__(self, lab, user_name: str = DEFAULT_USER_NAME, *, console_access: bool = True,
                 programmatic_access: bool = True, password: str | None = None,
                 require_password_reset: bool = True, groups=(DEFAULT_GROUP_NAME,), tags=None,
                 auto_submit: bool = False, save_cli_profile: bool = False, profile_name: str | None = None):
        given = self.parameter
        self._init = dict(user_name=given("user_name", user_name, DEFAULT_USER_NAME),
                          console_access=given("console_access", console_access, True),
                          programmatic_access=given("programmatic_access", programmatic_access, True),
                          password=given("password", password),
                          require_password_reset=given("require_password_reset", require_password_reset, True),
                          groups=list(groups or []), tags=_tag_pairs(given("tags", tags, {})))
        self.save_profile = given("save_cli_profile", save_cli_profile, False)
        self.profile_name_default = profile_name
        self.secret_widgets: list = []
        self.new_user: NewUser | None = None
        self.new_key: NewKey | None = None
        self.created_name: str | None = None  # the user this form created
        self.shown_user: dict | None = None  # the user shown below the form (created, or there already)
        self.listeners: list = []  # called when the form shows a user (WhatYouHaveNow)
        self.summary: W.HTML | None = None  # the user's state under the credentials panel
        self._observing = False
        super().__init__(lab, auto_submit=auto_submit)
        for group_form in list(GroupForm.live):
            if group_form.lab.account_id == lab.account_id:
                group_form.listeners.append(self.groups_changed)
        # After the base's watch: a change first clears a refusal (and its marks), then the
        # field messages judge the new value and mark what is still wrong.
        self._observing = True
        self._observe_review(self.user_name, self.console, self.password_choice, self.reset, self.programmatic,
                             *self.group_boxes.values(), *(t for k, v, _r in self.tag_rows for t in (k, v)))

    def groups_changed(self) -> None:
        """The group form above made or found a group: list the account's groups again (no
        stale "does not exist yet"), keeping what is ticked."""
        self._init["groups"] = [name for name, box in self.group_boxes.items() if box.value]
        self.group_boxes = {}
        self.reads = ReviewReads(self.lab.client("iam"))
        with self.quietly():
            self._load_groups()
        self.watch_fields(*self.group_boxes.values())
        self._observe_review(*self.group_boxes.values())
        self.refresh()

    def _observe_review(self, *widgets) -> None:
        if self._observing:
            for widget in widgets:
                widget.observe(lambda _c: self.refresh(), "value")

    @property
    def current_user_name(self) -> str:
        """The user this form created or showed; before that, the name in the form."""
        return self.shown_user["name"] if self.shown_user else self.user_name.value.strip()

    def _tell(self) -> None:
        for listener in self.listeners:
            listener()

    # -- fields
    def build(self) -> list:
        init = self._init
        wide = {"style": {"description_width": "12em"}, "layout": W.Layout(width="36em")}
        auto = W.Layout(width="auto")  # a checkbox's whole label, never cut off with "..."
        self.button.add_class("awslab-create-user")
        # Every keystroke redraws the review: it reads the account once (ReviewReads), not per key.
        self.user_name = W.Text(value=init["user_name"], description="User name", continuous_update=True, **wide)
        self.user_name.add_class("awslab-user-name")
        self.user_name_message = _field_message("awslab-user-name-message")
        self.console = W.Checkbox(value=bool(init["console_access"]), indent=False, layout=auto,
                                  description="Provide user access to the AWS Management Console")
        self.console.add_class("awslab-console-access")
        self.password_choice = W.RadioButtons(options=[("Autogenerated password", "auto"),
                                                       ("Custom password", "custom")],
                                              value="custom" if init["password"] is not None else "auto",
                                              layout=auto)
        self.password = PasswordInput("Custom password", init["password"] or "")
        self.password.add_class("awslab-password")
        self.password_message = _field_message("awslab-password-message")
        self.reset = W.Checkbox(value=bool(init["require_password_reset"]), indent=False, layout=W.Layout(width="auto"),
                                description="Users must create a new password at next sign-in (recommended)")
        self.policy_note = W.HTML()
        self.console_box = W.VBox([self.password_choice, self.password, self.password_message, self.policy_note,
                                   self.reset], layout=W.Layout(margin="0 0 0 24px"))
        self.programmatic = W.Checkbox(value=bool(init["programmatic_access"]), indent=False,
                                       layout=W.Layout(width="auto"),
                                       description="Create an access key (programmatic access: AWS CLI, SDKs)")
        self.programmatic.add_class("awslab-programmatic-access")
        self.access_message = _field_message("awslab-access-message")
        self.reads = ReviewReads(self.lab.client("iam"))
        self.group_boxes: dict[str, W.Checkbox] = {}
        self.groups_box = W.VBox()
        self._load_groups()
        self.tag_rows: list[tuple[W.Text, W.Text, W.HBox]] = []
        self.tags_box = W.VBox()
        self.tags_message = _field_message("awslab-tags-message")
        add_tag = W.Button(description="Add new tag", layout=W.Layout(width="auto", align_self="flex-start"))
        add_tag.add_class("awslab-add-tag")
        add_tag.on_click(lambda _b: self.add_tag())
        self.review = W.HTML()
        self.review.add_class("awslab-review")
        self.policy = None
        self.existing = W.VBox()
        self.existing.add_class("awslab-existing-user")
        for key, value in init["tags"]:
            self.add_tag(key, value)
        # The password is no ipywidgets field (its value never becomes widget state): a new one
        # is the learner's correction of a refused password, as any field's change is.
        self.password.on_change(self._typed_password)
        self.refresh()
        return [
            W.HTML("<b>User details</b>"), self.user_name, self.user_name_message, self.console, self.console_box,
            self.programmatic, self.access_message,
            W.HTML("<b>Permissions</b>: add the user to groups (the console's recommended way)"), self.groups_box,
            W.HTML(f"<b>Tags</b> (optional; up to {MAX_TAGS - 1}, the lab adds {LAB_TAG[0]}={LAB_TAG[1]})"),
            self.tags_box, self.tags_message, add_tag,
            W.HTML("<b>Review</b> (updates as you type)"), self.review,
        ]

    def _typed_password(self) -> None:
        self._field_changed(None)
        self.refresh()

    def _load_groups(self) -> None:
        try:
            names = [g["GroupName"] for page in self.lab.client("iam").get_paginator("list_groups").paginate()
                     for g in page["Groups"]]
        except ClientError as error:
            self.groups_box.children = (W.HTML(note(explain(error, "listing the groups"), RED)),)
            return
        wanted = self._init["groups"]
        self.missing_groups = [g for g in wanted if g not in names]
        for name in names + self.missing_groups:
            label = f"{name} (does not exist yet)" if name in self.missing_groups else name
            box = W.Checkbox(value=name in wanted, description=label, indent=False, layout=W.Layout(width="auto"))
            box.add_class("awslab-group-choice")
            self.group_boxes[name] = box
        rows = list(self.group_boxes.values())
        if self.missing_groups:
            rows.append(W.HTML(note(f"The group {', '.join(self.missing_groups)} does not exist yet: create it in "
                                    "the group form above and run this cell again, or untick it.", AMBER)))
        if not names:
            rows.append(W.HTML(note("This account has no groups yet.")))
        self.groups_box.children = tuple(rows)

    def add_tag(self, key: str = "", value: str = "") -> None:
        k = W.Text(value=key, placeholder="Key", continuous_update=True, layout=W.Layout(width="16em"))
        v = W.Text(value=value, placeholder="Value (optional)", continuous_update=True, layout=W.Layout(width="20em"))
        k.add_class("awslab-tag-key")
        v.add_class("awslab-tag-value")
        remove = W.Button(description="Remove", layout=W.Layout(width="auto"))
        row = W.HBox([k, v, remove])
        row.add_class("awslab-tag-row")
        entry = (k, v, row)
        number = len(self.tag_rows) + 1
        # ipywidgets has no aria-label: the placeholder is what a screen reader reads, so it says which tag.
        k.placeholder, v.placeholder = f"Key (tag {number})", f"Value (tag {number}, optional)"
        remove.tooltip = f"Remove tag {number}"

        def drop(_b):
            self.tag_rows.remove(entry)
            self.tags_box.children = tuple(r for _k, _v, r in self.tag_rows)
            for text in (k, v):
                self.mark_invalid(text, False)
            self._field_changed(None)
            self.refresh()

        remove.on_click(drop)
        self.watch_fields(k, v)
        self._observe_review(k, v)
        self.tag_rows.append(entry)
        self.tags_box.children = tuple(r for _k, _v, r in self.tag_rows)
        self.refresh()

    def values(self) -> dict:
        custom = self.password_choice.value == "custom"
        return {
            "user_name": self.user_name.value.strip(),
            "console_access": self.console.value,
            "programmatic_access": self.programmatic.value,
            "password": self.password.value if custom else None,
            "require_password_reset": self.reset.value,
            "groups": [name for name, box in self.group_boxes.items() if box.value],
            "tags": [(k.value.strip(), v.value) for k, v, _r in self.tag_rows if k.value.strip() or v.value],
        }

    def _judge(self, field, message, problem: str | None, remark: str | None = None) -> None:
        """A field's own message, recomputed from its current value: the problem (and the
        field marked invalid, described by it), or a remark, or nothing."""
        message.value = note(problem, RED) if problem else (note(remark, AMBER) if remark else "")
        for one in (field if isinstance(field, (list, tuple)) else [field]):
            self.mark_invalid(one, bool(problem), message if problem else None)

    def _judge_fields(self, values: dict, password: str | None) -> None:
        """Each field's message judges its value now (never an earlier one)."""
        name, typed = values["user_name"], self.user_name.value
        problem = user_name_problem(name)
        if problem is None and self.reads.user_exists(name) and name != getattr(self, "created_name", None):
            problem = user_exists_sentence(name)
        remark = (f"The spaces around the name are left out: the user will be named {name}."
                  if not problem and typed != name else None)
        self._judge(self.user_name, self.user_name_message, problem, remark)
        self._judge([self.console, self.programmatic], self.access_message,
                    access_problem(values["console_access"], values["programmatic_access"]))
        problem = None
        # The typed password was used and cleared when this user was created: nothing to judge.
        used = password == "" and name == getattr(self, "created_name", None)
        if values["console_access"] and password is not None and self.policy is not None and not used:
            problem = password_problem(self.policy, password, name, with_policy=False)  # shown below it
        self._judge(self.password, self.password_message, problem)
        # The first tag row that makes the tags wrong is the one marked.
        pairs, bad, problem = [], None, None
        for k, v, _row in self.tag_rows:
            if not (k.value.strip() or v.value):
                continue
            pairs.append((k.value.strip(), v.value))
            problem = tags_problem(pairs)
            if problem:
                bad = v if "value" in problem.split(":")[0] else k
                break
        remark = None
        stripped = [k.value for k, _v, _r in self.tag_rows if k.value != k.value.strip() and k.value.strip()]
        if not problem and stripped:
            remark = f"The spaces around the tag key {stripped[0].strip()!r} are left out."
        for k, v, _row in self.tag_rows:
            for text in (k, v):
                self.mark_invalid(text, text is bad, self.tags_message if text is bad else None)
        self.tags_message.value = note(problem, RED) if problem else (note(remark, AMBER) if remark else "")

    def refresh(self) -> None:
        """Show or hide the console options, judge each field, and redo the review panel.
        Cheap enough for every keystroke: the account's facts are read once (ReviewReads)."""
        if not hasattr(self, "review"):
            return
        self.console_box.layout.display = "" if self.console.value else "none"
        self.password.layout.display = "" if self.password_choice.value == "custom" else "none"
        values = self.values()
        password = values.pop("password")
        if values["console_access"]:  # read once: the note shows it, the plan checks with it
            try:
                self.policy = self.reads.password_policy()
                self.policy_note.value = note(f"Passwords follow {self.policy.describe()}.")
            except ClientError as error:
                self.policy, self.policy_note.value = None, note(explain(error, "reading the password policy"), RED)
        self._judge_fields(values, password)
        if getattr(self, "created_name", None) == values["user_name"]:
            # Re-planning would find the user just made: say what happened.
            self.review.value = line(True, f"Created {values['user_name']} as reviewed.",
                                     "to create another user, type another name")
            return
        try:
            plan = plan_user(self.lab, **values, password=password if values["console_access"] else None,
                             password_rules=self.policy if values["console_access"] else None, reads=self.reads)
        except Exception as error:
            self.review.value = line(False, explain(error, "checking the user"), "nothing will be created")
            return
        rows = [[what, detail] for what, detail in plan.creations()]
        policies = "".join(f"<li>{html.escape(p)}</li>" for p in plan.policies) or "<li>none</li>"
        self.review.value = (f"<div>{html.escape('These will be created:')}</div>" + table(["", ""], rows) +
                             f"<div><b>Policies {html.escape(plan.user_name)} ends up with</b></div><ul>{policies}</ul>")

    # -- submit
    def action(self, **values):
        return create_user(self.lab, **values)

    def show_result(self, new: NewUser) -> None:
        self.new_user = new
        self.created_name = new.user_name
        self.reads.made(new.user_name)
        with self.quietly():  # the form clears the typed password itself: no correction of anything
            self.password.clear()
            self.refresh()  # the review says the user was created as reviewed
        self.say(True, f"Created the user {new.user_name}: {len(new.steps)} steps done.")
        panel = self._credentials_panel(new.user_name, new.console_url, new.access_key_id, new.password,
                                        new.secret_access_key, new.csv_path, new.csv_text())
        self.summary = W.HTML(_user_html(new.described()))
        self.after.children = (panel, self.summary)
        self.shown_user = new.described()
        self._tell()

    def user_changed(self, changed: str | None = None) -> None:
        """Another form changed the user shown below (notebook 02's MFA step assigned it a
        device): show it as it is now, not as it was created. After the lab's own assignment
        (`changed="user_mfa"`) only its MFA devices are read again."""
        if self.shown_user is None:
            return
        name = self.shown_user["name"]
        if changed == "user_mfa":
            devices = self.lab.client("iam").list_mfa_devices(UserName=name)["MFADevices"]
            info = dict(self.shown_user, mfa_devices=[d["SerialNumber"] for d in devices])
        else:
            info = describe_user(self.lab, name)
        if info is None:
            return
        if self.summary is not None and self.summary in self.after.children:
            self.summary.value = _user_html(info)
            self.shown_user = info
            self._tell()
        else:
            self.show_existing()

    def _credentials_panel(self, user_name, url, key_id, password, secret, csv_path, csv_text) -> W.VBox:
        rows: list = [W.HTML(f"<h4 style='margin:4px 0'>Credentials for {html.escape(user_name)}</h4>"),
                      W.HTML(line(None, "User name", user_name) +
                             line(None, "Console sign-in URL", url + (
                                 " (in the sandbox, simulated: notebook 04 signs in with it)"
                                 if self.lab.sandbox else "")) +
                             (line(None, "Access key ID", key_id) if key_id else ""))]
        if self.auto_submit:
            rows.append(W.HTML(note(f"Headless run: the password and secret access key are not shown; they are in "
                                    f"{csv_path} (readable only by you, for notebook 04).")))
        else:
            rows.append(W.HTML(note("This is the only time the password and secret access key can be seen or "
                                    "downloaded. Save them now; if you lose them, you can only replace them.",
                                    AMBER)))
            from awslab.secret_widgets import SecretDownload, SecretText

            shown = [SecretText(label, value) for label, value in (("Console password", password),
                                                                   ("Secret access key", secret)) if value]
            shown.append(SecretDownload("Download .csv", csv_path.name, csv_text))
            self.secret_widgets += shown
            rows += shown
            rows.append(W.HTML(note(f"The lab also keeps a copy in {csv_path} (readable only by you).")))
        if key_id and secret:
            rows.append(self._profile_row(user_name, key_id, secret))
        panel = W.VBox(rows, layout=W.Layout(border=f"2px solid {GREEN}", padding="6px"))
        panel.add_class("awslab-credentials")
        return panel

    def _profile_row(self, user_name, key_id, secret) -> W.VBox:
        self.profile_name = W.Text(value=self.profile_name_default or user_name, description="Profile name", style={"description_width": "initial"},
                                   layout=W.Layout(width="24em"))
        self.profile_button = W.Button(description="Save as AWS CLI profile", layout=W.Layout(width="auto"))
        self.profile_button.add_class("awslab-save-profile")
        self.profile_message = W.HTML()
        self.profile_message.add_class("awslab-profile-message")

        def save(replace=False):
            name = self.profile_name.value.strip()
            try:
                path = save_cli_profile(self.lab, name, key_id, secret, replace=replace)
            except LabError as error:
                if error.code == "ProfileExists" and not replace:
                    self.ask(f"The profile {name!r} holds another access key. Replace it?", lambda: save(True),
                             "Replace")
                    return
                self.profile_message.value = note(error.sentence, RED)
                return
            self.profile_message.value = (
                f'<div style="color:{GREEN};margin:4px 0">Saved the profile {html.escape(name)} to '
                f"{html.escape(str(path))}: try <code>aws --profile {html.escape(name)} sts get-caller-identity"
                "</code>.</div>")

        self.save_profile_now = save
        self.profile_button.on_click(lambda _b: save())
        if self.save_profile:
            save()
        return W.VBox([W.HBox([self.profile_name, self.profile_button]), self.profile_message])

    def forget(self) -> None:
        """Drop the secrets from the kernel (the credentials panel then shows none)."""
        for widget in self.secret_widgets:
            widget.forget()
        if self.new_user:
            self.new_user.password = self.new_user.secret_access_key = None
        if self.new_key:
            self.new_key.secret_access_key = ""

    # -- an existing user (a rerun)
    def show_existing(self) -> bool:
        """If the user named in the form exists, show it as it is (no secret: those were shown
        once) with a "Create another access key" button. True when it exists."""
        name = self.user_name.value.strip()
        if user_name_problem(name):
            return False
        info = describe_user(self.lab, name)
        if info is None:
            return False
        another = W.Button(description="Create another access key", layout=W.Layout(width="auto"))
        another.add_class("awslab-another-key")
        another.on_click(lambda _b: self.another_key())
        csv_path = credentials_csv_path(self.lab.account_id, name)
        kept = (f"The lab's copy of the credentials is {csv_path} (readable only by you)." if csv_path.exists()
                else "The lab has no credentials file for this user.")
        earlier = (" (made earlier by this lab)" if record.was_created(self.lab.account_id, "user", name)
                   else " (this lab did not create it)")
        self.existing.children = (
            W.HTML(f"<h4 style='margin:4px 0'>{html.escape(name)} already exists{earlier}</h4>" + _user_html(info) +
                   note("Its password and secret access key were shown once, when it was created, and can't be "
                        "recovered, only replaced: create another access key (then delete the old one), or set a "
                        f"new console password. {kept}", AMBER)),
            another,
        )
        self.after.children = (self.existing,)
        self.say(None, f"The user {name} already exists{earlier}; nothing was created. Its current state is below.")
        self.shown_user = info
        self._tell()
        if self.save_profile and csv_path.exists():
            row = read_credentials_csv(csv_path) or {}
            active = {k["id"] for k in info["access_keys"] if k["status"] == "Active"}
            if row.get("Access key ID") in active and row.get("Secret access key"):
                try:
                    save_cli_profile(self.lab, self.profile_name_default or name, row["Access key ID"],
                                     row["Secret access key"], replace=True)
                except LabError as error:
                    self.say(False, error.sentence)
        return True

    def another_key(self) -> NewKey | None:
        name = self.user_name.value.strip()
        try:
            new = create_another_access_key(self.lab, name)
        except Exception as error:
            self.error = explain(error, "creating another access key")
            self.say(False, self.error)
            return None
        self.error = None
        self.new_key = new
        self.say(True, f"Created the access key {new.access_key_id} for {name}.")
        row = read_credentials_csv(new.csv_path) or {}
        panel = self._credentials_panel(name, row.get("Console login link", console_url(self.lab)), new.access_key_id,
                                        None, new.secret_access_key, new.csv_path, new.csv_path.read_text())
        info = describe_user(self.lab, name)
        self.summary = W.HTML(_user_html(info) if info else "")
        self.after.children = (panel, self.summary)
        return new

    def show(self) -> None:
        display(self.widget)
        if self.refuse_wrong_parameter():
            return
        try:
            # The review, made as the form was built (just before it is shown), listed the users:
            # a name not among them needs no second look; the submit checks again before any write.
            known = self.reads.user_exists(self.user_name.value.strip())
            exists = False if known is False else self.show_existing()
        except ClientError as error:
            self.say(False, explain(error, "reading the user"))
            exists = False
        if self.auto_submit and not exists:
            self.submit()


# ---------------------------------------------------------------------------- optional MFA

def optional_user_mfa(lab, user_form: UserForm, add_mfa, *, auto_submit: bool = False):
    """Notebook 02's optional step. With `add_mfa`, the MFA form for the user the form above
    made (its summary there follows the assignment); without it, a sentence saying the step is
    skipped and how to take it. A wrong type ("yes") gets one sentence (awslab.notebooks.check)."""
    from awslab.notebooks import check

    name = user_form.current_user_name
    if not check("add_mfa", add_mfa):
        text = (f"Skipped: add_mfa is False, so {name} gets no MFA device here. To add one, set "
                "add_mfa = True in the parameters cell, run that cell, then this one (or, in the "
                f"console: IAM, Users, {name}, Security credentials, Assign MFA device).")
        display({"text/html": note(text), "text/plain": text}, raw=True)
        return None
    from awslab.mfa import VirtualMfaForm

    form = VirtualMfaForm(lab, user_name=name, auto_submit=auto_submit)
    form.on_assigned(user_form.user_changed)
    form.show()
    return form


# ---------------------------------------------------------------------------- what you have now

def what_you_have_html(group_name: str, user: dict | None, typed_name: str = "") -> str:
    """The AWS CLI commands that show the group and the user this notebook made, naming them."""
    def command(text: str, what: str) -> str:
        return f"<li>{html.escape(what)}: <code>{html.escape(text)}</code></li>"

    items = [command(f"aws iam list-attached-group-policies --group-name {group_name}", "the group, with its policies")]
    if user is None:
        items.append(command(f"aws iam get-group --group-name {group_name}", "its members"))
        rest = note(f"No user is created yet: after Create user above, the commands here name it "
                    f"(the form holds {typed_name or 'no name'}).")
        return f'<ul style="margin:4px 0">{"".join(items)}</ul>{rest}'
    name = user["name"]
    member = "the user in it" if group_name in user.get("groups", []) else f"its members (not {name}: it is not in it)"
    items.append(command(f"aws iam get-group --group-name {group_name}", member))
    if user["login_profile"]["exists"]:
        items.append(command(f"aws iam get-login-profile --user-name {name}", "its console password"))
    if user["access_keys"]:
        items.append(command(f"aws iam list-access-keys --user-name {name}", "its access key"))
    items.append(command(f"aws iam list-groups-for-user --user-name {name}", "its groups"))
    return f'<ul style="margin:4px 0">{"".join(items)}</ul>'


class WhatYouHaveNow:
    """The commands that show what notebook 02 made, naming the group and the user the forms
    actually made (not the parameters' defaults); redrawn whenever either form makes or finds one.

        WhatYouHaveNow(group_form, user_form).show()
    """

    def __init__(self, group_form: GroupForm, user_form: UserForm):
        self.group_form, self.user_form = group_form, user_form
        self.widget = W.HTML()
        self.widget.add_class("awslab-what-you-have")
        group_form.listeners.append(self.refresh)
        user_form.listeners.append(self.refresh)
        self.refresh()

    @property
    def text(self) -> str:
        return self.widget.value

    def refresh(self) -> None:
        self.widget.value = what_you_have_html(self.group_form.group_name, self.user_form.shown_user,
                                               self.user_form.user_name.value.strip())

    def show(self) -> None:
        display(self)

    def _repr_mimebundle_(self, **kwargs):
        """The live view, and the commands as plain text for a saved notebook or `awslab run`
        (a widget's own text is its repr, cut at 110 characters)."""
        data = self.widget._repr_mimebundle_(**kwargs)
        data["text/plain"] = html.unescape(re.sub(r"<li>", "- ", re.sub(r"</li>|</div>", "\n",
                                                                        self.widget.value)))
        data["text/plain"] = re.sub(r"<[^>]+>", "", data["text/plain"]).strip()
        return data

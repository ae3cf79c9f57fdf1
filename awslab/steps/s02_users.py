"""Notebook 02's AWS work: the administrators group, the first IAM user, its passwords and keys.

Defined for `notebooks/02_set_up_additional_users.ipynb`, one function per thing the learner does,
in the notebook's order; no widgets here (the forms are in awslab/forms/s02_users.py):

    cell "1. Create the user group" (GroupForm's Create group / Attach policies):
        aws_managed_policies(lab), search_policies(policies, "admin"), policy_description(lab, p)
        resolve_policy(lab, "AdministratorAccess")     the policy_name parameter
        create_admin_group(lab, "administrators", [ADMIN_POLICY_ARN])
        describe_group(iam, "administrators")          the group as it is now
    cell "2. Create the IAM user" (UserForm's buttons):
        plan_user(lab, "alice", ...)                   the Review panel: checked before any write
        create_user(lab, "alice", console_access=True, programmatic_access=True,
                    groups=["administrators"], tags={"team": "security"})       Create user
        create_another_access_key(lab, "alice")        Create another access key (a rerun)
        save_cli_profile(lab, "alice", key_id, secret) Save as AWS CLI profile
        describe_user(lab, "alice")                    the user as it is now
    the console password (cell 2's password fields; notebook 04's new password too):
        password_policy(iam), password_problem(policy, "hunter2", "alice"), generate_password(policy)

Creating a user is one unit (awslab/steps/units.py): a sequence of steps, each with its undo.
When a step fails, the steps already done are undone in reverse and the LabError names the failed
step. Everything created is tagged (users: created-by=awslab) and recorded (awslab/steps/kinds.py).
The secrets stay in the NewUser / NewKey objects (never in their repr).

Console passwords: AWS applies the account's password policy (GetAccountPasswordPolicy) or, when
none is set (NoSuchEntity), its default: at least 8 characters, at least three of uppercase
letters, lowercase letters, numbers and symbols (! @ # $ % ^ & * ( ) _ + - = [ ] { } | '), and not
the same as the user name. Passwords are at most 128 characters.
"""

from __future__ import annotations

import difflib
import re
import secrets
import string
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from botocore.exceptions import ClientError

from awslab.credentials_file import (
    credentials_csv,
    credentials_csv_path,
    read_credentials_csv,
    save_cli_profile,
    write_credentials_csv,
)
from awslab.errors import Code, LabError, code_of
from awslab.log import get_logger
from awslab.record import LAB_TAG
from awslab.redaction import keep_out_of_logs
from awslab.steps import kinds
from awslab.steps.s00_connect import ADMIN_POLICY_ARN, CHANGE_PASSWORD_ARN
from awslab.steps.units import Step, _missing, change, run_steps

__all__ = [
    "ADMIN_POLICY_ARN", "CHANGE_PASSWORD_ARN", "DEFAULT_GROUP_NAME", "DEFAULT_POLICY", "DEFAULT_USER_NAME",
    "LAB_TAG", "AccountReads", "GroupResult", "NewKey", "NewUser", "PasswordPolicy", "ReviewReads", "UserPlan",
    "access_problem", "aws_managed_policies", "console_url", "create_admin_group", "create_another_access_key",
    "create_user", "credentials_csv_path", "describe_group", "describe_user", "generate_password",
    "group_name_problem", "group_policies", "missing_group_sentence", "password_policy", "password_problem",
    "plan_user", "policy_description", "resolve_policy", "save_cli_profile", "search_policies", "tags_problem",
    "user_exists_sentence", "user_name_problem",
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


# ---------------------------------------------------------------------------- console passwords

SYMBOLS = "!@#$%^&*()_+-=[]{}|'"
MAX_LENGTH = 128
GENERATED_LENGTH = 20


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 8
    require_uppercase: bool = False
    require_lowercase: bool = False
    require_numbers: bool = False
    require_symbols: bool = False
    is_default: bool = True  # AWS's default: three of the four kinds, not the user name
    allow_users_to_change: bool = True

    def describe(self) -> str:
        if self.is_default:
            return ("AWS's default password policy (the account sets none): at least 8 characters, "
                    "with at least three of uppercase letters, lowercase letters, numbers and symbols, "
                    "and not the user name")
        kinds = [name for on, name in ((self.require_uppercase, "an uppercase letter"),
                                       (self.require_lowercase, "a lowercase letter"),
                                       (self.require_numbers, "a number"),
                                       (self.require_symbols, "a symbol")) if on]
        needs = f", with {', '.join(kinds)}" if kinds else ""
        return f"the account's password policy: at least {self.min_length} characters{needs}"


DEFAULT_POLICY = PasswordPolicy()


def password_policy(iam) -> PasswordPolicy:
    """The account's password policy, or AWS's default when the account sets none."""
    try:
        p = iam.get_account_password_policy()["PasswordPolicy"]
    except ClientError as error:
        if code_of(error) == Code.NoSuchEntity:
            return DEFAULT_POLICY
        raise
    return PasswordPolicy(
        min_length=int(p.get("MinimumPasswordLength") or 6),
        require_uppercase=bool(p.get("RequireUppercaseCharacters")),
        require_lowercase=bool(p.get("RequireLowercaseCharacters")),
        require_numbers=bool(p.get("RequireNumbers")),
        require_symbols=bool(p.get("RequireSymbols")),
        is_default=False,
        allow_users_to_change=bool(p.get("AllowUsersToChangePassword", True)),
    )


def _kinds(password: str) -> dict[str, bool]:
    return {
        "uppercase letters": any(c in string.ascii_uppercase for c in password),
        "lowercase letters": any(c in string.ascii_lowercase for c in password),
        "numbers": any(c in string.digits for c in password),
        "symbols": any(c in SYMBOLS for c in password),
    }


def password_problem(policy: PasswordPolicy, password: str | None, user_name: str = "", *,
                     with_policy: bool = True) -> str | None:
    """One sentence saying how `password` breaks the policy (never quoting it), or None. Without
    `with_policy` the sentence leaves out the policy itself (for a form that shows it beside)."""
    password = password or ""
    rule = f"; {policy.describe()}" if with_policy else ""
    if not password:
        return "Type a password, or choose an auto-generated one."
    if len(password) > MAX_LENGTH:
        return f"The password is {len(password)} characters long; AWS allows at most {MAX_LENGTH}."
    if len(password) < policy.min_length:
        return f"The password is too short ({len(password)} characters){rule}."
    kinds = _kinds(password)
    if policy.is_default:
        if sum(kinds.values()) < 3:
            have = [k for k, on in kinds.items() if on]
            return (f"The password has only {' and '.join(have) or 'other characters'}: it needs at least three "
                    f"of uppercase letters, lowercase letters, numbers and symbols ({' '.join(SYMBOLS)}){rule}.")
        if user_name and password.lower() == user_name.lower():
            return "The password must not be the same as the user name."
        return None
    wanted = (("uppercase letters", policy.require_uppercase), ("lowercase letters", policy.require_lowercase),
              ("numbers", policy.require_numbers), ("symbols", policy.require_symbols))
    for kind, required in wanted:
        if required and not kinds[kind]:
            one = {"uppercase letters": "an uppercase letter", "lowercase letters": "a lowercase letter",
                   "numbers": "a number", "symbols": f"a symbol ({' '.join(SYMBOLS)})"}[kind]
            return f"The password needs at least {one}{rule}."
    return None


def generate_password(policy: PasswordPolicy = DEFAULT_POLICY, user_name: str = "") -> str:
    """A cryptographically random password (the `secrets` module) meeting the policy:
    every kind of character at least once, at least 20 characters."""
    length = min(MAX_LENGTH, max(GENERATED_LENGTH, policy.min_length))
    pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS]
    alphabet = "".join(pools)
    while True:
        chars = [secrets.choice(pool) for pool in pools]
        chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
        # Shuffle with the same generator, so the kinds' positions are random too.
        for i in range(len(chars) - 1, 0, -1):
            j = secrets.randbelow(i + 1)
            chars[i], chars[j] = chars[j], chars[i]
        password = "".join(chars)
        if password_problem(policy, password, user_name) is None:
            return password


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
    steps: list[Step] = []
    if existing is None:
        steps.append(change(lab, f"create the group {group_name}", kinds.Group(group_name)))
    for arn in missing:
        steps.append(change(lab, f"attach {_policy_name(arn)} to {group_name}", kinds.GroupPolicy(group_name, arn)))
    if steps:
        lab.require_write("create the group" if existing is None else "attach policies to the group")
    verb = "Creating the group" if existing is None else "Attaching policies to the group"
    run_steps(lab, f"{verb} {group_name}", steps)
    now = dict(existing) if existing else {"name": group_name, "policies": [], "inline": [], "users": []}
    now["policies"] = sorted([*now["policies"], *({"PolicyName": _policy_name(a), "PolicyArn": a} for a in missing)],
                             key=lambda p: p["PolicyName"])  # in name order, as ListAttachedGroupPolicies answers
    return GroupResult(group_name, existing is None, missing, [a for a in arns if a in have], now)


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
    name = plan.user_name
    if plan.console_access and password is None:
        password = generate_password(plan.password_rules or password_policy(iam), name)
    if plan.console_access:
        keep_out_of_logs(password)
    else:
        password = None
    made: dict = {}
    link = console_url(lab)
    steps: list[Step] = [change(lab, f"create the user {name}", kinds.User(name), tags=plan.tags,
                                then=lambda user: made.update(arn=user["Arn"]))]
    if plan.console_access:
        steps.append(change(lab, "create the console password (login profile)", kinds.LoginProfile(name),
                            password=password, reset_required=plan.require_password_reset))
        if plan.require_password_reset:
            steps.append(change(lab, "attach IAMUserChangePassword to the user",
                                kinds.UserPolicy(name, CHANGE_PASSWORD_ARN)))
    for group in plan.groups:
        steps.append(change(lab, f"add the user to the group {group}", kinds.Membership(name, group)))
    if plan.programmatic_access:
        steps.append(change(lab, "create the access key", kinds.AccessKey(name),
                            then=lambda key: made.update(key_id=key["AccessKeyId"], secret=key["SecretAccessKey"])))
    csv = kinds.CredentialsCsv(name)

    def write_csv():  # the text is known only once the key is made
        text = credentials_csv(name, password, made.get("key_id"), made.get("secret"), link)
        made["csv"] = csv.create(lab, text)

    steps.append(Step("write the credentials .csv file", write_csv, lambda: csv.delete(lab)))
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
        key = kinds.AccessKey(user_name).create(lab)   # recorded; its secret kept out of every log
    except ClientError as error:
        if code_of(error) == Code.LimitExceeded:
            raise LabError(limit, code=Code.LimitExceeded) from None
        raise
    old = read_credentials_csv(credentials_csv_path(lab.account_id, user_name)) or {}
    text = credentials_csv(user_name, old.get("Password") or None, key["AccessKeyId"], key["SecretAccessKey"],
                           old.get("Console login link") or console_url(lab))
    path = write_credentials_csv(lab.account_id, text, user_name)
    return NewKey(user_name, key["AccessKeyId"], path, key["SecretAccessKey"])

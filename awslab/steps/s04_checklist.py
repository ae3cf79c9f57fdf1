"""The security checklist (docs/contract.md, "The checklist"), after the CIS AWS Foundations Benchmark v5.0, and
the fixes the lab offers: the account's password policy (1.7, 1.8) and its security contact (1.2).

Defined for notebooks/04_sign_in_and_review.ipynb: cells "The security checklist" (run_checklist,
drawn by awslab/forms/s04_checklist.py's ChecklistView), "Fix: the password policy"
(set_password_policy) and "Fix: the security contact" (set_security_contact); and for `awslab
check` (awslab/cli.py: print_checklist, text_table). No widgets here.

    checks = run_checklist(lab)          # list[Check], read from the account now
    facts = Facts(lab); run_checklist(lab, facts); facts.forget("policy")   # read again only that

Each check is PASS, FAIL or UNKNOWN (with why: a permission missing, an API error).
Advisory checks (1.5, 1.6, 1.10, 1.15, and the lab's own: people sign in through IAM Identity
Center) are shown as such; `awslab check` still counts them.

IAM users are read as they are now (ListUsers, GetLoginProfile, ListMFADevices,
ListAccessKeys, GetAccessKeyLastUsed): IAM makes a new credential report at most every four
hours and hands back the old one until then, so a report would miss a user made since. The
report (one per run, or none when a recent one is known) serves root's row, which only it
shows to an IAM user: root's password and access keys' last use (1.6).

Whom AWS reaches about the account (1.1, 1.2): every account has a primary contact, given when
it was made (Account Management's GetContactInformation); the security contact is one of three
optional alternate contacts (GetAlternateContact / PutAlternateContact with
`AlternateContactType="SECURITY"`). Without one, AWS's security notices about the account reach
the primary contact only. Registering it, and setting the password policy, records what the
account had before (awslab.steps.kinds: SecurityContact, PasswordPolicy), so clean-up puts that
back.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from botocore.exceptions import ClientError

from awslab.errors import Code, LabError, code_of, explain
from awslab.steps.kinds import (
    POLICY_FIELDS,
    SECURITY,
    PasswordPolicy,
    SecurityContact,
    is_root_device,
    restorable_policy,
)
from awslab.steps.s00_connect import ADMIN_POLICY_ARN, CHANGE_PASSWORD_ARN

DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
UNUSED_DAYS = 45
KEY_AGE_DAYS = 90
ROOT_RECENT_DAYS = 1        # root used this many whole days ago or less: in use (as Prowler reads 1.6)
BENCHMARK_LENGTH, BENCHMARK_REUSE = 14, 24
MIN_LENGTH, MAX_LENGTH, MAX_AGE = 6, 128, 1095  # what UpdateAccountPasswordPolicy accepts
PASS, FAIL, UNKNOWN = "PASS", "FAIL", "UNKNOWN"


@dataclass
class Check:
    cis: str                # the benchmark's number, or "" for the tutorial's own checks
    title: str
    meaning: str            # one sentence: what it means and why it matters
    link: str
    status: str = UNKNOWN
    why: str = ""           # what the account shows (or why it could not tell)
    advisory: bool = False
    tradeoff: str = ""      # where the tutorial's own choice trips (or meets) the control
    fix: str = ""           # a fix the lab offers ("password_policy"), or ""

    @property
    def id(self) -> str:
        """The benchmark's number, or the title as a slug for the tutorial's own checks."""
        return self.cis or re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")

    @property
    def label(self) -> str:
        return f"{self.status} (advisory)" if self.advisory and self.status == FAIL else self.status


# Reading the account once.

@dataclass
class Facts:
    """What the checks read, each read at most once; an error is kept instead of a value.

    Names: summary, report, policy, user_list, users, direct, attached, "entities <arn>",
    aliases, admins, virtual_mfa, contact, security_contact, identity_center. `forget(*names)` drops some, so the next run reads
    only those again (after a change the lab made)."""

    lab: object
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    _cache: dict = field(default_factory=dict)
    report_time: object = None  # GeneratedTime of the credential report read (or of an earlier one)

    def forget(self, *names: str) -> None:
        for name in names:
            self._cache.pop(name, None)

    def get(self, name: str, read: Callable):
        if name not in self._cache:
            try:
                self._cache[name] = (read(), None)
            except ClientError as error:
                self._cache[name] = (None, explain(error, "reading the account"))
            except LabError as error:
                self._cache[name] = (None, error.sentence)
        value, error = self._cache[name]
        if error:
            raise _Unknown(error)
        return value

    @property
    def iam(self):
        return self.lab.client("iam")

    def summary(self) -> dict:
        return self.get("summary", lambda: self.iam.get_account_summary()["SummaryMap"])

    def report(self) -> list[dict]:
        def read():
            from awslab.steps.s01_root_user import credential_report

            # A report known to be under four hours old is downloaded without a new generation
            # (IAM would hand back that same report).
            text, self.report_time = credential_report(self.lab, known_time=self.report_time)
            return list(csv.DictReader(io.StringIO(text)))
        return self.get("report", read)

    def root_row(self) -> dict | None:
        """The credential report's `<root_account>` row."""
        return next((row for row in self.report() if row.get("user") == "<root_account>"), None)

    def user_list(self) -> list[dict]:
        """ListUsers, every page."""
        def read():
            return [user for page in self.iam.get_paginator("list_users").paginate()
                    for user in page["Users"]]
        return self.get("user_list", read)

    def users(self) -> list[dict]:
        """Each IAM user as it is now, in the credential report's column names."""
        return self.get("users", lambda: [self._user_row(user) for user in self.user_list()])

    def _user_row(self, user: dict) -> dict:
        name = user["UserName"]
        try:
            self.iam.get_login_profile(UserName=name)
            password = True
        except ClientError as error:
            if code_of(error) != Code.NoSuchEntity:
                raise
            password = False
        row = {"user": name, "arn": user["Arn"], "user_creation_time": _iso(user["CreateDate"]),
               "password_enabled": str(password).lower(),
               "password_last_used": (_iso(user.get("PasswordLastUsed")) or "no_information")
               if password else "N/A",
               "mfa_active": str(bool(self.iam.list_mfa_devices(UserName=name)["MFADevices"])).lower()}
        keys = sorted(self.iam.list_access_keys(UserName=name)["AccessKeyMetadata"],
                      key=lambda k: k["CreateDate"])
        for n in (1, 2):
            key = keys[n - 1] if len(keys) >= n else None
            used = (self.iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
                    if key else {})
            row.update({f"access_key_{n}_active": str(bool(key and key["Status"] == "Active")).lower(),
                        f"access_key_{n}_last_rotated": _iso(key["CreateDate"]) if key else "N/A",
                        f"access_key_{n}_last_used_date": _iso(used.get("LastUsedDate")) or "N/A"})
        return row

    def password_policy(self) -> dict | None:
        def read():
            try:
                return self.iam.get_account_password_policy()["PasswordPolicy"]
            except ClientError as error:
                if code_of(error) == Code.NoSuchEntity:
                    return None
                raise
        return self.get("policy", read)

    def direct_policies(self) -> dict[str, list[str]]:
        """user -> policies attached to the user itself (managed ARNs and inline names)."""
        def read():
            found = {}
            for user in self.user_list():
                name = user["UserName"]
                attached = [p["PolicyArn"] for p in self.iam.list_attached_user_policies(
                    UserName=name)["AttachedPolicies"]]
                inline = [f"inline {p}" for p in self.iam.list_user_policies(UserName=name)["PolicyNames"]]
                if attached or inline:
                    found[name] = attached + inline
            return found
        return self.get("direct", read)

    def entities(self, arn: str) -> dict:
        """ListEntitiesForPolicy: the groups, users and roles a managed policy is attached to."""
        return self.get(f"entities {arn}", lambda: self.iam.list_entities_for_policy(PolicyArn=arn))

    def admin_policies(self) -> list[dict]:
        """Attached managed policies (AWS's and the account's own) whose default version allows
        "Action": "*" on "Resource": "*", each with the entities it is attached to."""
        def read():
            found = []
            for page in self.iam.get_paginator("list_policies").paginate(OnlyAttached=True):
                for policy in page["Policies"]:
                    document = self.iam.get_policy_version(
                        PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])["PolicyVersion"]["Document"]
                    if allows_everything(document):
                        entities = self.entities(policy["Arn"])
                        holders = ([f"group {g['GroupName']}" for g in entities.get("PolicyGroups", [])]
                                   + [f"user {u['UserName']}" for u in entities.get("PolicyUsers", [])]
                                   + [f"role {r['RoleName']}" for r in entities.get("PolicyRoles", [])])
                        found.append({"name": policy["PolicyName"], "holders": holders})
            return found
        return self.get("attached", read)

    def identity_center(self) -> dict:
        """{"instance": IAM Identity Center's organization instance or None, "people": the user
        names of its users that hold an account assignment on this account, directly or through
        a group} (s05_identity_center.status, then sso-admin and identitystore)."""
        def read():
            from awslab.steps import s05_identity_center as s05

            if getattr(self.lab, "account_id", None) is None:
                raise LabError("the lab does not know this account's id.")
            found = s05.status(self.lab)["instance"]
            return {"instance": found, "people": _assigned_people(self.lab, found) if found else []}
        try:
            return self.get("identity_center", read)
        except _Unknown as unknown:
            raise _Unknown("The lab could not read AWS Organizations or IAM Identity Center, so it "
                           f"can't tell whether people sign in there: {unknown}") from None


def _assigned_people(lab, instance: dict) -> list[str]:
    """The user names of Identity Center users with an account assignment on this account."""
    sso, ids, store = lab.client("sso-admin"), lab.client("identitystore"), instance["identity_store_id"]
    users, groups = set(), set()
    sets = _pages(sso.get_paginator("list_permission_sets"), "PermissionSets", InstanceArn=instance["arn"])
    for arn in sets:
        for made in _pages(sso.get_paginator("list_account_assignments"), "AccountAssignments",
                           InstanceArn=instance["arn"], AccountId=lab.account_id, PermissionSetArn=arn):
            (users if made["PrincipalType"] == "USER" else groups).add(made["PrincipalId"])
    for group in groups:
        members = _pages(ids.get_paginator("list_group_memberships"), "GroupMemberships",
                         IdentityStoreId=store, GroupId=group)
        users.update(m["MemberId"]["UserId"] for m in members if "UserId" in m.get("MemberId", {}))
    return sorted(ids.describe_user(IdentityStoreId=store, UserId=user)["UserName"] for user in users)


def _pages(paginator, key: str, **params) -> list:
    """Every page's `key` items; the caller names the operation (client.get_paginator("..."):
    awslab/lab_policy.py reads such calls)."""
    return [item for page in paginator.paginate(**params) for item in page[key]]


class _Unknown(Exception):
    pass


def _iso(value) -> str:
    """A boto3 datetime as the credential report writes it ("" for None)."""
    if value is None:
        return ""
    moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def allows_everything(document) -> bool:
    """A statement with "Effect": "Allow", "Action": "*" and "Resource": "*" (CIS 1.15's
    audit); boto3 hands the document over decoded, IAM's raw API URL-encoded."""
    if isinstance(document, str):
        from urllib.parse import unquote

        try:
            document = json.loads(unquote(document))
        except ValueError:
            return False
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions, resources = statement.get("Action", []), statement.get("Resource", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        if "*" in actions and "*" in resources:
            return True
    return False


def _date(value: str | None) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if not value or value in ("N/A", "no_information", "not_supported"):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _yes(value: str | None) -> bool:
    return str(value).lower() == "true"


def _names(items: list[str]) -> str:
    return ", ".join(items[:8]) + (f" and {len(items) - 8} more" if len(items) > 8 else "")


# The checks. Each returns (status, why) and may set tradeoff/fix on the Check.

def _root_mfa(facts: Facts, check: Check):
    on = facts.summary().get("AccountMFAEnabled", 0) == 1
    return (PASS, "AccountMFAEnabled is 1: the root user signs in with MFA.") if on else (
        FAIL, "AccountMFAEnabled is 0: the root user has no MFA device (notebook 01 adds one).")


def _root_hardware_mfa(facts: Facts, check: Check):
    if facts.summary().get("AccountMFAEnabled", 0) != 1:
        return FAIL, "The root user has no MFA device at all (see 1.4)."

    def read():
        devices = []
        for page in facts.iam.get_paginator("list_virtual_mfa_devices").paginate(AssignmentStatus="Assigned"):
            devices += page["VirtualMFADevices"]
        return devices

    devices = facts.get("virtual_mfa", read)
    root = [d["SerialNumber"] for d in devices if is_root_device(d)]
    if root:
        check.tradeoff = ("The tutorial's first option, a virtual MFA device (an authenticator app), "
                          "is far better than no MFA; the benchmark advises a hardware device or "
                          "security key for root, which can't be copied off a phone.")
        return FAIL, f"Root's MFA is a virtual device ({root[0]}), not hardware."
    return PASS, "Root's MFA is not a virtual device: a hardware device or security key."


def _root_keys(facts: Facts, check: Check):
    present = facts.summary().get("AccountAccessKeysPresent", 0)
    if not present:
        return PASS, "AccountAccessKeysPresent is 0: the root user has no access keys."
    if getattr(facts.lab, "is_root", False):
        check.tradeoff = ("The lab itself signs in with root's access key until notebook 04 "
                          "switches to the new user and deletes it.")
    return FAIL, "AccountAccessKeysPresent is 1: the root user has access keys (notebook 04 retires them)."


def _length(facts: Facts, check: Check):
    check.fix = "password_policy"
    policy = facts.password_policy()
    if policy is None:
        return FAIL, "No password policy is set (AWS's default asks for 8 characters)."
    length = policy.get("MinimumPasswordLength", 0)
    if length >= BENCHMARK_LENGTH:
        check.fix = ""
        return PASS, f"Minimum password length is {length}."
    return FAIL, f"Minimum password length is {length}, under {BENCHMARK_LENGTH}."


def _reuse(facts: Facts, check: Check):
    check.fix = "password_policy"
    policy = facts.password_policy()
    if policy is None:
        return FAIL, "No password policy is set, so passwords may be reused."
    reuse = policy.get("PasswordReusePrevention")
    if reuse and reuse >= BENCHMARK_REUSE:
        check.fix = ""
        return PASS, f"The last {reuse} passwords can't be reused."
    return FAIL, ("Password reuse is not prevented." if not reuse else
                  f"Only the last {reuse} passwords are remembered, under {BENCHMARK_REUSE}.")


def _users_mfa(facts: Facts, check: Check):
    console = [r for r in facts.users() if _yes(r.get("password_enabled"))]
    if not console:
        return PASS, "No IAM user has a console password."
    missing = [r["user"] for r in console if not _yes(r.get("mfa_active"))]
    if missing:
        return FAIL, (f"Console users without MFA: {_names(missing)} (notebook 02's optional MFA "
                      "step, or the console, adds a device).")
    if len(console) == 1:
        return PASS, f"The one console user, {console[0]['user']}, has MFA."
    return PASS, f"All {len(console)} console users have MFA: {_names([r['user'] for r in console])}."


def _keys_at_setup(facts: Facts, check: Check):
    # The benchmark's audit: a console user's active key whose last use is N/A was made at
    # set-up and is not needed; a key in use is one somebody asked for.
    found = []
    for row in facts.users():
        if not _yes(row.get("password_enabled")):
            continue
        for n in (1, 2):
            if _yes(row.get(f"access_key_{n}_active")) and not _date(row.get(f"access_key_{n}_last_used_date")):
                found.append(f"{row['user']} (access key {n})")
    audit = "The benchmark's audit counts a console user's key never used as made at set-up and not needed."
    if not found:
        return PASS, f"No console user has an active access key that was never used. {audit}"
    check.tradeoff = ("The tutorial's Add users step gives the new user both console access and an "
                      "access key, so the lab can sign in as it here (notebook 04 uses it, which "
                      "clears this); the benchmark prefers a key made later, as its own step, only "
                      "when needed. If you won't use the AWS CLI as this user, delete the key; "
                      "otherwise rotate it within 90 days (1.13).")
    return FAIL, f"Console users with an active access key never used: {_names(found)}. {audit}"


def _root_use(facts: Facts, check: Check):
    row = facts.root_row()
    if row is None:
        return UNKNOWN, "The credential report has no <root_account> row, so root's last use can't be read."
    uses = [(what, _date(row.get(column))) for what, column in (
        ("password", "password_last_used"), ("access key 1", "access_key_1_last_used_date"),
        ("access key 2", "access_key_2_last_used_date"))]
    uses = [(what, when) for what, when in uses if when]
    generated = facts.report_time
    generated = f"generated {generated:%Y-%m-%d %H:%M} UTC" if hasattr(generated, "strftime") else "just made"
    if not uses:
        return PASS, (f"The credential report ({generated}) shows no use of root's password or "
                      "access keys (a deleted key's last use is gone with it).")
    what, when = max(uses, key=lambda use: use[1])
    days = max(0, (facts.now - when).days)
    ago = "less than a day ago" if days == 0 else f"{days} day{'s' if days > 1 else ''} ago"
    said = f"Root's {what} was last used {when:%Y-%m-%d %H:%M} UTC, {ago} (credential report {generated})"
    if days > ROOT_RECENT_DAYS:
        return PASS, said + "."
    check.tradeoff = ("A brand-new account has no identity but root, so the lab signed its calls "
                      "with root's access key until notebook 04 retired it; from now on the new "
                      "user does the daily work. This clears once root goes unused for a few days; "
                      "keep root for the few tasks only it can do.")
    return FAIL, said + ": root is in use. The benchmark's audit is manual: you judge whether these were those few tasks."


def _admin_policies(facts: Facts, check: Check):
    found = facts.admin_policies()
    if not found:
        return PASS, 'No attached policy allows "Action": "*" on "Resource": "*".'
    described = [f"{p['name']} (on {', '.join(p['holders']) or 'nothing'})" for p in found]
    check.tradeoff = ("The tutorial attaches AdministratorAccess to the administrators group so that "
                      "your own IAM user can do everything, without being root: that is its point. "
                      "The benchmark wants no policy that allows everything attached at all, because "
                      "whoever holds one can also change who holds what. As you learn which services "
                      "you use, give people narrower policies (AWS's job-function policies such as "
                      "PowerUserAccess, or your own) and keep full access for a few, behind MFA.")
    return FAIL, f'Attached policies that allow "Action": "*" on "Resource": "*": {_names(described)}.'


def _contact_details(facts: Facts, check: Check):
    contact = facts.get("contact", lambda: primary_contact(facts.lab))
    missing = [name for name in ("FullName", "AddressLine1", "City", "CountryCode", "PhoneNumber")
               if not contact.get(name)]
    if missing:
        return FAIL, f"The primary contact lacks {', '.join(missing)}."
    return PASS, (f"Primary contact: {contact['FullName']}, {contact['City']} ({contact['CountryCode']}), "
                  f"phone {masked_phone(contact['PhoneNumber'])}. The benchmark's audit is manual: "
                  "check that it is current (account menu, Account, Contact information).")


def _security_contact(facts: Facts, check: Check):
    contact = facts.get("security_contact", lambda: security_contact(facts.lab))
    if contact is None:
        check.fix = "security_contact"
        return FAIL, ("No security contact is registered: AWS's security notices reach the primary "
                      "contact only (notebook 04's security contact form registers one; in the console: "
                      "account menu, Account, Alternate contacts).")
    return PASS, f"Security contact: {describe(contact)}."


def _unused(facts: Facts, check: Check):
    stale = []
    for row in facts.users():
        created = _date(row.get("user_creation_time"))
        if _yes(row.get("password_enabled")):
            last = _date(row.get("password_last_used")) or created
            if last and (facts.now - last).days >= UNUSED_DAYS:
                stale.append(f"{row['user']} (password)")
        for n in (1, 2):
            if _yes(row.get(f"access_key_{n}_active")):
                last = _date(row.get(f"access_key_{n}_last_used_date")) or _date(
                    row.get(f"access_key_{n}_last_rotated"))
                if last and (facts.now - last).days >= UNUSED_DAYS:
                    stale.append(f"{row['user']} (access key {n})")
    if stale:
        return FAIL, f"Unused for {UNUSED_DAYS} days or more and still enabled: {_names(stale)}."
    return PASS, f"No password or active access key has gone unused for {UNUSED_DAYS} days."


def _one_key(facts: Facts, check: Check):
    two = [r["user"] for r in facts.users()
           if _yes(r.get("access_key_1_active")) and _yes(r.get("access_key_2_active"))]
    if two:
        return FAIL, f"Users with two active access keys: {_names(two)}."
    return PASS, "No user has more than one active access key."


def _key_age(facts: Facts, check: Check):
    old = []
    for row in facts.users():
        for n in (1, 2):
            made = _date(row.get(f"access_key_{n}_last_rotated"))
            if _yes(row.get(f"access_key_{n}_active")) and made and (facts.now - made).days > KEY_AGE_DAYS:
                old.append(f"{row['user']} (key {n}, {(facts.now - made).days} days)")
    if old:
        return FAIL, f"Active access keys older than {KEY_AGE_DAYS} days: {_names(old)}."
    return PASS, f"Every active access key is at most {KEY_AGE_DAYS} days old."


def _groups_only(facts: Facts, check: Check):
    direct = facts.direct_policies()
    if not direct:
        check.tradeoff = ("AdministratorAccess reaches the new user through the administrators "
                          "group, which is what 1.14 asks.")
        return PASS, "No user has a policy attached to the user itself."
    only_change = [u for u, ps in direct.items() if ps == [CHANGE_PASSWORD_ARN]]
    if only_change:
        check.tradeoff = (
            "The console (and notebook 02) attaches IAMUserChangePassword directly to a user who "
            "must set a new password at first sign-in, so they can do so; AdministratorAccess on "
            "the group is fine for 1.14. Once the user has changed the password (and already holds "
            "AdministratorAccess through the group), the direct policy can be detached.")
    described = [f"{u} ({', '.join(p.rsplit('/', 1)[-1] for p in ps)})" for u, ps in direct.items()]
    return FAIL, f"Users with policies attached directly: {_names(described)}."


def _alias(facts: Facts, check: Check):
    aliases = facts.get("aliases", lambda: facts.iam.list_account_aliases()["AccountAliases"])
    if aliases:
        return PASS, f"Alias {aliases[0]}: https://{aliases[0]}.signin.aws.amazon.com/console"
    return FAIL, "No account alias: the sign-in URL shows the account ID (notebook 03 sets one)."


def _admin_user(facts: Facts, check: Check):
    def read():  # overview.admin_users, with the entities 1.15 may have read already
        entities = facts.entities(ADMIN_POLICY_ARN)
        found = {user["UserName"] for user in entities.get("PolicyUsers", [])}
        for group in entities.get("PolicyGroups", []):
            for page in facts.iam.get_paginator("get_group").paginate(GroupName=group["GroupName"]):
                found.update(user["UserName"] for user in page["Users"])
        return sorted(found)

    admins = facts.get("admins", read)
    if admins:
        return PASS, (f"IAM users with AdministratorAccess: {_names(admins)} (the same policy is "
                      "what 1.15 flags, advisory: see there).")
    return FAIL, "No IAM user holds AdministratorAccess (notebook 02 creates one)."


def _identity_center(facts: Facts, check: Check):
    """The lab's advisory control (docs/contract.md, "The checklist" and "Sandbox: IAM Identity Center"): people sign in through IAM
    Identity Center rather than as IAM users with long-term keys."""
    center = facts.identity_center()
    both = [r["user"] for r in facts.users() if _yes(r.get("password_enabled"))
            and any(_yes(r.get(f"access_key_{n}_active")) for n in (1, 2))]
    keys = (f" IAM users with a console password and an active access key: {_names(both)}."
            if both else "")
    people = center["people"]
    if center["instance"] is not None and people and not both:
        return PASS, (f"{_names(people)} sign{'s' if len(people) == 1 else ''} in through IAM Identity "
                      "Center (an account assignment on this account), and no IAM user has both a "
                      "console password and an active access key.")
    check.tradeoff = ("The tutorial's Add users step makes an IAM user with a console password and "
                      "a long-term access key: still right for software that cannot use IAM Identity "
                      "Center or roles. For people, AWS now recommends IAM Identity Center: short-term "
                      "credentials from the AWS access portal or `aws sso login`, MFA at every "
                      "sign-in, one sign-in for every account of the organization (notebook 05). "
                      "Once people sign in there, the IAM user's password and key can go.")
    if center["instance"] is None:
        return FAIL, ("IAM Identity Center has no organization instance in this account, so people "
                      f"sign in as IAM users (notebook 05 enables it).{keys}")
    if not people:
        return FAIL, ("IAM Identity Center is enabled, but none of its users holds an account "
                      f"assignment on this account (notebook 05 assigns one).{keys}")
    return FAIL, (f"{_names(people)} sign{'s' if len(people) == 1 else ''} in through IAM Identity "
                  f"Center, but IAM users with a console password hold long-term access keys too: "
                  f"{_names(both)}.")


def cis_order(cis: str) -> tuple:
    """Sort key: the benchmark's controls by number (1.3 before 1.10), the lab's own checks last."""
    if not cis:
        return (1, ())
    return (0, tuple(int(part) if part.isdigit() else 0 for part in cis.split(".")))


# In CIS order (cis_order), the lab's own checks last: the table, `awslab check` and its
# --json list them so.
CHECKS: list[tuple[str, str, str, str, bool, Callable]] = [
    ("1.1", "The account's contact details are set",
     "AWS reaches the primary contact about the account (billing, abuse, a compromise); it must reach someone.",
     "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact-primary.html",
     False, _contact_details),
    ("1.2", "A security contact is registered",
     "AWS writes to the security contact about security issues in the account, such as exposed keys.",
     "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact-alternate.html",
     False, _security_contact),
    ("1.3", "The root user has no access keys",
     "Root keys can do anything, can't be limited by any policy, and leak like any file.",
     DOCS + "id_root-user_manage_delete-key.html", False, _root_keys),
    ("1.4", "The root user has MFA",
     "A stolen root password alone can't open the account when root signs in with MFA.",
     DOCS + "enable-virt-mfa-for-root.html", False, _root_mfa),
    ("1.5", "The root user's MFA is hardware",
     "A hardware device or security key can't be copied off a phone, so the benchmark advises one for root.",
     DOCS + "id_credentials_mfa_enable_physical.html", True, _root_hardware_mfa),
    ("1.6", "The root user is not used for daily tasks",
     "Every use of root is a use of the one identity no policy can limit; an IAM user does the daily work.",
     DOCS + "root-user-tasks.html", True, _root_use),
    ("1.7", "Passwords are at least 14 characters",
     "Long passwords resist guessing; the account's password policy enforces the length for every IAM user.",
     DOCS + "id_credentials_passwords_account-policy.html", False, _length),
    ("1.8", "The last 24 passwords can't be reused",
     "Reuse prevention stops a leaked old password from coming back.",
     DOCS + "id_credentials_passwords_account-policy.html", False, _reuse),
    ("1.9", "Every console user has MFA",
     "MFA keeps a stolen IAM user password from being enough to sign in.",
     DOCS + "id_credentials_mfa_enable_virtual.html", False, _users_mfa),
    ("1.10", "No access keys made at user set-up for console users",
     "Keys made only when needed, as their own step, are keys someone actually uses and looks after.",
     DOCS + "id_credentials_access-keys.html", True, _keys_at_setup),
    ("1.11", f"Credentials unused for {UNUSED_DAYS} days are disabled",
     "A password or key nobody uses is an open door nobody watches.",
     DOCS + "id_credentials_finding-unused.html", False, _unused),
    ("1.12", "At most one active access key per user",
     "One key per user keeps it clear which key is in use and which to rotate.",
     DOCS + "id_credentials_access-keys.html", False, _one_key),
    ("1.13", f"Access keys are at most {KEY_AGE_DAYS} days old",
     "Rotating keys limits how long a leaked key stays useful.",
     DOCS + "id-credentials-access-keys-update.html", False, _key_age),
    ("1.14", "Users get permissions through groups only",
     "Permissions on groups are easier to review and to take away than permissions on each user.",
     DOCS + "id_groups.html", False, _groups_only),
    ("1.15", "No attached policy allows everything (*:*)",
     "Full administrator access is for a few people; everyone else gets only what their job needs.",
     DOCS + "access_policies_job-functions.html", True, _admin_policies),
    ("", "The account has an alias",
     "An alias gives the account a sign-in URL people can remember and check.",
     DOCS + "console_account-alias.html", False, _alias),
    ("", "A user other than root has administrator access",
     "Everyday work needs an administrator who is not root, so root can stay locked away.",
     DOCS + "id_users_create.html", False, _admin_user),
    ("", "People sign in through IAM Identity Center, not as IAM users with long-term keys",
     "Identity Center gives people short-term credentials and MFA at every sign-in, in every account "
     "of the organization; an IAM user's access key lives until someone deletes it.",
     "https://docs.aws.amazon.com/singlesignon/latest/userguide/what-is.html", True, _identity_center),
]


def run_checklist(lab, facts: Facts | None = None) -> list[Check]:
    """Every check, read from the account now (one credential report per run); with `facts`,
    what they already hold is used and only the rest is read."""
    facts = facts if facts is not None else Facts(lab)
    checks = []
    for cis, title, meaning, link, advisory, probe in CHECKS:
        check = Check(cis, title, meaning, link, advisory=advisory)
        try:
            check.status, check.why = probe(facts, check)
        except _Unknown as unknown:
            check.status, check.why = UNKNOWN, str(unknown)
        except ClientError as error:
            check.status, check.why = UNKNOWN, explain(error, "reading the account")
        checks.append(check)
    return sorted(checks, key=lambda c: cis_order(c.cis))  # stable: the lab's own keep their order


# What auditors that read the credential report see (issue 21, 14).

REPORT_LIFETIME_HOURS = 4


def report_lags(facts: Facts) -> list[str]:
    """What the credential report IAM holds says that is no longer true (root's MFA and keys
    from the account summary, users as they are now); [] when it agrees, or cannot be read."""
    lags: list[str] = []
    try:
        rows = facts.report()
        summary = facts.summary()
        users = facts.users()
    except _Unknown:
        return lags
    root = next((r for r in rows if r.get("user") == "<root_account>"), None)
    if root is not None:
        if summary.get("AccountMFAEnabled") == 1 and not _yes(root.get("mfa_active")):
            lags.append("root without MFA")
        if summary.get("AccountAccessKeysPresent") == 0 and any(
                _yes(root.get(f"access_key_{n}_active")) for n in (1, 2)):
            lags.append("root with an active access key")
    reported = {r.get("user"): r for r in rows if r.get("user") != "<root_account>"}
    now = {u["user"]: u for u in users}
    made = [name for name in now if name not in reported]
    gone = [name for name in reported if name not in now]
    if made:
        lags.append(f"no user {_names(made)} (made since)")
    if gone:
        lags.append(f"user {_names(gone)} (deleted since)")
    for name, user in now.items():
        old = reported.get(name)
        if old is not None and _yes(user.get("mfa_active")) and not _yes(old.get("mfa_active")):
            lags.append(f"{name} without MFA")
    return lags


def report_note(facts: Facts | None) -> str:
    """When IAM generated the credential report it holds, and what auditors that read it will
    see until IAM makes a new one, and why ("" when the report was not read)."""
    from datetime import timedelta

    generated = facts.report_time if facts is not None else None
    if not isinstance(generated, datetime) or "report" not in facts._cache or facts._cache["report"][1]:
        return ""
    if generated.tzinfo is None:
        generated = generated.replace(tzinfo=timezone.utc)
    until = generated + timedelta(hours=REPORT_LIFETIME_HOURS)
    day = "" if until.date() == generated.date() else f"{until:%Y-%m-%d} "
    lags = report_lags(facts)
    seen = (f"the account as it was then: {', '.join(lags)}" if lags else
            "the account as it was then, which is still how it is in what they check")
    return (f"The credential report was generated {generated:%Y-%m-%d %H:%M} UTC. IAM makes a new one "
            f"at most every {REPORT_LIFETIME_HOURS} hours and hands back the same one until then, so until "
            f"{day}{until:%H:%M} UTC auditors that read the report (Prowler, ScoutSuite, the benchmark's "
            f"audit through the credential report) see {seen}. This checklist reads root's MFA and keys "
            "from the account summary and every user from IAM itself, so it shows the account as it is now.")


def summary(checks: list[Check]) -> str:
    """"7 of 17 checks pass; 8 fail (3 of them advisory), 2 unknown." in one sentence."""
    passed = sum(c.status == PASS for c in checks)
    failed = [c for c in checks if c.status == FAIL]
    unknown = sum(c.status == UNKNOWN for c in checks)
    parts = []
    if failed:
        advisory = sum(c.advisory for c in failed)
        parts.append(f"{len(failed)} fail" + (f" ({advisory} of them advisory)" if advisory else ""))
    if unknown:
        parts.append(f"{unknown} unknown")
    return f"{passed} of {len(checks)} checks pass" + (f"; {', '.join(parts)}." if parts else ".")


# The fix the lab offers for 1.7 and 1.8: the account's password policy.

def current_password_policy(lab) -> dict | None:
    """GetAccountPasswordPolicy's policy, or None when none is set."""
    return PasswordPolicy.current(lab)


def policy_problems(minimum_length, reuse_prevention, max_age_days) -> dict[str, str]:
    """What UpdateAccountPasswordPolicy would refuse, each under its argument's name."""
    problems = {}
    length, reuse, age = int(minimum_length), int(reuse_prevention), int(max_age_days)
    if length < MIN_LENGTH:
        problems["minimum_length"] = (f"a minimum length of {length} is under AWS's minimum of {MIN_LENGTH} "
                                      f"characters (the benchmark asks for {BENCHMARK_LENGTH} or more)")
    elif length > MAX_LENGTH:
        problems["minimum_length"] = f"a minimum length of {length} is over AWS's maximum of {MAX_LENGTH}"
    if not 0 <= reuse <= BENCHMARK_REUSE:
        problems["reuse_prevention"] = (f"AWS remembers 0 (off) to {BENCHMARK_REUSE} passwords, "
                                        f"not {reuse}")
    if not 0 <= age <= MAX_AGE:
        problems["max_age_days"] = f"passwords expire after 0 (never) to {MAX_AGE} days, not {age}"
    return problems


def describe_policy(policy: dict | None) -> str:
    """The account's password policy now, in one sentence (the form's heading)."""
    if not policy:
        return "No password policy is set now (AWS's default: 8 characters)."
    return (f"Now: minimum length {policy.get('MinimumPasswordLength')}, reuse prevention "
            f"{policy.get('PasswordReusePrevention') or 'off'}.")


def set_password_policy(lab, minimum_length: int = BENCHMARK_LENGTH, reuse_prevention: int = BENCHMARK_REUSE,
                        require_symbols: bool = True, require_numbers: bool = True,
                        require_uppercase: bool = True, require_lowercase: bool = True,
                        allow_users_to_change: bool = True, max_age_days: int = 0) -> dict:
    """UpdateAccountPasswordPolicy, validated first; the previous policy is recorded so clean-up
    can put it back (or delete the policy if there was none: kinds.PasswordPolicy). Returns the
    policy as set, in GetAccountPasswordPolicy's field names (it is not read back: the update
    sets all of it)."""
    problems = policy_problems(minimum_length, reuse_prevention, max_age_days)
    if problems:
        raise LabError("The password policy was not changed: " + "; ".join(problems.values()) + ".",
                       code=Code.InvalidInput)
    params = {"MinimumPasswordLength": int(minimum_length), "RequireSymbols": bool(require_symbols),
              "RequireNumbers": bool(require_numbers), "RequireUppercaseCharacters": bool(require_uppercase),
              "RequireLowercaseCharacters": bool(require_lowercase),
              "AllowUsersToChangePassword": bool(allow_users_to_change)}
    if int(reuse_prevention):
        params["PasswordReusePrevention"] = int(reuse_prevention)
    if int(max_age_days):
        params["MaxPasswordAge"] = int(max_age_days)
    # The policy as set: every field left out is back to AWS's default.
    return PasswordPolicy().create(lab, **params)


# The fix the lab offers for 1.2: the account's security contact (1.1 reads the primary contact).

FIELDS = ("name", "title", "email", "phone")
_EMAIL = re.compile(r"[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*")
_PHONE = re.compile(r"[\s0-9()+-]+")


def primary_contact(lab) -> dict:
    """GetContactInformation's ContactInformation (needs account:GetContactInformation)."""
    return lab.client("account").get_contact_information()["ContactInformation"]


def security_contact(lab) -> dict | None:
    """The account's security contact (GetAlternateContact), or None when none is registered."""
    return SecurityContact.current(lab)


def masked_email(email: str) -> str:
    """j***@example.com: enough to recognise it, not to harvest it from a saved notebook."""
    local, _, domain = str(email).strip().partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def masked_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", str(phone))
    return f"ending {digits[-4:]}" if len(digits) >= 4 else "(short)"


def describe(contact: dict) -> str:
    """A contact in one line, email and phone masked."""
    title = f" ({contact['Title']})" if contact.get("Title") else ""
    return (f"{contact.get('Name', '?')}{title}, {masked_email(contact.get('EmailAddress', ''))}, "
            f"phone {masked_phone(contact.get('PhoneNumber', ''))}")


def contact_problems(name: str, title: str, email: str, phone: str) -> list[str]:
    """What AWS would refuse in a security contact (PutAlternateContact's constraints)."""
    return list(problems_by_field(name, title, email, phone).values())


def problems_by_field(name: str, title: str, email: str, phone: str) -> dict[str, str]:
    """contact_problems(), each under the field it judges (name, title, email, phone)."""
    problems = {}
    if not 1 <= len(name) <= 64:
        problems["name"] = "give a name of 1 to 64 characters (a person or a team)"
    if not 1 <= len(title) <= 50:
        problems["title"] = "give a title of 1 to 50 characters (for example Security team)"
    if not (1 <= len(email) <= 254 and _EMAIL.fullmatch(email)):
        problems["email"] = "give an email address such as security@example.com"
    if not (1 <= len(phone) <= 25 and _PHONE.fullmatch(phone) and re.search(r"\d", phone)):
        problems["phone"] = ("give a phone number of digits, spaces, +, - and parentheses, such as "
                             "+1 206-555-0199")
    return problems


def set_security_contact(lab, name: str = "", title: str = "", email: str = "", phone: str = "") -> dict:
    """PutAlternateContact for SECURITY, checked first; the contact the account had before is
    recorded (once) so that clean-up puts it back, or deletes this one if there was none
    (kinds.SecurityContact). Returns the contact as registered, in GetAlternateContact's field
    names."""
    name, title, email, phone = (str(v or "").strip() for v in (name, title, email, phone))
    problems = contact_problems(name, title, email, phone)
    if problems:
        raise LabError("The security contact was not registered: " + "; ".join(problems) + ".",
                       code=Code.InvalidInput)
    return SecurityContact().create(lab, name, title, email, phone)


def restore_security_contact(lab, previous: dict | None) -> None:
    """The security contact the account had before the lab, or none (kinds.SecurityContact)."""
    SecurityContact(previous).delete(lab)


__all__ = ["BENCHMARK_LENGTH", "BENCHMARK_REUSE", "CHECKS", "FAIL", "FIELDS", "KEY_AGE_DAYS", "PASS",
           "POLICY_FIELDS", "REPORT_LIFETIME_HOURS", "SECURITY", "UNKNOWN", "UNUSED_DAYS", "Check", "Facts",
           "allows_everything", "cis_order", "contact_problems", "current_password_policy", "describe",
           "describe_policy", "is_root_device", "masked_email", "masked_phone", "policy_problems",
           "primary_contact", "problems_by_field", "report_lags", "report_note", "restorable_policy",
           "restore_security_contact", "run_checklist", "security_contact", "set_password_policy",
           "set_security_contact", "summary"]

"""The security checklist (LAB_SPEC section 6), after the CIS AWS Foundations Benchmark v5.0.

    checks = run_checklist(lab)          # list[Check], read from the account now
    html_table(checks); text_table(checks)
    view = ChecklistView(lab)            # the notebook's table (view.show()), with refresh():
    view.refresh()                       #   everything read again (a learner's refresh)
    view.refresh(changed=("policy",))    #   after the lab's own change: only what it affects
    PasswordPolicyForm(lab).show()       # the fix the lab can offer for 1.7 and 1.8

Each check is PASS, FAIL or UNKNOWN (with why: a permission missing, an API error).
Advisory checks (1.5, 1.6, 1.10, 1.15) are shown as such; `awslab check` (print_checklist)
still counts them. ipywidgets loads only when the notebook's view or form is built.

IAM users are read as they are now (ListUsers, GetLoginProfile, ListMFADevices,
ListAccessKeys, GetAccessKeyLastUsed): IAM makes a new credential report at most every four
hours and hands back the old one until then, so a report would miss a user made since. The
report (one per run, or none when a recent one is known) serves root's row, which only it
shows to an IAM user: root's password and access keys' last use (1.6).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from botocore.exceptions import ClientError

from awslab import record
from awslab.errors import Code, LabError, code_of, explain
from awslab.forms import AMBER, GREEN, GREY, RED, Form, line, note
from awslab.overview import ADMIN_POLICY_ARN, CHANGE_PASSWORD_ARN

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
    aliases, admins, virtual_mfa, contact, security_contact. `forget(*names)` drops some, so the next run reads
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
            from awslab.root_user import credential_report

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


def is_root_device(device: dict) -> bool:
    """An assigned virtual MFA device of the root user: its User is the root ARN (AWS), or it
    has none although assigned (the sandbox leaves it out), or it has root's default name."""
    user = device.get("User")
    if user is not None:
        return str(user.get("Arn", "")).endswith(":root")
    return bool(device.get("EnableDate")) or device["SerialNumber"].endswith(":mfa/root-account-mfa-device")


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
    from awslab.contacts import masked_phone, primary_contact

    contact = facts.get("contact", lambda: primary_contact(facts.lab))
    missing = [name for name in ("FullName", "AddressLine1", "City", "CountryCode", "PhoneNumber")
               if not contact.get(name)]
    if missing:
        return FAIL, f"The primary contact lacks {', '.join(missing)}."
    return PASS, (f"Primary contact: {contact['FullName']}, {contact['City']} ({contact['CountryCode']}), "
                  f"phone {masked_phone(contact['PhoneNumber'])}. The benchmark's audit is manual: "
                  "check that it is current (account menu, Account, Contact information).")


def _security_contact(facts: Facts, check: Check):
    from awslab.contacts import describe, security_contact

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


# Showing them.

_COLORS = {PASS: GREEN, FAIL: RED, UNKNOWN: AMBER}


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


def html_table(checks: list[Check], report: str = "") -> str:
    rows = []
    for c in checks:
        color = GREY if c.advisory and c.status == FAIL else _COLORS[c.status]
        extra = (f"<div style='color:{AMBER};margin-top:2px'><i>The tutorial's choice:</i> "
                 f"{html.escape(c.tradeoff)}</div>") if c.tradeoff else ""
        rows.append([
            html.escape(c.cis or "—"),
            f"<span class='awslab-check-status' style='color:{color};font-weight:700'>{c.label}</span>",
            f"<b>{html.escape(c.title)}</b><div>{html.escape(c.why)}</div>{extra}",
            f"{html.escape(c.meaning)} <a href='{html.escape(c.link)}' target='_blank'>AWS docs</a>",
        ])
    from awslab.forms import table

    said = summary(checks)
    first = (f"<div class='awslab-checklist-summary' style='font-weight:600;margin:4px 0'>"
             f"{html.escape(said)}</div>")
    # The summary first (a long table should not hide it), and again under the table.
    lag = f"<div class='awslab-report-age'>{note(report)}</div>" if report else ""
    return (first + table(["CIS v5.0", "Result", "Check", "What it means"], rows, raw=True)
            + lag + note(said))


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


def print_checklist(target: str = "sandbox", confirm_account_id: str | None = None, *,
                    as_json: bool = False) -> int:
    """`awslab check`: the checklist as a text table, or as JSON (one object per control: id,
    title, status, detail) for an instructor's or a grader's tools; 0 only when every check
    passes."""
    from awslab.session import connect

    lab = connect(target, confirm_account_id)
    facts = Facts(lab)
    checks = run_checklist(lab, facts)
    passed = sum(c.status == PASS for c in checks)
    if as_json:
        print(json.dumps([{"id": c.id, "title": c.title, "status": c.status, "detail": c.why}
                          for c in checks], indent=2))
    else:
        print(f"Security checklist for account {lab.account_id} (signed in as {lab.principal}), "
              "after the CIS AWS Foundations Benchmark v5.0")
        print(summary(checks))  # first, and again after the long table
        print(text_table(checks))
        said = report_note(facts)
        if said:
            width = max(72, min(120, shutil.get_terminal_size((100, 20)).columns))
            print("\n".join(textwrap.wrap(said, width, break_on_hyphens=False)))
        print(summary(checks))
    return 0 if passed == len(checks) else 1


def text_table(checks: list[Check], width: int | None = None) -> str:
    width = width or max(72, min(120, shutil.get_terminal_size((100, 20)).columns))
    indent = " " * 24
    out = [f"{'CIS':<6} {'Result':<16} Check", "-" * width]
    for c in checks:
        out.append(f"{c.cis or '-':<6} {c.label:<16} {c.title}")
        for label, text in (("", c.why), ("tutorial: ", c.tradeoff), ("means: ", c.meaning)):
            if text:
                out += textwrap.wrap(label + text, width, initial_indent=indent, subsequent_indent=indent,
                                     break_on_hyphens=False)
        out.append(f"{indent}docs: {c.link}")
    return "\n".join(out)


class ChecklistView:
    """The checklist as an HTML table in the notebook, with refresh()."""

    def __init__(self, lab):
        import ipywidgets as W

        self.lab = lab
        self.checks: list[Check] = []
        self.facts: Facts | None = None
        self.widget = W.HTML()
        self.widget.add_class("awslab-checklist")
        self.refresh()

    def refresh(self, changed: Iterable[str] | None = None) -> list[Check]:
        """Read the account and repaint. Without `changed` (a refresh the learner asks for)
        everything is read again. `changed` names the facts a change the lab itself just made
        affects (the password policy form: `("policy",)`): only those are read again, the rest
        of the last reading stands."""
        if changed is None or self.facts is None:
            known = self.facts.report_time if self.facts is not None else None
            self.facts = Facts(self.lab, report_time=known)
        else:
            self.facts.forget(*changed)
        self.checks = run_checklist(self.lab, self.facts)
        self.widget.value = html_table(self.checks, report_note(self.facts))
        return self.checks

    def status(self, cis_or_title: str) -> str:
        return next(c.status for c in self.checks if cis_or_title in (c.cis, c.title))

    def show(self) -> None:
        from IPython.display import display

        display(self.widget)


# The fix the lab can offer: the account's password policy.

POLICY_FIELDS = ("MinimumPasswordLength", "RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters",
                 "RequireLowercaseCharacters", "AllowUsersToChangePassword", "MaxPasswordAge",
                 "PasswordReusePrevention", "HardExpiry")


def restorable_policy(policy: dict) -> dict:
    """The UpdateAccountPasswordPolicy arguments that give back `policy` (unset numbers left out)."""
    return {k: v for k, v in policy.items()
            if k in POLICY_FIELDS and not (k in ("MaxPasswordAge", "PasswordReusePrevention") and not v)}


def current_password_policy(lab) -> dict | None:
    try:
        return lab.client("iam").get_account_password_policy()["PasswordPolicy"]
    except ClientError as error:
        if code_of(error) == Code.NoSuchEntity:
            return None
        raise


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
    can put it back (or delete the policy if there was none). Returns the policy as set, in
    GetAccountPasswordPolicy's field names (it is not read back: the update sets all of it)."""
    problems = policy_problems(minimum_length, reuse_prevention, max_age_days)
    if problems:
        raise LabError("The password policy was not changed: " + "; ".join(problems.values()) + ".",
                       code=Code.InvalidInput)
    lab.require_write("set the account's password policy")
    recorded = record.was_created(lab.account_id, "password_policy", "account")
    before = None if recorded else current_password_policy(lab)  # for clean-up to put back
    params = {"MinimumPasswordLength": int(minimum_length), "RequireSymbols": bool(require_symbols),
              "RequireNumbers": bool(require_numbers), "RequireUppercaseCharacters": bool(require_uppercase),
              "RequireLowercaseCharacters": bool(require_lowercase),
              "AllowUsersToChangePassword": bool(allow_users_to_change)}
    if int(reuse_prevention):
        params["PasswordReusePrevention"] = int(reuse_prevention)
    if int(max_age_days):
        params["MaxPasswordAge"] = int(max_age_days)
    lab.client("iam").update_account_password_policy(**params)
    if not recorded:
        previous = restorable_policy(before) if before else None
        record.remember(lab.account_id, "password_policy", "account", previous=previous)
    return params  # the policy as set: every field left out is back to AWS's default


class PasswordPolicyForm(Form):
    """The account's password policy, with the benchmark's values (1.7, 1.8) as defaults."""

    title = "Fix: the account's password policy (CIS 1.7 and 1.8)"
    submit_label = "Set password policy"
    doing = "setting the password policy"

    def __init__(self, lab, *, auto_submit: bool = False, checklist: ChecklistView | None = None):
        self.checklist = checklist
        super().__init__(lab, auto_submit=auto_submit)

    def build(self) -> list:
        import ipywidgets as W

        try:
            self.before = current_password_policy(self.lab)
        except ClientError as error:
            self.before = None
            self.say(None, explain(error, "reading the password policy"))
        now = self.before or {}
        style = {"description_width": "16em"}
        # Plain number fields: a value AWS would refuse is refused with a sentence when
        # submitted, not silently changed to the nearest allowed one as bounded fields do.
        self.length = W.IntText(value=max(BENCHMARK_LENGTH, now.get("MinimumPasswordLength", 0)),
                                description="Minimum length", style=style)
        self.reuse = W.IntText(value=max(BENCHMARK_REUSE, now.get("PasswordReusePrevention") or 0),
                               description="Remember last N passwords", style=style)
        self.max_age = W.IntText(value=now.get("MaxPasswordAge") or 0,
                                 description="Expire after days (0: never)", style=style)
        self.numbers = {"minimum_length": self.length, "reuse_prevention": self.reuse,
                        "max_age_days": self.max_age}
        self.flags = {
            key: W.Checkbox(value=now.get(field_, True), description=text, indent=False,
                            layout=W.Layout(width="auto"))
            for key, field_, text in [
                ("require_uppercase", "RequireUppercaseCharacters", "an uppercase letter"),
                ("require_lowercase", "RequireLowercaseCharacters", "a lowercase letter"),
                ("require_numbers", "RequireNumbers", "a number"),
                ("require_symbols", "RequireSymbols", "a symbol"),
                ("allow_users_to_change", "AllowUsersToChangePassword", "users may change their own password"),
            ]}
        self.length.add_class("awslab-policy-length")
        self.reuse.add_class("awslab-policy-reuse")
        self.now = W.HTML()
        self.now.add_class("awslab-policy-now")
        self._paint_now()
        return [self.now, self.length, self.reuse, self.max_age, W.HTML("<b>Require at least</b>"),
                W.VBox(list(self.flags.values()))]

    def _paint_now(self) -> None:
        """The heading says what the account's policy is now (after a change too)."""
        self.now.value = note(describe_policy(self.before) + " The benchmark asks for at least "
                              f"{BENCHMARK_LENGTH} characters and {BENCHMARK_REUSE} remembered "
                              "passwords; it no longer asks for expiry, which makes people pick "
                              "weaker passwords.")

    def submit(self):
        result = super().submit()
        if result is None and self.error is not None:
            # The numbers the sentence judged, marked until the learner changes one.
            values = self.values()
            refused = [self.numbers[name] for name in policy_problems(
                values["minimum_length"], values["reuse_prevention"], values["max_age_days"])]
            for number in refused:
                self.mark_invalid(number, True)
            if refused:
                self.focus(refused[0])
        return result

    def meets_benchmark(self) -> bool:
        now = self.before or {}
        return (now.get("MinimumPasswordLength", 0) >= BENCHMARK_LENGTH
                and (now.get("PasswordReusePrevention") or 0) >= BENCHMARK_REUSE)

    def values(self) -> dict:
        return {"minimum_length": self.length.value, "reuse_prevention": self.reuse.value,
                "max_age_days": self.max_age.value,
                **{key: box.value for key, box in self.flags.items()}}

    def action(self, **values) -> dict:
        return set_password_policy(self.lab, **values)

    def show_result(self, policy: dict) -> None:
        import ipywidgets as W

        self.before = policy
        self._paint_now()
        length = policy.get("MinimumPasswordLength") or 0
        reuse = policy.get("PasswordReusePrevention") or 0
        rows = [line(True, "The password policy is set."),
                line(length >= BENCHMARK_LENGTH, f"Minimum password length {length}",
                     f"the benchmark's {BENCHMARK_LENGTH} or more (1.7)" if length >= BENCHMARK_LENGTH
                     else f"under the benchmark's {BENCHMARK_LENGTH}: 1.7 still fails"),
                line(reuse >= BENCHMARK_REUSE, f"Reuse prevention {reuse or 'off'}",
                     f"the benchmark's {BENCHMARK_REUSE} (1.8)" if reuse >= BENCHMARK_REUSE
                     else f"under the benchmark's {BENCHMARK_REUSE}: 1.8 still fails")]
        self.after.children = (W.HTML("".join(rows) + note(
            "New passwords must follow it; existing ones are checked at their next change.")),)
        if self.checklist is not None:
            self.checklist.refresh(changed=("policy",))  # only the password checks need a new read

    def show(self) -> None:
        """Display; headless, set the benchmark's values only when the policy falls short."""
        from IPython.display import display

        display(self.widget)
        if not self.auto_submit:
            return
        if self.meets_benchmark():
            self.say(True, "The password policy already meets 1.7 and 1.8; nothing changed.")
        else:
            self.submit()


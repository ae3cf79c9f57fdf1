"""Notebook 00: choose a target, see who you are, see where the account stands. No widgets here
(the form and the banner are in awslab/forms/s00_target.py).

Defined for `notebooks/00_setup.ipynb`, cell "Where will the lab work?":

    connect_target(lab, target, ...)    the Connect button: connect (a real account's profile and
                                        Region are remembered for the other notebooks)
    available_profiles()                the profiles the form offers
    on_binder()                         Binder is public: the banner warns against real keys
    progress(lab)                       where the account stands on each section, under the banner

and used by other notebooks: `holds_administrator_access` (04), `ADMIN_POLICY_ARN` and
`CHANGE_PASSWORD_ARN` (02, 04's checklist), `available_profiles` (04).

`progress` is computed from the API every time, so it is true whatever order things happened in
(and whoever did them: the lab, the console, or the AWS CLI).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from botocore.exceptions import ClientError

from awslab.errors import explain
from awslab.session import connect, save_connection

# The AWS managed policies the lab attaches: to the group, and (as the console does) to a
# user who must change their password at first sign-in.
ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
CHANGE_PASSWORD_ARN = "arn:aws:iam::aws:policy/IAMUserChangePassword"


# Connecting (the Connect button).

def on_binder() -> bool:
    return bool(os.environ.get("BINDER_LAUNCH_HOST") or os.environ.get("BINDER_REQUEST"))


def available_profiles() -> list[str]:
    """Profiles in ~/.aws/config and ~/.aws/credentials."""
    import botocore.session

    try:
        return sorted(botocore.session.Session().available_profiles)
    except Exception:  # a broken config file still lets the learner pick the sandbox
        return []


def _lab_principal() -> str:
    """Who the sandbox's lab signs its calls as ("session" after the simulated console sign-in)."""
    from awslab.sandbox_client import lab_credentials

    try:
        return lab_credentials().get("principal", "")
    except Exception:  # the banner never fails over a note
        return ""


def connect_target(lab, target: str, confirm_account_id: str | None = None,
                   profile: str | None = None, region: str | None = None):
    """Connect: the Lab for `target` ("sandbox" or "aws"); for a real account the profile and
    Region are saved first, so the other notebooks reuse them. `lab` is the lab connected
    before, if any (None in notebook 00; every step takes it first): connecting only reads."""
    if target == "aws":
        save_connection(profile=profile, region=region)
    return connect(target, confirm_account_id, profile=profile, region=region)


# Where the account stands (the list under the banner).

@dataclass
class Step:
    notebook: str
    section: str
    done: bool | None  # None: could not tell
    detail: str


def _summary(iam) -> dict:
    return iam.get_account_summary()["SummaryMap"]


def admin_users(iam) -> list[str]:
    """IAM users with AdministratorAccess, directly or through a group."""
    found: set[str] = set()
    for kind, entities in iam.list_entities_for_policy(PolicyArn=ADMIN_POLICY_ARN).items():
        if kind == "PolicyUsers":
            found.update(e["UserName"] for e in entities)
        elif kind == "PolicyGroups":
            for group in entities:
                for page in iam.get_paginator("get_group").paginate(GroupName=group["GroupName"]):
                    found.update(u["UserName"] for u in page["Users"])
    return sorted(found)


def holds_administrator_access(iam, user_name: str) -> bool:
    """Whether one user holds AdministratorAccess, directly or through one of its groups: reads
    only that user's policies and groups (however many other administrator groups exist)."""
    for page in iam.get_paginator("list_attached_user_policies").paginate(UserName=user_name):
        if any(p["PolicyArn"] == ADMIN_POLICY_ARN for p in page["AttachedPolicies"]):
            return True
    for page in iam.get_paginator("list_groups_for_user").paginate(UserName=user_name):
        for group in page["Groups"]:
            for policies in iam.get_paginator("list_attached_group_policies").paginate(
                    GroupName=group["GroupName"]):
                if any(p["PolicyArn"] == ADMIN_POLICY_ARN for p in policies["AttachedPolicies"]):
                    return True
    return False


def progress(lab) -> list[Step]:
    """Each section's state, read from the account now (each thing read once)."""
    iam = lab.client("iam")
    steps: list[Step] = []
    read: dict[str, dict | ClientError] = {}

    def summary() -> dict:  # two sections use it: one GetAccountSummary (or one refusal)
        if "summary" not in read:
            try:
                read["summary"] = _summary(iam)
            except ClientError as error:
                read["summary"] = error
        if isinstance(read["summary"], ClientError):
            raise read["summary"]
        return read["summary"]

    def check(notebook, section, probe):
        try:
            done, detail = probe()
        except ClientError as error:
            done, detail = None, explain(error, "reading the account")
        steps.append(Step(notebook, section, done, detail))

    def root_mfa():
        on = summary().get("AccountMFAEnabled", 0) == 1
        return on, "the root user has MFA" if on else "the root user has no MFA yet"

    def users():
        admins = admin_users(iam)
        if admins:
            return True, "administrators: " + ", ".join(admins)
        return False, "no IAM user with AdministratorAccess yet"

    def alias():
        aliases = iam.list_account_aliases()["AccountAliases"]
        if aliases:
            return True, f"alias {aliases[0]}: https://{aliases[0]}.signin.aws.amazon.com/console"
        return False, "no account alias yet"

    def signed_in():
        keys = summary().get("AccountAccessKeysPresent", 0)
        if lab.is_root:
            return False, "you are signed in as the root user"
        if keys:
            return False, f"signed in as {lab.principal}, but the root user still has access keys"
        return True, f"signed in as {lab.principal}; the root user has no access keys"

    check("01_secure_the_root_user", "Secure the root user", root_mfa)
    check("02_set_up_additional_users", "Set up additional users", users)
    check("03_account_alias_and_regions", "Set account alias and enable Regions", alias)
    check("04_sign_in_and_review", "Sign in as the new user and review", signed_in)
    return steps

"""Notebook 02's lesson about groups: a user's permissions follow its groups.

Defined for `notebooks/02_set_up_additional_users.ipynb`, cell "4. Permissions come from
groups" (GroupLessonForm in awslab/forms/s02_groups_lesson.py: What can <user> do?, Take
<user> out of <group>, Put <user> back). The tutorial: "If a person changes jobs in your
organization, instead of editing that user's permissions, you can remove them from the old
user groups and add them to the appropriate new user groups." Here the learner sees it:

    may = what_user_may_do(lab, "awslab-admin")     # IAM's policy simulator, a row per action
    may.rows[0]       # Row("iam:ListUsers", "*", "allowed", (Because("AdministratorAccess",
                      #      "through group administrators"),))
    take_out_of_group(lab, "awslab-admin", "administrators")   # RemoveUserFromGroup; the table again
    put_back_in_group(lab, "awslab-admin", "administrators")   # AddUserToGroup; the table again

The table comes from `iam:SimulatePrincipalPolicy` (the same call on a real account and in the
sandbox, which answers it from the very evaluator that decides its requests), one call for the
actions on "*" and one for iam:ChangePassword on the user's own ARN with `aws:username` given
(IAMUserChangePassword allows it on `user/${aws:username}`; the simulator knows no caller, so
the cell says who). Which group a managed policy comes through is read from the user's
attached policies and each of its groups' (ListAttachedUserPolicies, ListGroupsForUser,
ListAttachedGroupPolicies); an inline policy's SourcePolicyId names its user or group itself.

The lesson changes the account only for a moment: what it takes out it puts back, and the
record of what the lab made (awslab.record, for 99's clean-up) is left as it was. It refuses to
take out the user the lab itself signs in as (after notebook 04 the lab works as that user: out
of the group, it could not put itself back). No widgets here.
"""

from __future__ import annotations

from dataclasses import dataclass

from awslab.errors import Code, LabError
from awslab.steps.s02_users import DEFAULT_GROUP_NAME, DEFAULT_USER_NAME

# What the table asks about: IAM and other services' reads and writes, and the one action
# IAMUserChangePassword allows, on the user itself.
LESSON_ACTIONS = ("iam:ListUsers", "iam:CreateUser", "ec2:DescribeInstances", "s3:ListAllMyBuckets",
                  "iam:ChangePassword")
ON_ITSELF = frozenset({"iam:ChangePassword"})  # evaluated on the user's own ARN
DENIED = {"implicitDeny": "no policy allows it", "explicitDeny": "a policy denies it"}


@dataclass(frozen=True)
class Because:
    """A policy that decided, and how the user holds it."""

    policy: str   # "AdministratorAccess"
    via: str      # "through group administrators", "attached to the user", "inline in the user"

    def __str__(self) -> str:
        return f"{self.policy}, {self.via}"


@dataclass(frozen=True)
class Row:
    action: str
    resource: str                 # "*" or the user's own ARN
    decision: str                 # "allowed", "implicitDeny" or "explicitDeny"
    because: tuple[Because, ...]  # the statements that decided (none for implicitDeny)
    missing: tuple[str, ...] = ()  # context keys the policies needed and were not given

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"

    @property
    def why(self) -> str:
        if self.because:
            return "; ".join(str(b) for b in self.because)
        return DENIED.get(self.decision, self.decision)


@dataclass(frozen=True)
class Permissions:
    """What the simulator says a user may do, and the groups it is in right now."""

    user_name: str
    user_arn: str
    groups: tuple[str, ...]
    rows: tuple[Row, ...]
    change: str = ""   # what the step changed first ("Took awslab-admin out of administrators.")

    def row(self, action: str) -> Row:
        return next(r for r in self.rows if r.action == action)

    @property
    def sentence(self) -> str:
        allowed = [r.action for r in self.rows if r.allowed]
        groups = ", ".join(self.groups) if self.groups else "no group"
        said = f"{self.user_name} is in {groups}: {len(allowed)} of the {len(self.rows)} actions allowed"
        if 0 < len(allowed) < len(self.rows):
            said += f" ({', '.join(allowed)})"
        return f"{self.change} {said}.".strip()


def _all(paginator, key: str, **params) -> list:
    return [item for page in paginator.paginate(**params) for item in page[key]]


def _simulate(iam, arn: str, actions: list[str], resource: str, context: list[dict]) -> list[dict]:
    params = {"PolicySourceArn": arn, "ActionNames": actions, "ContextEntries": context}
    if resource != "*":
        params["ResourceArns"] = [resource]
    return _all(iam.get_paginator("simulate_principal_policy"), "EvaluationResults", **params)


def _statements(result: dict) -> list[dict]:
    """The statements that decided: the top level's, else the one resource's (AWS has answered
    both ways: one result per action and resource, or per action with ResourceSpecificResults)."""
    found = list(result.get("MatchedStatements") or [])
    for each in result.get("ResourceSpecificResults") or []:
        found += [s for s in each.get("MatchedStatements") or [] if s not in found]
    return found


def _missing(result: dict) -> tuple[str, ...]:
    keys = list(result.get("MissingContextValues") or [])
    for each in result.get("ResourceSpecificResults") or []:
        keys += [k for k in each.get("MissingContextValues") or [] if k not in keys]
    return tuple(keys)


def _holders(iam, user_name: str, groups: list[str]) -> dict[str, list[str]]:
    """Managed policy name -> how the user holds it ("attached to the user", "through group x")."""
    holders: dict[str, list[str]] = {}
    for policy in _all(iam.get_paginator("list_attached_user_policies"), "AttachedPolicies",
                       UserName=user_name):
        holders.setdefault(policy["PolicyName"], []).append("attached to the user")
    for group in groups:
        for policy in _all(iam.get_paginator("list_attached_group_policies"), "AttachedPolicies",
                           GroupName=group):
            holders.setdefault(policy["PolicyName"], []).append(f"through group {group}")
    return holders


def _because(source_id: str, user_name: str, groups: list[str], holders: dict[str, list[str]]) -> list[Because]:
    """How the user holds the policy the simulator names (SourcePolicyId)."""
    if source_id in holders:
        return [Because(source_id, via) for via in holders[source_id]]
    if source_id.startswith(f"user_{user_name}_"):
        return [Because(source_id[len(f"user_{user_name}_"):], "inline in the user")]
    for group in groups:
        if source_id.startswith(f"group_{group}_"):
            return [Because(source_id[len(f"group_{group}_"):], f"inline in group {group}")]
    return [Because(source_id, "")]


def what_user_may_do(lab, user_name: str = DEFAULT_USER_NAME, actions: tuple[str, ...] = LESSON_ACTIONS,
                     *, change: str = "") -> Permissions:
    """Ask IAM's policy simulator what `user_name` may do: a Row per action, with the policies
    that decided and how the user holds them."""
    iam = lab.client("iam")
    arn = iam.get_user(UserName=user_name)["User"]["Arn"]
    context = [{"ContextKeyName": "aws:username", "ContextKeyValues": [user_name], "ContextKeyType": "string"}]
    results: dict[str, tuple[str, dict]] = {}
    anywhere = [a for a in actions if a not in ON_ITSELF]
    itself = [a for a in actions if a in ON_ITSELF]
    for resource, asked in (("*", anywhere), (arn, itself)):
        if asked:
            for result in _simulate(iam, arn, asked, resource, context):
                results.setdefault(result["EvalActionName"], (resource, result))
    groups = [g["GroupName"] for g in _all(iam.get_paginator("list_groups_for_user"), "Groups",
                                           UserName=user_name)]
    holders = _holders(iam, user_name, groups)
    rows = []
    for action in actions:
        resource, result = results[action]
        because: list[Because] = []
        for statement in _statements(result):
            for found in _because(statement.get("SourcePolicyId", ""), user_name, groups, holders):
                if found not in because:
                    because.append(found)
        rows.append(Row(action, resource, result["EvalDecision"], tuple(because), _missing(result)))
    return Permissions(user_name, arn, tuple(groups), tuple(rows), change)


def _refuse_own_user(lab, user_name: str, group_name: str) -> None:
    if lab.user_name == user_name:
        raise LabError(f"The lab signs in as {user_name} itself: out of {group_name} it would lose "
                       f"the permissions it needs to put {user_name} back. Try it with another user, "
                       "or connect as an identity that is not this user.", code=Code.Conflict)


def take_out_of_group(lab, user_name: str = DEFAULT_USER_NAME, group_name: str = DEFAULT_GROUP_NAME,
                      actions: tuple[str, ...] = LESSON_ACTIONS) -> Permissions:
    """RemoveUserFromGroup, then what the user may do now. If the table cannot be read after
    the removal, the user is put back before the error is raised: the step happens whole or not
    at all."""
    _refuse_own_user(lab, user_name, group_name)
    lab.require_write(f"take {user_name} out of {group_name}")
    iam = lab.client("iam")
    iam.remove_user_from_group(GroupName=group_name, UserName=user_name)
    try:
        return what_user_may_do(lab, user_name, actions,
                                change=f"Took {user_name} out of {group_name}.")
    except Exception:
        iam.add_user_to_group(GroupName=group_name, UserName=user_name)
        raise


def put_back_in_group(lab, user_name: str = DEFAULT_USER_NAME, group_name: str = DEFAULT_GROUP_NAME,
                      actions: tuple[str, ...] = LESSON_ACTIONS) -> Permissions:
    """AddUserToGroup, then what the user may do now."""
    lab.require_write(f"put {user_name} back in {group_name}")
    lab.client("iam").add_user_to_group(GroupName=group_name, UserName=user_name)
    return what_user_may_do(lab, user_name, actions,
                            change=f"Put {user_name} back in {group_name}.")

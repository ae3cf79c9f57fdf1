"""Policy documents are checked when they are put, as IAM checks them.

AWS refuses a document it could not evaluate (for example an unknown condition operator)
with `MalformedPolicyDocument`, and enforces size quotas, counted without white space:
a user's inline policies together at most 2,048 characters ("Maximum policy size of
2048 bytes exceeded for user <name>"), a group's 5,120, a role's 10,240, a managed
policy 6,144 ("Cannot exceed quota for PolicySize: 6144"), all `LimitExceeded`. moto
5.2.5 validates the grammar only in part and has no size quotas. The grammar is
policy.parse's, the one the gate evaluates with. A managed policy's name is unique in the
account regardless of case (validation.py). moto's own check of an IAM ARN's resource path
is older than AWS's (it refuses `arn:aws:iam::<acct>:*` and `...:root`, which AWS takes):
policy.parse makes that judgement, in AWS's current words, before moto sees the document.
"""

from __future__ import annotations

from moto.iam.exceptions import LimitExceededException, MalformedPolicyDocument
from moto.iam.models import IAMBackend
from moto.iam.policy_validation import BaseIAMPolicyValidator

from awslab.sandbox import patches, policy
from awslab.sandbox.services.iam import validation

INLINE_LIMITS = {"user": 2048, "group": 5120, "role": 10240}
MANAGED_LIMIT = 6144


def size(document: str) -> int:
    """A document's size as IAM counts it for its quotas: characters other than white space."""
    return sum(1 for character in str(document) if not character.isspace())


def check(document) -> None:
    try:
        policy.parse(document)
    except policy.MalformedPolicy as error:
        raise MalformedPolicyDocument(error.message) from None


def check_inline(kind: str, name: str, others: dict, policy_name: str, document: str) -> None:
    check(document)
    total = size(document) + sum(size(text) for key, text in others.items() if key != policy_name)
    if total > INLINE_LIMITS[kind]:
        raise LimitExceededException(
            f"Maximum policy size of {INLINE_LIMITS[kind]} bytes exceeded for {kind} {name}")


def check_managed(document: str) -> None:
    check(document)
    if size(document) > MANAGED_LIMIT:
        raise LimitExceededException(f"Cannot exceed quota for PolicySize: {MANAGED_LIMIT}")


@patches.wraps(BaseIAMPolicyValidator, "_validate_resource_format")
def _validate_resource_format(original, self, resource):
    original(self, resource)
    if self._resource_error.startswith("IAM resource path must"):
        self._resource_error = ""  # policy.parse, which ran first, judged the path


@patches.wraps(IAMBackend, "put_user_policy")
def put_user_policy(original, self, user_name, policy_name, policy_json):
    user = self.get_user(user_name)
    check_inline("user", user_name, user.policies, policy_name, policy_json)
    return original(self, user_name, policy_name, policy_json)


@patches.wraps(IAMBackend, "put_group_policy")
def put_group_policy(original, self, group_name, policy_name, policy_json):
    group = self.get_group(group_name)
    check_inline("group", group_name, group.policies, policy_name, policy_json)
    return original(self, group_name, policy_name, policy_json)


@patches.wraps(IAMBackend, "put_role_policy")
def put_role_policy(original, self, role_name, policy_name, policy_json):
    role = self.get_role(role_name)
    check_inline("role", role_name, role.policies, policy_name, policy_json)
    return original(self, role_name, policy_name, policy_json)


@patches.wraps(IAMBackend, "create_policy")
def create_policy(original, self, description, path, policy_document, policy_name, tags):
    check_managed(policy_document)
    validation.policy_name_taken(self, policy_name)  # in any case, on any path
    return original(self, description, path, policy_document, policy_name, tags)


@patches.wraps(IAMBackend, "create_policy_version")
def create_policy_version(original, self, policy_arn, policy_document, set_as_default):
    check_managed(policy_document)
    return original(self, policy_arn, policy_document, set_as_default)

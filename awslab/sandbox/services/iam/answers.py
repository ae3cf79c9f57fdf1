"""moto's answers in AWS's shape, where tools tell the difference.

- Unique ids. AWS's IAM ids are a prefix naming the kind and 17 characters of A-Z and 2-7:
  AIDA users, AGPA groups, ANPA managed policies, AIPA instance profiles (AROA roles, and
  AKIA access keys, moto already makes so). moto 5.2.5 gives users, groups and instance
  profiles 20 random lower-case letters and digits and policies "A" and 20 of A-Z0-9; the
  id reaches GetCallerIdentity's UserId and the policy variable aws:userid, and tools tell
  principals apart by it. New entities get AWS-shaped ids; those an account saved earlier
  keep theirs (ids are never rewritten: a policy may name one).
- Timestamps. IAM and STS send whole seconds ("2026-12-06T16:51:31Z"); moto sends its
  clock's microseconds.
- Errors. moto's XML errors repeat the error shape's `message` member beside <Message>
  (<Message>x</Message><message>x</message>); AWS sends <Message> once.
- Request ids. AWS's are UUIDs (x-amzn-RequestId and <RequestId>); moto makes 52 random
  letters and digits.
- ListPolicies and GetPolicy give each policy's PermissionsBoundaryUsageCount (how many
  users and roles have it as their permissions boundary), as AWS does; moto leaves it out.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime

from moto.core.serialize import BaseXMLSerializer, ResponseSerializer
from moto.iam.models import Group, IAMBackend, InstanceProfile, Policy, User

from awslab.sandbox import patches

WHOLE_SECONDS = ("iam", "sts")


def unique_id(prefix: str) -> str:
    """An IAM unique id: the kind's prefix and 17 characters of A-Z and 2-7 (base32)."""
    return prefix + base64.b32encode(secrets.token_bytes(11)).decode()[:17]


@patches.wraps(User, "__init__")
def user_init(original, self, account_id, region_name, name, path=None):
    original(self, account_id, region_name, name, path)
    self.id = unique_id("AIDA")


@patches.wraps(Group, "__init__")
def group_init(original, self, account_id, region_name, name, path="/"):
    original(self, account_id, region_name, name, path)
    self.id = unique_id("AGPA")


@patches.wraps(Policy, "__init__")
def policy_init(original, self, name, account_id, region, default_version_id=None, description=None,
                document=None, path=None, create_date=None, update_date=None, tags=None):
    original(self, name, account_id, region, default_version_id=default_version_id,
             description=description, document=document, path=path, create_date=create_date,
             update_date=update_date, tags=tags)
    self.id = unique_id("ANPA")  # AWS managed policies get theirs from their ARN (managed_policies.py)


@patches.wraps(InstanceProfile, "__init__")
def instance_profile_init(original, self, account_id, region_name, instance_profile_id, name, path,
                          roles, tags=None):
    original(self, account_id, region_name, unique_id("AIPA"), name, path, roles, tags)


@patches.wraps(ResponseSerializer, "_serialize_type_timestamp")
def serialize_timestamp(original, self, serialized, value, shape, key):
    if (isinstance(value, datetime) and value.microsecond
            and self.service_model.service_name in WHOLE_SECONDS):
        value = value.replace(microsecond=0)
    return original(self, serialized, value, shape, key)


@patches.wraps(BaseXMLSerializer, "_serialize_error_metadata")
def serialize_error_metadata(original, self, serialized, error, shape):
    original(self, serialized, error, shape)
    if "Message" in serialized:
        serialized.pop("message", None)


def request_id(headerdict=None) -> str:
    """moto's gen_amzn_requestid_long, with AWS's UUIDs."""
    value = str(uuid.uuid4())
    if isinstance(headerdict, dict):
        headerdict["x-amzn-requestid"] = value
    return value


patches.replaces("moto.core.responses", "gen_amzn_requestid_long", request_id,
                 "request ids are UUIDs, as AWS's are")


def boundary_usage(backend, arn: str) -> int:
    """How many users and roles have the policy `arn` as their permissions boundary."""
    roles = sum(1 for role in backend.roles.values()
                if getattr(role, "permissions_boundary_arn", None) == arn)
    users = sum(1 for user in backend.users.values()
                if getattr(user, "awslab_permissions_boundary", None) == arn)
    return roles + users


@patches.wraps(IAMBackend, "list_policies")
def list_policies(original, self, marker, max_items, only_attached, path_prefix, scope):
    policies, marker = original(self, marker, max_items, only_attached, path_prefix, scope)
    policies = list(policies)
    for policy in policies:
        policy.permissions_boundary_usage_count = boundary_usage(self, policy.arn)
    return policies, marker


@patches.wraps(IAMBackend, "get_policy")
def get_policy(original, self, policy_arn):
    policy = original(self, policy_arn)
    policy.permissions_boundary_usage_count = boundary_usage(self, policy.arn)
    return policy

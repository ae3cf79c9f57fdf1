"""Requests are checked against AWS's model, and IAM names are unique regardless of case.

AWS checks every request's input against the API's model before it acts on it: each
member's length, pattern, numeric range and enumeration, and that required members are
there; otherwise 400 `ValidationError` naming every broken constraint, e.g.
"1 validation error detected: Value '🚀' at 'tags.1.member.value' failed to satisfy
constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*".
moto 5.2.5 checks almost none of it (any user name, any tag, EnableMFADevice without
UserName). Here every IAM and STS query request the gate let through is checked against
botocore's model (awslab/aws_model.py, the one reader of botocore's shapes), before any
addition or moto answers it. Account Management's calls are checked by the same model in
account_service.py (in that API's own error shape).

Names: AWS keeps user, group, role, policy and instance profile names unique regardless of
case ("You cannot create resources named both MyResource and myresource"): CreateUser
`PROBE-EXISTING` beside `probe-existing`, or CreateGroup `Administrators` beside
`administrators`, gets 409 `EntityAlreadyExists`, as does renaming a user or group to
another's name in any case. moto 5.2.5 compares names exactly.
"""

from __future__ import annotations

from moto.iam.exceptions import EntityAlreadyExists, ValidationError
from moto.iam.models import IAMBackend

from awslab import aws_model
from awslab.sandbox import patches
from awslab.sandbox.app import aws_error

SERVICES = ("iam", "sts")
# Filters that only watch requests (the current request, each key's last use) run before the
# check; every filter that answers a call runs after it.
OBSERVERS = ("awslab.sandbox.state", "awslab.sandbox.services.iam.last_used")


def check(*groups: list) -> None:
    """Raise AWS's ValidationError for all the problems (aws_model.Problem) of one request."""
    found = [problem for group in groups for problem in group]
    if found:
        raise ValidationError(aws_model.message(found))


def request_problems(request) -> list[aws_model.Problem]:
    """What an IAM or STS query request breaks of its operation's model ([] for another
    service, or an operation the model does not have: the gate answers that one)."""
    if request.service not in SERVICES or not request.query_protocol or not request.action:
        return []
    if request.action not in aws_model.operation_names(request.service):
        return []
    given = aws_model.query_input(request.service, request.action, request.params)
    return aws_model.problems(request.service, request.action, given)


def _moto_models(service: str):
    from moto.core.utils import get_service_model

    return get_service_model(service)


def install(app) -> None:
    aws_model.use_models(_moto_models)  # moto's cached models: one copy of each in memory

    def validate(request):
        found = request_problems(request)
        if found:
            return aws_error(request, 400, "ValidationError", aws_model.message(found))
        return None

    position = next((index for index, handler in enumerate(app.filters)
                     if getattr(handler, "__module__", "") not in OBSERVERS), len(app.filters))
    app.filters.insert(position, validate)


# Names unique regardless of case.

def _taken(names, name: str, own: str | None = None) -> bool:
    wanted = (name or "").lower()
    return any(other.lower() == wanted and other != own for other in names)


def _user_taken(backend, name: str, own: str | None = None) -> None:
    if _taken(backend.users, name, own):
        raise EntityAlreadyExists(f"User with name {name} already exists.")


def _group_taken(backend, name: str, own: str | None = None) -> None:
    if _taken(backend.groups, name, own):
        raise EntityAlreadyExists(f"Group with name {name} already exists.")


def policy_name_taken(backend, name: str) -> None:
    """A customer managed policy of that name, in any case and on any path (AWS managed
    policies live apart, under arn:aws:iam::aws:policy/)."""
    own = [policy.name for arn, policy in backend.managed_policies.items()
           if f":{backend.account_id}:policy/" in arn]
    if _taken(own, name):
        raise EntityAlreadyExists(f"A policy called {name} already exists. Duplicate names are "
                                  "not allowed.")


@patches.wraps(IAMBackend, "create_user")
def create_user(original, self, region_name, user_name, path="/", tags=None):
    _user_taken(self, user_name)
    return original(self, region_name, user_name, path=path, tags=tags)


@patches.wraps(IAMBackend, "update_user")
def update_user(original, self, user_name, new_path=None, new_user_name=None):
    if new_user_name and user_name in self.users:
        _user_taken(self, new_user_name, own=user_name)
    return original(self, user_name, new_path=new_path, new_user_name=new_user_name)


@patches.wraps(IAMBackend, "create_group")
def create_group(original, self, group_name, path="/"):
    _group_taken(self, group_name)
    return original(self, group_name, path=path)


@patches.wraps(IAMBackend, "update_group")
def update_group(original, self, group_name, new_group_name, new_path):
    if new_group_name and group_name in self.groups:
        _group_taken(self, new_group_name, own=group_name)
    return original(self, group_name, new_group_name, new_path)


@patches.wraps(IAMBackend, "create_role")
def create_role(original, self, role_name, assume_role_policy_document, path, permissions_boundary,
                description, tags, max_session_duration, linked_service=None):
    if _taken([role.name for role in self.roles.values()], role_name):
        raise EntityAlreadyExists(f"Role with name {role_name} already exists.")
    return original(self, role_name, assume_role_policy_document, path, permissions_boundary,
                    description, tags, max_session_duration, linked_service=linked_service)


@patches.wraps(IAMBackend, "create_instance_profile")
def create_instance_profile(original, self, name, path, role_names, tags=None):
    if _taken(self.instance_profiles, name):
        raise EntityAlreadyExists(f"Instance Profile {name} already exists.")
    return original(self, name, path, role_names, tags=tags)

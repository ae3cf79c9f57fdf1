"""DeleteUser and DeleteGroup refuse while something still hangs on them, as AWS does.

AWS: a user with a login profile, access keys, signing certificates, SSH public keys,
MFA devices, inline or attached policies or group memberships, and a group with members
or policies, gets `DeleteConflict` ("Cannot delete entity, must ... first.", HTTP 409)
and nothing is deleted. moto 5.2.5 checks only a user's policies and none of a group's.
"""

from __future__ import annotations

from moto.iam.exceptions import DeleteConflictException
from moto.iam.models import IAMBackend

from awslab.sandbox import patches


def user_conflict(backend, user) -> str | None:
    if user.password:
        return "Cannot delete entity, must delete login profile first."
    if user.access_keys:
        return "Cannot delete entity, must delete access keys first."
    if getattr(user, "signing_certificates", None):
        return "Cannot delete entity, must delete signing certificates first."
    if getattr(user, "ssh_public_keys", None):
        return "Cannot delete entity, must delete SSH public keys first."
    if user.mfa_devices:
        return "Cannot delete entity, must delete MFA device first."
    if user.policies:
        return "Cannot delete entity, must delete policies first."
    if user.managed_policies:
        return "Cannot delete entity, must detach all policies first."
    if any(user in group.users for group in backend.groups.values()):
        return "Cannot delete entity, must remove user from all groups first."
    return None


def group_conflict(group) -> str | None:
    if group.users:
        return "Cannot delete entity, must remove users from group first."
    if group.policies:
        return "Cannot delete entity, must delete policies first."
    if group.managed_policies:
        return "Cannot delete entity, must detach all policies first."
    return None


@patches.wraps(IAMBackend, "delete_user")
def delete_user(original, self, user_name):
    problem = user_conflict(self, self.get_user(user_name))
    if problem:
        raise DeleteConflictException(problem)
    result = original(self, user_name)
    from awslab.sandbox.services.sts import sessions

    sessions.forget_user(user_name)  # its sessions end with it (a new user of that name is not it)
    return result


@patches.wraps(IAMBackend, "delete_group")
def delete_group(original, self, group_name):
    group = self.groups.get(group_name)
    if group is not None:
        problem = group_conflict(group)
        if problem:
            raise DeleteConflictException(problem)
    return original(self, group_name)

"""Names are validated as AWS validates them.

AWS: a user name matches `[\\w+=,.@-]+` and has 1 to 64 characters, a group name the same
pattern with 1 to 128; otherwise `ValidationError` with the message
"1 validation error detected: Value 'x' at 'userName' failed to satisfy constraint: ...".
moto 5.2.5 accepts any name. Covers CreateUser, UpdateUser (NewUserName), CreateGroup and
UpdateGroup (NewGroupName). Account aliases are checked in alias.py with the same helper.
"""

from __future__ import annotations

import re

from moto.iam.exceptions import ValidationError
from moto.iam.models import IAMBackend

from awslab.sandbox import patches

NAME_PATTERN = r"[\w+=,.@-]+"
_NAME = re.compile(NAME_PATTERN, re.ASCII)


def problems(value, field: str, pattern: str, compiled: re.Pattern, min_len: int, max_len: int) -> list[str]:
    """AWS's wording for each constraint `value` breaks."""
    value = "" if value is None else str(value)
    found = []
    prefix = f"Value '{value}' at '{field}' failed to satisfy constraint: "
    if len(value) < min_len:
        found.append(prefix + f"Member must have length greater than or equal to {min_len}")
    if len(value) > max_len:
        found.append(prefix + f"Member must have length less than or equal to {max_len}")
    if value and not compiled.fullmatch(value):
        found.append(prefix + f"Member must satisfy regular expression pattern: {pattern}")
    return found


def check(*checks: list[str]) -> None:
    """Raise AWS's ValidationError for all broken constraints of one request."""
    found = [problem for group in checks for problem in group]
    if not found:
        return
    count = len(found)
    noun = "validation error" if count == 1 else "validation errors"
    raise ValidationError(f"{count} {noun} detected: " + "; ".join(found))


def user_name_problems(value, field: str = "userName") -> list[str]:
    return problems(value, field, NAME_PATTERN, _NAME, 1, 64)


def group_name_problems(value, field: str = "groupName") -> list[str]:
    return problems(value, field, NAME_PATTERN, _NAME, 1, 128)


@patches.wraps(IAMBackend, "create_user")
def create_user(original, self, region_name, user_name, path="/", tags=None):
    check(user_name_problems(user_name))
    return original(self, region_name, user_name, path=path, tags=tags)


@patches.wraps(IAMBackend, "update_user")
def update_user(original, self, user_name, new_path=None, new_user_name=None):
    if new_user_name is not None:
        check(user_name_problems(new_user_name, "newUserName"))
    return original(self, user_name, new_path=new_path, new_user_name=new_user_name)


@patches.wraps(IAMBackend, "create_group")
def create_group(original, self, group_name, path="/"):
    check(group_name_problems(group_name))
    return original(self, group_name, path=path)


@patches.wraps(IAMBackend, "update_group")
def update_group(original, self, group_name, new_group_name, new_path):
    if new_group_name is not None:
        check(group_name_problems(new_group_name, "newGroupName"))
    return original(self, group_name, new_group_name, new_path)

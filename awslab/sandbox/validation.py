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


PATCHED = ("create_user", "update_user", "create_group", "update_group")


def install(app) -> None:
    create_user = IAMBackend.create_user
    update_user = IAMBackend.update_user
    create_group = IAMBackend.create_group
    update_group = IAMBackend.update_group

    # Same parameter names as moto's methods: moto passes some by keyword.
    def checked_create_user(self, region_name, user_name, path="/", tags=None):
        check(user_name_problems(user_name))
        return create_user(self, region_name, user_name, path=path, tags=tags)

    def checked_update_user(self, user_name, new_path=None, new_user_name=None):
        if new_user_name is not None:
            check(user_name_problems(new_user_name, "newUserName"))
        return update_user(self, user_name, new_path=new_path, new_user_name=new_user_name)

    def checked_create_group(self, group_name, path="/"):
        check(group_name_problems(group_name))
        return create_group(self, group_name, path=path)

    def checked_update_group(self, group_name, new_group_name, new_path):
        if new_group_name is not None:
            check(group_name_problems(new_group_name, "newGroupName"))
        return update_group(self, group_name, new_group_name, new_path)

    IAMBackend.create_user = checked_create_user
    IAMBackend.update_user = checked_update_user
    IAMBackend.create_group = checked_create_group
    IAMBackend.update_group = checked_update_group

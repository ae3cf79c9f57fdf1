"""Console passwords: CreateLoginProfile / UpdateLoginProfile as AWS does them.

AWS keeps `PasswordResetRequired` (GetLoginProfile returns it) and refuses a password
that breaks the account's password policy with `PasswordPolicyViolation`. With no policy
set, AWS's default applies: at least 8 characters, at least three of uppercase letters,
lowercase letters, numbers and symbols (! @ # $ % ^ & * ( ) _ + - = [ ] { } | '), and not
the user's name. moto 5.2.5 drops the flag and accepts any password; its
UpdateLoginProfile also clears the password when only the flag is sent.
"""

from __future__ import annotations

import string

from moto.iam.exceptions import IAMException
from moto.iam.models import IAMBackend

from awslab.sandbox.state import current_param

SYMBOLS = set("!@#$%^&*()_+-=[]{}|'")
DEFAULT_MIN_LENGTH = 8


class PasswordPolicyViolation(IAMException):
    code = "PasswordPolicyViolation"


def violation(backend, user_name: str, password: str) -> str | None:
    """The first rule `password` breaks, in AWS's words, or None."""
    has_upper = any(c in string.ascii_uppercase for c in password)
    has_lower = any(c in string.ascii_lowercase for c in password)
    has_digit = any(c in string.digits for c in password)
    has_symbol = any(c in SYMBOLS for c in password)
    policy = backend.account_password_policy
    if policy is None:
        if len(password) < DEFAULT_MIN_LENGTH:
            return f"Password should have a minimum length of {DEFAULT_MIN_LENGTH}"
        if sum((has_upper, has_lower, has_digit, has_symbol)) < 3:
            return ("Password should have at least three of the following: uppercase letters, "
                    "lowercase letters, numbers and symbols")
        if password.lower() == (user_name or "").lower():
            return "Password should not be the same as the user name"
        return None
    if len(password) < int(policy.minimum_password_length or 6):
        return f"Password should have a minimum length of {policy.minimum_password_length}"
    if policy.require_uppercase_characters and not has_upper:
        return "Password should have at least one uppercase letter"
    if policy.require_lowercase_characters and not has_lower:
        return "Password should have at least one lowercase letter"
    if policy.require_numbers and not has_digit:
        return "Password should have at least one number"
    if policy.require_symbols and not has_symbol:
        return "Password should have at least one symbol"
    return None


def _flag(value) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


PATCHED = ("create_login_profile", "update_login_profile")


def install(app) -> None:
    create = IAMBackend.create_login_profile
    update = IAMBackend.update_login_profile

    def create_login_profile(self, user_name, password):
        user = self.get_user(user_name)
        if not user.password:
            problem = violation(self, user_name, password or "")
            if problem:
                raise PasswordPolicyViolation(problem)
        user = create(self, user_name, password)
        user.password_reset_required = bool(_flag(current_param("PasswordResetRequired")))
        return user

    def update_login_profile(self, user_name, password, password_reset_required=None):
        user = self.get_login_profile(user_name)  # NoSuchEntity first, as AWS
        if password is not None:
            problem = violation(self, user_name, password)
            if problem:
                raise PasswordPolicyViolation(problem)
        flag = _flag(password_reset_required)
        return update(self, user_name,
                      user.password if password is None else password,
                      user.password_reset_required if flag is None else flag)

    IAMBackend.create_login_profile = create_login_profile
    IAMBackend.update_login_profile = update_login_profile

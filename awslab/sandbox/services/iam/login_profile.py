"""Console passwords: CreateLoginProfile / UpdateLoginProfile as AWS does them.

AWS keeps `PasswordResetRequired` (GetLoginProfile returns it) and refuses a password
that breaks the account's password policy with `PasswordPolicyViolation`. With no policy
set, AWS's default applies: at least 8 characters, at least three of uppercase letters,
lowercase letters, numbers and symbols (! @ # $ % ^ & * ( ) _ + - = [ ] { } | '), and not
the user's name. moto 5.2.5 drops the flag and accepts any password; its
UpdateLoginProfile also clears the password when only the flag is sent. A password policy
whose passwords do not expire is answered without MaxPasswordAge, as AWS answers it.

`iam:ChangePassword` (moto has none): an IAM user changes its own password; the old one
is checked, the new one must meet the policy (and not be one of the last
PasswordReusePrevention passwords: "Policy Error: PasswordReusePrevention"), and
PasswordResetRequired is cleared. The gate decides first whether the caller may (the AWS
managed policy IAMUserChangePassword allows it). The credential report's
password_last_changed says when a password was last set (moto: the user's creation time).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import string
import time

from moto.iam.exceptions import IAMException, NoSuchEntity
from moto.iam.models import IAMBackend, User

from awslab.sandbox import patches
from awslab.sandbox.app import aws_error
from awslab.sandbox.state import LOCK, STATE, changed, current_param, iam_backend, iam_xml

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


@patches.wraps(IAMBackend, "create_login_profile")
def create_login_profile(original, self, user_name, password):
    user = self.get_user(user_name)
    if not user.password:
        problem = violation(self, user_name, password or "")
        if problem:
            raise PasswordPolicyViolation(problem)
    user = original(self, user_name, password)
    user.password_reset_required = bool(_flag(current_param("PasswordResetRequired")))
    _password_changed(user_name, password)
    return user


@patches.wraps(IAMBackend, "update_login_profile")
def update_login_profile(original, self, user_name, password, password_reset_required=None):
    user = self.get_login_profile(user_name)  # NoSuchEntity first, as AWS
    if password is not None:
        problem = violation(self, user_name, password)
        if problem:
            raise PasswordPolicyViolation(problem)
    flag = _flag(password_reset_required)
    result = original(self, user_name, user.password if password is None else password,
                      user.password_reset_required if flag is None else flag)
    if password is not None:
        _password_changed(user_name, password)
    return result


@patches.wraps(IAMBackend, "get_account_password_policy")
def get_account_password_policy(original, self):
    """Without MaxPasswordAge, passwords do not expire and AWS leaves the field out (its range
    is 1 to 1095); moto keeps 0 and sends `MaxPasswordAge: 0`, which auditors read as set."""
    policy = original(self)
    if policy.max_password_age:
        return policy
    shown = copy.copy(policy)
    shown.max_password_age = None
    return shown


# When a password was last set and used, and the ones used before (for PasswordReusePrevention).

def _password_changed(user_name: str, password: str) -> None:
    STATE.setdefault("password_changed", {})[user_name] = time.time()
    history = STATE.setdefault("password_history", {}).setdefault(user_name, [])
    history.insert(0, _digest(user_name, password))
    del history[24:]  # AWS remembers at most 24
    changed()


def _digest(user_name: str, password: str) -> str:
    return hashlib.sha256(f"{user_name}\0{password}".encode()).hexdigest()


def reused(backend, user_name: str, password: str) -> bool:
    policy = backend.account_password_policy
    remembered = int(getattr(policy, "password_reuse_prevention", 0) or 0) if policy else 0
    history = STATE.get("password_history", {}).get(user_name, [])[:remembered]
    return _digest(user_name, password) in history


def _csv_date(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(when))


@patches.wraps(User, "to_csv")
def to_csv(original, self) -> str:
    """The credential report's password_last_changed: when the password was set (moto
    writes the user's creation time, also for a user without a password: AWS says N/A)."""
    fields = original(self).rstrip("\n").split(",")
    when = STATE.get("password_changed", {}).get(self.name)
    fields[5] = "N/A" if not self.password else (_csv_date(when) if when else fields[5])
    return ",".join(fields) + "\n"


class WrongOldPassword(IAMException):
    code = "AccessDenied"

    def __init__(self):
        super().__init__("The old password you entered is not correct.")


def set_own_password(backend, user, old_password: str, new_password: str) -> None:
    """ChangePassword's work, once the caller may: the old password checked, the new one
    against the password policy (and its reuse rule), the reset flag cleared;
    NoSuchEntity, WrongOldPassword or PasswordPolicyViolation otherwise."""
    if not user.password:
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    if not hmac.compare_digest((old_password or "").encode(), user.password.encode()):
        raise WrongOldPassword()
    problem = violation(backend, user.name, new_password or "")
    if problem is None and reused(backend, user.name, new_password):
        problem = "Policy Error: PasswordReusePrevention"
    if problem:
        raise PasswordPolicyViolation(problem)
    user.password = new_password
    user.password_reset_required = False
    _password_changed(user.name, new_password)


STATUS = {"NoSuchEntity": 404, "AccessDenied": 403}


def change_password(request):
    """iam:ChangePassword (the gate has already decided the caller may)."""
    caller = request.caller
    if caller.is_root:
        return aws_error(request, 400, "InvalidUserType", "The root user's password is changed "
                         "in the console (account menu, Security credentials), not with "
                         "ChangePassword.")
    old, new = request.params.get("OldPassword"), request.params.get("NewPassword")
    missing = [name for name, value in (("oldPassword", old), ("newPassword", new)) if not value]
    if missing:
        return aws_error(request, 400, "ValidationError", "; ".join(
            f"Value null at '{name}' failed to satisfy constraint: Member must not be null"
            for name in missing))
    backend = iam_backend(caller.account_id)
    with LOCK:
        try:
            set_own_password(backend, backend.get_user(caller.user_name), old, new)
        except IAMException as error:
            return aws_error(request, STATUS.get(error.code, 400), error.code, error.message)
    return iam_xml("ChangePassword")


def install(app) -> None:
    def password_calls(request):
        if request.service == "iam" and request.action == "ChangePassword":
            return change_password(request)
        return None

    app.add_filter(password_calls)

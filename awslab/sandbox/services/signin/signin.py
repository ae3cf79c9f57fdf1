"""The simulated console sign-in: root's and IAM users', as the AWS console does it.

awslab-only HTTP calls (JSON in, JSON out), used through awslab.sandbox_client.

Root (email address, password and MFA on AWS; account.json's console_secret here):

  POST /_awslab/console/root-session  {"console_secret", "mfa_code"}
       -> 200 {"access_key_id": "ASIA...", "secret_access_key", "session_token", "expiration"}
       A console session acting as root (12 hours, or AWSLAB_CONSOLE_SESSION_SECONDS).
       Once root has an MFA device, "mfa_code" (a current code of it, once) is needed:
       without it 401 {"error": "MFACodeRequired", "serial_numbers": [...]}, a wrong one 403
       {"error": "InvalidAuthenticationCode"}. A wrong secret: 403 {"error": "AccessDenied"}.

An IAM user, at the account's sign-in URL (https://<alias or id>.signin.aws.amazon.com/console):

  POST /_awslab/console/sign-in  {"account": <alias or id>, "user_name", "password",
                                  "mfa_code"?, "new_password"?}
       The console's steps, in its order:
       1. account, user name and password: any wrong -> 401 {"error": "AuthenticationFailed",
          "message": "Your authentication information is incorrect. Please try again."}
       2. a user with an MFA device: without "mfa_code" -> 200 {"next": "mfa_code"}; a wrong
          or used code -> 403 {"error": "InvalidAuthenticationCode"}
       3. a required password reset: without "new_password" -> 200 {"next": "new_password",
          "rules": [...], "pending": <token>}; the next call sends {"pending", "new_password"}
          instead of the password and code (valid 5 minutes: an MFA code counts once);
          ChangePassword as this user: the gate decides (refused
          where AWS refuses it: 403 {"error": "AccessDenied", "message": "Either user is not
          authorized to perform iam:ChangePassword or ..."}), then the password policy
          (400 {"error": "PasswordPolicyViolation"})
       4. signed in: PasswordLastUsed (GetUser, the credential report) is now, and
          200 {"signed_in": true, "arn", "access_key_id", "secret_access_key",
          "session_token", "expiration"}: a console session acting as the user.

The simulated authenticator app (the learner's phone, in the sandbox):

  POST /_awslab/authenticator/code  {"console_secret", "serial_number"}
       -> 200 {"code", "seconds_left"}: a code of that virtual MFA device the sandbox will
       accept (the current one, or the next when the current one was just used, so a
       headless run rarely waits); when both were used, 409 {"error": "TryAgain",
       "wait_seconds"} until the next one appears. Only the account's owner (console_secret)
       asks.

Guessing is throttled (throttle.py): five wrong passwords, console secrets or MFA codes in a
row for one user (or root, or one MFA device), or a burst of them from one client address,
and further attempts, right or wrong, are refused for a while:
429 {"error": "Throttling", "message", "wait_seconds"}.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time

import pyotp
from moto.core.utils import utcnow
from moto.iam.exceptions import IAMException

from awslab.sandbox import gate, throttle
from awslab.sandbox.app import Caller, SandboxCallError, json_body, json_response
from awslab.sandbox.services.iam import login_profile, mfa
from awslab.sandbox.services.iam.root_user import root_devices
from awslab.sandbox.services.sts import sessions
from awslab.sandbox.state import LOCK, STATE, changed, iam_backend, iso

CONSOLE_SESSION_SECONDS = 12 * 3600
PENDING_SECONDS = 300
_pending: dict[str, dict] = {}  # a sign-in waiting for its new password: token -> user, mfa
INCORRECT = "Your authentication information is incorrect. Please try again."
NOT_CHANGED = ("Either user is not authorized to perform iam:ChangePassword or entered password "
               "does not comply with account password policy set by administrator.")


def console_session_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get("AWSLAB_CONSOLE_SESSION_SECONDS") or CONSOLE_SESSION_SECONDS))
    except ValueError:
        return float(CONSOLE_SESSION_SECONDS)


ROOT_GUESSES = "console secrets or MFA codes"
USER_GUESSES = "passwords or MFA codes"


def _owner(account, data: dict, keys: list[str]) -> None:
    """The console secret checked (throttled: `keys`, throttle.py)."""
    throttle.guard(keys, ROOT_GUESSES)
    given = str(data.get("console_secret") or "")
    if not given or not hmac.compare_digest(given.encode(), account.console_secret.encode()):
        throttle.failed(keys)
        raise SandboxCallError("AccessDenied", "The root user's console sign-in was refused: "
                               "the console secret is wrong.", 403)


def _credentials(key: str, record: dict) -> dict:
    return {"access_key_id": key, "secret_access_key": record["secret_access_key"],
            "session_token": record["session_token"], "expiration": iso(record["expires"])}


def _mfa(serials: list[str], code, keys: list[str], guesses: str) -> bool:
    """True when some device's code is `code` (and marks it used); a missing code raises.
    Throttled against `keys` and each device (throttle.py); a right code clears them."""
    if not code:
        raise SandboxCallError("MFACodeRequired", "Enter the 6-digit code from the MFA device.", 401,
                               serial_numbers=serials)
    keys = [f"mfa:{serial}" for serial in serials] + keys
    throttle.guard(keys, guesses)
    if not any(sessions.check_code(serial, str(code)) for serial in serials):
        throttle.failed(keys)
        raise SandboxCallError("InvalidAuthenticationCode", "The MFA code is not valid (or was "
                               "already used): wait for the next code and try again.", 403)
    throttle.passed(keys)
    return True


def root_session(account):
    def answer(request):
        data = json_body(request)
        keys = throttle.keys(request.environ, "signin:root")
        _owner(account, data, keys)
        with LOCK:
            serials = [s for s, entry in root_devices().items() if entry.get("enabled")]
            used_mfa = _mfa(serials, data.get("mfa_code"), keys, ROOT_GUESSES) if serials else False
            throttle.passed(keys)
            key, record = sessions.issue("root", None, "console", console_session_seconds(),
                                         mfa=used_mfa)
            # The credential report's and GetUser's PasswordLastUsed for root (root_user.py).
            STATE["root_password_last_used"] = int(time.time())
            changed()
        return json_response(_credentials(key, record))

    return answer


def user_sign_in(account):
    def answer(request):
        data = json_body(request)
        backend = iam_backend(account.account_id)
        with LOCK:
            pending = _resume(data.get("pending"))
            if pending is not None:
                user, used_mfa = backend.users.get(pending["user_name"]), pending["mfa"]
                password = user.password if user is not None else ""
                if user is None:
                    raise SandboxCallError("AuthenticationFailed", INCORRECT, 401)
            else:
                user, password, used_mfa = _first_steps(account, backend, data, request.environ)
                if isinstance(user, dict):  # the console asks for the MFA code first
                    return json_response(user)
            if user.password_reset_required:
                new = data.get("new_password")
                if not new:
                    token = secrets.token_urlsafe(24)
                    _pending[token] = {"user_name": user.name, "mfa": used_mfa,
                                       "expires": time.time() + PENDING_SECONDS}
                    return json_response({"next": "new_password", "pending": token,
                                          "rules": password_rules(backend)})
                caller = Caller("user", account.account_id, "console", user.name, user.id,
                                user.path, {"mfa": used_mfa, "origin": "console",
                                            "issued": time.time(), "mfa_time": None})
                try:
                    gate.decide(caller, "iam", "ChangePassword", {})
                except gate.Refusal:
                    raise SandboxCallError("AccessDenied", NOT_CHANGED, 403) from None
                try:
                    login_profile.set_own_password(backend, user, password, str(new))
                except IAMException as error:
                    raise SandboxCallError(error.code, f"{NOT_CHANGED} ({error.message})",
                                           400) from None
            _pending.pop(str(data.get("pending") or ""), None)
            user.password_last_used = utcnow().replace(microsecond=0)  # AWS: whole seconds
            changed()
            key, record = sessions.issue("user", user.name, "console", console_session_seconds(),
                                         mfa=used_mfa)
        return json_response(dict(_credentials(key, record), signed_in=True, arn=user.arn))

    return answer


def _resume(token) -> dict | None:
    """A sign-in that passed its password and MFA steps and waits for a new password."""
    now = time.time()
    for key in [k for k, v in _pending.items() if v["expires"] <= now]:
        del _pending[key]
    if not token:
        return None
    pending = _pending.get(str(token))
    if pending is None:
        raise SandboxCallError("SessionExpired", "This sign-in has expired: sign in again.", 401)
    return pending


def _first_steps(account, backend, data: dict, environ: dict):
    """Account, user name and password, then the MFA code: (user, password, used_mfa), or
    the console's next question as a dict. Throttled per user name and client (throttle.py):
    the count is cleared only by a whole sign-in (password and, with a device, its code)."""
    named = str(data.get("account") or "").strip().lower()
    name = str(data.get("user_name") or "")
    keys = throttle.keys(environ, "signin:user:" + name[:128].lower())
    throttle.guard(keys, USER_GUESSES)
    user = backend.users.get(name)
    password = str(data.get("password") or "")
    right_account = named in (account.account_id, *backend.account_aliases)
    if not (right_account and user is not None and user.password
            and hmac.compare_digest(password.encode(), user.password.encode())):
        throttle.failed(keys)
        raise SandboxCallError("AuthenticationFailed", INCORRECT, 401)
    if not user.mfa_devices:
        throttle.passed(keys)
        return user, password, False
    if not data.get("mfa_code"):
        return {"next": "mfa_code"}, password, False
    return user, password, _mfa(list(user.mfa_devices), data.get("mfa_code"), keys, USER_GUESSES)


def password_rules(backend) -> list[str]:
    """The account's password rules, as the console lists them when a new one is chosen."""
    rules = backend.account_password_policy
    if rules is None:
        return [f"At least {login_profile.DEFAULT_MIN_LENGTH} characters",
                "At least three of: uppercase letters, lowercase letters, numbers, symbols",
                "Not the same as the user name"]
    found = [f"At least {rules.minimum_password_length} characters"]
    for flag, text in ((rules.require_uppercase_characters, "An uppercase letter (A-Z)"),
                       (rules.require_lowercase_characters, "A lowercase letter (a-z)"),
                       (rules.require_numbers, "A number (0-9)"),
                       (rules.require_symbols, "A symbol (! @ # $ % ^ & * ( ) _ + - = [ ] { } | ')")):
        if flag:
            found.append(text)
    if rules.password_reuse_prevention:
        found.append(f"Not one of your last {rules.password_reuse_prevention} passwords")
    return found


def authenticator_code(account):
    def answer(request):
        data = json_body(request)
        _owner(account, data, throttle.keys(request.environ, "signin:root"))
        serial = str(data.get("serial_number") or "")
        device = iam_backend(account.account_id).virtual_mfa_devices.get(serial)
        seed = getattr(device, "base32_string_seed", None)
        if device is None or not seed:
            raise SandboxCallError("NoSuchEntity", f"The simulated authenticator has no device "
                                   f"{serial!r}.", 404)
        now = time.time()
        step = int(now // mfa.STEP)
        last = device.awslab_last_step
        if last is not None and last >= step:
            step = last + 1
        if step > int(now // mfa.STEP) + 1:  # both the current and the next code are used
            wait = max(0.0, (step - 1) * mfa.STEP - now) + 0.05
            raise SandboxCallError("TryAgain", "Both codes the device shows now were used: a new "
                                   f"one appears in {wait:.0f} s.", 409, wait_seconds=wait)
        return json_response({"code": pyotp.TOTP(seed).at(step * mfa.STEP),
                              "seconds_left": int((step + 1) * mfa.STEP - now)})

    return answer


def install(app) -> None:
    account = app.account
    app.route("/_awslab/console/root-session", root_session(account))
    app.route("/_awslab/console/sign-in", user_sign_in(account))
    app.route("/_awslab/authenticator/code", authenticator_code(account))

"""Temporary credentials, as STS and the console give them: sessions.

A session is an access key id (ASIA...), a secret and a session token, valid until its
expiration, acting for root or for one IAM user. AWS makes them in three ways, and so
does the sandbox:

- `sts:GetSessionToken` (an AWS API call, signed with a long-term access key): for an IAM
  user 900 to 129,600 seconds (default 43,200), for root at most 3,600. With
  `SerialNumber` and `TokenCode` (a code of the caller's MFA device, checked like
  EnableMFADevice checks codes; a code once used is not accepted again) the session
  carries MFA: `aws:MultiFactorAuthPresent` is true and `aws:MultiFactorAuthAge` counts
  from then. A wrong code: 403 AccessDenied "MultiFactorAuthentication failed with invalid
  MFA one time pass code." AWS's limits on such sessions: no IAM call without MFA
  (InvalidClientTokenId), and no STS call but GetCallerIdentity and AssumeRole
  ("Cannot call GetSessionToken with session credentials"). No permission is needed to
  call it, as on AWS. Guessing codes is throttled per MFA device and client address
  (throttle.py): after five wrong codes in a row the device's codes are refused, right or
  wrong, with `Throttling` "Rate exceeded" (HTTP 400, as AWS answers a throttled call) for
  a while that grows with each further wrong code.
- the console sign-in of root or of an IAM user (signin.py): a console session.

GetCallerIdentity with a session's key names the root user or the IAM user it acts for.
Sessions live in STATE["sessions"] (saved with the account by persistence.py); a day
after they expire they are forgotten (when a new one is issued).
"""

from __future__ import annotations

import re
import secrets
import time

from moto.sts.models import STSBackend

from awslab.sandbox import patches, throttle
from awslab.sandbox.account import new_access_key_id, new_secret_access_key
from awslab.sandbox.app import aws_error
from awslab.sandbox.services.iam import mfa
from awslab.sandbox.services.iam.root_user import root_devices
from awslab.sandbox.state import LOCK, STATE, changed, iam_backend, iso, sandbox_account, xml_escape

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
USER_SECONDS = (900, 129600, 43200)   # min, max, default
ROOT_SECONDS = (900, 3600, 3600)
WRONG_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
NO_DEVICE = "MultiFactorAuthentication failed, unable to validate MFA code."
SESSION_STS = "Cannot call GetSessionToken with session credentials"
FORGET_AFTER = 24 * 3600  # an expired session still answers ExpiredToken for a day
_SERIAL = re.compile(r"[\w+=/:,.@-]{9,256}")
_CODE = re.compile(r"\d{6}")


def all_sessions() -> dict:
    """access key id -> {"secret_access_key", "session_token", "kind": "root" | "user",
    "user_name", "origin": "console" | "GetSessionToken", "mfa": bool, "mfa_time",
    "issued", "expires"}."""
    sessions = STATE.setdefault("sessions", {})
    old = STATE.pop("console_sessions", None)  # the store's name before user sessions existed
    for key, record in (old or {}).items():
        sessions.setdefault(key, dict(record, kind="root", user_name=None, origin="console",
                                      mfa=False, mfa_time=None))
    return sessions


def find(access_key: str | None) -> dict | None:
    """The session with this key id (expired or not), or None."""
    return all_sessions().get(access_key or "")


def issue(kind: str, user_name: str | None, origin: str, seconds: float, *, mfa: bool = False,
          now: float | None = None) -> tuple[str, dict]:
    """A new session (and the expired ones forgotten)."""
    now = time.time() if now is None else now
    with LOCK:
        sessions = all_sessions()
        for key in [k for k, s in sessions.items() if s["expires"] + FORGET_AFTER <= now]:
            del sessions[key]
        key = new_access_key_id("ASIA")
        record = {"secret_access_key": new_secret_access_key(),
                  "session_token": secrets.token_urlsafe(96), "kind": kind,
                  "user_name": user_name, "origin": origin, "mfa": mfa,
                  "mfa_time": now if mfa else None, "issued": now, "expires": now + seconds}
        sessions[key] = record
        changed()
    return key, record


def issue_role(role, session_name: str, seconds: float, *, now: float | None = None) -> tuple[str, dict]:
    """A session of an IAM role (as AssumeRole and IAM Identity Center's GetRoleCredentials
    give): it acts as `arn:aws:sts::<account>:assumed-role/<role>/<session_name>`."""
    key, record = issue("role", None, "GetRoleCredentials", seconds, now=now)
    with LOCK:
        record.update(role_name=role.name, role_arn=role.arn, role_id=role.id, role_path=role.path,
                      session_name=session_name)
        changed()
    return key, record


def forget_role(role_name: str) -> None:
    """A deleted role's sessions stop working at once."""
    with LOCK:
        sessions = all_sessions()
        for key in [k for k, s in sessions.items() if s.get("role_name") == role_name]:
            del sessions[key]


def forget_user(user_name: str) -> None:
    """A deleted user's sessions stop working at once."""
    with LOCK:
        sessions = all_sessions()
        for key in [k for k, s in sessions.items() if s.get("user_name") == user_name]:
            del sessions[key]


def check_code(device_serial: str, code: str, now: float | None = None) -> bool:
    """Whether `code` is a current code of this virtual MFA device not used before; a
    good code is marked used (AWS accepts each code once)."""
    device = iam_backend(sandbox_account().account_id).virtual_mfa_devices.get(device_serial)
    seed = getattr(device, "base32_string_seed", None)
    if device is None or not seed or not _CODE.fullmatch(str(code or "")):
        return False
    step = mfa.code_step(seed, str(code), device.awslab_last_step, now)
    if step is None:
        return False
    device.awslab_last_step = step
    changed()
    return True


def caller_devices(caller) -> list[str]:
    """Serial numbers of the MFA devices assigned to the caller (root or an IAM user)."""
    if caller.is_root:
        return [serial for serial, entry in root_devices().items() if entry.get("enabled")]
    user = iam_backend(caller.account_id).users.get(caller.user_name)
    return list(user.mfa_devices) if user is not None else []


def _seconds(request, caller) -> int | str:
    low, high, default = ROOT_SECONDS if caller.is_root else USER_SECONDS
    given = request.params.get("DurationSeconds")
    if given is None:
        return default
    try:
        value = int(given)
    except ValueError:
        return f"Value '{given}' at 'durationSeconds' failed to satisfy constraint: Member must be a number"
    if value < 900:
        return (f"Value '{value}' at 'durationSeconds' failed to satisfy constraint: Member must "
                "have value greater than or equal to 900")
    if value > USER_SECONDS[1]:
        return (f"Value '{value}' at 'durationSeconds' failed to satisfy constraint: Member must "
                f"have value less than or equal to {USER_SECONDS[1]}")
    return min(value, high)  # root's sessions are capped at an hour, silently, as on AWS


def get_session_token(request):
    caller = request.caller
    if caller.session is not None:
        return aws_error(request, 403, "AccessDenied", SESSION_STS)
    seconds = _seconds(request, caller)
    if isinstance(seconds, str):
        return aws_error(request, 400, "ValidationError", "1 validation error detected: " + seconds)
    serial, code = request.params.get("SerialNumber"), request.params.get("TokenCode")
    if (serial is None) != (code is None):
        return aws_error(request, 400, "ValidationError",
                         "SerialNumber and TokenCode must be given together.")
    if code is not None and not _CODE.fullmatch(code):
        return aws_error(request, 400, "ValidationError",
                         f"1 validation error detected: Value '{xml_escape(code)}' at 'tokenCode' "
                         "failed to satisfy constraint: Member must satisfy regular expression "
                         "pattern: [\\d]*")
    with LOCK:
        if serial is not None:
            if not _SERIAL.fullmatch(serial) or serial not in caller_devices(caller):
                return aws_error(request, 403, "AccessDenied", NO_DEVICE)
            keys = throttle.keys(request.environ, f"mfa:{serial}")
            locked = throttle.wait(keys)
            if locked:  # the code is not judged (a right one is not used up)
                return throttle.refusal(request, locked)
            if not check_code(serial, code):
                throttle.failed(keys)
                return aws_error(request, 403, "AccessDenied", WRONG_CODE)
            throttle.passed(keys)
        key, record = issue(caller.kind, caller.user_name, "GetSessionToken", seconds,
                            mfa=serial is not None)
    result = (f"<Credentials><AccessKeyId>{key}</AccessKeyId>"
              f"<SecretAccessKey>{record['secret_access_key']}</SecretAccessKey>"
              f"<SessionToken>{record['session_token']}</SessionToken>"
              f"<Expiration>{iso(record['expires'])}</Expiration></Credentials>")
    return sts_xml("GetSessionToken", result)


def sts_xml(action: str, result: str):
    import uuid

    from werkzeug.wrappers import Response

    request_id = str(uuid.uuid4())
    body = (f'<{action}Response xmlns="{STS_NS}"><{action}Result>{result}</{action}Result>'
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
            f"</{action}Response>")
    return Response(body, status=200, content_type="text/xml",
                    headers={"x-amzn-RequestId": request_id})


def install(app) -> None:
    def sts_calls(request):
        if request.service == "sts" and request.action == "GetSessionToken":
            return get_session_token(request)
        return None

    app.add_filter(sts_calls)


@patches.wraps(STSBackend, "get_caller_identity")
def get_caller_identity(original, self, access_key_id, region):
    account = sandbox_account()
    session = find(access_key_id)
    if account.root_key(access_key_id) is not None or (session and session["kind"] == "root"):
        return account.account_id, account.root_arn, account.account_id
    if session is not None and session["kind"] == "role":
        return (f"{session['role_id']}:{session['session_name']}",
                f"arn:aws:sts::{account.account_id}:assumed-role/{session['role_name']}/"
                f"{session['session_name']}", account.account_id)
    if session is not None:
        user = iam_backend(account.account_id).users.get(session["user_name"])
        if user is not None:
            return user.id, user.arn, user.account_id
    return original(self, access_key_id, region)

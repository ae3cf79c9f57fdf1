"""The sandbox's simulated console, from Python: root MFA, console sign-in, the authenticator.

AWS lets root enable MFA only in the console, and people sign in to the console with a
password (and MFA), not with access keys. The sandbox offers the same steps as
awslab-only HTTP calls (root_user.py, signin.py); these functions make them.

Root MFA, signed (SigV4) with a connected sandbox Lab's credentials, which must be root's:

    device = create_root_virtual_mfa(lab, "my-phone")
    # device: {"serial_number", "seed", "qr_png_base64", "otpauth_uri"} - secrets, show once
    enable_root_mfa(lab, device["serial_number"], code1, code2)   # two consecutive codes
    root_mfa_status(lab)  # {"account_id", "mfa_enabled", "devices": [{"serial_number", ...}]}

Console sign-in (gives temporary credentials, not an access key; secrets, never display):

    root_console_session(endpoint, console_secret, mfa_code=None)
    sign_in_as_user(endpoint, account, user_name, password, mfa_code=None, new_password=None)
        # {"next": "mfa_code" | "new_password", ...} or {"signed_in": True, "arn", credentials}
    authenticator_code(endpoint, console_secret, serial_number)   # the simulated phone

Each raises awslab.errors.LabError with one sentence (and .code, e.g.
"InvalidAuthenticationCode") when the sandbox refuses or cannot be reached.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from awslab.errors import Code, LabError, SandboxDown, throttled_sentence

TIMEOUT = 10.0
ROOT_SESSION = "/_awslab/console/root-session"
SIGN_IN = "/_awslab/console/sign-in"
AUTHENTICATOR = "/_awslab/authenticator/code"

HINTS = {
    "InvalidAuthenticationCode": " Type the codes your authenticator app shows now (for two "
                                 "codes, wait for the second one to appear), then try again.",
    "AccessDenied": " Only the root user can do this: the lab is not signed in as root.",
}


def _signed(lab, path: str, payload: dict | None = None) -> dict:
    """A console call made as the lab's identity (signed like an AWS request)."""
    if getattr(lab, "target", None) != "sandbox" or not getattr(lab, "endpoint_url", None):
        raise LabError("The simulated console exists only in the sandbox: connect with "
                       "awslab.connect('sandbox'); on a real account, use the AWS console.",
                       code=Code.NotSandbox)
    credentials = lab.session.get_credentials()
    return _request(lab.endpoint_url, path, payload,
                    credentials=credentials.get_frozen_credentials() if credentials else None,
                    region=lab.region)


def _request(endpoint: str, path: str, payload: dict | None = None, *, credentials=None,
             region: str = "us-east-1", hints: dict | None = None) -> dict:
    from awslab.sandbox.ownership import endpoint_for

    # Passwords and the console secret go only to this home's own sandbox (ownership.py).
    url = endpoint_for(endpoint) + path
    data = None if payload is None else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"} if data is not None else {}
    method = "GET" if data is None else "POST"
    if credentials is not None:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        signed = AWSRequest(method=method, url=url, data=data, headers=headers)
        SigV4Auth(credentials, "awslab", region).add_auth(signed)
        headers = dict(signed.headers.items())
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            detail = json.loads(error.read() or b"{}")
        except ValueError:
            detail = {}
        code = detail.get("error") or f"HTTP{error.code}"
        if code == Code.Throttling:  # too many wrong passwords or codes (throttle.py)
            guesses = "MFA codes" if path.startswith("/_awslab/root-mfa/") else "passwords or MFA codes"
            refused = LabError(throttled_sentence(detail.get("wait_seconds"), guesses), code=code)
            refused.details = detail
            raise refused from None
        message = detail.get("message") or f"the sandbox answered HTTP {error.code}"
        hint = {**HINTS, **(hints or {})}.get(code, "")
        refused = LabError(f"The sandbox refused: {message.rstrip('.')}.{hint}", code=code)
        refused.details = detail  # e.g. the serial numbers of the MFA devices asked for
        raise refused from None
    except (OSError, ValueError) as error:
        raise SandboxDown(f"The sandbox did not answer ({error}): start it with "
                          "`awslab sandbox start` and run the cell again.") from None


def root_console_session(endpoint: str, console_secret: str, mfa_code: str | None = None) -> dict:
    """Sign in to the simulated console as root: temporary credentials {"access_key_id",
    "secret_access_key", "session_token", "expiration"} (secrets: never display them).
    Once root has an MFA device, `mfa_code` is one of its current codes."""
    payload = {"console_secret": console_secret}
    if mfa_code:
        payload["mfa_code"] = str(mfa_code)
    return _request(endpoint, ROOT_SESSION, payload, hints={
        "AccessDenied": " The console secret in the sandbox's account.json does not match the "
                        "running sandbox: run `awslab sandbox stop` and start it again."})


def sign_in_as_user(endpoint: str, account: str, user_name: str, password: str,
                    mfa_code: str | None = None, new_password: str | None = None,
                    pending: str | None = None) -> dict:
    """One step of an IAM user's console sign-in (see signin.py): the next thing the console
    asks for ({"next": "mfa_code"} or {"next": "new_password", "rules": [...], "pending"}),
    or {"signed_in": True, "arn", "access_key_id", "secret_access_key", "session_token",
    "expiration"}. After "new_password", send `pending` with the new password."""
    payload = {"account": account, "user_name": user_name, "password": password}
    for name, value in (("mfa_code", mfa_code), ("new_password", new_password),
                        ("pending", pending)):
        if value:
            payload[name] = str(value)
    return _request(endpoint, SIGN_IN, payload, hints={"AccessDenied": ""})


def authenticator_code(endpoint: str, console_secret: str, serial_number: str, *,
                       wait: bool = True) -> str:
    """The code the simulated authenticator app shows for this device now (one the sandbox
    will accept). When the codes it shows were just used (AWS accepts each once), it waits
    for the next one to appear (at most 30 s), unless `wait` is False (LabError "TryAgain")."""
    import time

    payload = {"console_secret": console_secret, "serial_number": serial_number}
    try:
        return str(_request(endpoint, AUTHENTICATOR, payload)["code"])
    except LabError as error:
        delay = getattr(error, "details", {}).get("wait_seconds")
        if not wait or error.code != "TryAgain" or delay is None:
            raise
    time.sleep(min(float(delay), 31.0))
    return str(_request(endpoint, AUTHENTICATOR, payload)["code"])


def create_root_virtual_mfa(lab, device_name: str = "root-account-mfa-device") -> dict:
    """A new virtual MFA device for root: {"serial_number", "seed", "qr_png_base64", "otpauth_uri"}."""
    return _signed(lab, "/_awslab/root-mfa/create", {"device_name": device_name})


def enable_root_mfa(lab, serial_number: str, code1: str, code2: str) -> dict:
    """Assign the device to root after two consecutive codes: {"serial_number", "enabled": True}."""
    return _signed(lab, "/_awslab/root-mfa/enable",
                   {"serial_number": serial_number, "code1": str(code1), "code2": str(code2)})


def root_mfa_status(lab) -> dict:
    """{"account_id", "mfa_enabled": bool, "devices": [{"serial_number", "enabled", "enable_date"}]}."""
    return _signed(lab, "/_awslab/root-mfa/status")

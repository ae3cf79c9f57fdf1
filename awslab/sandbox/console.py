"""The sandbox's simulated console for root MFA, from Python (notebook 01).

AWS lets root enable MFA only in the console; the sandbox offers the same steps as
awslab-only HTTP calls (see root_user.py). These functions call them for a connected
sandbox Lab, signed with the Lab's root access key id:

    device = create_root_virtual_mfa(lab, "my-phone")
    # device: {"serial_number", "seed", "qr_png_base64", "otpauth_uri"} - secrets, show once
    enable_root_mfa(lab, device["serial_number"], code1, code2)   # two consecutive codes
    root_mfa_status(lab)  # {"account_id", "mfa_enabled", "devices": [{"serial_number", ...}]}

Signing in to the console as root (email, password, MFA on AWS; account.json's
console_secret in the sandbox) gives temporary credentials, not an access key:

    root_console_session()  # {"access_key_id": "ASIA...", "secret_access_key",
                            #  "session_token", "expiration"} - secrets, valid 12 hours

Each raises awslab.errors.LabError with one sentence (and .code, e.g.
"InvalidAuthenticationCode") when the sandbox refuses or cannot be reached.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from awslab.errors import LabError

TIMEOUT = 10.0


def _call(lab, path: str, payload: dict | None = None) -> dict:
    if getattr(lab, "target", None) != "sandbox" or not getattr(lab, "endpoint_url", None):
        raise LabError("The simulated console exists only in the sandbox: connect with "
                       "awslab.connect('sandbox'); on a real account, use the AWS console.",
                       code="NotSandbox")
    if payload is not None:
        credentials = lab.session.get_credentials()
        payload = dict(payload, access_key_id=credentials.access_key if credentials else None)
    return _request(lab.endpoint_url, path, payload)


def _request(endpoint: str, path: str, payload: dict | None = None) -> dict:
    url = endpoint.rstrip("/") + path
    if payload is None:
        request = urllib.request.Request(url, method="GET")
    else:
        request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            detail = json.loads(error.read() or b"{}")
        except ValueError:
            detail = {}
        code = detail.get("error") or f"HTTP{error.code}"
        message = detail.get("message") or f"the sandbox answered HTTP {error.code}"
        hints = {
            "InvalidAuthenticationCode": " Type two codes in a row from your authenticator app "
                                         "(wait for the second one to appear), then try again.",
            "AccessDenied": " Only the root user can do this: the lab is not signed in as root.",
        }
        if path == ROOT_SESSION:
            hints["AccessDenied"] = (" The console secret in the sandbox's account.json does not match "
                                     "the running sandbox: run `awslab sandbox stop` and start it again.")
        raise LabError(f"The sandbox refused: {message.rstrip('.')}.{hints.get(code, '')}",
                       code=code) from None
    except (OSError, ValueError) as error:
        raise LabError(f"The sandbox did not answer ({error}): start it with "
                       "`awslab sandbox start` and run the cell again.", code="SandboxDown") from None


ROOT_SESSION = "/_awslab/console/root-session"


def root_console_session(endpoint: str | None = None) -> dict:
    """Sign in to the simulated console as root: temporary credentials {"access_key_id",
    "secret_access_key", "session_token", "expiration"} (secrets: never display them).
    `endpoint` defaults to this AWSLAB_HOME's running sandbox."""
    from awslab.sandbox.account import Account
    from awslab.sandbox.process import ensure_running

    endpoint = endpoint or ensure_running().endpoint
    account = Account.load()
    if account is None:
        raise LabError("The sandbox has no account yet: run `awslab sandbox start`.", code="NoAccount")
    return _request(endpoint, ROOT_SESSION, {"console_secret": account.console_secret})


def create_root_virtual_mfa(lab, device_name: str = "root-account-mfa-device") -> dict:
    """A new virtual MFA device for root: {"serial_number", "seed", "qr_png_base64", "otpauth_uri"}."""
    return _call(lab, "/_awslab/root-mfa/create", {"device_name": device_name})


def enable_root_mfa(lab, serial_number: str, code1: str, code2: str) -> dict:
    """Assign the device to root after two consecutive codes: {"serial_number", "enabled": True}."""
    return _call(lab, "/_awslab/root-mfa/enable",
                 {"serial_number": serial_number, "code1": str(code1), "code2": str(code2)})


def root_mfa_status(lab) -> dict:
    """{"account_id", "mfa_enabled": bool, "devices": [{"serial_number", "enabled", "enable_date"}]}."""
    return _call(lab, "/_awslab/root-mfa/status")

"""The sandbox's simulated console for root MFA, from Python (notebook 01).

AWS lets root enable MFA only in the console; the sandbox offers the same steps as
awslab-only HTTP calls (see root_user.py). These functions call them for a connected
sandbox Lab, signed with the Lab's root access key id:

    device = create_root_virtual_mfa(lab, "my-phone")
    # device: {"serial_number", "seed", "qr_png_base64", "otpauth_uri"} - secrets, show once
    enable_root_mfa(lab, device["serial_number"], code1, code2)   # two consecutive codes
    root_mfa_status(lab)  # {"account_id", "mfa_enabled", "devices": [{"serial_number", ...}]}

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
    url = lab.endpoint_url.rstrip("/") + path
    if payload is None:
        request = urllib.request.Request(url, method="GET")
    else:
        credentials = lab.session.get_credentials()
        body = dict(payload, access_key_id=credentials.access_key if credentials else None)
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
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
        raise LabError(f"The sandbox refused: {message.rstrip('.')}.{hints.get(code, '')}",
                       code=code) from None
    except (OSError, ValueError) as error:
        raise LabError(f"The sandbox did not answer ({error}): start it with "
                       "`awslab sandbox start` and run the cell again.", code="SandboxDown") from None


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

"""Virtual MFA devices as AWS makes them: a real seed, a real QR code, real TOTP checks.

AWS: CreateVirtualMFADevice returns `Base32StringSeed` (a base32 TOTP secret) and
`QRCodePNG`, a PNG of the URI
`otpauth://totp/Amazon%20Web%20Services:<device name>@<alias or account id>?secret=...&issuer=Amazon%20Web%20Services`;
EnableMFADevice accepts only two consecutive valid codes of that device (the usual one
step of clock drift allowed either way), otherwise `InvalidAuthenticationCode`
("Authentication code for device is not valid."); a pair used once is not accepted again.
ListVirtualMFADevices does not show seeds or QR codes (AWS shows them once, at creation).
moto 5.2.5 returns 64 random bytes as the PNG, accepts any codes and lists the seeds.

Guessing a device's codes is throttled (throttle.py): after five wrong pairs in a row for one
device (or a burst from one client address), EnableMFADevice is answered `Throttling` "Rate
exceeded" (HTTP 400, `Retry-After`) without judging the codes, for a while that grows.
"""

from __future__ import annotations

import base64
import copy as _copy
import re
import secrets
import struct
import time
import zlib
from datetime import datetime, timezone

import pyotp
from moto.iam.exceptions import EntityAlreadyExists, IAMException
from moto.iam.models import IAMBackend

from awslab.sandbox import patches, throttle
from awslab.sandbox.state import STATE, current

ISSUER = "Amazon Web Services"
STEP = 30
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CODE = re.compile(r"\d{6}")


class InvalidAuthenticationCode(IAMException):
    code = "InvalidAuthenticationCode"

    def __init__(self, message: str = "Authentication code for device is not valid."):
        super().__init__(message)


def new_seed() -> str:
    return "".join(secrets.choice(_B32) for _ in range(64))


def otpauth_uri(seed: str, device_name: str, account_label: str) -> str:
    return pyotp.TOTP(seed).provisioning_uri(name=f"{device_name}@{account_label}",
                                             issuer_name=ISSUER)


def qr_png(uri: str, scale: int = 10) -> bytes:
    """A PNG of the QR code of `uri` (black on white, 10 pixels a module, a 4-module border,
    as qrcode.make draws it), written here: qrcode's own PNG needs Pillow, whose libraries
    would stay in the sandbox's memory (3 MB per learner) for one image per device."""
    qr = _qrcode().QRCode(border=4)
    qr.add_data(uri)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    rows = []
    for modules in matrix:  # 1-bit grey rows, each after filter byte 0: white 1, black 0
        bits = "".join(("0" if dark else "1") * scale for dark in modules)
        bits += "1" * (-len(bits) % 8)
        rows.append(b"\0" + int(bits, 2).to_bytes(len(bits) // 8, "big"))
    size = len(matrix) * scale
    pixels = b"".join(row for row in rows for _ in range(scale))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixels, 9)) + chunk(b"IEND", b""))


def _qrcode():
    """qrcode, imported without Pillow: qrcode imports Pillow's drawers when Pillow is
    installed (for styled images) and does without them when it is not."""
    import sys

    if "qrcode" in sys.modules or "PIL" in sys.modules:
        import qrcode

        return qrcode
    sys.modules["PIL"] = None  # "not installed", for this import only
    try:
        import qrcode
    finally:
        del sys.modules["PIL"]
    return qrcode


def check_codes(seed: str, code1, code2, last_step: int | None = None, now: float | None = None) -> int:
    """The time step of code2 when code1, code2 are two consecutive codes of `seed` around now
    (one step of drift either way); InvalidAuthenticationCode otherwise, also for a pair at or
    before `last_step` (already used)."""
    code1, code2 = str(code1 or "").strip(), str(code2 or "").strip()
    if not (_CODE.fullmatch(code1) and _CODE.fullmatch(code2)):
        raise InvalidAuthenticationCode()
    totp = pyotp.TOTP(seed)
    counter = int((time.time() if now is None else now) // STEP)
    for first in (counter - 1, counter - 2, counter):
        if totp.at(first * STEP) == code1 and totp.at((first + 1) * STEP) == code2:
            if last_step is not None and first + 1 <= last_step:
                raise InvalidAuthenticationCode()
            return first + 1
    raise InvalidAuthenticationCode()


def code_step(seed: str, code: str, last_step: int | None = None, now: float | None = None) -> int | None:
    """The time step of one current code of `seed` (one step of drift either way), or None
    for a wrong code or one at or before `last_step` (already used)."""
    if not _CODE.fullmatch(str(code or "")):
        return None
    totp = pyotp.TOTP(seed)
    counter = int((time.time() if now is None else now) // STEP)
    for step in (counter, counter - 1, counter + 1):
        if totp.at(step * STEP) == code:
            return None if last_step is not None and step <= last_step else step
    return None


def account_label(backend) -> str:
    return backend.account_aliases[0] if backend.account_aliases else backend.account_id


def fill_device(device, account: str) -> None:
    """Give a moto VirtualMfaDevice a real seed and QR code."""
    name = device.serial_number.rsplit("/", 1)[-1]
    device.base32_string_seed = new_seed()
    device.awslab_uri = otpauth_uri(device.base32_string_seed, name, account)
    device.qr_code_png = qr_png(device.awslab_uri)
    device.awslab_last_step = None


@patches.wraps(IAMBackend, "create_virtual_mfa_device")
def create_virtual_mfa_device(original, self, device_name, path=None):
    device = original(self, device_name, path)
    fill_device(device, account_label(self))
    return device


@patches.wraps(IAMBackend, "enable_mfa_device")
def enable_mfa_device(original, self, user_name, serial_number, authentication_code_1,
                      authentication_code_2):
    code1, code2 = authentication_code_1, authentication_code_2
    self.get_user(user_name)  # NoSuchEntity before the codes, as AWS
    device = self.virtual_mfa_devices.get(serial_number)
    if device is not None and getattr(device, "awslab_uri", None):
        if device.enable_date is not None:
            raise EntityAlreadyExists("MFA Device is already in use.")
        request = current()  # the throttled filter below let it through
        keys = throttle.keys(request.environ if request is not None else None, f"mfa:{serial_number}")
        try:
            step = check_codes(device.base32_string_seed, code1, code2, device.awslab_last_step)
        except InvalidAuthenticationCode:
            throttle.failed(keys)
            raise
        throttle.passed(keys)
        original(self, user_name, serial_number, code1, code2)
        device.awslab_last_step = step
        return None
    # A hardware device's serial: the codes can only be checked for their form.
    check_codes_form(code1, code2)
    return original(self, user_name, serial_number, code1, code2)


@patches.wraps(IAMBackend, "list_virtual_mfa_devices")
def list_virtual_mfa_devices(original, self, assignment_status, marker, max_items):
    # AWS shows the seed and the QR code once, in CreateVirtualMFADevice's answer only.
    # Root's device names root as its User, as AWS does (moto leaves User out): UserId is the
    # account id, Arn arn:aws:iam::<account>:root, and PasswordLastUsed root's last sign-in.
    devices, next_marker = original(self, assignment_status, marker, max_items)
    shown = []
    for device in devices:
        copy = _copy.copy(device)
        copy.base32_string_seed = None
        copy.qr_code_png = None
        if copy.user is None and copy.user_attribute and str(copy.user_attribute.get("Arn", "")).endswith(":root"):
            copy.user = dict(copy.user_attribute)
            signed_in = STATE.get("root_password_last_used")  # see signin.py
            if signed_in:
                copy.user["PasswordLastUsed"] = datetime.fromtimestamp(int(signed_in), timezone.utc)
        shown.append(copy)
    return shown, next_marker


def check_codes_form(code1, code2) -> None:
    if not (_CODE.fullmatch(str(code1 or "")) and _CODE.fullmatch(str(code2 or ""))):
        raise InvalidAuthenticationCode()


def png_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")




def install(app) -> None:
    def throttled_codes(request):
        """EnableMFADevice for a device whose codes are being guessed: AWS's Throttling,
        before moto (the codes are not judged)."""
        if request.service == "iam" and request.action == "EnableMFADevice":
            keys = throttle.keys(request.environ, f"mfa:{request.params.get('SerialNumber', '')}")
            locked = throttle.wait(keys)
            if locked:
                return throttle.refusal(request, locked)
        return None

    app.add_filter(throttled_codes)

"""(docs/contract.md, "Sandbox: a new account"): a real QR code and seed; EnableMFADevice needs two consecutive valid codes."""

import time
from urllib.parse import parse_qs, unquote, urlparse

import pyotp
import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_code


def consecutive_codes(seed: str) -> tuple[str, str]:
    totp = pyotp.TOTP(seed)
    now = time.time()
    return totp.at(now - 30), totp.at(now)


def test_virtual_mfa(iam, lab):
    iam.create_user(UserName="mfa-user")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="mfa-user")["VirtualMFADevice"]
    serial = device["SerialNumber"]
    try:
        png = device["QRCodePNG"]
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 200
        seed = device["Base32StringSeed"].decode()
        pyotp.TOTP(seed).now()  # a valid base32 secret

        import io

        from PIL import Image
        Image.open(io.BytesIO(png)).verify()

        wrong = pyotp.TOTP(pyotp.random_base32()).now()
        code1, code2 = consecutive_codes(seed)
        for pair in ((wrong, wrong), (code2, code1), (code1, code1)):
            with pytest.raises(ClientError) as refused:
                iam.enable_mfa_device(UserName="mfa-user", SerialNumber=serial,
                                      AuthenticationCode1=pair[0], AuthenticationCode2=pair[1])
            assert error_code(refused) == "InvalidAuthenticationCode"
            assert refused.value.response["Error"]["Message"] == "Authentication code for device is not valid."
        with pytest.raises(ClientError) as not_digits:  # breaks the model's pattern: AWS checks that first
            iam.enable_mfa_device(UserName="mfa-user", SerialNumber=serial,
                                  AuthenticationCode1="123456", AuthenticationCode2="abcdef")
        assert error_code(not_digits) == "ValidationError"
        assert "'authenticationCode2'" in not_digits.value.response["Error"]["Message"]
        assert iam.list_mfa_devices(UserName="mfa-user")["MFADevices"] == []

        iam.enable_mfa_device(UserName="mfa-user", SerialNumber=serial,
                              AuthenticationCode1=code1, AuthenticationCode2=code2)
        listed = [d for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]
                  if d["SerialNumber"] == serial]  # other tests' devices may be there too
        assert len(listed) == 1
        assert "Base32StringSeed" not in listed[0] and "QRCodePNG" not in listed[0]
        assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName="mfa-user")["MFADevices"]] == [serial]

        # The same pair again (after deactivating) is refused.
        iam.deactivate_mfa_device(UserName="mfa-user", SerialNumber=serial)
        with pytest.raises(ClientError) as reused:
            iam.enable_mfa_device(UserName="mfa-user", SerialNumber=serial,
                                  AuthenticationCode1=code1, AuthenticationCode2=code2)
        assert error_code(reused) == "InvalidAuthenticationCode"
        assert iam.list_mfa_devices(UserName="mfa-user")["MFADevices"] == []
    finally:
        if iam.list_mfa_devices(UserName="mfa-user")["MFADevices"]:
            iam.deactivate_mfa_device(UserName="mfa-user", SerialNumber=serial)
        iam.delete_virtual_mfa_device(SerialNumber=serial)
        iam.delete_user(UserName="mfa-user")


def test_qr_code_carries_the_otpauth_uri():
    from awslab.sandbox.services.iam import mfa

    uri = mfa.otpauth_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "dev", "123456789012")
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    assert unquote(parsed.path) == "/Amazon Web Services:dev@123456789012"
    query = parse_qs(parsed.query)
    assert query["secret"] == ["JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"] and query["issuer"] == ["Amazon Web Services"]

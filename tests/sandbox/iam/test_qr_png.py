"""The sandbox draws a virtual MFA device's QR code itself, without Pillow (mfa.qr_png)."""

import io
import subprocess
import sys

URI = ("otpauth://totp/Amazon%20Web%20Services:dev@123456789012?secret="
       "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
       "&issuer=Amazon%20Web%20Services")


def test_the_png_is_the_one_qrcode_draws():
    import qrcode
    from PIL import Image

    from awslab.sandbox.services.iam import mfa

    drawn = Image.open(io.BytesIO(mfa.qr_png(URI)))
    drawn.load()
    expected = qrcode.make(URI).get_image().convert("1")
    assert drawn.size == expected.size and drawn.mode == "1"
    assert drawn.tobytes() == expected.tobytes()


def test_drawing_it_loads_no_pillow():
    code = ("import sys; from awslab.sandbox.services.iam import mfa; png = mfa.qr_png(sys.argv[1]); "
            "print(png[:8] == b'\\x89PNG\\r\\n\\x1a\\n', any(m == 'PIL' or m.startswith('PIL.') "
            "for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, URI], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]

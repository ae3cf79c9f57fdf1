"""Fails loudly when moto's behaviour that the sandbox's additions rely on shifts.

The additions wrap moto's methods through one registry (awslab/sandbox/patches.py; each
wrapper keeps moto's parameter names, since moto passes some by keyword), set attributes
moto's serializer reads, and re-label moto's objects. If moto changes any of that, the
wrappers would silently stop applying. The tests walk the registry, so none escapes.
"""

import importlib

import moto
from moto.iam.models import AccountSummary, IAMBackend, User, VirtualMfaDevice

from awslab.sandbox import patches


def _all_additions():
    """Import every addition the server installs, so each registers its patches."""
    from awslab.sandbox.server import EXTENSIONS

    for name in EXTENSIONS:
        importlib.import_module(name)
    return patches.REGISTRY


def test_moto_version_is_the_one_the_additions_were_written_for():
    assert moto.__version__ == "5.2.5", (
        "moto changed: re-check every patch in awslab/sandbox/ (patches.REGISTRY lists them) "
        "against the new moto, then update this test")


def test_every_patch_wraps_a_method_moto_still_has_with_the_parameters_it_was_written_for():
    registry = _all_additions()
    assert len(registry) >= 20
    for patch in registry:
        assert patch.name in patch.owner.__dict__, patch.where
        assert patches.original_parameters(patch) == patches.wrapper_parameters(patch), patch.where


def test_applying_the_patches_twice_wraps_each_method_once():
    registry = _all_additions()
    patches.apply()
    before = {patch.where: patch.owner.__dict__[patch.name] for patch in registry}
    patches.apply()
    for patch in registry:
        method = patch.owner.__dict__[patch.name]
        assert method is before[patch.where]
        assert method.__awslab_patch__ is patch
        assert getattr(patch.original, "__awslab_patch__", None) is None, patch.where


def test_no_addition_changes_moto_outside_the_registry():
    """Every assignment to a moto class attribute in awslab/sandbox/ goes through patches.wraps."""
    import pathlib
    import re

    folder = pathlib.Path(patches.__file__).parent
    assignment = re.compile(r"^\s*(IAMBackend|IamResponse|STSBackend|User|AccountSummary)\.\w+\s*=",
                            re.MULTILINE)
    for path in folder.glob("*.py"):
        assert not assignment.search(path.read_text()), path.name


def test_moto_objects_still_have_what_the_additions_set_or_read():
    backend = IAMBackend(region_name="us-east-1", account_id="123456789012")
    summary = AccountSummary(backend)
    assert summary._account_mfa_enabled == 0 and summary._account_access_keys_present == 0
    assert "AccountMFAEnabled" in summary.summary_map
    device = VirtualMfaDevice("123456789012", "us-east-1", "/dev")
    for attribute in ("serial_number", "base32_string_seed", "qr_code_png", "enable_date",
                      "user_attribute"):
        assert hasattr(device, attribute), attribute
    user = User("123456789012", "us-east-1", "u")
    for attribute in ("password", "password_reset_required", "access_keys", "mfa_devices",
                      "policies", "managed_policies", "signing_certificates", "ssh_public_keys"):
        assert hasattr(user, attribute), attribute
    assert len(patches.unpatched(User, "to_csv")(user).strip().split(",")) == 22
    assert hasattr(backend, "account_password_policy") and hasattr(backend, "account_aliases")


def test_moto_still_has_the_gaps_the_additions_fill():
    """If moto fixes a gap itself, the addition may now double up: re-check it."""
    backend = IAMBackend(region_name="us-east-1", account_id="123456789012")
    patches.unpatched(IAMBackend, "create_user")(backend, "us-east-1", "bad name!")  # no validation
    patches.unpatched(IAMBackend, "create_login_profile")(backend, "bad name!", "x")  # no policy
    assert backend.get_login_profile("bad name!").password_reset_required is False
    assert len(VirtualMfaDevice("123456789012", "us-east-1", "/d").qr_code_png) == 64

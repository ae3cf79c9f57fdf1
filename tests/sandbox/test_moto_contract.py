"""Fails loudly when moto's behaviour that the sandbox's additions rely on shifts.

The additions wrap moto's IAM backend methods (keeping their parameter names, since moto
passes some by keyword), set attributes moto's serializer reads, and re-label moto's
objects. If moto changes any of that, the wrappers would silently stop applying.
"""

import inspect

import moto
from moto.iam.models import AccountSummary, IAMBackend, User, VirtualMfaDevice

from awslab.sandbox import alias, deletion, login_profile, mfa, root_user, validation

EXPECTED_PARAMETERS = {
    "create_user": ["self", "region_name", "user_name", "path", "tags"],
    "update_user": ["self", "user_name", "new_path", "new_user_name"],
    "create_group": ["self", "group_name", "path"],
    "update_group": ["self", "group_name", "new_group_name", "new_path"],
    "create_login_profile": ["self", "user_name", "password"],
    "update_login_profile": ["self", "user_name", "password", "password_reset_required"],
    "create_virtual_mfa_device": ["self", "device_name", "path"],
    "enable_mfa_device": ["self", "user_name", "serial_number", "authentication_code_1",
                          "authentication_code_2"],
    "list_virtual_mfa_devices": ["self", "assignment_status", "marker", "max_items"],
    "delete_user": ["self", "user_name"],
    "delete_group": ["self", "group_name"],
    "create_account_alias": ["self", "alias"],
    "delete_account_alias": ["self"],
    "get_account_summary": ["self"],
    "get_credential_report": ["self"],
}


def test_moto_version_is_the_one_the_additions_were_written_for():
    assert moto.__version__ == "5.2.5", (
        "moto changed: re-check every patch in awslab/sandbox/ (validation, login_profile, mfa, "
        "root_user, deletion, alias, persistence) against the new moto, then update this test")


def test_patched_methods_exist_with_their_signatures():
    patched = set()
    for module in (validation, login_profile, mfa, root_user, deletion, alias):
        patched.update(module.PATCHED)
    assert patched == set(EXPECTED_PARAMETERS)
    for name, parameters in EXPECTED_PARAMETERS.items():
        method = getattr(IAMBackend, name)
        assert list(inspect.signature(method).parameters) == parameters, name


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
    assert len(user.to_csv().strip().split(",")) == 22
    assert hasattr(backend, "account_password_policy") and hasattr(backend, "account_aliases")


def test_moto_still_has_the_gaps_the_additions_fill():
    """If moto fixes a gap itself, the addition may now double up: re-check it."""
    backend = IAMBackend(region_name="us-east-1", account_id="123456789012")
    backend.create_user("us-east-1", "bad name!")  # no validation in moto
    backend.create_login_profile("bad name!", "x")  # no password policy in moto
    assert backend.get_login_profile("bad name!").password_reset_required is False
    assert len(VirtualMfaDevice("123456789012", "us-east-1", "/d").qr_code_png) == 64

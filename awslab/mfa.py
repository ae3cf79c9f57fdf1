"""Temporary facade (issue 23): the lab's virtual MFA moved to awslab/steps/s01_root_user.py
(the steps: create, assign, discard, codes) and awslab/forms/s01_root_user.py (VirtualMfaForm,
SimulatedAuthenticator). Removed with an import rewrite at the end of the move."""

from awslab.forms.s01_root_user import *  # noqa: F403
from awslab.forms.s01_root_user import (  # noqa: F401
    _AUTH_ESM,
    CODE_STYLE,
    SimulatedAuthenticator,
    VirtualMfaForm,
    _takes_keyword,
)
from awslab.steps.s01_root_user import *  # noqa: F403
from awslab.steps.s01_root_user import (  # noqa: F401
    ROOT_DEVICE_NAME,
    NewVirtualMfa,
    _account_label,
    _already_exists,
    _cap,
    _consecutive,
    _create_root,
    _delete_device,
    _lab_made_unassigned,
    _qr_png,
    _serial,
    _steps,
    assign_virtual_mfa,
    check_codes,
    check_device_name,
    create_virtual_mfa,
    diagnose_codes,
    discard_virtual_mfa,
    mfa_already,
    whose,
)

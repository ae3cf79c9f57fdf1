"""Temporary facade (issue 23): notebook 04's sign-in moved to awslab/steps/s04_sign_in.py (the
work) and awslab/forms/s04_sign_in.py (SignInForm, RetireRootKeysForm). Removed with an import
rewrite at the end of the move."""

from awslab.forms.s04_sign_in import *  # noqa: F403
from awslab.forms.s04_sign_in import LABEL_WIDTH, RetireRootKeysForm, SignInForm  # noqa: F401
from awslab.steps.s04_sign_in import *  # noqa: F403
from awslab.steps.s04_sign_in import (  # noqa: F401
    REFUSED,
    Retired,
    SignedIn,
    UserKeys,
    _alias,
    _session_for,
    _switch_lab_to,
    administrator_access,
    credentials_csv_path,
    keys_from_csv,
    keys_from_profile,
    keys_typed,
    prove_keys,
    retire_root_access_keys,
    root_access_keys,
    sign_in_as,
)

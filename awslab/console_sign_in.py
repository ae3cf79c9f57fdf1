"""Temporary facade (issue 23): notebook 04's console sign-in moved to
awslab/steps/s04_sign_in.py (the work) and awslab/forms/s04_sign_in.py (ConsoleSignInForm).
Removed with an import rewrite at the end of the move."""

from awslab.forms.s04_sign_in import ConsoleSignInForm  # noqa: F401
from awslab.steps.s04_sign_in import (  # noqa: F401
    ConsoleStep,
    account_for_sign_in,
    csv_password,
    remember_new_password,
    sign_in_to_console,
    simulated_code,
)

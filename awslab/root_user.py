"""Temporary facade (issue 23): notebook 01's root readings moved to
awslab/steps/s01_root_user.py (the work) and awslab/forms/s01_root_user.py (the panel, its
lines, the console steps' HTML). Removed with an import rewrite at the end of the move."""

from awslab.forms.s01_root_user import *  # noqa: F403
from awslab.forms.s01_root_user import RootStatus, _when, console_steps_html, reading_lines  # noqa: F401
from awslab.steps.s01_root_user import *  # noqa: F403
from awslab.steps.s01_root_user import (  # noqa: F401
    CONSOLE_STEPS,
    SECURITY_CREDENTIALS_URL,
    RootReading,
    _fresh,
    _report_text,
    account_summary,
    credential_report,
    read_root_status,
    root_mfa_enabled,
    root_report_row,
)

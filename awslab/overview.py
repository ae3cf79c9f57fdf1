"""Temporary facade (issue 23): where the account stands moved to awslab/steps/s00_connect.py.
Removed with an import rewrite at the end of the move."""

from awslab.steps.s00_connect import *  # noqa: F403
from awslab.steps.s00_connect import (  # noqa: F401
    ADMIN_POLICY_ARN,
    CHANGE_PASSWORD_ARN,
    Step,
    _summary,
    admin_users,
    holds_administrator_access,
    progress,
)

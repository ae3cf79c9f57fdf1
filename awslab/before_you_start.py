"""Temporary facade (issue 23): notebook 00's code moved to awslab/steps/s00_connect.py (the
work) and awslab/forms/s00_target.py (the form and the banner). Removed with an import rewrite
at the end of the move."""

from awslab.forms.s00_target import *  # noqa: F403
from awslab.forms.s00_target import TargetForm, banner, overview  # noqa: F401
from awslab.steps.s00_connect import *  # noqa: F403
from awslab.steps.s00_connect import _lab_principal, available_profiles, on_binder  # noqa: F401

"""TEMPORARY FACADE (issue 23, the house move): console passwords now live in
awslab/steps/s02_users.py (the password policy, password_problem, generate_password) and
awslab/forms/widgets.py (PasswordInput). The lead removes this module with an import rewrite
at the end of the move.
"""

from awslab.forms.widgets import _PASSWORD_ESM as _ESM  # noqa: F401
from awslab.forms.widgets import PasswordInput  # noqa: F401
from awslab.steps.s02_users import (  # noqa: F401
    DEFAULT_POLICY,
    GENERATED_LENGTH,
    MAX_LENGTH,
    SYMBOLS,
    PasswordPolicy,
    _kinds,
    generate_password,
    password_policy,
    password_problem,
)

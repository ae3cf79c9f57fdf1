"""TEMPORARY FACADE (issue 23, the house move): notebook 02's code now lives in
awslab/steps/s02_users.py (the AWS work), awslab/steps/units.py (run_steps, Step) and
awslab/forms/s02_users.py (the forms). The names other modules, tests, benchmarks and
notebooks imported from here are re-exported; the lead removes this module with an import
rewrite at the end of the move.
"""

from awslab.forms.s02_users import *  # noqa: F403
from awslab.forms.s02_users import (  # noqa: F401
    GroupForm,
    UserForm,
    WhatYouHaveNow,
    _field_message,
    _group_html,
    _user_html,
    optional_user_mfa,
    what_you_have_html,
)
from awslab.steps.s02_users import *  # noqa: F403
from awslab.steps.s02_users import (  # noqa: F401
    ADMIN_POLICY_ARN,
    CHANGE_PASSWORD_ARN,
    DEFAULT_GROUP_NAME,
    DEFAULT_USER_NAME,
    KNOWN_DESCRIPTIONS,
    LAB_TAG,
    MAX_ACCESS_KEYS,
    MAX_KEY,
    MAX_TAGS,
    MAX_VALUE,
    AccountReads,
    GroupResult,
    NewKey,
    NewUser,
    ReviewReads,
    UserPlan,
    _known_aws_policies,
    _name_problem,
    _policy_name,
    _seen_aws_policy,
    _short,
    _tag_pairs,
    access_problem,
    aws_managed_policies,
    console_url,
    create_admin_group,
    create_another_access_key,
    create_user,
    credentials_csv_path,
    describe_group,
    describe_user,
    group_name_problem,
    group_policies,
    missing_group_sentence,
    plan_user,
    policy_description,
    resolve_policy,
    save_cli_profile,
    search_policies,
    tags_problem,
    user_exists_sentence,
    user_name_problem,
)
from awslab.steps.units import Step, _as_sentence_body, _missing, _undo, run_steps  # noqa: F401

__all__ = [
    "ADMIN_POLICY_ARN", "CHANGE_PASSWORD_ARN", "DEFAULT_GROUP_NAME", "DEFAULT_USER_NAME", "LAB_TAG", "GroupForm",
    "NewKey", "NewUser", "UserForm", "WhatYouHaveNow", "optional_user_mfa",
    "aws_managed_policies", "create_admin_group", "create_another_access_key", "create_user",
    "credentials_csv_path", "describe_group", "describe_user", "group_name_problem", "group_policies", "plan_user",
    "resolve_policy", "save_cli_profile", "search_policies", "tags_problem", "user_name_problem",
]

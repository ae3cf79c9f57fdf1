"""Temporary facade (issue 23): notebook 03's code moved to awslab/steps/s03_alias_regions.py
(the work) and awslab/forms/s03_alias_regions.py (the forms). Removed with an import rewrite at
the end of the move."""

from awslab.forms.s03_alias_regions import *  # noqa: F403
from awslab.forms.s03_alias_regions import (  # noqa: F401
    CONSOLE_SIGN_IN_NOTEBOOK,
    AliasForm,
    RegionsForm,
    _button_state,
    _choice_label,
    _regions_table,
    _sign_in_url,
    _status_html,
)
from awslab.steps.s03_alias_regions import *  # noqa: F403
from awslab.steps.s03_alias_regions import (  # noqa: F401
    ALIAS_PATTERN,
    _described,
    _taken,
    _tidy,
    alias_problem,
    alias_suggestions,
    current_alias,
    enable_region,
    list_regions,
    region_name,
    region_names,
    region_status,
)

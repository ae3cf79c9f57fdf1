"""TEMPORARY FACADE (the house move, issue 23): the checklist now lives in
awslab/steps/s04_checklist.py (the checks and the fixes' AWS work), awslab/forms/s04_checklist.py
(ChecklistView, PasswordPolicyForm, html_table) and awslab/cli.py (print_checklist, text_table).
This module re-exports their names for code not yet moved; the lead removes it with an import
rewrite. It never imports the command line itself (awslab check's functions load on use)."""

from __future__ import annotations

from awslab.forms.s04_checklist import _COLORS, ChecklistView, PasswordPolicyForm, html_table
from awslab.steps.s04_checklist import *  # noqa: F403
from awslab.steps.s04_checklist import (
    BENCHMARK_LENGTH,
    BENCHMARK_REUSE,
    CHECKS,
    DOCS,
    FAIL,
    KEY_AGE_DAYS,
    MAX_AGE,
    MAX_LENGTH,
    MIN_LENGTH,
    PASS,
    POLICY_FIELDS,
    REPORT_LIFETIME_HOURS,
    ROOT_RECENT_DAYS,
    UNKNOWN,
    UNUSED_DAYS,
    Check,
    Facts,
    _date,
    _iso,
    _names,
    _Unknown,
    _yes,
    allows_everything,
    cis_order,
    current_password_policy,
    describe_policy,
    is_root_device,
    policy_problems,
    report_lags,
    report_note,
    restorable_policy,
    run_checklist,
    set_password_policy,
    summary,
)


def __getattr__(name: str):
    if name in ("print_checklist", "text_table"):  # the command line's, loaded on use
        from awslab import cli

        return getattr(cli, name)
    raise AttributeError(f"module 'awslab.checklist' has no attribute {name!r}")


__all__ = ["BENCHMARK_LENGTH", "BENCHMARK_REUSE", "CHECKS", "DOCS", "FAIL", "KEY_AGE_DAYS", "MAX_AGE",
           "MAX_LENGTH", "MIN_LENGTH", "PASS", "POLICY_FIELDS", "REPORT_LIFETIME_HOURS", "ROOT_RECENT_DAYS",
           "UNKNOWN", "UNUSED_DAYS", "_COLORS", "Check", "ChecklistView", "Facts", "PasswordPolicyForm",
           "_Unknown", "_date", "_iso", "_names", "_yes", "allows_everything", "cis_order",
           "current_password_policy", "describe_policy", "html_table", "is_root_device", "policy_problems",
           "report_lags", "report_note", "restorable_policy", "run_checklist", "set_password_policy",
           "summary"]

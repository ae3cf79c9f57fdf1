"""TEMPORARY FACADE (the house move, issue 23): clean-up now lives in awslab/steps/s99_clean_up.py
(the AWS work, on awslab/steps/kinds.py), awslab/forms/s99_clean_up.py (CleanUpForm) and
awslab/cli.py (clean_cli). This module re-exports their names for code not yet moved; the lead
removes it with an import rewrite."""

from __future__ import annotations

from awslab.cli import clean_cli
from awslab.forms.s99_clean_up import CleanUpForm, plan_html, result_html
from awslab.steps.kinds import PHASES, TAG_KEY, TAG_VALUE, CliProfile
from awslab.steps.s99_clean_up import *  # noqa: F403
from awslab.steps.s99_clean_up import (
    CleanUpResult,
    Kept,
    Plan,
    Removal,
    clean_up,
    plan_clean_up,
)
from awslab.steps.s99_clean_up import describe_plan as _describe_plan
from awslab.steps.s99_clean_up import describe_result as _describe_result


def describe_plan(plan: Plan, html_out: bool = False) -> str:
    return plan_html(plan) if html_out else _describe_plan(plan)


def describe_result(result: CleanUpResult, html_out: bool = False) -> str:
    return result_html(result) if html_out else _describe_result(result)


def remove_profile(profile: str, entry: dict | None = None, account: str | None = None) -> None:
    """Remove one profile's sections from the AWS CLI files (steps.kinds.CliProfile.delete)."""
    entry = entry or {}
    kind = CliProfile(profile, entry.get("key"), entry.get("credentials_file"), entry.get("config_file"))

    class _Account:
        account_id = account

    if account:
        kind.delete(_Account())
    else:
        from awslab.steps.kinds import drop_sections

        for path, section in kind.files():
            drop_sections(path, {section})


__all__ = ["PHASES", "TAG_KEY", "TAG_VALUE", "CleanUpForm", "CleanUpResult", "Kept", "Plan", "Removal",
           "clean_cli", "clean_up", "describe_plan", "describe_result", "plan_clean_up", "remove_profile"]

"""TEMPORARY FACADE (the house move, issue 23): the account's contacts now live in
awslab/steps/s04_checklist.py (primary_contact, security_contact, set_security_contact, ...)
and awslab/forms/s04_checklist.py (SecurityContactForm); clean-up's side in
awslab/steps/kinds.py (SecurityContact). This module re-exports their names for code not yet
moved; the lead removes it with an import rewrite."""

from __future__ import annotations

from awslab.forms.s04_checklist import SecurityContactForm
from awslab.steps.s04_checklist import (
    _EMAIL,
    _PHONE,
    FIELDS,
    SECURITY,
    contact_problems,
    describe,
    masked_email,
    masked_phone,
    primary_contact,
    problems_by_field,
    restore_security_contact,
    security_contact,
    set_security_contact,
)

RECORD = ("security_contact", SECURITY)

__all__ = ["FIELDS", "RECORD", "SECURITY", "SecurityContactForm", "_EMAIL", "_PHONE", "contact_problems",
           "describe", "masked_email", "masked_phone", "primary_contact", "problems_by_field",
           "restore_security_contact", "security_contact", "set_security_contact"]

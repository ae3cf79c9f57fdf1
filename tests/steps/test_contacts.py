"""The account's security contact (CIS 1.2): notebook 04's form, its checks, and clean-up.

Registering it is recorded with the contact the account had before; clean-up puts that back,
or deletes the one the lab registered when there was none.
"""

from __future__ import annotations

import pytest

from tests.helpers import counting_calls

GIVEN = {"name": "Security team", "title": "Security", "email": "security@example.com",
         "phone": "+1 206-555-0199"}


def test_the_form_registers_it_and_the_checklist_rereads_only_it(fresh_account):
    import awslab
    from awslab import record
    from awslab.forms.s04_checklist import ChecklistView, SecurityContactForm
    from awslab.steps.s04_checklist import security_contact

    lab = awslab.connect("sandbox")
    view = ChecklistView(lab)
    assert view.status("1.2") == "FAIL"
    form = SecurityContactForm(lab, checklist=view)
    assert [field.value for field in form.fields.values()] == ["", "", "", ""]

    form.fields["email"].value = "not an address"
    form.fields["name"].value = "Security team"
    form.submit()
    assert form.error.startswith("The security contact was not registered:")
    assert "email address such as security@example.com" in form.error and "title" in form.error
    assert security_contact(lab) is None and view.status("1.2") == "FAIL"

    for key, value in GIVEN.items():
        form.fields[key].value = value
    with counting_calls(lab.client("account"), lab.client("iam")) as calls:
        form.submit()
    assert form.error is None
    # The contact before (for clean-up), the change, one read for the checklist.
    assert calls == ["GetAlternateContact", "PutAlternateContact", "GetAlternateContact"]
    assert view.status("1.2") == "PASS"
    assert "s***@example.com" in form.after.children[0].value
    assert security_contact(lab)["EmailAddress"] == "security@example.com"
    assert record.was_created(lab.account_id, "security_contact", "SECURITY")


def test_headless_it_registers_the_parameter_or_skips(fresh_account):
    import awslab
    from awslab.errors import LabError
    from awslab.forms.s04_checklist import SecurityContactForm
    from awslab.steps.s04_checklist import security_contact

    lab = awslab.connect("sandbox")
    skipped = SecurityContactForm(lab, {}, auto_submit=True)
    skipped.show()
    assert "nothing registered" in skipped.message.value and security_contact(lab) is None

    with pytest.raises(LabError) as unknown:
        SecurityContactForm(lab, dict(GIVEN, mail="x@example.com"), auto_submit=True).show()
    assert "no field 'mail'" in unknown.value.sentence
    with pytest.raises(LabError) as wrong_type:
        SecurityContactForm(lab, "security@example.com", auto_submit=True).show()
    assert "security_contact must be a mapping of strings to strings" in wrong_type.value.sentence

    SecurityContactForm(lab, GIVEN, auto_submit=True).show()
    assert security_contact(lab)["Name"] == "Security team"


def test_clean_up_deletes_it_or_puts_back_the_one_before(fresh_account):
    import awslab
    from awslab.steps.s04_checklist import security_contact, set_security_contact
    from awslab.steps.s99_clean_up import clean_up, plan_clean_up

    lab = awslab.connect("sandbox")
    set_security_contact(lab, **GIVEN)
    plan = plan_clean_up(lab)
    assert [r.what for r in plan.removals] == ["the account's security contact (there was none before the lab)"]
    assert clean_up(lab).failed == []
    assert security_contact(lab) is None
    assert plan_clean_up(lab).nothing_to_do

    before = {"AlternateContactType": "SECURITY", "Name": "Ana Silva", "Title": "CISO",
              "EmailAddress": "ana@example.com", "PhoneNumber": "+1 206-555-0142"}
    lab.client("account").put_alternate_contact(**before)  # the owner's own, before the lab
    set_security_contact(lab, **GIVEN)
    set_security_contact(lab, **dict(GIVEN, name="Security on call"))  # the first "before" is kept
    assert "back to the one it had before" in plan_clean_up(lab).removals[0].what
    clean_up(lab)
    assert security_contact(lab) == before

"""What a learner notices in notebook 01's MFA form and notebook 04's forms (issue 14): a
refusal goes once its value is corrected, refused fields are marked, values are not changed
behind the learner's back, rows say what is true now, labels are whole, the checklist's
summary comes first and its controls are in CIS order."""

from __future__ import annotations

import json

import ipywidgets as W

from awslab.forms.a11y import tag
from tests.helpers import make_user, root_keys_present


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# Notebook 01: the MFA form.

def test_a_wrong_mfa_code_is_marked_and_its_message_goes_when_the_code_changes(lab):
    from awslab.forms.s01_root_user import VirtualMfaForm

    form = VirtualMfaForm(lab)
    form.continue_button.click()
    form.app_button.click()
    first, second = form.authenticator.consecutive_codes()
    form.code1.value, form.code2.value = _wrong(first), _wrong(second)
    form.button.click()
    assert form.result is None and "InvalidAuthenticationCode" in form.error
    assert 'role="alert"' in form.message.value
    assert {tag(form.code1), tag(form.code2)} <= set(form.aria.invalid)
    assert form.aria.describe[tag(form.code1)] == tag(form.message)
    assert form.aria.focus == tag(form.code1)  # focus on the field to correct

    form.code1.value = first  # the learner corrects the code: the old sentence judged the old one
    assert form.error is None and form.message.value == "" and form.aria.invalid == []
    form.code2.value = second
    form.button.click()
    assert form.error is None and form.result.endswith(":mfa/root-account-mfa-device")


def test_a_code_of_five_digits_marks_only_that_code(lab):
    from awslab.forms.s01_root_user import VirtualMfaForm

    form = VirtualMfaForm(lab)
    form.continue_button.click()
    form.code1.value, form.code2.value = "12345", "123456"
    form.button.click()
    assert "MFA code 1 must be exactly 6 digits" in form.error
    assert form.aria.invalid == [tag(form.code1)]


def test_assign_mfa_sits_beside_cancel(lab):
    from awslab.forms.s01_root_user import VirtualMfaForm

    form = VirtualMfaForm(lab)
    rows = [c for c in form.widget.children if isinstance(c, W.HBox)]
    assert not any(form.button in row.children for row in rows)  # no row of its own under Cancel
    assert form.button_row.children == (form.button, form.cancel_button)
    assert form.button_row in form.step2.children
    form.continue_button.click()
    assert form.button.layout.display == "" and form.step2.layout.display == ""
    form.cancel_button.click()
    assert "Cancelled" in form.message.value and form.button.layout.display == "none"


def test_a_refused_device_name_is_marked(lab):
    from awslab.forms.s01_root_user import VirtualMfaForm

    form = VirtualMfaForm(lab)
    form.device_name.value = "my phone"
    form.continue_button.click()
    assert "is not valid" in form.error and tag(form.device_name) in form.aria.invalid
    form.device_name.value = "my-phone"
    assert form.error is None and form.message.value == ""


def test_root_key_row_says_deleted_when_the_summary_is_newer_than_the_report(lab):
    from awslab.forms.s01_root_user import reading_lines
    from awslab.steps.s01_root_user import RootReading

    row = {"user": "<root_account>", "mfa_active": "false", "password_last_used": "N/A",
           "access_key_1_active": "true", "access_key_1_last_rotated": "2026-01-01T00:00:00+00:00",
           "access_key_2_active": "false"}
    stale = "".join(reading_lines(lab, RootReading(False, False, row, None)))
    assert "is active" not in stale
    assert "Root access key 1: deleted since the report was generated" in stale
    current = "".join(reading_lines(lab, RootReading(False, True, row, None)))
    assert "Root access key 1 is active" in current


# Notebook 04: the password policy form.

def test_policy_length_5_is_refused_with_a_sentence_and_nothing_changes(lab):
    from awslab.forms.s04_checklist import ChecklistView, PasswordPolicyForm
    from awslab.steps.s04_checklist import current_password_policy

    view = ChecklistView(lab)
    form = PasswordPolicyForm(lab, checklist=view)
    assert "No password policy is set now" in form.now.value
    form.length.value = 5
    assert form.length.value == 5  # not silently raised to 6
    form.submit()
    assert form.error == ("The password policy was not changed: a minimum length of 5 is under "
                          "AWS's minimum of 6 characters (the benchmark asks for 14 or more).")
    assert current_password_policy(lab) is None
    assert form.aria.invalid == [tag(form.length)]
    assert form.aria.focus == tag(form.length)

    form.length.value = 14
    assert form.error is None and form.message.value == ""
    form.submit()
    assert form.error is None
    assert "No password policy is set now" not in form.now.value  # the heading follows the state
    assert "Now: minimum length 14, reuse prevention 24." in form.now.value
    assert "Minimum password length 14" in form.after.children[0].value


def test_policy_under_the_benchmark_is_not_shown_as_passing(lab):
    from awslab.forms.s04_checklist import PasswordPolicyForm

    form = PasswordPolicyForm(lab)
    form.length.value = 6
    form.submit()
    result = form.after.children[0].value
    assert "Minimum password length 6" in result and "1.7 still fails" in result
    assert 'aria-label="No:"' in result.split("Minimum password length 6")[0].rsplit("<div", 1)[-1]
    assert "Now: minimum length 6" in form.now.value


# Notebook 04: the checklist.

def test_checklist_summary_comes_before_the_table_and_controls_are_in_cis_order(lab):
    from awslab.forms.s04_checklist import ChecklistView
    from awslab.steps.s04_checklist import run_checklist

    ids = [c.id for c in run_checklist(lab)]
    numbered = [i for i in ids if i[0].isdigit()]
    assert numbered == sorted(numbered, key=lambda i: [int(p) for p in i.split(".")])
    assert numbered[:4] == ["1.1", "1.2", "1.3", "1.4"] and numbered[-1] == "1.15"
    assert ids[len(numbered):] == ["the-account-has-an-alias",
                                   "a-user-other-than-root-has-administrator-access",
                                   "people-sign-in-through-iam-identity-center-not-as-iam-users-with-long-term-keys"]
    html = ChecklistView(lab).widget.value
    summary = html.index("checks pass")
    assert summary < html.index("<table") < html.rindex("checks pass")
    assert html.index(">1.3<") < html.index(">1.5<") < html.index(">1.10<")


def test_awslab_check_prints_the_summary_first_and_cis_order_in_json(lab, capsys):
    from awslab.cli import print_checklist

    print_checklist("sandbox")
    out = capsys.readouterr().out
    assert out.index("checks pass") < out.index("\nCIS ") < out.rindex("checks pass")
    assert out.index("\n1.3 ") < out.index("\n1.5 ") < out.index("\n1.10 ")
    print_checklist("sandbox", as_json=True)
    controls = json.loads(capsys.readouterr().out)
    assert set(controls[0]) == {"id", "title", "status", "detail"}
    ids = [c["id"] for c in controls]
    assert ids.index("1.3") < ids.index("1.5") < ids.index("1.10") < ids.index("the-account-has-an-alias")


# Notebook 04: signing in, retiring root's keys, the contact.

def test_sign_in_labels_are_whole(lab):
    from awslab.forms.s04_sign_in import SignInForm

    form = SignInForm(lab)
    assert form.source.style.button_width == "auto"
    assert [label for label, _ in form.source.options][0] == ".csv from notebook 02"
    for field in (form.source, form.user_name, form.profile, form.access_key_id, form.secret):
        assert field.style.description_width == "10em", field.description
    assert form.secret.description == "Secret access key"


def test_refused_keys_mark_their_fields(lab):
    from awslab.forms.s04_sign_in import SignInForm

    form = SignInForm(lab, "nobody-here")
    form.submit()
    assert "No credentials file" in form.error and form.aria.invalid == [tag(form.user_name)]
    form.user_name.value = "someone-else"
    assert form.error is None and form.aria.invalid == []


def test_retired_root_keys_read_as_deleted_not_active(lab):
    from awslab.forms.s04_sign_in import RetireRootKeysForm, SignInForm

    made = make_user(lab)
    signin = SignInForm(lab, made["user_name"])
    signin.submit()
    retire = RetireRootKeysForm(lab, signin)
    listed = [k["AccessKeyId"] for k in retire.listed]
    assert listed and "Active" in retire.keys_view.value
    retire.button.click()
    retire.after.children[-1].children[1].children[0].click()  # Delete them
    assert retire.error is None and root_keys_present(signin.result.lab) == 0  # root's keys are gone
    assert "Active" not in retire.keys_view.value
    for key in listed:
        assert f"root access key {key}" in retire.keys_view.value
    assert retire.keys_view.value.count("deleted") == len(listed)
    assert retire.button.description == "Root's access keys deleted" and retire.button.disabled
    said = retire.after.children[-1].value
    assert "`" not in said and "every awslab command" in said
    assert retire.aria.focus == tag(retire.after.children[-1])  # focus on the result


def test_a_refused_contact_marks_the_fields_it_judged(lab):
    from awslab.forms.s04_checklist import SecurityContactForm

    form = SecurityContactForm(lab, {"name": "Ana", "title": "Security", "email": "not-an-address",
                                     "phone": "+1 206-555-0199"})
    form.submit()
    assert "email address" in form.error and form.aria.invalid == [tag(form.fields["email"])]
    form.fields["email"].value = "security@example.com"
    assert form.error is None
    form.submit()
    assert form.error is None and "Now: Ana" in form.now.value


def test_a_refused_console_mfa_code_keeps_its_message_while_the_form_clears_the_code(lab):
    from awslab.forms.s01_root_user import VirtualMfaForm
    from awslab.forms.s04_sign_in import ConsoleSignInForm
    from awslab.steps.s04_sign_in import simulated_code

    made = make_user(lab)
    VirtualMfaForm(lab, user_name=made["user_name"], auto_submit=True).show()
    form = ConsoleSignInForm(lab, made["user_name"])
    form.submit()
    assert form.step.next == "mfa_code", form.message.value
    right = simulated_code(lab, made["user_name"], wait=False)
    form.code.value = _wrong(right)
    form.submit()
    assert form.error and form.code.value == ""  # a used-up code is cleared by the form ...
    assert form.error in form.message.value.replace("&#x27;", "'")  # ... and the sentence stays
    assert form.aria.invalid == [tag(form.code)] and form.aria.focus == tag(form.code)
    form.code.value = "1"  # the learner types again: the sentence judged the old code
    assert form.error is None and form.message.value == ""

"""Notebook 02's forms as a learner meets them: each message judges the value now in its
field, labels are whole, the review costs no AWS call per keystroke, and what the forms say
names what they made."""

from __future__ import annotations

import html
import re

import ipywidgets as W

from awslab.forms.s02_users import (
    GroupForm,
    UserForm,
    WhatYouHaveNow,
)
from awslab.forms.secret_widgets import _ESM as SECRET_ESM
from tests.steps import test_users_and_groups
from tests.steps.test_users_and_groups import GROUP, iam_calls

# The same module-scoped account as tests/steps/test_users_and_groups.py (a brand-new one, with the
# administrators group), made once for this module too.
lab = test_users_and_groups.lab


def text(widget) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", widget.value))


def test_correcting_a_refused_name_clears_its_messages_and_marks(lab):
    form = UserForm(lab, "alice smith", groups=[GROUP])
    # The field says what is wrong before any submit, and is marked for screen readers.
    assert "contains ' '" in text(form.user_name_message)
    name_tag = next(c for c in form.user_name._dom_classes if c.startswith("awslab-f"))
    assert form.aria.invalid == [name_tag]
    assert form.aria.describe[name_tag] in form.user_name_message._dom_classes
    assert form.submit() is None and "contains ' '" in text(form.message)
    form.user_name.value = "alice"
    # Every message that judged "alice smith" is gone; the review says what will be made.
    assert text(form.message).strip() == ""
    assert form.user_name_message.value == ""
    assert form.aria.invalid == [] and name_tag not in form.aria.describe
    assert "These will be created" in form.review.value and "alice" in form.review.value


def test_the_review_follows_each_keystroke_without_calling_aws(lab):
    form = UserForm(lab, "awslab-admin", groups=[GROUP], tags={"team": "ops"})
    assert form.user_name.continuous_update is True
    with iam_calls(lab) as calls:
        for typed in ("b", "bo", "bob", "bob smith", "bob"):
            form.user_name.value = typed
        form.add_tag("cost", "42")
        form.tag_rows[0][1].value = "security"
        form.password_choice.value = "custom"
        form.password.value = "Abc"
        form.password.value = "Abcdefgh1234!"
    assert calls == []
    assert "team=security" in form.review.value and "cost=42" in form.review.value
    assert "custom (typed)" in form.review.value


def test_an_existing_user_is_said_at_the_name_as_you_type(lab):
    form = UserForm(lab, "tom", groups=[GROUP])
    assert form.submit() is not None
    other = UserForm(lab, "to", groups=[GROUP])
    other.user_name.value = "tom"
    assert "already exists" in text(other.user_name_message)
    other.user_name.value = "tomas"
    assert other.user_name_message.value == ""


def test_spaces_dropped_from_a_name_are_said(lab):
    form = UserForm(lab, " sam ", groups=[GROUP])
    assert "the user will be named sam" in text(form.user_name_message)
    assert form.aria.invalid == []


def test_each_field_judges_its_own_value(lab):
    form = UserForm(lab, "pat", groups=[GROUP])
    form.password_choice.value = "custom"
    form.password.value = "short"
    assert "too short" in text(form.password_message)
    assert form.aria.invalid  # the password field
    form.password.value = "Long-enough-1"
    assert form.password_message.value == "" and form.aria.invalid == []
    form.console.value = form.programmatic.value = False
    assert "at least one access type" in text(form.access_message)
    assert len(form.aria.invalid) == 2
    form.programmatic.value = True
    assert form.access_message.value == "" and form.aria.invalid == []
    form.add_tag("bad#key", "v")
    key, _value, _row = form.tag_rows[-1]
    assert "contains '#'" in text(form.tags_message)
    key_tag = next(c for c in key._dom_classes if c.startswith("awslab-f"))
    assert form.aria.invalid == [key_tag]
    key.value = "goodkey"
    assert form.tags_message.value == "" and form.aria.invalid == []


def test_a_refused_password_goes_away_when_a_new_one_is_typed(lab):
    form = UserForm(lab, "quinn", groups=[GROUP])
    form.password_choice.value = "custom"
    form.password.value = "short"
    assert form.submit() is None and "too short" in form.error
    form.password.value = "Long-enough-1"
    assert form.error is None and text(form.message).strip() == ""


def test_labels_are_never_cut_off(lab):
    form = UserForm(lab, "lee", groups=[GROUP, "not-yet"])
    boxes = [form.console, form.reset, form.programmatic, *form.group_boxes.values()]
    for box in boxes:
        assert isinstance(box, W.Checkbox) and box.layout.width == "auto", box.description
    group = GroupForm(lab, "readers2", "ReadOnlyAccess")
    for row in group.results.children:
        assert row.children[0].layout.width == "auto"
    for field in (form.user_name, group.name, group.search):
        assert field.style.description_width in ("initial", "8em", "12em")


def test_a_group_just_made_is_said_to_be_made_and_a_rerun_says_the_lab_made_it(lab):
    form = GroupForm(lab, "builders", "PowerUserAccess")
    form.submit()
    assert "Created the group builders" in text(form.message)
    assert "was created just now" in text(form.existing) and "already exists" not in text(form.existing)
    rerun = GroupForm(lab, "builders", "PowerUserAccess")
    assert "made earlier by this lab" in text(rerun.existing)
    rerun.submit()
    assert "made earlier by this lab" in text(rerun.message) and "nothing to do" in text(rerun.message)
    # Only a group the lab did not make is one to check before using.
    lab.client("iam").create_group(GroupName="someone-elses")
    theirs = GroupForm(lab, "someone-elses", "ReadOnlyAccess")
    assert "this lab did not create it" in text(theirs.existing)
    assert "Check that it is the group you mean" in text(theirs.existing)


def test_a_bad_group_name_is_marked_until_corrected(lab):
    form = GroupForm(lab, "bad group!", "AdministratorAccess")
    assert "IAM allows only letters" in text(form.existing)
    assert len(form.aria.invalid) == 1
    assert form.submit() is None
    form.name.value = "good-group"
    assert form.aria.invalid == [] and form.error is None
    assert "does not exist yet" in text(form.existing)


def test_what_you_have_now_names_the_user_and_group_made(lab):
    group_form = GroupForm(lab, GROUP, "AdministratorAccess")
    user_form = UserForm(lab, "awslab-admin", groups=[GROUP])
    commands = WhatYouHaveNow(group_form, user_form)
    assert "No user is created yet" in text(commands.widget)
    user_form.user_name.value = "alice2"
    assert user_form.submit() is not None
    shown = text(commands.widget)
    assert "aws iam get-login-profile --user-name alice2" in shown
    assert "aws iam list-access-keys --user-name alice2" in shown
    assert "aws iam get-group --group-name administrators" in shown
    assert "awslab-admin" not in shown and "`" not in commands.widget.value
    assert "<code>" in commands.widget.value
    assert user_form.current_user_name == "alice2"
    # A rerun shows the user that is there, and the commands name it too.
    again_user = UserForm(lab, "alice2", groups=[GROUP])
    again = WhatYouHaveNow(GroupForm(lab, GROUP, "AdministratorAccess"), again_user)
    again_user.show()
    assert "--user-name alice2" in text(again.widget)
    assert "made earlier by this lab" in text(again_user.message)


def test_no_raw_backticks_in_what_the_forms_show(lab):
    form = UserForm(lab, "robin", groups=[GROUP], save_cli_profile=True)
    form.submit()
    assert "<code>aws --profile robin" in form.profile_message.value
    for widget in (form.review, form.profile_message, form.message, form.policy_note):
        assert "`" not in widget.value


def test_secret_buttons_name_their_secret_and_sit_before_the_value():
    assert 'setAttribute("aria-label", name)' in SECRET_ESM
    assert '"Copy " + lower' in SECRET_ESM and '"Show " + lower' in SECRET_ESM
    assert '"Copied"' in SECRET_ESM and 'aria-live' in SECRET_ESM
    order = [SECRET_ESM.index(f"wrap.appendChild({name})") for name in ("label", "toggle", "shown")]
    assert order == sorted(order)
    assert "overflowWrap" in SECRET_ESM


def test_the_notebook_links_to_the_next_one():
    import json

    from tests.conftest import NOTEBOOKS

    notebook = json.loads((NOTEBOOKS / "02_set_up_additional_users.ipynb").read_text())
    prose = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    assert "[03 Set account alias and enable Regions](03_account_alias_and_regions.ipynb)" in prose
    assert "--user-name awslab-admin" not in prose


def test_the_user_form_hears_when_the_group_form_makes_the_group(fresh_account):
    """Run All shows the user form before the group exists; Create group above must not leave
    it saying "administrators (does not exist yet)"."""
    import awslab
    from awslab.forms.s02_users import GroupForm, UserForm

    lab = awslab.connect("sandbox")
    groups = GroupForm(lab)
    users = UserForm(lab, "carol")
    assert "administrators (does not exist yet)" in [b.description for b in users.group_boxes.values()]
    groups.submit()
    assert groups.error is None
    assert [b.description for b in users.group_boxes.values()] == ["administrators"]
    assert users.group_boxes["administrators"].value is True  # still ticked
    assert "does not exist yet" not in users.review.value


def _yes_button(form) -> W.Button:
    """The confirming button of the question the form asks (Form.ask) below it."""
    for box in form.after.children:
        for row in getattr(box, "children", ()):
            for child in getattr(row, "children", ()):
                if isinstance(child, W.Button) and "awslab-yes" in child._dom_classes:
                    return child
    raise AssertionError("no question asked")


def test_every_user_form_button_runs_its_step_through_run(lab):
    """Create user, Save as AWS CLI profile and (on a rerun) Create another access key are the
    buttons of UserForm.actions, each pressed as a learner presses it; a profile that holds
    another key is replaced only once confirmed."""
    from awslab.credentials_file import profile_key_id

    form = UserForm(lab, "nina", groups=[GROUP])
    assert list(form.action_buttons) == ["Create user", "Create another access key", "Save as AWS CLI profile"]
    assert [b.description for b in form.action_buttons.values()] == list(form.action_buttons)
    form.button.click()
    new = form.new_user
    assert form.error is None and new is not None
    form.profile_button.click()
    assert profile_key_id("nina") == new.access_key_id
    assert "Saved the profile nina" in text(form.profile_message)
    assert "Created the user nina" in text(form.message)  # still what the form made
    # A rerun: the user as it is, and another key for it, saved under the same profile once confirmed.
    rerun = UserForm(lab, "nina", groups=[GROUP])
    rerun.show()
    assert rerun.another_button in rerun.existing.children
    rerun.another_button.click()
    key = rerun.new_key
    assert rerun.error is None and key.access_key_id != new.access_key_id
    assert f"Created the access key {key.access_key_id} for nina." in text(rerun.message)
    assert "awslab-credentials" in rerun.after.children[0]._dom_classes
    rerun.profile_button.click()
    assert profile_key_id("nina") == new.access_key_id  # asked, not replaced yet
    _yes_button(rerun).click()
    assert profile_key_id("nina") == key.access_key_id
    assert "Saved the profile nina" in text(rerun.profile_message)


def test_a_refused_button_says_what_it_was_doing(lab, monkeypatch):
    from botocore.exceptions import ClientError

    form = UserForm(lab, "omar", groups=[GROUP])
    assert form.submit() is not None
    iam = lab.client("iam")

    def denied(**_kwargs):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListAccessKeys")

    monkeypatch.setattr(iam, "list_access_keys", denied)
    assert form.run("Create another access key") is None
    monkeypatch.undo()
    assert form.error.startswith("While creating another access key, AWS denied ListAccessKeys")
    assert len(iam.list_access_keys(UserName="omar")["AccessKeyMetadata"]) == 1


def test_a_forgotten_secret_is_not_saved_as_a_profile(lab):
    from awslab.credentials_file import profile_key_id

    form = UserForm(lab, "pia", groups=[GROUP])
    assert form.submit() is not None
    form.forget()
    form.profile_button.click()
    assert "no longer in the notebook's memory" in form.error
    assert profile_key_id("pia") is None

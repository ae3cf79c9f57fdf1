"""The forms' keyboard and layout, driven from code (issue 21, 8 and 9); the same in a real
browser: tests/test_browser_keeps_up.py."""

from __future__ import annotations

from awslab.forms.a11y import tag
from tests.helpers import make_user


def test_passwords_that_differ_mark_both_and_focus_the_first(lab):
    from awslab.forms.s04_sign_in import ConsoleSignInForm

    made = make_user(lab)
    form = ConsoleSignInForm(lab, made["user_name"])
    form.submit()  # the password from the .csv: the console asks for a new one
    assert form.step.next == "new_password", form.message.value
    form.new_password.value, form.confirm.value = "Differ-first-2468", "Differ-second-1357"
    form.submit()
    assert "differ" in form.error
    assert set(form.aria.invalid) == {tag(form.new_password), tag(form.confirm)}
    assert form.aria.focus == tag(form.new_password)
    # Drawn as the fields around it: the same label width.
    for field in (form.password, form.new_password, form.confirm):
        assert field.description_width == form.user_name.style.description_width == form.code.style.description_width


def test_continue_moves_focus_to_step_2_and_the_buttons_line_up(lab):
    from awslab.forms.s01_root_user import RootStatus, VirtualMfaForm

    form = VirtualMfaForm(lab)
    form.set_up_device()
    assert form.aria.focus == tag(form.step2_heading)
    # Cancel keeps ipywidgets' 2px above and below, as Assign MFA beside it does.
    assert form.cancel_button.layout.margin.split()[0] == form.cancel_button.layout.margin.split()[2] == "2px"
    form.cancel()
    # Check again is sized to its words, not stretched across its panel.
    assert RootStatus(lab).button.layout.align_self == "flex-start"
    assert form.check_button.layout.align_self == "flex-start"


def test_enter_in_the_profile_name_saves_the_profile_and_a_saved_view_claims_nothing_fresh(lab):
    from awslab.forms.s02_users import SAVE_PROFILE, GroupForm, UserForm

    user = UserForm(lab, "kim", groups=[])
    assert user.aria.enter == {tag(user.profile_name): tag(user.action_buttons[SAVE_PROFILE])}
    group = GroupForm(lab, "readers", "ReadOnlyAccess")
    assert "awslab-no-enter" in group.search._dom_classes  # it filters as you type
    group.submit()
    assert "was created just now" in group.existing.value
    assert "awslab-live-only" in group.existing._dom_classes  # hidden in a saved view (awslab.forms.a11y's CSS)


def test_the_root_keys_button_is_grey_once_they_are_deleted(lab):
    from awslab.forms.s04_sign_in import RetireRootKeysForm, SignInForm

    made = make_user(lab)
    signin = SignInForm(lab, made["user_name"])
    signin.submit()
    form = RetireRootKeysForm(lab, signin, True, auto_submit=True)
    assert form.button.button_style == "danger"
    form.show()
    assert form.button.description == "Root's access keys deleted" and form.button.disabled
    assert form.button.button_style == ""

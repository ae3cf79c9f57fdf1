"""Notebook 02's lesson about groups (steps/s02_groups_lesson.py, forms/s02_groups_lesson.py),
driven from code on a brand-new sandbox account as notebook 02 leaves it: what the user may do
(IAM's policy simulator), taken out of administrators (denied, and the gate agrees), put back
(allowed), and the account as it was."""

from __future__ import annotations

import dataclasses

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.helpers import counting_calls, make_user

USER, GROUP = "awslab-admin", "administrators"
ANYWHERE = ["iam:ListUsers", "iam:CreateUser", "ec2:DescribeInstances", "s3:ListAllMyBuckets"]


def state(lab) -> dict:
    """What the lesson must leave as it found it: memberships, policies, the lab's record."""
    from awslab import record

    iam = lab.client("iam")
    return {"groups": [g["GroupName"] for g in iam.list_groups_for_user(UserName=USER)["Groups"]],
            "members": [u["UserName"] for u in iam.get_group(GroupName=GROUP)["Users"]],
            "user policies": iam.list_attached_user_policies(UserName=USER)["AttachedPolicies"],
            "group policies": iam.list_attached_group_policies(GroupName=GROUP)["AttachedPolicies"],
            "record": sorted(map(str, record.created(lab.account_id)))}


def as_user(lab, made):
    return boto3.client("iam", aws_access_key_id=made["access_key_id"], region_name="us-east-1",
                        aws_secret_access_key=made["secret_access_key"], endpoint_url=lab.endpoint_url)


@pytest.fixture
def admin(lab):
    return make_user(lab, USER, GROUP)


def test_out_of_the_group_denied_back_in_allowed(lab, admin):
    from awslab.forms.s02_groups_lesson import GroupLessonForm
    from awslab.steps.s02_groups_lesson import Because

    before = state(lab)
    form = GroupLessonForm(lab, USER, GROUP)
    assert list(form.action_buttons) == [f"What can {USER} do?", f"Take {USER} out of {GROUP}", f"Put {USER} back"]
    through_group = Because("AdministratorAccess", f"through group {GROUP}")
    on_user = Because("IAMUserChangePassword", "attached to the user")

    may = form.run(form.what)
    assert may.groups == (GROUP,) and all(row.allowed for row in may.rows)
    assert all(may.row(action).because == (through_group,) for action in ANYWHERE)
    assert may.row("iam:ChangePassword").resource == may.user_arn
    assert set(may.row("iam:ChangePassword").because) == {through_group, on_user}
    assert "5 of the 5 actions allowed" in form.message.value
    assert "AdministratorAccess, through group administrators" in form.view.value

    out = form.run(form.out)
    assert out.groups == ()
    assert {action: out.row(action).decision for action in ANYWHERE} == dict.fromkeys(ANYWHERE, "implicitDeny")
    assert all(out.row(action).because == () for action in ANYWHERE)
    assert out.row("iam:ChangePassword").decision == "allowed"
    assert out.row("iam:ChangePassword").because == (on_user,)
    assert form.view.value.count("denied (implicitDeny)") == 4
    assert "change their groups, not their permissions" in form.message.value
    with pytest.raises(ClientError) as refused:  # the gate agrees with the simulator
        as_user(lab, admin).list_users()
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    shown = {b.description: b.button_style for b in form.action_buttons.values() if b.layout.display != "none"}
    assert shown == {f"Put {USER} back": "primary", f"What can {USER} do?": ""}  # the next thing to do

    back = form.run(form.back)
    assert all(row.allowed for row in back.rows) and back.groups == (GROUP,)
    as_user(lab, admin).list_users()
    assert [p.change for p in form.history] == ["", f"Took {USER} out of {GROUP}.", f"Put {USER} back in {GROUP}."]
    assert state(lab) == before


def test_headless_the_whole_lesson_and_the_account_as_it_started(lab, admin, capsys):
    from awslab.forms.s02_groups_lesson import GroupLessonForm

    before = state(lab)
    form = GroupLessonForm(lab, USER, GROUP, auto_submit=True)
    with counting_calls(lab.client("iam")) as calls:
        form.submit()  # what show() does headless
    assert [sum(r.allowed for r in p.rows) for p in form.history] == [5, 1, 5]
    assert calls.count("SimulatePrincipalPolicy") == 6  # two per table: "*" and the user itself
    assert (calls.count("RemoveUserFromGroup"), calls.count("AddUserToGroup")) == (1, 1)
    assert state(lab) == before
    printed = capsys.readouterr().out  # the three tables as text (and HTML), for a saved notebook
    assert "denied (implicitDeny)" in printed and f"Took {USER} out of {GROUP}." in printed
    assert printed.index("5 of the 5") < printed.index("1 of the 5") < printed.index(f"Put {USER} back in")


def test_the_lab_never_takes_itself_out_of_its_group(lab, admin):
    from awslab.errors import LabError
    from awslab.forms.s02_groups_lesson import GroupLessonForm
    from awslab.steps.s02_groups_lesson import take_out_of_group

    before = state(lab)
    itself = dataclasses.replace(lab, arn=f"arn:aws:iam::{lab.account_id}:user/{USER}")  # as after notebook 04
    with pytest.raises(LabError, match="The lab signs in as awslab-admin itself"):
        take_out_of_group(itself, USER, GROUP)
    form = GroupLessonForm(itself, USER, GROUP, auto_submit=True)
    form.submit()
    assert len(form.history) == 1 and "it does not take itself out of its group" in form.message.value
    assert state(lab) == before


def test_a_table_that_cannot_be_read_puts_the_user_back(lab, admin, monkeypatch):
    from awslab.steps import s02_groups_lesson as lesson

    before = state(lab)

    def broken(*_args, **_kwargs):
        raise RuntimeError("the simulator is away")

    monkeypatch.setattr(lesson, "what_user_may_do", broken)
    with pytest.raises(RuntimeError):
        lesson.take_out_of_group(lab, USER, GROUP)
    assert state(lab) == before


def test_the_lesson_follows_the_user_notebook_02_makes(lab):
    """Run all cells first, then create the user: the lesson's buttons name the user made."""
    from awslab.forms.s02_groups_lesson import GroupLessonForm
    from awslab.forms.s02_users import GroupForm, UserForm

    group_form = GroupForm(lab, GROUP, "AdministratorAccess")
    user_form = UserForm(lab, USER, groups=[GROUP])
    form = GroupLessonForm(lab, user_form, group_form)
    assert form.action_buttons[form.what].description == f"What can {USER} do?"
    group_form.submit()
    with user_form.quietly():
        user_form.user_name.value = "alice"
    user_form.submit()
    labels = [button.description for button in form.action_buttons.values()]
    assert labels == ["What can alice do?", f"Take alice out of {GROUP}", "Put alice back"]
    may = form.run(form.what)
    assert may.user_name == "alice" and may.groups == (GROUP,) and all(r.allowed for r in may.rows)

"""Notebook 02 headless: the account afterwards, no secret in the saved notebook, reruns."""

from __future__ import annotations

import html
import os
import stat

import pytest

from tests.conftest import notebook_text, outputs_text, run_notebook

USER, GROUP = "nb02-admin", "administrators"
PARAMS = dict(auto_submit=True, user_name=USER, group_name=GROUP, tags={"team": "security"},
              save_cli_profile=True, add_mfa=True)


@pytest.fixture(scope="module")
def runs(lab_home, tmp_path_factory):
    """A brand-new account, then the notebook run twice in a row with the same parameters
    (the AWS calls of the first run recorded)."""
    import awslab
    from awslab import sandbox_client as sandbox

    sandbox.reset()
    lab = awslab.connect("sandbox")
    folder = tmp_path_factory.mktemp("run1")
    calls = folder / "calls.txt"
    os.environ["AWSLAB_RECORD_CALLS"] = str(calls)  # the kernel records every AWS call it makes
    try:
        first = run_notebook("02_set_up_additional_users", folder, **PARAMS)
    finally:
        del os.environ["AWSLAB_RECORD_CALLS"]
    keys_after_first = lab.client("iam").list_access_keys(UserName=USER)["AccessKeyMetadata"]
    second = run_notebook("02_set_up_additional_users", tmp_path_factory.mktemp("run2"), **PARAMS)
    return lab, first, second, keys_after_first, calls.read_text().split()


def errors(notebook):
    return [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def test_the_account_afterwards(runs):
    lab, first, _second, keys, _calls = runs
    assert not errors(first)
    iam = lab.client("iam")
    policies = iam.list_attached_group_policies(GroupName=GROUP)["AttachedPolicies"]
    assert [p["PolicyName"] for p in policies] == ["AdministratorAccess"]
    assert [u["UserName"] for u in iam.get_group(GroupName=GROUP)["Users"]] == [USER]
    assert iam.get_login_profile(UserName=USER)["LoginProfile"]["PasswordResetRequired"] is True
    assert [p["PolicyName"] for p in iam.list_attached_user_policies(UserName=USER)["AttachedPolicies"]] \
        == ["IAMUserChangePassword"]
    assert [k["Status"] for k in keys] == ["Active"]
    tags = {t["Key"]: t["Value"] for t in iam.get_user(UserName=USER)["User"]["Tags"]}
    assert tags == {"team": "security", "created-by": "awslab"}
    assert len(iam.list_mfa_devices(UserName=USER)["MFADevices"]) == 1


# The reads the group and user forms make on a brand-new account, at most: the group form
# looks for the group as it is built and again right before creating it (AdministratorAccess is
# looked up once); the user form reads the password policy, the user and the group's policies
# for its review as it is built and once more in the submit, right before the writes, and
# reads nothing back after them. Each read is 50-150 ms of waiting on a real account.
FORM_READS = {"iam:GetPolicy": 1, "iam:GetGroup": 2, "iam:GetAccountPasswordPolicy": 2, "iam:GetUser": 2,
              "iam:ListAttachedGroupPolicies": 2, "iam:ListGroupPolicies": 2, "iam:ListGroups": 1}


def lesson_start(calls: list[str]) -> int:
    """Where section 4's lesson begins: its first table reads the user, then simulates."""
    first = calls.index("iam:SimulatePrincipalPolicy")
    assert calls[first - 1] == "iam:GetUser"
    return first - 1


def test_the_forms_read_nothing_twice_needlessly(runs):
    calls = runs[-1][:lesson_start(runs[-1])]  # the lesson's own calls: test_the_group_lesson
    made = {action: calls.count(action) for action in FORM_READS}
    assert all(made[action] <= most for action, most in FORM_READS.items()), made
    for write in ("iam:CreateGroup", "iam:AttachGroupPolicy", "iam:CreateUser", "iam:CreateLoginProfile",
                  "iam:AttachUserPolicy", "iam:AddUserToGroup", "iam:CreateAccessKey"):
        assert calls.count(write) == 1, write


def test_the_group_lesson_takes_the_user_out_and_puts_it_back(runs):
    """Section 4 headless: the table, the user out of the group (denied), back in (allowed); the
    user ends in its group (test_the_account_afterwards) and the saved notebook shows the tables."""
    _lab, first, _second, _keys, calls = runs
    lesson = calls[lesson_start(calls):]
    assert lesson.count("iam:SimulatePrincipalPolicy") == 6  # three tables, two calls each
    assert (lesson.count("iam:RemoveUserFromGroup"), lesson.count("iam:AddUserToGroup")) == (1, 1)
    assert lesson.index("iam:RemoveUserFromGroup") < lesson.index("iam:AddUserToGroup")
    text = outputs_text(first)
    assert f"Took {USER} out of {GROUP}." in text and f"Put {USER} back in {GROUP}." in text
    assert "denied (implicitDeny)" in text and "IAMUserChangePassword, attached to the user" in text


def test_the_csv_and_the_cli_profile(runs):
    import boto3

    from awslab.credentials_file import read_credentials_csv
    from awslab.steps.s02_users import credentials_csv_path

    lab, _first, _second, keys, _calls = runs
    path = credentials_csv_path(lab.account_id, USER)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text().splitlines()[0] == "User name,Password,Access key ID,Secret access key,Console login link"
    row = read_credentials_csv(path)
    assert row["User name"] == USER and row["Access key ID"] == keys[0]["AccessKeyId"]
    who = boto3.Session(profile_name=USER).client("sts").get_caller_identity()
    assert who["Arn"] == f"arn:aws:iam::{lab.account_id}:user/{USER}"


def test_no_secret_in_the_executed_notebooks(runs):
    from awslab.credentials_file import read_credentials_csv
    from awslab.steps.s02_users import credentials_csv_path

    lab, first, second, _keys, _calls = runs
    row = read_credentials_csv(credentials_csv_path(lab.account_id, USER))
    password, secret = row["Password"], row["Secret access key"]
    assert len(password) >= 8 and len(secret) >= 30
    for executed in (first, second):
        text = notebook_text(executed)
        assert password not in text
        assert secret not in text
        assert "otpauth://" not in text
        assert "Traceback" not in outputs_text(executed)


def test_a_second_run_shows_the_user_and_creates_no_second_key(runs):
    lab, _first, second, keys, _calls = runs
    assert not errors(second)
    now = lab.client("iam").list_access_keys(UserName=USER)["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in now] == [k["AccessKeyId"] for k in keys]
    text = notebook_text(second)
    assert f"{USER} already exists" in text
    assert "only replaced" in text
    assert "nothing to do" in text  # the group and its policy were there already


def test_bad_input_fails_the_headless_run_with_one_sentence_and_creates_nothing(runs, tmp_path):
    import papermill

    lab = runs[0]
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        run_notebook("02_set_up_additional_users", tmp_path, auto_submit=True, user_name="bad name",
                     group_name=GROUP)
    assert "IAM allows only letters" in caught.value.evalue
    assert [u["UserName"] for u in lab.client("iam").list_users()["Users"]] == [USER]


def test_what_you_have_now_names_the_user_and_group_made(runs):
    _lab, first, _second, _keys, _calls = runs
    shown = html.unescape(outputs_text(first))
    assert f"aws iam list-access-keys --user-name {USER}" in shown
    assert f"aws iam get-group --group-name {GROUP}" in shown
    assert "--user-name awslab-admin" not in shown

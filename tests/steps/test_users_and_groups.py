"""Notebook 02's package code: the group, the user as one unit, credentials once, bad input."""

from __future__ import annotations

import html
import json
import os
import stat
import string
from contextlib import contextmanager

import pytest
from botocore.exceptions import ClientError

from awslab import record
from awslab.credentials_file import CSV_HEADER, read_credentials_csv
from awslab.errors import LabError
from awslab.forms.s02_users import GroupForm, UserForm
from awslab.steps.s02_users import (
    ADMIN_POLICY_ARN,
    CHANGE_PASSWORD_ARN,
    DEFAULT_POLICY,
    PasswordPolicy,
    create_admin_group,
    create_another_access_key,
    create_user,
    credentials_csv_path,
    describe_group,
    describe_user,
    generate_password,
    password_problem,
    save_cli_profile,
    search_policies,
    tags_problem,
)

GROUP = "administrators"


@pytest.fixture(scope="module")
def lab(lab_home):
    """One brand-new account for this module; tests use their own user names."""
    import awslab
    from awslab import sandbox_client as sandbox

    sandbox.reset()
    lab = awslab.connect("sandbox")
    create_admin_group(lab, GROUP, [ADMIN_POLICY_ARN])
    return lab


def widget_state_text() -> str:
    from ipywidgets.widgets.widget import _instances

    return json.dumps([w.get_state() for w in list(_instances.values())], default=str)


def user_exists(lab, name) -> bool:
    return describe_user(lab, name) is not None


def nothing_left(lab, name) -> None:
    iam = lab.client("iam")
    assert not user_exists(lab, name)
    members = [u["UserName"] for u in iam.get_group(GroupName=GROUP)["Users"]]
    assert name not in members
    assert not credentials_csv_path(lab.account_id, name).exists()
    mine = [e for e in record.created(lab.account_id)
            if e["name"] == name or e["name"].startswith(name + "|") or e.get("user") == name]
    assert mine == []


def client_error(code, operation, message="injected"):
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@contextmanager
def iam_calls(lab):
    """The IAM operations made inside the block, in order (the lab's client is cached per
    session, so every form and function uses the client this counts on)."""
    calls: list[str] = []

    def count(model, **_kwargs):
        calls.append(model.name)

    events = lab.client("iam").meta.events
    events.register("before-call", count)
    try:
        yield calls
    finally:
        events.unregister("before-call", count)


# ---------------------------------------------------------------- passwords and tags (no AWS)

def test_generated_passwords_meet_the_policy_and_differ():
    strict = PasswordPolicy(min_length=32, require_uppercase=True, require_lowercase=True,
                            require_numbers=True, require_symbols=True, is_default=False)
    seen = set()
    for policy in (DEFAULT_POLICY, strict):
        for _ in range(20):
            password = generate_password(policy, "alice")
            assert password_problem(policy, password, "alice") is None
            assert len(password) >= policy.min_length
            seen.add(password)
    assert len(seen) == 40


def test_password_problems_are_sentences_that_never_quote_the_password():
    strict = PasswordPolicy(min_length=14, require_symbols=True, is_default=False)
    cases = [(DEFAULT_POLICY, "Sh0rt!", "too short"), (DEFAULT_POLICY, "alllowercaseletters", "at least three"),
             (DEFAULT_POLICY, "Alice123", "same as the user name"), (strict, "LongEnoughButNoSymbol1", "a symbol"),
             (DEFAULT_POLICY, "A1!" + "x" * 130, "at most 128")]
    for policy, password, expected in cases:
        sentence = password_problem(policy, password, "alice123")
        assert sentence and expected in sentence and sentence.endswith(".")
        assert password not in sentence


def test_tag_limits():
    assert tags_problem({"team": "security", "cost center": "a/b:c=d+e-f@g_h.i"}) is None
    assert "at most 49" in tags_problem({f"k{i}": "v" for i in range(50)})
    assert tags_problem({f"k{i}": "v" for i in range(49)}) is None
    assert "IAM allows at most 128" in tags_problem({"k" * 129: "v"})
    assert tags_problem({"k" * 128: "v" * 256}) is None
    assert "IAM allows at most 256" in tags_problem({"k": "v" * 257})
    assert "contains" in tags_problem({"bad#key": "v"})
    assert "contains" in tags_problem({"key": "bad<value>"})
    assert "reserves" in tags_problem({"aws:thing": "v"})
    assert "appears twice" in tags_problem([("Team", "a"), ("team", "b")])
    assert "can't be empty" in tags_problem([("", "v")])
    assert "the lab uses" in tags_problem({"created-by": "me"})


# ---------------------------------------------------------------- the group

def test_group_has_administrator_access_and_policy_search(lab):
    from awslab.steps.s02_users import aws_managed_policies, policy_description

    iam = lab.client("iam")
    attached = [p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName=GROUP)["AttachedPolicies"]]
    assert attached == [ADMIN_POLICY_ARN]
    policies = aws_managed_policies(lab)
    assert len(policies) > 500
    hits = search_policies(policies, "administratoraccess")
    assert hits[0]["PolicyName"] == "AdministratorAccess"
    assert all("administratoraccess" in p["PolicyName"].lower() for p in hits)
    assert policy_description(lab, hits[0]) == "Provides full access to AWS services and resources."
    # A rerun: already there, nothing to do; exists_ok=False refuses with a sentence.
    again = create_admin_group(lab, GROUP, [ADMIN_POLICY_ARN])
    assert not again.created and again.attached == [] and again.already == [ADMIN_POLICY_ARN]
    with pytest.raises(LabError, match="already exists"):
        create_admin_group(lab, GROUP, [ADMIN_POLICY_ARN], exists_ok=False)


def test_group_form_filters_as_you_type_and_attaches_missing_policies(lab):
    form = GroupForm(lab, "readers", "ReadOnlyAccess")
    assert form.button.description == "Create group"
    form.search.value = "IAMUserChange"
    names = [row.children[0].description for row in form.results.children]
    assert names[0] == "IAMUserChangePassword"
    assert "change their own password" in form.results.children[0].children[1].value
    assert form.submit() is not None and form.error is None
    iam = lab.client("iam")
    assert [p["PolicyName"] for p in iam.list_attached_group_policies(GroupName="readers")["AttachedPolicies"]] \
        == ["ReadOnlyAccess"]
    # The existing group is shown with its policies; a missing one can be attached.
    again = GroupForm(lab, "readers", "ViewOnlyAccess")
    # ... as made earlier by this lab: not a conflict.
    assert "already there, made earlier by this lab" in again.existing.value
    assert "ReadOnlyAccess" in again.existing.value
    assert again.button.description == "Attach policies"
    again.submit()
    assert "attached ViewOnlyAccess" in again.message.value
    assert {p["PolicyName"] for p in iam.list_attached_group_policies(GroupName="readers")["AttachedPolicies"]} \
        == {"ReadOnlyAccess", "ViewOnlyAccess"}
    rerun = GroupForm(lab, "readers", "ViewOnlyAccess")
    rerun.submit()
    assert "nothing to do" in rerun.message.value and "made earlier by this lab" in rerun.message.value


def test_group_form_shows_the_group_it_made_without_reading_it_back(lab):
    from awslab.forms.s02_users import _group_html

    iam = lab.client("iam")
    form = GroupForm(lab, "auditors", "SecurityAudit")
    with iam_calls(lab) as calls:
        form.submit()
    assert form.error is None, form.error
    # One read, right before the writes, says whether the group exists; the AWS managed
    # policy the form resolved is not looked up again; nothing is read back afterwards.
    assert calls == ["GetGroup", "CreateGroup", "AttachGroupPolicy"]
    # Just created: it says so (not "already exists", which reads like a conflict).
    assert form.existing.value == _group_html(describe_group(iam, "auditors"), "was created just now")
    assert form.button.description == "Attach policies"
    iam.create_user(UserName="auditor-member")
    iam.add_user_to_group(GroupName="auditors", UserName="auditor-member")
    more = GroupForm(lab, "auditors", "ReadOnlyAccess")
    with iam_calls(lab) as calls:
        more.submit()
    assert calls == ["GetGroup", "ListAttachedGroupPolicies", "ListGroupPolicies", "AttachGroupPolicy"]
    assert "attached ReadOnlyAccess" in more.message.value
    shown = more.existing.value
    assert shown == _group_html(describe_group(iam, "auditors"), "is already there, made earlier by this lab")
    assert "ReadOnlyAccess, SecurityAudit" in shown and "auditor-member" in shown


@pytest.mark.parametrize("name, expected", [
    ("bad group!", "IAM allows only letters"),
    ("g" * 129, "IAM allows at most 128"),
    ("", "Type a group name"),
])
def test_bad_group_names_are_refused_before_any_call(lab, name, expected):
    before = lab.client("iam").list_groups()["Groups"]
    form = GroupForm(lab, name, "AdministratorAccess")
    assert form.submit() is None
    assert expected in form.error
    assert lab.client("iam").list_groups()["Groups"] == before


# ---------------------------------------------------------------- the user

def test_create_user_makes_everything_the_review_promised(lab):
    form = UserForm(lab, "alice", groups=[GROUP], tags={"team": "security"})
    for cls, widget in (("awslab-user-name", form.user_name), ("awslab-create-user", form.button),
                        ("awslab-review", form.review)):
        assert cls in widget._dom_classes
    review = form.review.value
    for expected in ("IAM user", "team=security", "created-by=awslab", "Console password", "IAMUserChangePassword",
                     "Group membership", "Access key", "AdministratorAccess (from group administrators)"):
        assert expected in review
    new = form.submit()
    assert form.error is None, form.error
    iam = lab.client("iam")
    user = iam.get_user(UserName="alice")["User"]
    assert {"Key": "created-by", "Value": "awslab"} in user["Tags"]
    assert {"Key": "team", "Value": "security"} in user["Tags"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="alice")["Groups"]] == [GROUP]
    assert iam.get_login_profile(UserName="alice")["LoginProfile"]["PasswordResetRequired"] is True
    assert [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"]] \
        == [CHANGE_PASSWORD_ARN]
    keys = iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in keys] == [(new.access_key_id, "Active")]
    # The .csv: the console's header, the secrets, mode 0600.
    path = credentials_csv_path(lab.account_id, "alice")
    assert path == new.csv_path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    lines = path.read_text().splitlines()
    assert lines[0] == "User name,Password,Access key ID,Secret access key,Console login link"
    row = read_credentials_csv(path)
    assert list(row) == CSV_HEADER
    assert row["User name"] == "alice" and row["Access key ID"] == new.access_key_id
    assert row["Secret access key"] == new.secret_access_key and row["Password"] == new.password
    assert row["Console login link"] == f"https://{lab.account_id}.signin.aws.amazon.com/console"
    assert password_problem(DEFAULT_POLICY, row["Password"], "alice") is None
    # Everything recorded for clean-up; the secrets never in a repr or widget state.
    kinds = {e.key for e in record.created(lab.account_id)}
    assert {("user", "alice", None), ("login_profile", "alice", None),
            ("user_policy", CHANGE_PASSWORD_ARN, "alice"), ("group_membership", GROUP, "alice"),
            ("access_key", new.access_key_id, "alice"), ("csv", str(path), "alice")} <= kinds
    assert new.secret_access_key not in repr(new) and new.password not in repr(new)
    assert "awslab-credentials" in form.after.children[0]._dom_classes
    state = widget_state_text()
    assert new.secret_access_key not in state and new.password not in state
    # Every policy the user ends up with.
    assert set(new.policies) >= {"AdministratorAccess (from group administrators)"}
    assert any(p.startswith("IAMUserChangePassword") for p in new.policies)
    # A rerun shows the user as it is and creates no second key.
    rerun = UserForm(lab, "alice", groups=[GROUP], auto_submit=True)
    rerun.show()
    assert len(iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]) == 1
    shown = html.unescape(rerun.existing.children[0].value)
    assert new.access_key_id in shown and "Active" in shown and "can't be recovered, only replaced" in shown
    assert "must create a new one at next sign-in" in shown


# One submit of the user form: the password policy, the user (absent), the group's attached
# and inline policies (which also say it exists) and the account alias, each read once, then
# the five writes. On a real account every call is 50-150 ms the learner waits for.
USER_SUBMIT_CALLS = 10


def test_one_user_submit_reads_each_thing_once_and_makes_exactly_the_user(lab):
    form = UserForm(lab, "lena", groups=[GROUP], tags={"team": "ops"})
    with iam_calls(lab) as calls:
        new = form.submit()
    assert form.error is None, form.error
    assert len(calls) <= USER_SUBMIT_CALLS, calls
    reads = [c for c in calls if c.startswith(("Get", "List"))]
    assert len(reads) == len(set(reads)), f"a read made twice in one submit: {calls}"
    assert [c for c in calls if c not in reads] == ["CreateUser", "CreateLoginProfile", "AttachUserPolicy",
                                                    "AddUserToGroup", "CreateAccessKey"]
    # The account holds exactly the user the review promised.
    iam = lab.client("iam")
    user = iam.get_user(UserName="lena")["User"]
    assert {t["Key"]: t["Value"] for t in user["Tags"]} == {"team": "ops", "created-by": "awslab"}
    assert iam.get_login_profile(UserName="lena")["LoginProfile"]["PasswordResetRequired"] is True
    assert [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName="lena")["AttachedPolicies"]] \
        == [CHANGE_PASSWORD_ARN]
    assert iam.list_user_policies(UserName="lena")["PolicyNames"] == []
    assert [(k["AccessKeyId"], k["Status"]) for k in iam.list_access_keys(UserName="lena")["AccessKeyMetadata"]] \
        == [(new.access_key_id, "Active")]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="lena")["Groups"]] == [GROUP]
    assert "lena" in [u["UserName"] for u in iam.get_group(GroupName=GROUP)["Users"]]
    assert read_credentials_csv(new.csv_path)["Access key ID"] == new.access_key_id
    # What the form shows, known from the writes (not read back), is what the account holds.
    shown, actual = new.described(), describe_user(lab, "lena")
    for key in ("name", "arn", "groups", "login_profile", "mfa_devices", "tags"):
        assert shown[key] == actual[key], key
    assert [(k["id"], k["status"]) for k in shown["access_keys"]] == \
        [(k["id"], k["status"]) for k in actual["access_keys"]]
    assert f"Created {new.user_name} as reviewed." in html.unescape(form.review.value)


def test_cli_profile_answers_as_the_new_user_and_keeps_other_profiles(lab, lab_home):
    import boto3

    new = create_user(lab, "carol", console_access=False, groups=[GROUP])
    credentials = os.environ["AWS_SHARED_CREDENTIALS_FILE"]
    with open(credentials, "w") as handle:
        handle.write("# my keys\n[work]\naws_access_key_id = AKIAWORK\naws_secret_access_key = worksecret\n")
    with open(os.environ["AWS_CONFIG_FILE"], "w") as handle:
        handle.write("[profile work]\nregion = eu-west-1\n\n[profile carol]\noutput = json\n")
    save_cli_profile(lab, "carol", new.access_key_id, new.secret_access_key)
    for path in (credentials, os.environ["AWS_CONFIG_FILE"]):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    text = open(credentials).read()
    assert "# my keys" in text and "[work]" in text and "worksecret" in text
    config = open(os.environ["AWS_CONFIG_FILE"]).read()
    assert "region = eu-west-1" in config and "output = json" in config and lab.endpoint_url in config
    who = boto3.Session(profile_name="carol").client("sts").get_caller_identity()
    assert who["Arn"] == f"arn:aws:iam::{lab.account_id}:user/carol"
    # Another key under the same name is not overwritten silently.
    with pytest.raises(LabError, match="already holds another access key"):
        save_cli_profile(lab, "carol", "AKIAOTHER", "othersecret")
    assert read_credentials_csv(new.csv_path)["Password"] == ""


def test_headless_form_saves_the_profile_when_asked_and_never_shows_secrets(lab):
    import boto3

    form = UserForm(lab, "dave", groups=[GROUP], auto_submit=True, save_cli_profile=True, profile_name="dave-cli")
    form.show()
    assert form.error is None and form.secret_widgets == []
    assert "saved the profile dave-cli" in form.profile_message.value.lower()
    who = boto3.Session(profile_name="dave-cli").client("sts").get_caller_identity()
    assert who["Arn"].endswith(":user/dave")


def test_a_third_access_key_is_refused_with_aws_limit_explained(lab):
    new = create_user(lab, "erin", console_access=False)
    second = create_another_access_key(lab, "erin")
    assert second.access_key_id != new.access_key_id
    assert read_credentials_csv(second.csv_path)["Access key ID"] == second.access_key_id
    form = UserForm(lab, "erin")
    assert form.show_existing()
    assert form.run("Create another access key") is None
    assert "already has 2 access keys" in form.error and "LimitExceeded" in form.error
    assert len(lab.client("iam").list_access_keys(UserName="erin")["AccessKeyMetadata"]) == 2


def set_form(form, **values):
    for name, value in values.items():
        if name == "password":
            form.password_choice.value = "custom"
            form.password.value = value
        elif name == "tags":
            for key, val in value:
                form.add_tag(key, val)
        else:
            getattr(form, name).value = value


@pytest.mark.parametrize("values, expected", [
    ({"user_name": "bad name"}, "IAM allows only letters"),
    ({"user_name": "u" * 65}, "IAM allows at most 64"),
    ({"user_name": "alice"}, "already exists"),
    ({"password": "short1A"}, "too short"),
    ({"password": "onlylowercaseletters"}, "at least three"),
    ({"console": False, "programmatic": False}, "Choose at least one access type"),
    ({"tags": [(f"k{i}", "v") for i in range(50)]}, "at most 49"),
    ({"tags": [("k" * 129, "v")]}, "at most 128"),
    ({"tags": [("k", "v" * 257)]}, "at most 256"),
    ({"tags": [("bad#key", "v")]}, "contains '#'"),
])
def test_bad_input_is_one_sentence_and_creates_nothing(lab, values, expected):
    if values.get("user_name") == "alice" and not user_exists(lab, "alice"):
        create_user(lab, "alice", groups=[GROUP])
    form = UserForm(lab, "frank", groups=[GROUP])
    set_form(form, **values)
    name = form.user_name.value
    users_before = {u["UserName"] for u in lab.client("iam").list_users()["Users"]}
    assert form.submit() is None
    assert expected in form.error and form.error.endswith(".")
    assert "Traceback" not in form.error and expected in html.unescape(form.message.value)
    assert {u["UserName"] for u in lab.client("iam").list_users()["Users"]} == users_before
    if name != "alice":
        nothing_left(lab, "frank")


def test_a_typed_password_is_checked_against_the_account_policy(lab):
    iam = lab.client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=16, RequireSymbols=True, RequireNumbers=True)
    try:
        form = UserForm(lab, "gina", groups=[GROUP])
        set_form(form, password="Abcdefgh1234")
        assert "too short" in form.review.value and "nothing will be created" in form.review.value
        assert form.submit() is None and "too short" in form.error and "at least 16" in form.error
        nothing_left(lab, "gina")
        set_form(form, password="Abcdefgh1234!long")
        assert "custom (typed)" in form.review.value
        assert "Abcdefgh1234" not in widget_state_text()
        assert form.submit() is not None
        assert form.password.value == ""
        iam.delete_login_profile(UserName="gina")
        iam.detach_user_policy(UserName="gina", PolicyArn=CHANGE_PASSWORD_ARN)
        iam.remove_user_from_group(UserName="gina", GroupName=GROUP)
        for key in iam.list_access_keys(UserName="gina")["AccessKeyMetadata"]:
            iam.delete_access_key(UserName="gina", AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName="gina")
        credentials_csv_path(lab.account_id, "gina").unlink()
        auto = create_user(lab, "gina", groups=[GROUP])
        assert len(auto.password) >= 16 and any(c in string.punctuation for c in auto.password)
    finally:
        iam.delete_account_password_policy()


def test_no_permission_names_the_missing_permission(lab, monkeypatch):
    iam = lab.client("iam")

    def denied(**_kwargs):
        raise client_error("AccessDenied", "CreateUser", "User is not authorized to perform: iam:CreateUser")

    monkeypatch.setattr(iam, "create_user", denied)
    form = UserForm(lab, "hank", groups=[GROUP])
    assert form.submit() is None
    assert "`iam:CreateUser`" in form.error and "nothing was created" in form.error
    monkeypatch.undo()
    nothing_left(lab, "hank")


STEPS = [
    ("create_user", "step 1 of 6, create the user ivan"),
    ("create_login_profile", "step 2 of 6, create the console password"),
    ("attach_user_policy", "step 3 of 6, attach IAMUserChangePassword"),
    ("add_user_to_group", "step 4 of 6, add the user to the group administrators"),
    ("create_access_key", "step 5 of 6, create the access key"),
    ("csv", "step 6 of 6, write the credentials .csv file"),
]


@pytest.mark.parametrize("method, step", STEPS, ids=[m for m, _ in STEPS])
def test_a_failure_at_any_step_undoes_the_steps_before_it(lab, monkeypatch, method, step):
    iam = lab.client("iam")
    if method == "csv":
        import awslab.credentials_file as files

        def broken(*_args, **_kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(files, "write_private", broken)
    else:
        def failing(**_kwargs):
            raise client_error("ServiceFailure", method, "injected failure")

        monkeypatch.setattr(iam, method, failing)
    with pytest.raises(LabError) as caught:
        create_user(lab, "ivan", groups=[GROUP], tags={"team": "x"})
    monkeypatch.undo()
    assert step in caught.value.sentence
    expected = "nothing was created" if method == "create_user" else "undone, so nothing is left half-made"
    assert expected in caught.value.sentence
    nothing_left(lab, "ivan")


def test_the_group_vanishing_between_steps_is_undone(lab, monkeypatch):
    iam = lab.client("iam")
    create_admin_group(lab, "vanishing", [ADMIN_POLICY_ARN])
    real = iam.create_login_profile

    def then_group_deleted(**kwargs):
        answer = real(**kwargs)
        iam.detach_group_policy(GroupName="vanishing", PolicyArn=ADMIN_POLICY_ARN)
        iam.delete_group(GroupName="vanishing")
        return answer

    monkeypatch.setattr(iam, "create_login_profile", then_group_deleted)
    with pytest.raises(LabError) as caught:
        create_user(lab, "judy", groups=["vanishing"])
    monkeypatch.undo()
    assert "add the user to the group vanishing" in caught.value.sentence
    assert "NoSuchEntity" in caught.value.sentence
    assert not user_exists(lab, "judy")
    assert not credentials_csv_path(lab.account_id, "judy").exists()


def test_a_missing_group_is_shown_and_refused_not_dropped(lab):
    form = UserForm(lab, "kim", groups=["no-such-group"])
    assert "does not exist yet" in form.groups_box.children[-1].value
    assert form.submit() is None and "The group no-such-group does not exist" in form.error
    nothing_left(lab, "kim")
    form.group_boxes["no-such-group"].value = False
    form.group_boxes[GROUP].value = True
    assert form.submit() is not None
    assert [g["GroupName"] for g in lab.client("iam").list_groups_for_user(UserName="kim")["Groups"]] == [GROUP]


def test_no_permission_to_create_the_group_is_one_sentence(lab, monkeypatch):
    iam = lab.client("iam")

    def denied(**_kwargs):
        raise client_error("AccessDenied", "CreateGroup", "not authorized")

    monkeypatch.setattr(iam, "create_group", denied)
    form = GroupForm(lab, "denied-group", "AdministratorAccess")
    assert form.submit() is None
    assert "`iam:CreateGroup`" in form.error and "nothing was created" in form.error
    monkeypatch.undo()
    assert "denied-group" not in [g["GroupName"] for g in iam.list_groups()["Groups"]]

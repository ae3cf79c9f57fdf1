"""Clean-up removes what the lab created (record and tags), only that, in AWS's order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import outputs_text, run_notebook
from tests.helpers import make_user, root_keys_present


def _users(lab) -> set[str]:
    return {u["UserName"] for u in lab.client("iam").list_users()["Users"]}


def _groups(lab) -> set[str]:
    return {g["GroupName"] for g in lab.client("iam").list_groups()["Groups"]}


def _prepare(lab) -> dict:
    """What notebooks 02 to 04 leave (recorded), plus things the lab did not make."""
    from awslab import record
    from awslab.steps.s04_checklist import set_password_policy

    made = make_user(lab)
    iam = lab.client("iam")
    account = lab.account_id
    # Not the lab's: stays.
    iam.create_user(UserName="bystander")
    iam.create_access_key(UserName="bystander")
    iam.create_group(GroupName="others")
    iam.attach_group_policy(GroupName="others", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.add_user_to_group(GroupName="others", UserName="bystander")
    # Tagged by the lab but not recorded (the record was lost): goes.
    iam.create_user(UserName="tagged", Tags=[{"Key": "created-by", "Value": "awslab"}])
    iam.create_access_key(UserName="tagged")
    # Account settings the lab changed.
    alias = f"lab-{account}"
    iam.create_account_alias(AccountAlias=alias)
    record.remember(account, "alias", alias, previous=None)
    lab.client("account").enable_region(RegionName="ap-east-1")
    record.remember(account, "region", "ap-east-1")
    set_password_policy(lab)
    # An AWS CLI profile beside one that is not the lab's.
    credentials = Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
    config = Path(os.environ["AWS_CONFIG_FILE"])
    credentials.write_text("[mine]\naws_access_key_id = AKIAMINE\naws_secret_access_key = x\n\n"
                           f"[{made['user_name']}]\naws_access_key_id = {made['access_key_id']}\n"
                           f"aws_secret_access_key = {made['secret_access_key']}\n")
    config.write_text(f"[profile mine]\nregion = eu-west-1\n\n[profile {made['user_name']}]\n"
                      f"region = us-east-1\nendpoint_url = {lab.endpoint_url}\n")
    record.remember(account, "cli_profile", made["user_name"], key=made["access_key_id"],
                    credentials_file=str(credentials), config_file=str(config))
    return made


def test_removes_exactly_what_the_lab_created_and_a_second_run_has_nothing_to_do(fresh_account):
    import awslab
    from awslab import record
    from awslab.steps.s99_clean_up import PHASES, clean_up, plan_clean_up

    lab = awslab.connect("sandbox")
    made = _prepare(lab)
    plan = plan_clean_up(lab, also_check=("bystander", "others"))
    orders = [r.order for r in plan.removals]
    assert orders == sorted(orders)
    whats = [r.what for r in plan.removals]
    assert whats.index(f"user {made['user_name']}") > whats.index(
        f"access key {made['access_key_id']} of user {made['user_name']}")
    assert whats.index("group administrators") > whats.index(f"user {made['user_name']}")
    assert not any("bystander" in w or "others" in w for w in whats)
    assert {k.what for k in plan.kept} >= {"user bystander", "group others"}
    assert PHASES[0] == "access key"

    result = clean_up(lab)
    assert result.failed == []
    assert _users(lab) == {"bystander"}
    assert _groups(lab) == {"others"}
    iam = lab.client("iam")
    assert len(iam.list_access_keys(UserName="bystander")["AccessKeyMetadata"]) == 1
    assert iam.list_account_aliases()["AccountAliases"] == []
    assert lab.client("account").get_region_opt_status(RegionName="ap-east-1")["RegionOptStatus"] in (
        "DISABLING", "DISABLED")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_account_password_policy()
    assert not made["csv"].exists()
    credentials = Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).read_text()
    assert "[mine]" in credentials and made["user_name"] not in credentials
    assert "[profile mine]" in Path(os.environ["AWS_CONFIG_FILE"]).read_text()
    assert record.created(lab.account_id) == []
    assert root_keys_present(lab) == 1  # root's own keys are not the lab's to delete here

    again = plan_clean_up(lab)
    assert again.nothing_to_do and again.removals == []
    assert clean_up(lab).removed == []


def test_password_policy_and_alias_go_back_to_what_they_were(fresh_account):
    import awslab
    from awslab import record
    from awslab.steps.s04_checklist import set_password_policy
    from awslab.steps.s99_clean_up import clean_up

    lab = awslab.connect("sandbox")
    iam = lab.client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=10, RequireNumbers=True)
    set_password_policy(lab)
    iam.create_account_alias(AccountAlias=f"before-{lab.account_id}")
    iam.create_account_alias(AccountAlias=f"lab-{lab.account_id}")   # replaces: one alias per account
    record.remember(lab.account_id, "alias", f"lab-{lab.account_id}", previous=f"before-{lab.account_id}")
    result = clean_up(lab)
    assert result.failed == []
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 10 and not policy.get("PasswordReusePrevention")
    assert iam.list_account_aliases()["AccountAliases"] == [f"before-{lab.account_id}"]


def test_signed_in_as_the_lab_user_with_root_keys_left_switches_back_to_root(fresh_account):
    import awslab
    from awslab import sandbox_client as sandbox
    from awslab.steps.s99_clean_up import clean_up, plan_clean_up

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    sandbox.set_lab_credentials(made["access_key_id"], made["secret_access_key"],
                                principal=f"user/{made['user_name']}")
    me = awslab.connect("sandbox")
    assert me.user_name == made["user_name"]
    assert plan_clean_up(me).switch_to_root
    result = clean_up(me)
    assert result.switched_to_root and result.failed == []
    root = awslab.connect("sandbox")
    assert root.is_root
    assert made["user_name"] not in _users(root)


def _after_04(lab) -> tuple[dict, dict]:
    """What notebooks 02 to 04 leave: the admin user (via the group) and its files, a second
    user, root's keys retired, and the lab signed in as the admin user."""
    from awslab.steps.s04_sign_in import retire_root_access_keys, sign_in_as

    made = _prepare(lab)
    extra = make_user(lab, "second-user", admin=False)
    retire_root_access_keys(lab, sign_in_as(lab, "csv", made["user_name"]))
    return made, extra


def test_signed_in_as_the_lab_user_without_root_keys_removes_it_last_as_root_in_the_console(fresh_account):
    import awslab
    from awslab import record
    from awslab.sandbox_client import credentials_path
    from awslab.steps.s99_clean_up import clean_up, describe_plan, plan_clean_up

    lab = awslab.connect("sandbox")
    made, extra = _after_04(lab)
    me = awslab.connect("sandbox")
    assert me.user_name == made["user_name"] and root_keys_present(me) == 0
    plan = plan_clean_up(me)
    assert not plan.switch_to_root and plan.lab_user == made["user_name"]
    first = [r.what for r in plan.removals]
    last = [r.what for r in plan.as_root_console]
    assert not any(made["user_name"] in w for w in first)   # the lab does not delete itself...
    assert f"user {made['user_name']}" in last and "group administrators" in last   # ...root does
    assert last.index(f"user {made['user_name']}") > last.index(
        f"access key {made['access_key_id']} of user {made['user_name']}")
    assert any(w.startswith("AWS CLI profile") for w in last)
    assert any(w.startswith("credentials file") and made["user_name"] in w for w in last)
    assert "signs in to the (simulated) console as the root user" in describe_plan(plan)
    assert not any(made["user_name"] in k.what for k in plan.kept)

    result = clean_up(me)
    assert result.failed == [] and result.root_console and result.switched_to_root
    root = awslab.connect("sandbox")
    assert root.is_root and root.principal == "root"
    assert root.session.get_credentials().access_key.startswith("ASIA")   # a console session
    assert _users(root) == {"bystander"}
    assert _groups(root) == {"others"}
    assert root.client("iam").list_account_aliases()["AccountAliases"] == []
    assert not made["csv"].exists() and not extra["csv"].exists()
    assert not credentials_path().exists()
    assert made["user_name"] not in Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).read_text()
    assert made["user_name"] not in Path(os.environ["AWS_CONFIG_FILE"]).read_text()
    assert record.created(root.account_id) == []
    assert root_keys_present(root) == 0   # root stays without access keys

    again = plan_clean_up(root)
    assert again.nothing_to_do and again.removals == [] and again.as_root_console == []
    assert clean_up(root).removed == []


def test_on_a_real_account_the_lab_user_stays_with_the_console_explained(fresh_account):
    """Planning only: a Lab that says target 'aws' (pointed at the sandbox) keeps its own user."""
    import awslab
    from awslab.session import Lab
    from awslab.steps.s99_clean_up import plan_clean_up

    lab = awslab.connect("sandbox")
    made, _extra = _after_04(lab)
    me = awslab.connect("sandbox")
    real = Lab("aws", me.region, me.account_id, me.arn, me.user_id, me.session,
               endpoint_url=me.endpoint_url, confirm_account_id=me.account_id)
    plan = plan_clean_up(real)
    assert plan.lab_user is None and plan.as_root_console == []
    assert not any(made["user_name"] in r.what for r in plan.removals)
    why = " ".join(k.why for k in plan.kept)
    assert "sign in to the AWS console as the root user" in why
    assert any(k.what.startswith("group administrators") for k in plan.kept)
    assert any(k.what.startswith("credentials file") for k in plan.kept)


def test_awslab_clean_refuses_without_a_terminal_and_deletes_with_yes(fresh_account):
    import awslab

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    refused = subprocess.run([sys.executable, "-m", "awslab", "clean"], stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert "nothing was deleted" in refused.stderr and "--yes" in refused.stderr
    assert f"user {made['user_name']}" in refused.stdout
    assert made["user_name"] in _users(lab)

    done = subprocess.run([sys.executable, "-m", "awslab", "clean", "--yes"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert made["user_name"] not in _users(lab)
    second = subprocess.run([sys.executable, "-m", "awslab", "clean"], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=120)
    assert second.returncode == 0 and "Nothing to clean up" in second.stdout


def test_notebook_99_headless_twice(fresh_account, tmp_path):
    import awslab

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    lab.client("iam").create_user(UserName="bystander")
    first = run_notebook("99_clean_up", tmp_path, auto_submit=True)
    assert not [o for c in first.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert _users(lab) == {"bystander"}
    assert made["secret_access_key"] not in outputs_text(first)
    (tmp_path / "again").mkdir()
    second = run_notebook("99_clean_up", tmp_path / "again", auto_submit=True)
    state = second.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert "Nothing to clean up" in " ".join(str(m["state"].get("value", "")) for m in state.values())


def test_root_mfa_device_stays(fresh_account):
    import awslab
    from awslab import record
    from awslab.steps.s99_clean_up import clean_up, plan_clean_up
    from tests.helpers import assign_root_mfa

    lab = awslab.connect("sandbox")
    serial = assign_root_mfa(lab)
    record.remember(lab.account_id, "mfa_device", serial, user="root", assigned=True)
    plan = plan_clean_up(lab)
    assert plan.nothing_to_do and any(serial in k.what for k in plan.kept)
    clean_up(lab)
    assert lab.client("iam").get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1


def test_notebook_05s_things_go_in_the_order_aws_requires_and_on_a_real_account_the_instance_stays(
        fresh_account, tmp_path, monkeypatch):
    import awslab
    from awslab import record
    from awslab.session import Lab
    from awslab.steps import s05_identity_center as s05
    from awslab.steps.s99_clean_up import clean_up, plan_clean_up

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    lab = awslab.connect("sandbox")
    s05.enable_organization(lab)
    s05.enable_identity_center(lab)
    s05.create_person(lab, "ana-silva", "Ana", "Silva", "ana@example.com", "people-admins")
    granted = s05.grant_access(lab, "AdministratorAccess", "people-admins")
    s05.write_sso_profile(lab, "ana-silva", s05.require_instance(lab)["portal_url"], granted["role_name"])

    real = Lab("aws", lab.region, lab.account_id, lab.arn, lab.user_id, lab.session,
               endpoint_url=lab.endpoint_url, confirm_account_id=lab.account_id)
    plan = plan_clean_up(real)
    kept = {k.what: k.why for k in plan.kept}
    instance = next(w for w in kept if w.startswith("IAM Identity Center's organization instance"))
    assert "Delete IAM Identity Center" in kept[instance]
    org = next(w for w in kept if w.startswith("organization "))
    assert "Delete organization" in kept[org]
    whats = [r.what for r in plan.removals]
    assignment = next(i for i, w in enumerate(whats) if w.startswith("assignment of permission set AdministratorAccess"))
    assert assignment < whats.index("permission set AdministratorAccess")
    membership = whats.index("membership of IAM Identity Center user ana-silva in group people-admins")
    assert membership < whats.index("IAM Identity Center user ana-silva")
    assert membership < whats.index("IAM Identity Center group people-admins")
    assert any(w.startswith("AWS CLI profile ana-silva and its sso-session") for w in whats)

    result = clean_up(lab)   # the sandbox: the instance and the organization go too
    assert result.failed == [], result.failed
    assert s05.status(lab) == {"organization": None, "instance": None}
    assert lab.client("iam").list_roles(PathPrefix="/aws-reserved/sso.amazonaws.com/")["Roles"] == []
    assert not (tmp_path / "config").exists()   # the lab created it, and nothing else was in it
    assert record.created(lab.account_id) == []
    assert plan_clean_up(lab).nothing_to_do

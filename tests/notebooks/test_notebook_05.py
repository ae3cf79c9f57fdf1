"""Notebook 05: people sign in through IAM Identity Center (docs/contract.md, "Sandbox: IAM Identity Center").

Headless, on its own, twice (it is rerunnable); what exists in the account afterwards; the
profile working through boto3's own SSO provider with a private home and no key on disk; no
secret in the saved notebook; and each refusal a learner can meet, driven from the forms."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import notebook_text, run_notebook

NAME = "05_identity_center"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private home: the AWS config file and the SSO token cache are written here."""
    private = tmp_path / "home"
    (private / ".aws").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(private))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(private / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(private / ".aws" / "credentials"))
    return private


def in_account(lab) -> dict:
    sso = lab.client("sso-admin")
    instance = sso.list_instances()["Instances"][0]
    ids = lab.client("identitystore")
    store = instance["IdentityStoreId"]
    users = {u["UserName"]: u for u in ids.list_users(IdentityStoreId=store)["Users"]}
    groups = {g["DisplayName"]: g for g in ids.list_groups(IdentityStoreId=store)["Groups"]}
    sets = [sso.describe_permission_set(InstanceArn=instance["InstanceArn"], PermissionSetArn=arn)["PermissionSet"]
            for arn in sso.list_permission_sets(InstanceArn=instance["InstanceArn"])["PermissionSets"]]
    return {"instance": instance, "store": store, "users": users, "groups": groups, "sets": sets, "sso": sso,
            "ids": ids}


def test_headless_the_notebook_does_every_step_and_leaves_no_secret(fresh_account, home, tmp_path):
    import awslab

    executed = run_notebook(NAME, tmp_path, auto_submit=True)
    lab = awslab.connect("sandbox")
    org = lab.client("organizations").describe_organization()["Organization"]
    assert org["FeatureSet"] == "ALL" and org["MasterAccountId"] == lab.account_id
    found = in_account(lab)
    assert set(found["users"]) == {"ana-silva"} and set(found["groups"]) == {"administrators"}
    user, group = found["users"]["ana-silva"], found["groups"]["administrators"]
    assert user["Emails"][0]["Value"] == "ana.silva@example.com"
    member = found["ids"].is_member_in_groups(IdentityStoreId=found["store"], MemberId={"UserId": user["UserId"]},
                                               GroupIds=[group["GroupId"]])["Results"][0]
    assert member["MembershipExists"] is True
    [permission_set] = found["sets"]
    assert (permission_set["Name"], permission_set["SessionDuration"]) == ("AdministratorAccess", "PT1H")
    policies = found["sso"].list_managed_policies_in_permission_set(
        InstanceArn=found["instance"]["InstanceArn"], PermissionSetArn=permission_set["PermissionSetArn"])
    assert [p["Name"] for p in policies["AttachedManagedPolicies"]] == ["AdministratorAccess"]
    [assignment] = found["sso"].list_account_assignments(
        InstanceArn=found["instance"]["InstanceArn"], AccountId=lab.account_id,
        PermissionSetArn=permission_set["PermissionSetArn"])["AccountAssignments"]
    assert (assignment["PrincipalType"], assignment["PrincipalId"]) == ("GROUP", group["GroupId"])
    [role] = lab.client("iam").list_roles(PathPrefix="/aws-reserved/sso.amazonaws.com/")["Roles"]
    assert role["RoleName"].startswith("AWSReservedSSO_AdministratorAccess_")

    # The AWS CLI's way: the profile and its sso-session, the token cached 0600, no key file.
    config = (home / ".aws" / "config").read_text()
    assert "[profile ana-silva]" in config and "[sso-session ana-silva]" in config
    assert "aws_secret_access_key" not in config and not (home / ".aws" / "credentials").exists()
    [token_file] = list((home / ".aws" / "sso" / "cache").iterdir())
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(home), AWS_CONFIG_FILE=str(home / ".aws" / "config"),
               AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
               AWS_EC2_METADATA_DISABLED="true")
    script = ("import boto3; s = boto3.Session(profile_name='ana-silva'); "
              "print(s.client('sts').get_caller_identity()['Arn'])")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == (f"arn:aws:sts::{lab.account_id}:assumed-role/{role['RoleName']}/ana-silva")
    # And the AWS CLI the lab installs, as a learner would type it in JupyterLab's terminal.
    aws = Path(sys.executable).parent / "aws"
    cli = subprocess.run([str(aws), "--profile", "ana-silva", "sts", "get-caller-identity", "--query", "Arn",
                          "--output", "text"], env=env, capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr[-2000:]
    assert cli.stdout.strip() == done.stdout.strip()

    # No secret in the saved notebook: the access token, the client secret, the refresh token.
    cached = json.loads(token_file.read_text())
    saved = notebook_text(executed)
    for name in ("accessToken", "clientSecret", "refreshToken"):
        assert cached[name] not in saved, name
    assert "ASIA" not in saved and "token=" not in saved  # role keys; the invitation's link
    assert "SUCCEEDED" in saved and role["RoleName"] in saved

    # Rerunnable: a second run changes nothing and fails nowhere.
    (tmp_path / "again").mkdir()
    run_notebook(NAME, tmp_path / "again", auto_submit=True)
    again = in_account(lab)
    assert set(again["users"]) == {"ana-silva"} and len(again["sets"]) == 1


# The forms, driven from code: each refusal is one sentence, nothing half-made.

@pytest.fixture
def center(fresh_account, home):
    """Organization and instance enabled, as steps 1 and 2 leave them."""
    import awslab
    from awslab.steps import s05_identity_center as s05

    lab = awslab.connect("sandbox")
    s05.enable_organization(lab)
    s05.enable_identity_center(lab)
    return lab


def person(lab, **overrides):
    from awslab.forms.s05_identity_center import PersonForm

    values = dict(user_name="ana-silva", given_name="Ana", family_name="Silva",
                  email="ana.silva@example.com", group_name="administrators")
    values.update(overrides)
    return PersonForm(lab, **values)


def test_an_email_identity_center_refuses_is_one_sentence_and_nothing_is_made(center):
    form = person(center, email="ana at example")
    form.button.click()
    assert form.result is None and "refuses the email address 'ana at example'" in form.error
    assert in_account(center)["users"] == {} and in_account(center)["groups"] == {}


def test_a_user_name_someone_else_made_is_refused(center):
    from awslab.steps import s05_identity_center as s05

    ids, store = s05._store(center)
    ids.create_user(IdentityStoreId=store, UserName="ana-silva", DisplayName="Another Ana",
                    Name={"GivenName": "A", "FamilyName": "S"}, Emails=[{"Value": "x@example.com"}])
    form = person(center)
    form.button.click()
    assert "already has a user named 'ana-silva'" in form.error and "sso_user_name" in form.error


def test_a_permission_set_someone_else_made_is_refused(center):
    from awslab.forms.s05_identity_center import AccessForm
    from awslab.steps import s05_identity_center as s05

    person(center).button.click()
    instance = s05.require_instance(center)
    center.client("sso-admin").create_permission_set(InstanceArn=instance["arn"], Name="AdministratorAccess")
    form = AccessForm(center, permission_set_name="AdministratorAccess", group_name="administrators")
    form.button.click()
    assert "already exists, and this lab did not create it" in form.error


def test_the_portal_refuses_a_wrong_mfa_code_then_accepts_the_right_one_once(center):
    from awslab.forms.s05_identity_center import AccessForm, PortalForm
    from awslab.steps import s05_identity_center as s05

    made = person(center)
    made.button.click()
    AccessForm(center, permission_set_name="AdministratorAccess", group_name="administrators").button.click()
    portal = PortalForm(center, made, user_name="ana-silva", role_name="AdministratorAccess")
    portal.password.value = "short"
    portal.run("Set password")
    assert "The password must" in portal.error and "a symbol" in portal.error
    portal.password.value = "Corr3ct-Horse!battery"
    portal.run("Set password")
    assert portal.error is None
    step = portal.run("Sign in")
    assert step["next"] == "register_mfa" and portal.seed
    code = s05.authenticator_code(center, seed=portal.seed)
    portal.code.value = f"{(int(code) + 1) % 1_000_000:06d}"
    portal.run("Verify MFA code")
    assert "not the one the authenticator app shows" in portal.error
    portal.code.value = code
    portal.run("Verify MFA code")
    assert portal.error is None and portal.portal_token and portal.accounts[0]["roles"] == ["AdministratorAccess"]
    # The next sign-in asks for a code; the one just used is refused (AWS accepts a code once).
    portal.run("Sign in")
    portal.code.value = code
    portal.run("Verify MFA code")
    assert "already used" in portal.error
    creds = portal.run("Get short-term credentials")
    assert creds["accessKeyId"].startswith("ASIA") and creds["expiration"] / 1000 > time.time()
    assert "Nothing long-lived was made" in portal.message.value


def test_the_cli_sign_in_never_approved_or_expired_is_one_sentence(center, monkeypatch):
    from awslab.forms.s05_identity_center import CliForm

    cli = CliForm(center, None, profile="ana-silva", role_name="AdministratorAccess")
    cli.run("Write the profile")
    cli.run("Sign in (aws sso login)")
    assert cli.login["user_code"] in cli.flow.value
    cli.run("Approve in the portal")
    assert "Sign in to the AWS access portal first" in cli.error
    monkeypatch.setattr(cli, "values", lambda label=None: {"device": cli.login["device"], "timeout": 1.5})
    cli.run("Finish sign-in")
    assert cli.error == ("The request was never approved in the access portal: approve it (the code "
                         "shown above), or start the sign-in again.")


def test_a_profile_name_taken_by_a_key_profile_is_refused(center, home):
    from awslab.forms.s05_identity_center import CliForm

    (home / ".aws" / "config").write_text("[profile ana-silva]\nregion = eu-west-1\n")
    cli = CliForm(center, None, profile="ana-silva", role_name="AdministratorAccess")
    cli.run("Write the profile")
    assert "not an IAM Identity Center profile" in cli.error
    assert (home / ".aws" / "config").read_text() == "[profile ana-silva]\nregion = eu-west-1\n"

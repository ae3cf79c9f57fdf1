"""The real-account path, rehearsed against the sandbox (issue: the lab proves its own policy).

`awslab run --target aws` reaches "AWS" through boto3's default chain; here AWS_ENDPOINT_URL
points every client at the sandbox, and the credentials are an IAM user's that holds only
awslab/policy/lab-policy.json (a customer managed policy, as an administrator would set it
up for the lab). The sandbox evaluates that policy on every call, as AWS would:
- with the whole policy, the whole lab passes;
- with one action taken out, the lab fails at the step that needs it, with a sentence
  naming that permission, and leaves nothing half-made.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from awslab.lab_policy import policy
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

OPERATOR = "lab-operator"
PARAMS = {"03_account_alias_and_regions": {"account_alias": "awslab-rehearsal",
                                           "regions_to_enable": ["eu-south-2"]},
          "04_sign_in_and_review": {"security_contact": {"name": "Security team", "title": "Security",
                                                         "email": "security@example.com",
                                                         "phone": "+1 206-555-0199"}}}


def operator_env(lab, document: dict) -> dict:
    """An IAM user holding only `document`, and the environment that makes it 'AWS'."""
    iam = lab.client("iam")
    arn = iam.create_policy(PolicyName="awslab-lab-policy",
                            PolicyDocument=json.dumps(document))["Policy"]["Arn"]
    iam.create_user(UserName=OPERATOR)
    iam.attach_user_policy(UserName=OPERATOR, PolicyArn=arn)
    key = iam.create_access_key(UserName=OPERATOR)["AccessKey"]
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=lab.endpoint_url, AWS_ACCESS_KEY_ID=key["AccessKeyId"],
               AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"], AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=os.environ["AWS_CONFIG_FILE"],
               AWS_SHARED_CREDENTIALS_FILE=os.environ["AWS_SHARED_CREDENTIALS_FILE"],
               AWS_EC2_METADATA_DISABLED="true")
    return env


def run_as_operator(env: dict, tmp_path, account_id: str, *more: str) -> subprocess.CompletedProcess:
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"confirm_account_id": account_id, **PARAMS}))
    return subprocess.run([sys.executable, "-m", "awslab", "run", "--target", "aws",
                           "--params", str(params), "--output", str(tmp_path / "out"), *more],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def without(document: dict, action: str) -> dict:
    trimmed = json.loads(json.dumps(document))
    for statement in trimmed["Statement"]:
        listed = statement["Action"]
        listed = [listed] if isinstance(listed, str) else listed
        statement["Action"] = [name for name in listed if name != action]
    trimmed["Statement"] = [s for s in trimmed["Statement"] if s["Action"]]
    return trimmed


def identity_center_enabled(root) -> None:
    """What a person does in the console before notebook 05 on a real account: the organization
    and IAM Identity Center's organization instance (a console step, no API)."""
    from awslab.steps import s05_identity_center as s05

    s05.enable_organization(root)
    s05.enable_identity_center(root)


def test_the_whole_lab_runs_on_the_real_account_path_with_only_the_lab_policy(fresh_account, tmp_path):
    import awslab

    root = awslab.connect("sandbox")
    identity_center_enabled(root)
    env = operator_env(root, policy())
    done = run_as_operator(env, tmp_path, root.account_id)
    assert done.returncode == 0, done.stdout + done.stderr
    iam = root.client("iam")
    group = iam.get_group(GroupName="administrators")
    assert [u["UserName"] for u in group["Users"]] == ["awslab-admin"]
    attached = iam.list_attached_group_policies(GroupName="administrators")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AdministratorAccess"]
    assert iam.get_login_profile(UserName="awslab-admin")["LoginProfile"]["PasswordResetRequired"]
    assert iam.list_account_aliases()["AccountAliases"] == ["awslab-rehearsal"]
    regions = root.client("account").get_region_opt_status(RegionName="eu-south-2")
    assert regions["RegionOptStatus"] in ("ENABLING", "ENABLED")
    from awslab.steps.s04_checklist import security_contact

    assert security_contact(root)["EmailAddress"] == "security@example.com"
    # Notebook 05, as the operator: the person, the group, the assignment and its role.
    from awslab.steps import s05_identity_center as s05

    assert s05.find_user(root, "ana-silva")["Emails"][0]["Value"] == "ana.silva@example.com"
    assert s05.provisioned_role(root).startswith("AWSReservedSSO_AdministratorAccess_")
    assert "05_identity_center" in done.stdout

    # The operator, not root, did it: root's keys are untouched on a real account.
    assert iam.get_account_summary()["SummaryMap"]["AccountAccessKeysPresent"] == 1

    # Narrowed: the operator may attach IAMUserChangePassword to a user, nothing else.
    import boto3
    from botocore.exceptions import ClientError

    operator = boto3.client("iam", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    with pytest.raises(ClientError) as escalation:
        operator.attach_user_policy(UserName=OPERATOR,
                                    PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert escalation.value.response["Error"]["Code"] == "AccessDenied"

    # And the clean-up, with the same policy: what the lab made is gone, the operator stays.
    cleaned = run_as_operator(env, tmp_path, root.account_id, "--clean-up")
    assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
    assert [u["UserName"] for u in iam.list_users()["Users"]] == [OPERATOR]
    assert iam.list_groups()["Groups"] == [] and iam.list_account_aliases()["AccountAliases"] == []
    assert security_contact(root) is None


@pytest.mark.parametrize("action, step", [
    ("iam:AddUserToGroup", "02_set_up_additional_users"),
    ("iam:SimulatePrincipalPolicy", "02_set_up_additional_users"),
    ("iam:CreateAccountAlias", "03_account_alias_and_regions"),
    ("sso:CreateAccountAssignment", "05_identity_center"),
])
def test_one_missing_action_fails_at_its_step_naming_it_and_leaves_nothing_half_made(
        fresh_account, tmp_path, action, step):
    import awslab

    root = awslab.connect("sandbox")
    identity_center_enabled(root)
    env = operator_env(root, without(policy(), action))
    done = run_as_operator(env, tmp_path, root.account_id)
    assert done.returncode != 0
    told = done.stdout + done.stderr
    assert step in told and action in told, told
    assert "Traceback" not in done.stdout
    iam = root.client("iam")
    users = [u["UserName"] for u in iam.list_users()["Users"]]
    if action == "iam:AddUserToGroup":
        assert users == [OPERATOR]  # the new user was undone with its login profile and key
    elif action == "iam:SimulatePrincipalPolicy":  # the lesson's first table: nothing taken out
        assert [u["UserName"] for u in iam.get_group(GroupName="administrators")["Users"]] == ["awslab-admin"]
    elif action == "iam:CreateAccountAlias":
        assert iam.list_account_aliases()["AccountAliases"] == []
    else:  # the permission set made for the assignment went again
        from awslab.steps import s05_identity_center as s05

        assert s05.find_permission_set(root, "AdministratorAccess") is None

"""Notebook 04 headless: sign in as the new user, retire root's keys, the checklist."""

from __future__ import annotations

import papermill
import pytest

from tests.conftest import notebook_text, outputs_text, run_notebook
from tests.helpers import make_user, root_keys_present


def _widget_text(executed) -> str:
    state = executed.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return " ".join(str(m["state"].get("value", "")) for m in state.get("state", {}).values())


def test_headless_run_switches_to_the_new_user_and_runs_the_checklist(fresh_account, tmp_path, monkeypatch):
    import awslab

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    recorded = tmp_path / "calls.txt"
    monkeypatch.setenv("AWSLAB_RECORD_CALLS", str(recorded))  # the kernel records its AWS calls
    executed = run_notebook("04_sign_in_and_review", tmp_path, auto_submit=True)
    monkeypatch.delenv("AWSLAB_RECORD_CALLS")
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]

    now = awslab.connect("sandbox")
    assert now.principal == f"user/{made['user_name']}"
    assert root_keys_present(now) == 0
    texts = _widget_text(executed)
    assert f"arn:aws:iam::{lab.account_id}:user/{made['user_name']}" in texts
    assert "AccountAccessKeysPresent: 0" in texts
    assert "awslab-checklist" in notebook_text(executed) or "CIS v5.0" in texts
    # The password policy fix was offered with the benchmark's values and, headless, applied.
    policy = now.client("iam").get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 14 and policy["PasswordReusePrevention"] == 24
    assert "Minimum password length is 14." in texts and "The last 24 passwords can&#x27;t be reused." in texts
    # The checklist reads the account once; setting the policy re-reads only the policy.
    calls = recorded.read_text().split()
    count = {name: calls.count(name) for name in set(calls)}
    assert count["iam:ListUsers"] == 1 and count["iam:GetCredentialReport"] == 1
    assert count["iam:ListEntitiesForPolicy"] == 1
    # The console's new password, the checklist, the form, the old policy (for clean-up),
    # the checklist's new read.
    assert count["iam:GetAccountPasswordPolicy"] == 5
    assert count["iam:ListAccountAliases"] == 3  # signing in (as root), the console, the checklist
    # Since CIS 1.1, 1.2, 1.6 and 1.15 joined the checklist and users are read live (a
    # credential report can be four hours old): per user GetLoginProfile, ListMFADevices,
    # ListAccessKeys, GetAccessKeyLastUsed per key; ListPolicies, GetPolicyVersion per attached
    # policy; GetContactInformation, GetAlternateContact (and the contact form's own read);
    # DescribeOrganization for the lab's advisory control (people sign in through IAM Identity
    # Center: no organization here, so nothing more is read).
    assert count["account:GetAlternateContact"] == 2 and count["iam:GetPolicyVersion"] == 2
    assert count["organizations:DescribeOrganization"] == 1
    assert len(calls) <= 39, calls
    # The tutorial's last step: the new user signed in to the (simulated) console and chose a
    # new password, as its own iam:ChangePassword; the lab's .csv holds the new one.
    from awslab.credentials_file import read_credentials_csv

    iam = now.client("iam")
    assert not iam.get_login_profile(UserName=made["user_name"])["LoginProfile"]["PasswordResetRequired"]
    assert iam.get_user(UserName=made["user_name"])["User"].get("PasswordLastUsed")
    assert "Signed in to the console as" in texts
    new_password = read_credentials_csv(made["csv"])["Password"]
    assert new_password and new_password != made["password"]
    # No secret in the saved notebook.
    saved = notebook_text(executed)
    assert made["secret_access_key"] not in saved and made["password"] not in saved
    assert new_password not in saved
    assert "Traceback" not in outputs_text(executed)

    # Again, now signed in as the new user: nothing to retire, no error.
    (tmp_path / "again").mkdir()
    again = run_notebook("04_sign_in_and_review", tmp_path / "again", auto_submit=True)
    assert "nothing to retire" in _widget_text(again)
    assert awslab.connect("sandbox").principal == f"user/{made['user_name']}"


def test_wrong_keys_fail_headless_with_one_sentence_and_delete_nothing(fresh_account, tmp_path):
    import awslab
    from awslab.home import write_private

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    write_private(made["csv"], "User name,Password,Access key ID,Secret access key,Console login link\n"
                               f"{made['user_name']},x,AKIAIOSFODNN7EXAMPLE,nope,https://example\n")
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        run_notebook("04_sign_in_and_review", tmp_path, auto_submit=True)
    assert "InvalidClientTokenId" in caught.value.evalue
    assert root_keys_present(lab) == 1
    assert awslab.connect("sandbox").is_root


def test_missing_csv_says_where_and_how(fresh_account, tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        run_notebook("04_sign_in_and_review", tmp_path, auto_submit=True, user_name="never-made")
    assert "never-made_credentials.csv" in caught.value.evalue
    assert "notebook 02" in caught.value.evalue


def test_runs_on_its_own_interactively_and_says_what_is_missing(fresh_account, tmp_path):
    import awslab

    executed = run_notebook("04_sign_in_and_review", tmp_path)  # auto_submit False: nothing submits
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    texts = _widget_text(executed)
    assert "run notebook 02 first" in texts
    assert "No IAM user holds AdministratorAccess" in texts
    assert awslab.connect("sandbox").is_root and root_keys_present(awslab.connect("sandbox")) == 1

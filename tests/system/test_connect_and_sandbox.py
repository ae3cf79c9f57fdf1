"""The foundation: connecting, the sandbox process, the command line, bad input."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

import awslab
from awslab import sandbox_client as sandbox
from awslab.errors import LabError, explain
from awslab.session import Lab


def awslab_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "awslab", *args], capture_output=True, text=True,
                          env=env or os.environ.copy(), timeout=120)


def test_sandbox_answers_as_the_root_user(lab):
    assert lab.arn == f"arn:aws:iam::{lab.account_id}:root"
    assert lab.is_root and lab.principal == "root"
    assert lab.sandbox and lab.endpoint_url.startswith("http://127.0.0.1:")
    assert len(lab.account_id) == 12 and lab.account_id != "123456789012"


def test_sandbox_holds_the_aws_managed_policies(lab):
    iam = lab.client("iam")
    for name in ("AdministratorAccess", "IAMUserChangePassword"):
        policy = iam.get_policy(PolicyArn=f"arn:aws:iam::aws:policy/{name}")["Policy"]
        assert policy["PolicyName"] == name


def test_sandbox_ignores_aws_variables_in_the_environment(lab_home, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    lab = awslab.connect("sandbox")
    assert lab.is_root


def test_the_account_outlives_a_kernel(lab):
    """Another process (a restarted kernel) sees the same account and what was made in it."""
    lab.client("iam").create_group(GroupName="outlives-kernels")
    code = ("import awslab; lab = awslab.connect('sandbox'); "
            "print(lab.account_id, [g['GroupName'] for g in lab.client('iam').list_groups()['Groups']])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert lab.account_id in out and "outlives-kernels" in out
    lab.client("iam").delete_group(GroupName="outlives-kernels")


def test_unknown_target_lists_the_valid_ones(lab_home):
    with pytest.raises(LabError) as caught:
        awslab.connect("azure")
    assert "'sandbox'" in caught.value.sentence and "'aws'" in caught.value.sentence


def test_real_target_without_credentials_says_so(lab_home, monkeypatch):
    with pytest.raises(LabError) as caught:
        awslab.connect("aws")
    assert "No AWS credentials were found" in caught.value.sentence


def test_real_target_with_a_missing_profile_says_so(lab_home):
    with pytest.raises(LabError) as caught:
        awslab.connect("aws", profile="nope")
    assert "nope" in caught.value.sentence and "profile" in caught.value.sentence


def test_writes_to_a_real_account_need_its_id_confirmed():
    lab = Lab("aws", "us-east-1", "111122223333", "arn:aws:iam::111122223333:user/me", "X", session=None)
    with pytest.raises(LabError) as caught:
        lab.require_write("create a user")
    assert 'confirm_account_id = "111122223333"' in caught.value.sentence
    lab.confirm_account_id = "111122223333"
    lab.require_write("create a user")  # confirmed: no error
    Lab("sandbox", "us-east-1", "1", "a", "b", session=None).require_write()


def test_expired_credentials_are_one_sentence():
    from botocore.exceptions import ClientError

    error = ClientError({"Error": {"Code": "ExpiredToken", "Message": "The security token included in the request is expired"}},
                        "GetCallerIdentity")
    sentence = explain(error, "connecting")
    assert sentence.startswith("While connecting, AWS said ExpiredToken")
    assert "sign in again" in sentence and "\n" not in sentence


def test_access_denied_names_the_missing_permission():
    from botocore.exceptions import ClientError

    error = ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, "GetAccountSummary")
    assert "`iam:GetAccountSummary`" in explain(error)
    error = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "ListRegions")
    assert "`account:ListRegions`" in explain(error)


def test_a_killed_sandbox_is_explained_then_restarted(lab_home):
    lab = awslab.connect("sandbox")
    account = lab.account_id
    os.kill(sandbox.running().pid, signal.SIGKILL)
    time.sleep(0.3)
    with pytest.raises(Exception) as caught:
        lab.client("iam").list_users()
    sentence = explain(caught.value, "listing users")
    assert "sandbox" in sentence and "not answering" in sentence and "awslab sandbox start" in sentence
    again = awslab.connect("sandbox")  # connecting starts it again, same account
    assert again.account_id == account and sandbox.running() is not None


def test_cli_start_status_env_stop(lab_home):
    started = awslab_cli("sandbox", "start")
    assert started.returncode == 0 and "http://127.0.0.1:" in started.stdout
    assert awslab_cli("sandbox", "status").returncode == 0
    env = awslab_cli("sandbox", "env").stdout
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        assert f"export {name}=" in env
    # eval "$(awslab sandbox env)" makes any AWS tool (here boto3 in a bare process) root in the sandbox.
    probe = f'{env}\n{sys.executable} -c "import boto3; print(boto3.client(\'sts\').get_caller_identity()[\'Arn\'])"'
    arn = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True).stdout
    assert arn.strip().endswith(":root")
    assert awslab_cli("sandbox", "stop").returncode == 0
    assert awslab_cli("sandbox", "status").returncode == 1
    assert awslab_cli("sandbox", "start").returncode == 0


def test_cli_start_on_a_taken_port_says_so(tmp_path):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    env = dict(os.environ, AWSLAB_HOME=str(tmp_path / "other-home"))
    try:
        result = awslab_cli("sandbox", "start", "--port", str(port), env=env)
    finally:
        busy.close()
    assert result.returncode == 2
    assert f"Port {port} is taken" in result.stderr and "Traceback" not in result.stderr


def test_two_homes_are_two_independent_sandboxes(lab, tmp_path):
    env = dict(os.environ, AWSLAB_HOME=str(tmp_path / "second"))
    try:
        code = "import awslab; lab = awslab.connect('sandbox'); print(lab.account_id, lab.endpoint_url)"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                             check=True).stdout.split()
        assert out[0] != lab.account_id and out[1] != lab.endpoint_url
    finally:
        awslab_cli("sandbox", "stop", env=env)


def test_reset_gives_a_brand_new_account(fresh_account):
    before = awslab.connect("sandbox")
    before.client("iam").create_group(GroupName="before-reset")
    sandbox.reset()
    after = awslab.connect("sandbox")
    assert after.account_id != before.account_id and after.is_root
    assert after.client("iam").list_groups()["Groups"] == []

"""Nothing acknowledged is lost (persistence.py): every change the sandbox answered survives
SIGKILL right after the answer; a crash's leftovers are recovered at the next start; a
change that cannot be written is refused in one sentence and the account stays as it was."""

import os
import pickle
import signal
import time

import pytest
from botocore.exceptions import ClientError

import awslab
from awslab.errors import LabError
from awslab.sandbox import persistence


def _kill(info) -> None:
    """SIGKILL, at once after the last answer; the process reaped (it is this one's child)."""
    os.kill(info.pid, signal.SIGKILL)
    try:
        os.waitpid(info.pid, 0)
    except ChildProcessError:
        pass


def _users(lab) -> list[str]:
    return sorted(user["UserName"] for user in lab.client("iam").list_users()["Users"])


def test_every_acknowledged_change_survives_sigkill(own_sandbox):
    from awslab import sandbox_client as sandbox

    info = own_sandbox
    for index in range(3):  # killed at once after each answer, restarted each time
        lab = awslab.connect("sandbox")
        lab.client("iam").create_user(UserName=f"kept-{index}")
        _kill(info)
        info = sandbox.start()
    lab = awslab.connect("sandbox")
    assert _users(lab) == ["kept-0", "kept-1", "kept-2"]

    # The additions' own state (a Region's opt-in) and root's keys (account.json) too.
    iam = lab.client("iam")
    lab.client("account").enable_region(RegionName="me-south-1")
    group = iam.create_group(GroupName="kept-group")["Group"]["GroupName"]
    iam.attach_group_policy(GroupName=group, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    new_key = iam.create_access_key()["AccessKey"]  # root's second key
    _kill(info)
    info = sandbox.start()
    lab = awslab.connect("sandbox")
    iam = lab.client("iam")
    assert lab.client("account").get_region_opt_status(
        RegionName="me-south-1")["RegionOptStatus"] in ("ENABLING", "ENABLED")
    assert new_key["AccessKeyId"] in [k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]]
    assert iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")["Policy"][
        "AttachmentCount"] == 1
    assert [p["PolicyName"] for p in iam.list_attached_group_policies(GroupName=group)[
        "AttachedPolicies"]] == ["AdministratorAccess"]
    import boto3

    as_new_key = boto3.client("sts", endpoint_url=info.endpoint, region_name="us-east-1",
                              aws_access_key_id=new_key["AccessKeyId"],
                              aws_secret_access_key=new_key["SecretAccessKey"])
    assert as_new_key.get_caller_identity()["Arn"].endswith(":root")


def test_a_crashs_leftovers_are_recovered(own_sandbox):
    """A record cut short by the crash, a half-written state.pickle.tmp and a server.json
    naming a dead process: the next start takes the last whole record and goes on."""
    from awslab import sandbox_client as sandbox
    from awslab.sandbox_client import server_state_path

    lab = awslab.connect("sandbox")
    lab.client("iam").create_user(UserName="before-the-crash")
    _kill(own_sandbox)
    folder = persistence.journal_path().parent
    with open(persistence.journal_path(), "ab") as journal:
        journal.write(b"AWJ1\0\0\0\0\0\0\0\xff\0\0\x10\0partial")  # a record the crash cut short
    (folder / "state.pickle.tmp").write_bytes(b"half a pickle")
    assert server_state_path().exists()

    info = sandbox.start()
    assert info.pid != own_sandbox.pid
    assert _users(awslab.connect("sandbox")) == ["before-the-crash"]
    assert not (folder / "state.pickle.tmp").exists()
    assert not persistence.journal_path().exists()  # folded into state.pickle at the start
    assert (folder / "state.pickle").exists()


def test_a_change_that_cannot_be_written_is_refused_and_undone(own_sandbox):
    """A full disk, simulated: the journal is /dev/full. The call is refused in one sentence
    (not retried by the SDK), the account is as it was, and once space is back it works."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    lab = awslab.connect("sandbox")
    iam = lab.client("iam")
    iam.create_user(UserName="first")
    deadline = time.monotonic() + 10
    while persistence.journal_path().exists():  # folded into state.pickle after a pause
        assert time.monotonic() < deadline
        time.sleep(0.05)
    persistence.journal_path().symlink_to("/dev/full")
    try:
        with pytest.raises(ClientError) as refused:
            iam.create_user(UserName="second")
        error = refused.value.response["Error"]
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 507
        assert error["Code"] == "ServiceFailure"
        assert "could not save this change" in error["Message"]
        assert "the account is as it was" in error["Message"]
        assert refused.value.response["ResponseMetadata"]["RetryAttempts"] == 0
        from awslab.errors import explain

        sentence = explain(refused.value)
        assert sentence.count(". ") <= 2 and "Traceback" not in sentence
        assert _users(lab) == ["first"]  # a read still answers; the refused change is not there

        # root's own key (account.json, written by an addition) is undone the same way
        tmp = persistence.journal_path().parent / "account.json.tmp"
        tmp.symlink_to("/dev/full")
        try:
            with pytest.raises(ClientError):
                iam.create_access_key()
        finally:
            tmp.unlink()
        assert len(iam.list_access_keys()["AccessKeyMetadata"]) == 1
    finally:
        persistence.journal_path().unlink()
    iam.create_user(UserName="second")
    assert _users(lab) == ["first", "second"]


def test_a_home_that_cannot_be_written_gets_one_sentence(tmp_path, monkeypatch):
    from awslab import sandbox_client as sandbox

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("AWSLAB_HOME", str(blocker / "home"))
    with pytest.raises(LabError) as refused:
        sandbox.start()
    assert "cannot write to" in str(refused.value) and str(blocker / "home") in str(refused.value)
    assert refused.value.code == "SandboxHomeNotWritable"


def test_a_state_saved_by_the_previous_format_loads(tmp_path):
    """A state.pickle of format 1 (moto's whole backend, every AWS managed policy copied in)
    loads, its attached AWS managed policies become the catalogue's, attachments counted."""
    from moto.iam.models import AWSManagedPolicy, IAMBackend

    from awslab.sandbox.services.iam import managed_policies

    backend = IAMBackend(region_name="aws", account_id="210987654321")
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    copy = AWSManagedPolicy("AdministratorAccess", account_id="210987654321", region="aws",
                            default_version_id="v1", path="/",
                            document='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                                     '"Action": "*", "Resource": "*"}]}')
    backend.managed_policies = {admin: copy}  # as moto made them, every one copied in
    backend.create_group("old-admins", "/")
    backend.attach_group_policy(admin, "old-admins")
    data = pickle.loads(pickle.dumps({"format": 1, "iam": backend, "awslab": {}}))
    loaded = persistence._complete(data["iam"])
    catalogue = managed_policies.catalogue("210987654321", "aws")
    assert loaded.groups["old-admins"].managed_policies[admin] is catalogue[admin]
    assert catalogue[admin].attachment_count == 1
    assert loaded.managed_policies[admin] is catalogue[admin]
    assert len(loaded.aws_managed_policies) == len(catalogue)


def test_a_state_saved_before_the_services_folders_still_loads(tmp_path):
    """The sandbox's modules moved to services/<service>/ (issue 23); a state.pickle saved
    before names them where they were (an attached AWS managed policy is saved as a reference
    to managed_policies.aws_policy), and still loads: the learner's account is kept."""
    import moto

    from awslab.sandbox.services.iam import managed_policies

    saved = pickle.dumps({"format": persistence.FORMAT, "moto": moto.__version__,
                          "account_id": "123456789012", "restore": managed_policies.aws_policy},
                         protocol=2)  # GLOBAL opcodes: the module's name as plain text
    new_name = b"awslab.sandbox.services.iam.managed_policies"
    assert new_name in saved
    path = tmp_path / "state.pickle"
    path.write_bytes(saved.replace(new_name, b"awslab.sandbox.managed_policies"))
    assert persistence.load("123456789012", path)["restore"] is managed_policies.aws_policy

"""Two learners on one machine (docs/contract.md, "A classroom"): two AWSLAB_HOMEs, two sandboxes, two accounts;
one learner's keys are refused by the other's sandbox and change nothing there."""

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import awslab
from awslab import sandbox_client as box
from awslab.sandbox_client import lab_credentials


def _client(service: str, endpoint: str, credentials: dict):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=credentials["access_key_id"],
                        aws_secret_access_key=credentials["secret_access_key"],
                        aws_session_token=credentials.get("session_token"),
                        config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def two_learners(sandbox, tmp_path, monkeypatch):
    """(A, B): each {home, info, credentials, account_id}, A's sandbox and B's running."""
    monkeypatch.setenv("AWSLAB_SANDBOX_PORT", "0")
    learners = []
    for name in ("a", "b"):
        monkeypatch.setenv("AWSLAB_HOME", str(tmp_path / name))
        info = box.start()
        learners.append({"home": str(tmp_path / name), "info": info,
                         "credentials": lab_credentials(), "account_id": info.account_id})
    yield learners
    for learner in learners:
        monkeypatch.setenv("AWSLAB_HOME", learner["home"])
        box.stop()


def test_a_learners_keys_are_refused_by_anothers_sandbox(two_learners, monkeypatch):
    a, b = two_learners
    assert a["account_id"] != b["account_id"] and a["info"].endpoint != b["info"].endpoint
    monkeypatch.setenv("AWSLAB_HOME", b["home"])
    b_iam = awslab.connect("sandbox").client("iam")
    before = b_iam.list_users()["Users"]

    a_at_b = b["info"].endpoint
    for service, call in (("iam", lambda c: c.create_user(UserName="intruder")),
                          ("iam", lambda c: c.list_users()),
                          ("sts", lambda c: c.get_caller_identity())):
        with pytest.raises(ClientError) as refused:
            call(_client(service, a_at_b, a["credentials"]))
        assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert b_iam.list_users()["Users"] == before

    # A's own sandbox answers A, as A's account.
    a_sts = _client("sts", a["info"].endpoint, a["credentials"])
    assert a_sts.get_caller_identity()["Account"] == a["account_id"]

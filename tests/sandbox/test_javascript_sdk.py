"""A second SDK: the AWS SDK for JavaScript v3 does notebooks 02-03's tutorial against the sandbox.

Its own SigV4 signer and its own XML and JSON parsers, none of botocore's: tests/node/tutorial.js
makes an administrators group with AdministratorAccess, a user tagged in several scripts, its
password and access key, adds it to the group, sets an account alias, lists the Regions and
enables an opt-in one; the new user then asks who it is and lists the users; everything is
cleaned up. Every call must be answered as AWS would (no SDK error), every answer parsed.

Node and the SDK: `npm ci --prefix tests/node` (.ci/run does it). Without them the test is
skipped with a message, except under CI (CI=true), where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
SCRIPT = NODE_DIR / "tutorial.js"
PACKAGES = ("client-iam", "client-sts", "client-account")
REGION = "mx-central-1"  # an opt-in Region no other test of this sandbox touches


def node_or_skip() -> str:
    node = shutil.which("node")
    missing = [f"@aws-sdk/{name}" for name in PACKAGES
               if not (NODE_DIR / "node_modules" / "@aws-sdk" / name / "package.json").exists()]
    why = ("node (Node.js) is not installed" if node is None else
           f"{', '.join(missing)} not installed: run npm ci --prefix tests/node" if missing
           else None)
    if why:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"the JavaScript SDK test cannot run: {why}")
    return node


def settle_region(account, code: str) -> None:
    """Back to DISABLED as the suite's sandbox had it (Regions change in 1 s here)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = account.get_region_opt_status(RegionName=code)["RegionOptStatus"]
        if status == "DISABLED":
            return
        if status == "ENABLED":
            account.disable_region(RegionName=code)
        time.sleep(0.3)
    raise AssertionError(f"{code} did not settle back to DISABLED")


def test_the_javascript_sdk_does_the_tutorial(lab):
    node = node_or_skip()
    iam, account = lab.client("iam"), lab.client("account")
    assert account.get_region_opt_status(RegionName=REGION)["RegionOptStatus"] == "DISABLED"
    keys = lab.session.get_credentials().get_frozen_credentials()
    prefix = f"js-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "AWSLAB_ENDPOINT": lab.endpoint_url, "AWSLAB_PREFIX": prefix,
           "AWSLAB_REGION_CODE": REGION, "AWS_ACCESS_KEY_ID": keys.access_key,
           "AWS_SECRET_ACCESS_KEY": keys.secret_key}
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONFIG_FILE",
                 "AWS_SHARED_CREDENTIALS_FILE"):
        env.pop(name, None)
    aliases_before = iam.list_account_aliases()["AccountAliases"]
    try:
        done = subprocess.run([node, str(SCRIPT)], env=env, cwd=NODE_DIR, text=True,
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        out = json.loads(done.stdout)
    finally:
        settle_region(account, REGION)
    assert "crashed" not in out, out["crashed"]
    failed = [c for c in out["calls"] if not c["ok"]]
    assert failed == [], f"calls the SDK could not complete: {failed}"
    user, group = f"{prefix}-ana", f"{prefix}-admins"
    acct = lab.account_id
    names = [c["call"] for c in out["calls"]]
    assert names[:4] == ["CreateGroup", "AttachGroupPolicy", "CreateUser", "CreateLoginProfile"]
    assert len(names) >= 25
    # What the SDK parsed out of the sandbox's answers.
    assert out["createdArn"] == f"arn:aws:iam::{acct}:user/{user}"
    assert out["tagsRead"] == out["tagsSent"] == out["userTagsRead"]
    assert out["members"] == [user] and out["attached"] == ["AdministratorAccess"]
    assert out["aliasAfter"] == [f"{prefix}-alias"]
    regions = dict(out["regions"])
    assert regions["us-east-1"] == "ENABLED_BY_DEFAULT" and REGION in regions
    assert len(regions) == len(out["regions"]) > 20  # every page read, no Region twice
    assert out["regionStatus"] in ("ENABLING", "ENABLED")
    assert out["identity"]["Arn"] == f"arn:aws:iam::{acct}:user/{user}"
    assert out["identity"]["Account"] == acct and out["identity"]["UserId"].startswith("AIDA")
    assert user in out["usersSeenByUser"]
    # Cleaned up, as the sandbox itself says.
    assert out["userAfterCleanUp"] == "NoSuchEntityException"
    for look in (lambda: iam.get_user(UserName=user), lambda: iam.get_group(GroupName=group)):
        with pytest.raises(ClientError) as gone:
            look()
        assert gone.value.response["Error"]["Code"] == "NoSuchEntity"
    assert iam.list_account_aliases()["AccountAliases"] == aliases_before

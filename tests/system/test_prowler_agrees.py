"""An independent auditor agrees: Prowler against the sandbox, after the whole lab.

The whole lab runs headless (`awslab run`) in a sandbox of its own; then Prowler (tests/prowler.py:
its own virtual environment, from PyPI, cached) runs its IAM and Account checks of the CIS AWS
Foundations Benchmark v5.0 against that sandbox, unchanged: boto3 sends every client to
AWS_ENDPOINT_URL, and it signs with the lab's credentials from `awslab sandbox env`. Its
verdicts, per control, are compared with `awslab check --json` (docs/contract.md, "Command line"): on every
control both judge they agree, or DIFFERENCES names the control and why.

Twice, because Prowler judges the root user's controls (1.3, 1.4, 1.5) only while root has an
active access key (root's report row never has a password: `not_supported`); the two run side by
side, each on a sandbox of its own, while Prowler installs:
- "root's keys kept": the lab with `delete_root_access_keys=False` (the lab signs as root);
- "root's keys retired": the lab with its defaults (04 retires them; the lab and Prowler sign
  as the new user).

The sandbox here makes a new credential report on every GenerateCredentialReport
(AWSLAB_REPORT_SECONDS=0), as IAM does four hours after the last one: an auditor the day after
the lab. Within those four hours IAM, and the sandbox, hand back the report of notebook 01,
made before the new user existed and before root's MFA; Prowler reads its user and root checks
from that report, the lab's checklist reads users live (tests/steps/test_review.py).

A table of both verdicts is written to test-artifacts/prowler-vs-awslab.md.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from tests import prowler
from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]  # a first install of Prowler included

SECURITY_CONTACT = {"name": "Security team", "title": "Security", "email": "security@example.com",
                    "phone": "+1 206-555-0199"}
PARAMS = {
    "02_set_up_additional_users": {"add_mfa": True},
    "03_account_alias_and_regions": {"account_alias": "awslab-audited"},
    "04_sign_in_and_review": {"security_contact": SECURITY_CONTACT},
}
STAGES = {  # stage -> (04's delete_root_access_keys, the controls both must judge)
    "root's keys kept": (False, {f"1.{n}" for n in range(3, 16)}),
    "root's keys retired": (True, {f"1.{n}" for n in range(6, 16)}),
}
# Controls where Prowler and the checklist may differ on purpose: control -> the reason.
DIFFERENCES: dict[str, str] = {}
# Why a control is judged by one of them only (for the table).
ONE_SIDED = {
    "1.1": "Prowler: manual (MANUAL); awslab reads GetContactInformation",
    "1.2": "Prowler: manual (MANUAL); awslab reads GetAlternateContact(SECURITY)",
    "1.3": "Prowler judges root's keys only while root has an active key",
    "1.4": "Prowler judges root's MFA only while root has an active key (its report row)",
    "1.5": "Prowler judges root's MFA only while root has an active key (its report row)",
    "1.16": "not a control the tutorial touches (a support role)",
    "1.17": "not a control the tutorial touches (EC2 instance roles; not an IAM check)",
    "1.18": "not a control the tutorial touches (server certificates)",
    "1.19": "not a control the tutorial touches (IAM Access Analyzer; not an IAM check)",
    "1.20": "not a control the tutorial touches (identity federation)",
    "1.21": "not a control the tutorial touches (CloudShell)",
}


def awslab(*args: str, env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "awslab", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def sandbox_env(env: dict) -> dict:
    """The lab's AWS environment, as `eval "$(awslab sandbox env)"` would set it."""
    printed = awslab("sandbox", "env", env=env)
    assert printed.returncode == 0, printed.stderr
    found = {}
    for line in printed.stdout.splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export "):].partition("=")
            found[name] = shlex.split(value)[0]
    assert {"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"} <= set(found)
    return found


@pytest.fixture(scope="module")
def audits(lab_home, tmp_path_factory):
    """Each stage: the lab, then Prowler and `awslab check --json`; their verdicts and timings.
    The two stages run side by side, each in a sandbox of its own, while Prowler installs."""
    work = tmp_path_factory.mktemp("prowler")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") or k in (
        "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED")}
    env.update(AWSLAB_SANDBOX_PORT="0", AWSLAB_REPORT_SECONDS="0")
    with ThreadPoolExecutor(max_workers=3) as pool:
        install = pool.submit(prowler.require_prowler)
        stages = {stage: pool.submit(audit, stage, work, env, install) for stage in STAGES}
        results = {"stages": {stage: done.result() for stage, done in stages.items()},
                   "install_seconds": install.result()[1]}
    write_table(results)
    return results


def audit(stage: str, work, env: dict, install) -> dict:
    """One stage: the lab with 04's delete_root_access_keys as STAGES says, in a home of its own;
    then, once Prowler is installed, Prowler's verdicts and the lab's own."""
    delete_keys = STAGES[stage][0]
    home = work / f"home-{delete_keys}"
    home.mkdir(mode=0o700)
    # And a HOME of its own: notebook 05 signs in to IAM Identity Center, and botocore keeps the
    # token in ~/.aws/sso/cache under the session's name, which both stages' labs give alike.
    user = work / f"user-{delete_keys}"
    (user / ".aws").mkdir(parents=True, mode=0o700)
    env = {**env, "AWSLAB_HOME": str(home), "HOME": str(user), "AWS_CONFIG_FILE": str(user / ".aws" / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(user / ".aws" / "credentials")}
    try:
        params = work / f"params-{delete_keys}.json"
        params.write_text(json.dumps({**PARAMS, "04_sign_in_and_review": {
            **PARAMS["04_sign_in_and_review"], "delete_root_access_keys": delete_keys}}))
        started = time.monotonic()
        lab = awslab("run", "--params", str(params), "--output", str(work / f"lab-{delete_keys}"), env=env)
        assert lab.returncode == 0, lab.stdout + lab.stderr
        lab_seconds = time.monotonic() - started
        aws = sandbox_env(env)
        path, _installed = install.result()
        mapping = prowler.requirements(path)
        checks = sorted({c for cs in mapping.values() for c in cs if c.startswith(("iam_", "account_"))})
        started = time.monotonic()
        output = work / f"prowler-{delete_keys}"
        ran = prowler.run(path, {**env, **aws}, output, checks)
        prowler_seconds = time.monotonic() - started
        assert ran.returncode in (0, 3), ran.stdout[-3000:] + ran.stderr[-3000:]
        check = awslab("check", "--json", env=env)
        assert check.returncode in (0, 1), check.stderr
        caller = boto3.client("sts", endpoint_url=aws["AWS_ENDPOINT_URL"], region_name=aws["AWS_DEFAULT_REGION"],
                              aws_access_key_id=aws["AWS_ACCESS_KEY_ID"],
                              aws_secret_access_key=aws["AWS_SECRET_ACCESS_KEY"]).get_caller_identity()
        return {"prowler": prowler.verdicts(prowler.findings(output), mapping),
                "awslab": {c["id"]: c["status"] for c in json.loads(check.stdout)},
                "log": ran.stdout + ran.stderr, "principal": caller["Arn"],
                "lab_seconds": lab_seconds, "prowler_seconds": prowler_seconds}
    finally:
        awslab("sandbox", "stop", env=env)


def write_table(results: dict) -> None:
    lines = [f"# Prowler {prowler.VERSION} vs `awslab check --json`, CIS AWS Foundations Benchmark v5.0",
             "", f"Prowler installed in {results['install_seconds']:.0f} s (0: cached)."]
    for stage, found in results["stages"].items():
        lines += ["", f"## {stage}: lab {found['lab_seconds']:.0f} s, Prowler {found['prowler_seconds']:.0f} s",
                  "", "| control | Prowler | awslab | agree |", "|---|---|---|---|"]
        controls = sorted({k for k in set(found["prowler"]) | set(found["awslab"]) if k[:2] == "1."},
                          key=lambda c: [int(p) if p.isdigit() else 0 for p in c.split(".")])
        for control in controls:
            theirs, ours = found["prowler"].get(control), found["awslab"].get(control)
            both = theirs in ("PASS", "FAIL") and ours in ("PASS", "FAIL")
            agree = ("yes" if theirs == ours else f"no: {DIFFERENCES.get(control, '?')}") if both else (
                ONE_SIDED.get(control, "not judged by both"))
            lines.append(f"| {control} | {theirs or 'no finding'} | {ours or '-'} | {agree} |")
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "prowler-vs-awslab.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


@pytest.mark.parametrize("stage", list(STAGES))
def test_on_every_control_both_judge_they_agree(audits, stage):
    found = audits["stages"][stage]
    both = {c for c, v in found["prowler"].items()
            if v in ("PASS", "FAIL") and found["awslab"].get(c) in ("PASS", "FAIL")}
    assert STAGES[stage][1] <= both, f"no longer judged by both: {sorted(STAGES[stage][1] - both)}"
    differ = {c: (found["prowler"][c], found["awslab"][c]) for c in sorted(both)
              if found["prowler"][c] != found["awslab"][c] and c not in DIFFERENCES}
    assert not differ, f"Prowler and awslab disagree (control: (Prowler, awslab)): {differ}"


def test_the_sandbox_answers_prowler_as_aws_would(audits):
    for stage, found in audits["stages"].items():
        log = found["log"]
        # Every answer parses: calls the sandbox does not offer get a well-formed error.
        assert "Unable to parse response" not in log and "invalid XML" not in log, stage
        assert "Something went wrong in" not in log, stage  # no check crashed on an answer
        assert "AccountNotFoundException" not in log, stage
        # What the tutorial leaves is what an auditor sees.
        verdicts = found["prowler"]
        assert verdicts["1.15"] == "FAIL"  # AdministratorAccess on the administrators group
        assert verdicts["1.14"] == "FAIL"  # IAMUserChangePassword on the new user
        assert verdicts["1.10"] == "PASS"  # the new user's key was used in notebook 04
        assert verdicts["1.1"] == verdicts["1.2"] == "MANUAL"
    kept = audits["stages"]["root's keys kept"]["prowler"]
    assert kept["1.5"] == "FAIL"  # root's virtual MFA device names root: not taken for hardware
    assert kept["1.4"] == "PASS" and kept["1.3"] == "FAIL" and kept["1.6"] == "FAIL"
    retired = audits["stages"]["root's keys retired"]
    assert audits["stages"]["root's keys kept"]["principal"].endswith(":root")
    assert retired["principal"].endswith(":user/awslab-admin")  # the new user's key
    assert retired["prowler"]["1.3"] is None  # no finding: root has no access key left

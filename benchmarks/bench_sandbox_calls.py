"""What awslab's additions cost per IAM call: the sandbox against plain moto server.

One run starts both servers on this machine: plain `moto_server` (with AWS managed
policies loaded, as the sandbox has them) and the sandbox (`awslab.sandbox_client.start()` in a
temporary AWSLAB_HOME), which checks every request's signature and, for an IAM user,
evaluates the user's policies (gate.py), and writes every change to its journal before it
answers (persistence.py; AWSLAB_SANDBOX_FSYNC=1 also flushes it to the disk first). The same mix of 200 IAM calls (create/get/list/tag
users and groups, memberships, login profiles, access keys, policies, account summary,
then the clean-up in the order AWS requires) runs against moto, the sandbox as root
(signature checked) and the sandbox as an administrator user whose power comes from a
group (signature checked and policies evaluated), rotating the order each round so that
machine noise hits all alike. Prints each target's median latency per call, the ratios
to moto (target: at most 1.15 with enforcement), p90s, and what a request with a wrong
signature costs (refused by the gate, never reaching moto).

    .venv/bin/python benchmarks/bench_sandbox_calls.py [ROUNDS]
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def iam_client(endpoint: str, key: str, secret: str):
    import boto3
    from botocore.config import Config

    return boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 0}))


def start_moto() -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    moto_server = shutil.which("moto_server", path=os.path.dirname(sys.executable)) or "moto_server"
    process = subprocess.Popen([moto_server, "-p", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            return process, endpoint
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("moto_server did not start")


def mix(iam, round_: int) -> list[tuple]:
    """200 calls: 10 users, each with 20 calls (setup, reads, clean-up)."""
    calls = []
    group = f"bench-group-{round_}"
    for index in range(10):
        user = f"bench-{round_}-{index}"
        calls += [
            (iam.create_group, {"GroupName": f"{group}-{index}"}),
            (iam.attach_group_policy, {"GroupName": f"{group}-{index}", "PolicyArn": ADMIN}),
            (iam.create_user, {"UserName": user, "Tags": [{"Key": "lab", "Value": "bench"}]}),
            (iam.get_user, {"UserName": user}),
            (iam.add_user_to_group, {"GroupName": f"{group}-{index}", "UserName": user}),
            (iam.create_login_profile, {"UserName": user, "Password": "Bench-Passw0rd!",
                                        "PasswordResetRequired": True}),
            (iam.get_login_profile, {"UserName": user}),
            ("create_access_key", user),
            (iam.list_access_keys, {"UserName": user}),
            (iam.list_users, {}),
            (iam.list_groups_for_user, {"UserName": user}),
            (iam.get_account_summary, {}),
            (iam.list_attached_group_policies, {"GroupName": f"{group}-{index}"}),
            ("delete_access_key", user),
            (iam.delete_login_profile, {"UserName": user}),
            (iam.remove_user_from_group, {"GroupName": f"{group}-{index}", "UserName": user}),
            (iam.delete_user, {"UserName": user}),
            (iam.detach_group_policy, {"GroupName": f"{group}-{index}", "PolicyArn": ADMIN}),
            (iam.delete_group, {"GroupName": f"{group}-{index}"}),
            (iam.list_groups, {}),
        ]
    return calls


def run_round(iam, round_: int) -> list[float]:
    timings = []
    keys: dict[str, str] = {}
    for call, arguments in mix(iam, round_):
        start = time.perf_counter()
        if call == "create_access_key":
            keys[arguments] = iam.create_access_key(UserName=arguments)["AccessKey"]["AccessKeyId"]
        elif call == "delete_access_key":
            iam.delete_access_key(UserName=arguments, AccessKeyId=keys[arguments])
        else:
            call(**arguments)
        timings.append(time.perf_counter() - start)
    return timings


def administrator(root) -> dict:
    """An IAM user in a group with AdministratorAccess, as the tutorial makes it; its key."""
    root.create_group(GroupName="bench-administrators")
    root.attach_group_policy(GroupName="bench-administrators", PolicyArn=ADMIN)
    root.create_user(UserName="bench-admin")
    root.add_user_to_group(GroupName="bench-administrators", UserName="bench-admin")
    return root.create_access_key(UserName="bench-admin")["AccessKey"]


def wrong_signature(endpoint: str, key: str, count: int = 100) -> float:
    """Median time of a ListUsers signed with a wrong secret (the gate refuses it)."""
    from botocore.exceptions import ClientError

    iam = iam_client(endpoint, key, "not-the-secret-" + "x" * 25)
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        try:
            iam.list_users()
        except ClientError as error:
            assert error.response["Error"]["Code"] == "SignatureDoesNotMatch"
        else:
            raise SystemExit("a wrong signature was accepted")
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main(rounds: int = 6) -> int:
    home = tempfile.mkdtemp(prefix="awslab-bench-")
    os.environ["AWSLAB_HOME"] = home
    from awslab import sandbox_client as sandbox

    moto_process, moto_endpoint = start_moto()
    try:
        info = sandbox.start(free_port())
        creds = sandbox.lab_credentials()
        root = iam_client(info.endpoint, creds["access_key_id"], creds["secret_access_key"])
        admin = administrator(root)
        targets = {
            "moto": iam_client(moto_endpoint, "AKIAIOSFODNN7EXAMPLE", "x" * 40),
            "root": root,
            "admin": iam_client(info.endpoint, admin["AccessKeyId"], admin["SecretAccessKey"]),
        }
        for name, iam in targets.items():  # warm up both (connections, first-call imports)
            run_round(iam, 1000 + len(name))
        timings: dict[str, list[float]] = {name: [] for name in targets}
        names = list(targets)
        for round_ in range(rounds):
            order = names[round_ % len(names):] + names[:round_ % len(names)]
            for name in order:
                timings[name] += run_round(targets[name], round_)
        medians = {name: statistics.median(values) for name, values in timings.items()}
        p90 = {name: statistics.quantiles(values, n=10)[-1] for name, values in timings.items()}
        for name in targets:
            print(f"{name:8s} {len(timings[name])} calls  median {medians[name] * 1000:.2f} ms  "
                  f"p90 {p90[name] * 1000:.2f} ms  total {sum(timings[name]):.2f} s")
        for name in ("root", "admin"):
            print(f"ratio sandbox as {name}/moto (median per call): "
                  f"{medians[name] / medians['moto']:.3f}  (target <= 1.15)")
        refused = wrong_signature(info.endpoint, creds["access_key_id"])
        print(f"a wrong signature: refused (SignatureDoesNotMatch) in {refused * 1000:.2f} ms "
              "median, before moto")
        ratio = max(medians["root"], medians["admin"]) / medians["moto"]
        return 0 if ratio <= 1.15 else 1
    finally:
        sandbox.stop()
        moto_process.terminate()
        moto_process.wait(10)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 6))

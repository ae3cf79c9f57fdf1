"""The sandbox's cold start: from `awslab sandbox start` in a fresh AWSLAB_HOME to the first
answered IAM call (a page of AWS managed policies), median of several runs.

Side by side in the same run: plain moto server (`moto_server` with managed policies
loaded, the same work moto alone needs for the same answer).

Target (issue 2): the sandbox at most 1.0 s on a 2-core machine.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(os.environ.get("BENCH_RUNS", 5))

CLIENT = """
import sys, time, boto3
from botocore.config import Config
endpoint, key, secret = sys.argv[1:4]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                   aws_secret_access_key=secret, config=Config(retries={"max_attempts": 0}))
iam.list_policies(Scope="AWS", MaxItems=5)
"""


def sandbox_cold_start() -> float:
    home = tempfile.mkdtemp(prefix="awslab-bench-")
    env = dict(os.environ, AWSLAB_HOME=home, AWSLAB_SANDBOX_PORT="0")
    code = (
        "import time; t = time.perf_counter()\n"
        "from awslab import sandbox_client as sandbox\n"
        "sandbox.start()\n"
        "import awslab\n"
        "lab = awslab.connect('sandbox')\n"
        "lab.client('iam').list_policies(Scope='AWS', MaxItems=5)\n"
        "print(time.perf_counter() - t)\n"
        "sandbox.stop()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def moto_cold_start() -> float:
    port = free_port()
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.02)
        subprocess.run([sys.executable, "-c", CLIENT, f"http://127.0.0.1:{port}", "AKIAEXAMPLE", "x"],
                       check=True, capture_output=True)
        return time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    sandbox = [sandbox_cold_start() for _ in range(RUNS)]
    moto = [moto_cold_start() for _ in range(RUNS)]
    s, m = statistics.median(sandbox), statistics.median(moto)
    print(f"cold start to first IAM answer, median of {RUNS}:")
    print(f"  sandbox (awslab)   {s:.2f} s   (target <= 1.00 s: {'ok' if s <= 1.0 else 'MISSED'})")
    print(f"  plain moto server  {m:.2f} s")
    print(f"  ratio sandbox/moto {s / m:.2f}")


if __name__ == "__main__":
    main()

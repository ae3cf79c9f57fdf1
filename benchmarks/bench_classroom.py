"""A classroom on one machine: what a learner costs, and N learners' labs at once.

1. Memory per learner (resident set, /proc/<pid>/status VmRSS), on a fresh AWSLAB_HOME:
   - the sandbox when it starts, and after a whole lab (`awslab run`: notebooks 00 to 04,
     headless) against it (target: at most 80 MB after a whole lab);
   - beside it, a kernel that ran a lab notebook (the largest of notebooks 00 to 04, each run
     in a kernel of its own, as JupyterLab does) and JupyterLab itself (started, its /lab page
     and the notebook's contents served).
   The sum is what one learner needs on a shared machine (deploy/jupyterhub/ sizes its
   guarantees and limits from it).
2. N learners' whole labs at once (N = 2, 4, 8, each learner an AWSLAB_HOME of its own,
   each `awslab run` starting its own sandbox), against one learner alone, measured side by
   side in this run: wall time per learner, and its ratio to one learner alone. Every lab
   must pass, and every learner has an account of its own.

    .venv/bin/python benchmarks/bench_classroom.py [N ...]
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ["00_setup", "01_secure_the_root_user", "02_set_up_additional_users",
             "03_account_alias_and_regions", "04_sign_in_and_review"]
BIN = Path(sys.executable).parent


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def learner_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "JUPYTERHUB_"))}
    env.update(AWSLAB_HOME=str(home), AWSLAB_SANDBOX_PORT="0", AWSLAB_REGION_DELAY="0.5",
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=str(home / "aws-config"),
               AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"))
    return env


def sandbox_info(home: Path) -> dict:
    return json.loads((home / "sandbox" / "server.json").read_text())


def stop_sandbox(home: Path) -> None:
    subprocess.run([str(BIN / "awslab"), "sandbox", "stop"], env=learner_env(home),
                   capture_output=True, timeout=60)


def run_lab(home: Path) -> subprocess.Popen:
    out = home / "output"
    return subprocess.Popen([str(BIN / "awslab"), "run", "--output", str(out)], env=learner_env(home),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def kernel_rss(home: Path) -> dict[str, float]:
    """Each lab notebook run in a kernel of its own (auto_submit), the kernel's RSS at its end."""
    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell

    found = {}
    env = learner_env(home)
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        for name in NOTEBOOKS:
            nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
            where = next(i for i, cell in enumerate(nb.cells)
                         if "parameters" in cell.metadata.get("tags", []))
            nb.cells.insert(where + 1, new_code_cell("auto_submit = True"))  # as papermill does
            client = NotebookClient(nb, kernel_name="python3", timeout=300,
                                    resources={"metadata": {"path": str(ROOT / "notebooks")}})
            with client.setup_kernel(stderr=subprocess.DEVNULL):
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
                found[name] = rss_mb(client.km.provisioner.process.pid)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return found


def jupyterlab_rss(home: Path) -> float:
    port, token = free_port(), "bench"
    env = learner_env(home)
    command = [str(BIN / "jupyter-lab"), "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    lab = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start") from None
                time.sleep(0.2)
        for path in ("/lab/tree/notebooks/00_setup.ipynb", "/api/contents/notebooks/00_setup.ipynb"):
            urllib.request.urlopen(f"{base}{path}?token={token}", timeout=30).read()
        return rss_mb(lab.pid)
    finally:
        lab.send_signal(signal.SIGINT)
        try:
            lab.wait(10)
        except subprocess.TimeoutExpired:
            lab.kill()
            lab.wait()


def memory(folder: Path) -> float:
    home = folder / "memory"
    home.mkdir()
    subprocess.run([str(BIN / "awslab"), "sandbox", "start"], env=learner_env(home), check=True,
                   capture_output=True, timeout=120)
    pid = sandbox_info(home)["pid"]
    time.sleep(1.5)  # settled: the heap handed back after start
    at_start = rss_mb(pid)
    lab = run_lab(home)
    output, _ = lab.communicate(timeout=600)
    if lab.returncode != 0:
        raise SystemExit(f"the lab failed:\n{output}")
    time.sleep(1.5)
    after = rss_mb(pid)
    stop_sandbox(home)
    print(f"sandbox: {at_start:.0f} MB when it starts, {after:.0f} MB after a whole lab  "
          "(target <= 80 MB)")
    beside = folder / "kernels"
    beside.mkdir()
    kernels = kernel_rss(beside)  # on an account of its own: the lab's notebooks from the start
    stop_sandbox(beside)
    jupyterlab = jupyterlab_rss(beside)
    heaviest = max(kernels, key=kernels.get)
    print("a kernel after its lab notebook: "
          + ", ".join(f"{name[:2]} {mb:.0f} MB" for name, mb in kernels.items()))
    print(f"JupyterLab: {jupyterlab:.0f} MB (started, the lab page and notebook 00 served)")
    total = after + kernels[heaviest] + jupyterlab
    print(f"one learner, one notebook open: about {total:.0f} MB (sandbox + the largest kernel + "
          "JupyterLab); each more notebook open adds a kernel")
    return after


def concurrent(folder: Path, counts: list[int]) -> None:
    results: dict[int, float] = {}
    for count in [1, *counts, 1]:
        homes = [folder / f"n{count}-{index}-{time.monotonic_ns()}" for index in range(count)]
        for home in homes:
            home.mkdir()
        started = time.perf_counter()
        labs = [run_lab(home) for home in homes]
        times, failures = [], []
        for lab in labs:
            output, _ = lab.communicate(timeout=1200)
            times.append(time.perf_counter() - started)
            if lab.returncode != 0:
                failures.append(output[-2000:])
        accounts = {json.loads((home / "sandbox" / "account.json").read_text())["account_id"]
                    for home in homes}
        for home in homes:
            stop_sandbox(home)
        if failures:
            raise SystemExit(f"{len(failures)} of {count} labs failed:\n" + "\n".join(failures))
        if len(accounts) != count:
            raise SystemExit(f"{count} learners shared accounts: {accounts}")
        per_learner = sum(times) / count
        if count == 1 and 1 in results:  # the second solo run: take the faster of the two
            results[1] = min(results[1], per_learner)
            continue
        results[count] = per_learner
        print(f"{count} learner(s) at once: wall time per learner {per_learner:.1f} s "
              f"(slowest {max(times):.1f} s), {count} accounts, every lab passed")
    for count in counts:
        print(f"ratio {count} at once / 1 alone (wall time per learner): "
              f"{results[count] / results[1]:.2f}  ({os.cpu_count()} cores)")


def main(argv: list[str]) -> int:
    counts = [int(arg) for arg in argv] or [2, 4, 8]
    folder = Path(tempfile.mkdtemp(prefix="awslab-classroom-"))
    try:
        after = memory(folder)
        concurrent(folder, counts)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if after <= 80 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

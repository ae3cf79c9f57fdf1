"""A class on a real JupyterHub (docs/contract.md, "A classroom"): three learners, each in an account of their own.

A real `jupyterhub` (from PyPI, with its configurable-http-proxy from npm) runs with
deploy/jupyterhub/jupyterhub_config.py loaded, then what a test machine needs instead of
The Littlest JupyterHub's own pieces: the dummy authenticator, and a local-process spawner
that gives each learner a home of their own under a temporary folder (HOME, so AWSLAB_HOME)
without creating system users. Three learners log in through the hub's REST API (a token
for their username and password), start their servers, and run notebook 00 in them as the
browser does (a session and its kernel through the learner's server, the cells executed
over the kernel's websocket): each sees the root user of an account of their own. Stopping
a learner's server leaves no sandbox of theirs running.

It needs configurable-http-proxy: from PATH (CI installs it with npm), or installed here
with npm into a cache folder; without npm it is skipped (in CI, where CI=true, it fails).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHP_VERSION = "5.1.0"  # the newest that runs on Debian 12's Node.js 18 (5.2 wants Node.js 20)
LEARNERS = ("ada", "grace", "linus")
BIN = Path(sys.executable).parent
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def _proxy_command() -> str | None:
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "awslab-tests" / f"chp-{CHP_VERSION}"
    binary = cache / "node_modules" / ".bin" / "configurable-http-proxy"
    if binary.exists():
        return str(binary)
    npm = shutil.which("npm")
    if npm is None:
        return None
    subprocess.run([npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--loglevel=error",
                    f"configurable-http-proxy@{CHP_VERSION}"], check=True, timeout=300,
                   capture_output=True)
    return str(binary)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


HUB_CONFIG = '''
import os
import sys

from jupyterhub.spawner import LocalProcessSpawner

c = get_config()  # noqa: F821
load_subconfig({deploy_config!r})  # noqa: F821 - the configuration the class uses

HOMES = {homes!r}


class HomePerLearnerSpawner(LocalProcessSpawner):
    """Each hub user runs as this machine's user, in a home of their own (no system user)."""

    def make_preexec_fn(self, name):
        return None

    def user_env(self, env):
        home = os.path.join(HOMES, self.user.name)
        os.makedirs(home, exist_ok=True)
        env.update(USER=self.user.name, HOME=home)
        return env


c.JupyterHub.spawner_class = HomePerLearnerSpawner
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///{folder}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{folder}/jupyterhub_cookie_secret"
c.JupyterHub.services = [{{"name": "classroom-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "classroom-test", "services": ["classroom-test"],
                             "scopes": ["admin:users", "admin:servers"]}}]
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.notebook_dir = {root!r}
c.Spawner.default_url = "/lab/tree/notebooks/00_setup.ipynb"  # nbgitpuller's link, without it
c.Spawner.args = {args!r}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment.update({{"AWSLAB_SANDBOX_PORT": "0", "AWS_EC2_METADATA_DISABLED": "true"}})
'''


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    proxy = _proxy_command()
    if proxy is None:
        if os.environ.get("CI"):
            pytest.fail("configurable-http-proxy is needed in CI: .ci/run installs it with npm")
        pytest.skip("configurable-http-proxy is not on PATH and npm is missing to install it "
                    "(npm install -g configurable-http-proxy)")
    folder = tmp_path_factory.mktemp("jupyterhub")
    homes = folder / "homes"
    homes.mkdir()
    port, token = _free_port(), uuid.uuid4().hex
    config = HUB_CONFIG.format(
        deploy_config=str(ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"), homes=str(homes),
        port=port, hub_port=_free_port(), api_port=_free_port(), proxy=proxy, folder=folder,
        token=token, singleuser=str(BIN / "jupyterhub-singleuser"), root=str(ROOT),
        args=["--allow-root"] if os.geteuid() == 0 else [])
    (folder / "jupyterhub_config.py").write_text(config)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS", "JUPYTERHUB_"))}
    env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
    log = open(folder / "jupyterhub.log", "wb")
    process = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(folder / "jupyterhub_config.py")],
                               cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                import urllib.request

                urllib.request.urlopen(f"{url}/hub/api/", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("the hub did not start:\n" + (folder / "jupyterhub.log").read_text()[-3000:]) from None
                time.sleep(0.2)
        yield {"url": url, "token": token, "homes": homes, "log": folder / "jupyterhub.log"}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


async def _api(method: str, url: str, token: str, body=None, expect=(200, 201, 202, 204)):
    from tornado.httpclient import AsyncHTTPClient, HTTPClientError

    try:
        answer = await AsyncHTTPClient().fetch(
            url, method=method, headers={"Authorization": f"token {token}"} if token else {},
            body=None if body is None else json.dumps(body),
            request_timeout=120)
    except HTTPClientError as error:
        raise AssertionError(f"{method} {url}: {error.code} {error.response.body[:500] if error.response else ''}") from None
    assert answer.code in expect, (method, url, answer.code)
    return json.loads(answer.body) if answer.body else None


async def _run_notebook(base: str, token: str, name: str, path: str) -> list[dict]:
    """Notebook `path` run in the learner's server as the browser runs it: a session and its
    kernel, each code cell executed over the kernel's websocket (auto_submit set after the
    parameters cell, as a headless run does); every message the kernel sent, in order."""
    import nbformat
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    session = await _api("POST", f"{base}/api/sessions", token,
                         {"path": path, "type": "notebook", "name": "", "kernel": {"name": "python3"}})
    kernel = session["kernel"]["id"]
    notebook = nbformat.read(ROOT / path, as_version=4)
    codes = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            codes.append(cell.source)
            if "parameters" in cell.metadata.get("tags", []):
                codes.append("auto_submit = True")
    codes.append("print('ACCOUNT', lab.account_id, lab.arn)")
    url = base.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}"
    socket_ = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"}))
    received = []
    try:
        for code in codes:
            msg_id = uuid.uuid4().hex
            socket_.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": name,
                           "session": uuid.uuid4().hex, "date": "", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
            replied = idle = False
            while not (replied and idle):
                message = json.loads(await asyncio.wait_for(socket_.read_message(), 120))
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                received.append(message)
                kind = message["header"]["msg_type"]
                if kind == "execute_reply":
                    replied = True
                    assert message["content"]["status"] == "ok", message["content"]
                elif kind == "status" and message["content"]["execution_state"] == "idle":
                    idle = True
    finally:
        socket_.close()
    return received


def _sandbox_pid(home: Path) -> int:
    return json.loads((home / ".awslab" / "sandbox" / "server.json").read_text())["pid"]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes() if Path(f"/proc/{pid}").exists() else b""
    return b"awslab.sandbox.server" in cmdline


async def _learner(hub: dict, name: str) -> dict:
    url = hub["url"]
    await _api("POST", f"{url}/hub/api/users/{name}", hub["token"], {}, expect=(201, 409))
    # Logging in through the REST API: a token for the learner's username and password.
    token = (await _api("POST", f"{url}/hub/api/users/{name}/tokens", None,
                        {"auth": {"username": name, "password": f"{name}-password"},
                         "note": "classroom test"}))["token"]
    await _api("POST", f"{url}/hub/api/users/{name}/server", token, {})
    deadline = time.monotonic() + 120
    while True:
        model = await _api("GET", f"{url}/hub/api/users/{name}", token)
        server = model.get("servers", {}).get("")
        if server and server.get("ready"):
            break
        assert time.monotonic() < deadline, f"{name}'s server did not start: {model}"
        await asyncio.sleep(0.3)
    assert server["url"] == f"/user/{name}/"
    base = f"{url}/user/{name}"
    messages = await _run_notebook(base, token, name, "notebooks/00_setup.ipynb")
    printed = "".join(m["content"].get("text", "") for m in messages if m["header"]["msg_type"] == "stream")
    account_id, arn = re.search(r"ACCOUNT (\d{12}) (\S+)", printed).groups()
    seen = json.dumps([m["content"] for m in messages])  # what the browser is sent
    home = hub["homes"] / name
    return {"name": name, "token": token, "account_id": account_id, "arn": arn, "seen": seen,
            "home": home, "sandbox": _sandbox_pid(home)}


async def _stop(hub: dict, learner: dict) -> None:
    url, name = hub["url"], learner["name"]
    await _api("DELETE", f"{url}/hub/api/users/{name}/server", learner["token"])
    deadline = time.monotonic() + 60
    while (await _api("GET", f"{url}/hub/api/users/{name}", learner["token"])).get("servers"):
        assert time.monotonic() < deadline, f"{name}'s server did not stop"
        await asyncio.sleep(0.3)


def test_three_learners_each_in_an_account_of_their_own(hub):
    async def scenario():
        learners = await asyncio.gather(*(_learner(hub, name) for name in LEARNERS))
        accounts = [learner["account_id"] for learner in learners]
        assert len(set(accounts)) == len(LEARNERS), accounts
        for learner in learners:
            saved = json.loads((learner["home"] / ".awslab" / "sandbox" / "account.json").read_text())
            assert saved["account_id"] == learner["account_id"]
            assert learner["arn"] == f"arn:aws:iam::{learner['account_id']}:root"
            assert learner["account_id"] in learner["seen"]  # notebook 00 shows it
            others = set(accounts) - {learner["account_id"]}
            assert not any(other in learner["seen"] for other in others)
            assert _running(learner["sandbox"])
        # A learner's server stopped (as the culler or the learner stops it): no sandbox of
        # theirs is left; the others' go on.
        first, *rest = learners
        await _stop(hub, first)
        deadline = time.monotonic() + 15
        while _running(first["sandbox"]):
            assert time.monotonic() < deadline, "the sandbox outlived its learner's server"
            await asyncio.sleep(0.1)
        assert all(_running(learner["sandbox"]) for learner in rest)
        await asyncio.gather(*(_stop(hub, learner) for learner in rest))
        deadline = time.monotonic() + 15
        while any(_running(learner["sandbox"]) for learner in rest):
            assert time.monotonic() < deadline, "a sandbox outlived its learner's server"
            await asyncio.sleep(0.1)
        # The account is kept for the next login.
        assert (first["home"] / ".awslab" / "sandbox" / "state.pickle").exists() or \
            (first["home"] / ".awslab" / "sandbox" / "account.json").exists()

    asyncio.run(scenario())

"""Issue 19, findings 3, 6 and 7: the lab talks only to its own sandbox, and the sandbox lets
no one else keep it awake, read it from a browser page or hold its connections.

An impostor is another program listening on the port the learner's sandbox left (after
`awslab sandbox stop`, or SIGKILL with server.json left behind). As root (CI), it runs as a
second Unix user (awslab-impostor, made with useradd when missing), as on a shared machine;
otherwise as the same user, where the challenge alone tells it apart. It answers what the old
health route answered (account id, home, pid: it could read them there) and fake AWS answers,
and reports every request it gets: none may carry a signature, a password or a secret.
"""

from __future__ import annotations

import json
import os
import pwd
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

import awslab
from awslab import sandbox_client as box
from awslab.errors import LabError
from tests.helpers import process_gone

IMPOSTOR_USER = "awslab-impostor"

IMPOSTOR = r'''
import http.server, json, socket, sys, time
port, account, home, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])

class Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        print(json.dumps({"method": self.command, "path": self.path,
                          "headers": dict(self.headers.items()), "body": body}), flush=True)
        if self.path.startswith("/_awslab/health"):  # what the old health route told anyone
            data, kind = json.dumps({"status": "ok", "account_id": account, "home": home, "pid": pid}), "application/json"
        elif self.path.startswith("/_awslab/"):
            data, kind = json.dumps({"signed_in": True, "arn": "arn:aws:iam::%s:user/x" % account}), "application/json"
        elif "GetCallerIdentity" in body:
            data, kind = ("<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::%s:root</Arn>"
                          "<UserId>%s</UserId><Account>%s</Account></GetCallerIdentityResult>"
                          "</GetCallerIdentityResponse>" % (account, account, account)), "text/xml"
        else:
            data, kind = ("<ListUsersResponse><ListUsersResult><IsTruncated>false</IsTruncated><Users><member>"
                          "<UserName>planted-by-impostor</UserName><UserId>AIDAIMPOSTOR</UserId><Path>/</Path>"
                          "<Arn>arn:aws:iam::%s:user/planted-by-impostor</Arn>"
                          "<CreateDate>2026-01-01T00:00:00Z</CreateDate></member></Users></ListUsersResult>"
                          "</ListUsersResponse>" % account), "text/xml"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data.encode())
    do_GET = do_POST = _answer
    def log_message(self, *args):
        pass

class Server(http.server.ThreadingHTTPServer):
    allow_reuse_address = True

deadline = time.monotonic() + 10
while True:
    try:
        server = Server(("127.0.0.1", port), Handler)
        break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.05)
print("READY", flush=True)
server.serve_forever()
'''


def _second_user() -> tuple[int, int] | None:
    """(uid, gid) of the impostor's Unix user when this test runs as root (made if missing)."""
    if os.geteuid() != 0:
        return None
    try:
        found = pwd.getpwnam(IMPOSTOR_USER)
    except KeyError:
        made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                               IMPOSTOR_USER], capture_output=True, text=True)
        try:
            found = pwd.getpwnam(IMPOSTOR_USER)  # made now, or by another test process meanwhile
        except KeyError:
            pytest.skip(f"could not make the second Unix user {IMPOSTOR_USER}: {made.stderr.strip()}")
    return found.pw_uid, found.pw_gid


def _python_for(user: tuple[int, int] | None) -> str:
    """An interpreter the impostor's user may run (the venv may sit in a folder only root reads)."""
    for candidate in (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3"):
        if not os.path.exists(candidate):
            continue
        try:
            subprocess.run([candidate, "-I", "-c", "pass"], check=True, capture_output=True, timeout=30,
                           **_as(user))
            return candidate
        except (OSError, subprocess.SubprocessError):
            continue
    pytest.skip(f"no Python interpreter that user {IMPOSTOR_USER} may run")


def _as(user: tuple[int, int] | None) -> dict:
    return {} if user is None else {"user": user[0], "group": user[1], "extra_groups": []}


class Impostor:
    """Another program on `port`; `requests` is what it received."""

    def __init__(self, port: int, account: str, home, pid: int, user: tuple[int, int] | None):
        self.user = user
        self.requests: list[dict] = []
        self.process = subprocess.Popen(
            [_python_for(user), "-I", "-c", IMPOSTOR, str(port), account, str(home), str(pid)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/", **_as(user))
        ready = self.process.stdout.readline()
        assert ready.strip() == "READY", (ready, self.process.stderr.read())
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.requests.append(json.loads(line))

    def given_secrets(self) -> list[dict]:
        """Requests that carried a signature, a password, the console's secret or the lab's
        signed question for the account (its root keys and console secret)."""
        time.sleep(0.2)  # lines still in the pipe
        return [r for r in self.requests if "Authorization" in r["headers"] or "authorization" in r["headers"]
                or "password" in r["body"] or "console_secret" in r["body"] or "proof" in r["body"]
                or r["path"].startswith("/_awslab/account")]

    def stop(self):
        self.process.kill()
        self.process.wait()


@pytest.fixture
def home(sandbox, tmp_path, monkeypatch):
    """An AWSLAB_HOME of this test's own (its sandbox stopped at the end)."""
    monkeypatch.setenv("AWSLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWSLAB_SANDBOX_PORT", "0")
    yield tmp_path / "home"
    box.stop()


@pytest.fixture
def impostors():
    made = []

    def make(info, home, user):
        made.append(Impostor(info.port, info.account_id, home, info.pid, user))
        return made[-1]

    yield make
    for impostor in made:
        impostor.stop()


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "awslab", *args], capture_output=True, text=True,
                          timeout=120)


def _kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
        except ChildProcessError:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        time.sleep(0.02)


def _user_names(iam) -> list[str]:
    return [user["UserName"] for user in iam.list_users()["Users"]]


@pytest.mark.parametrize("who", ["second user", "same user"])
def test_after_stop_an_open_notebook_sends_nothing_to_the_program_on_the_old_port(home, impostors, who):
    user = _second_user() if who == "second user" else None
    if who == "second user" and user is None:
        pytest.skip("needs root to run the impostor as a second Unix user (CI runs as root)")
    info = box.start()
    lab = awslab.connect("sandbox")
    iam = lab.client("iam")  # made before the stop: the notebook's client
    iam.create_user(UserName="mine")
    assert box.stop()
    fake = impostors(info, home, user)

    with pytest.raises(LabError) as refused:
        iam.list_users()
    sentence = refused.value.sentence
    assert "not your sandbox" in sentence and str(info.port) in sentence and "awslab sandbox start" in sentence
    if user is not None:
        assert IMPOSTOR_USER in sentence  # the kernel names who holds the port
    with pytest.raises(LabError):  # a password typed into notebook 04's sign-in form
        box.sign_in_as_user(lab.endpoint_url, lab.account_id, "mine", "Typed-Password-1!")
    assert box.running() is None
    status = _cli("sandbox", "status")
    assert status.returncode == 1 and "not running" in status.stdout

    again = awslab.connect("sandbox")  # starts the learner's own sandbox, on another port
    assert again.endpoint_url != info.endpoint and again.account_id == info.account_id
    assert _user_names(again.client("iam")) == ["mine"]
    # The notebook's old client follows its sandbox to the new port (proven by the challenge).
    assert _user_names(iam) == ["mine"]
    assert fake.given_secrets() == []


@pytest.mark.parametrize("who", ["second user", "same user"])
def test_after_sigkill_status_start_env_and_connect_never_adopt_the_impostor(home, impostors, who):
    user = _second_user() if who == "second user" else None
    if who == "second user" and user is None:
        pytest.skip("needs root to run the impostor as a second Unix user (CI runs as root)")
    info = box.start()
    lab = awslab.connect("sandbox")
    iam = lab.client("iam")
    iam.create_user(UserName="mine")
    _kill(info.pid)
    from awslab.sandbox_client import server_state_path

    assert server_state_path().exists()  # SIGKILL leaves server.json naming the old port and pid
    fake = impostors(info, home, user)

    assert box.running() is None
    status = _cli("sandbox", "status")
    assert status.returncode == 1 and "not running" in status.stdout
    assert f"port {info.port}" in status.stdout and "not your sandbox" in status.stdout
    if user is not None:
        assert IMPOSTOR_USER in status.stdout
    with pytest.raises(LabError) as taken:  # this very port, asked for: one sentence
        box.start(info.port)
    assert f"Port {info.port} is taken" in taken.value.sentence
    with pytest.raises(LabError):
        iam.list_users()

    env = _cli("sandbox", "env")  # starts the learner's own sandbox elsewhere
    assert env.returncode == 0, env.stderr
    endpoint = next(line.split("=", 1)[1] for line in env.stdout.splitlines()
                    if line.startswith("export AWS_ENDPOINT_URL="))
    assert endpoint.strip("'") != info.endpoint
    own = box.running()
    assert own is not None and own.port != info.port and own.account_id == info.account_id
    again = awslab.connect("sandbox")
    assert again.endpoint_url == own.endpoint and _user_names(again.client("iam")) == ["mine"]
    assert fake.given_secrets() == []


def test_connect_and_start_with_the_usual_port_held_by_an_impostor_pick_another(home, impostors,
                                                                               monkeypatch):
    user = _second_user()
    info = box.start()
    _kill(info.pid)  # server.json still names this port and pid
    fake = impostors(info, home, user)
    monkeypatch.setenv("AWSLAB_SANDBOX_PORT", str(info.port))  # the port it prefers (4599 by default)
    lab = awslab.connect("sandbox")
    assert lab.endpoint_url != info.endpoint and lab.account_id == info.account_id
    started = box.start(info.port, strict=False)  # preferred, not required
    assert started.port != info.port and started.endpoint == lab.endpoint_url
    assert box.running() == started
    assert fake.given_secrets() == []


def test_the_health_route_tells_nothing_an_impostor_could_use(home):
    info = box.start()
    for query in ("", "?nonce=" + "ab" * 16, "?nonce=short"):
        with urllib.request.urlopen(info.endpoint + "/_awslab/health" + query, timeout=10) as answer:
            body = answer.read().decode()
        data = json.loads(body)
        assert set(data) <= {"status", "proof"}, data
        for secret in (info.account_id, str(home), str(info.pid)):
            assert secret not in body
    # The proof is for this nonce and this port: it is no use for another of either.
    from awslab.sandbox_client import challenge, proof, read_key

    key = read_key(home)
    assert challenge(info.endpoint, key) is True
    assert challenge(info.endpoint, b"0" * 64) is False
    answer = json.loads(urllib.request.urlopen(info.endpoint + "/_awslab/health?nonce=" + "cd" * 16).read())
    assert answer["proof"] == proof(key, "cd" * 16, info.port) != proof(key, "cd" * 16, info.port + 1)
    assert os.stat(home / "sandbox" / "server.key").st_mode & 0o777 == 0o600


def _send(info, host: str, body: str = "Action=CreateUser&Version=2010-05-08&UserName=rebound",
          path: str = "/", sign: bool = True) -> tuple[int, str]:
    """A POST to the sandbox with this Host header (signed for that Host, as a page that
    rebinds its name would have to: the signature is not what refuses it)."""
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Host": host}
    if sign:
        request = AWSRequest(method="POST", url=f"http://{host}{path}", data=body.encode(), headers=headers)
        SigV4Auth(_root_credentials(), "iam", "us-east-1").add_auth(request)
        headers = dict(request.headers.items())
    prepared = urllib.request.Request(info.endpoint + path, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(prepared, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _root_credentials():
    from botocore.credentials import Credentials

    from awslab.sandbox_client import lab_credentials

    creds = lab_credentials()
    return Credentials(creds["access_key_id"], creds["secret_access_key"], creds.get("session_token"))


def test_a_request_for_another_host_is_refused(home):
    info = box.start()
    iam = awslab.connect("sandbox").client("iam")
    for host in (f"rebind.example:{info.port}", f"127.0.0.1:{info.port + 1}", "rebind.example", ""):
        status, body = _send(info, host, sign=bool(host))
        assert status == 400 and "<Code>InvalidHostHeader</Code>" in body, (host, status, body)
    status, body = _send(info, f"rebind.example:{info.port}", '{"account": "1", "user_name": "x", '
                         '"password": "y"}', path="/_awslab/console/sign-in", sign=False)
    assert status == 400 and json.loads(body)["error"] == "InvalidHostHeader"
    request = urllib.request.Request(info.endpoint + "/_awslab/health",
                                     headers={"Host": f"rebind.example:{info.port}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    assert "rebound" not in _user_names(iam)
    for host in (f"127.0.0.1:{info.port}", f"localhost:{info.port}", f"[::1]:{info.port}"):
        body = f"Action=CreateUser&Version=2010-05-08&UserName=via-{host.split(':')[0].strip('[]:') or 'v6'}"
        assert _send(info, host, body)[0] == 200, host
    assert len(_user_names(iam)) == 3


def _alive(pid: int) -> bool:
    return not process_gone(pid)


def test_only_authenticated_requests_keep_an_idle_sandbox_awake(home, monkeypatch):
    monkeypatch.setenv("AWSLAB_SANDBOX_IDLE_SECONDS", "2")
    info = box.start()
    iam = awslab.connect("sandbox").client("iam")
    # Signed requests every 0.4 s for 3 s: it stays up.
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        iam.list_users()
        time.sleep(0.4)
    assert _alive(info.pid)
    # Then only unsigned ones, wrongly signed ones and health checks from anyone: it stops.
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and _alive(info.pid):
        try:
            assert _send(info, f"127.0.0.1:{info.port}", "Action=ListUsers&Version=2010-05-08",
                         sign=False)[0] == 403
            urllib.request.urlopen(info.endpoint + "/_awslab/health", timeout=2).read()
        except OSError:
            pass
        time.sleep(0.2)
    assert not _alive(info.pid), "unsigned requests kept the idle sandbox awake"


def _closed(sock: socket.socket) -> bool:
    """Whether the server closed it (whatever it said first)."""
    try:
        while sock.recv(4096):
            pass
        return True
    except ConnectionResetError:
        return True
    except (BlockingIOError, TimeoutError):
        return False


def test_silent_and_half_sent_connections_are_closed_after_the_timeout(home, monkeypatch):
    monkeypatch.setenv("AWSLAB_SANDBOX_CONNECTION_SECONDS", "1.5")
    info = box.start()
    iam = awslab.connect("sandbox").client("iam")
    silent = [socket.create_connection(("127.0.0.1", info.port)) for _ in range(20)]
    halves = [socket.create_connection(("127.0.0.1", info.port)) for _ in range(20)]
    for sock in halves:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 100\r\n" % info.port)
    drip = socket.create_connection(("127.0.0.1", info.port))  # one byte now and then

    def dripping():
        try:
            for byte in b"GET /_awslab/health HTTP/1.1\r\nX-Slow: " + b"a" * 100:
                drip.send(bytes([byte]))
                time.sleep(0.3)
        except OSError:
            pass

    threading.Thread(target=dripping, daemon=True).start()
    assert _user_names(iam) == []  # the learner is served meanwhile
    time.sleep(3.5)
    for sock in silent + halves + [drip]:
        sock.settimeout(0.5)
    assert [_closed(sock) for sock in silent] == [True] * 20
    assert [_closed(sock) for sock in halves] == [True] * 20
    assert _closed(drip)
    for sock in silent + halves + [drip]:
        sock.close()
    assert _user_names(iam) == []


HOLDER = r'''
import socket, sys, time
port, count = int(sys.argv[1]), int(sys.argv[2])
held = []
for _ in range(count):
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % port)
        held.append(sock)
    except OSError:
        pass
print(len(held), flush=True)
time.sleep(60)
'''


def test_another_users_open_connections_do_not_lock_the_learner_out(home, monkeypatch):
    user = _second_user()
    if user is None:
        pytest.skip("needs root to open the connections as a second Unix user (CI runs as root)")
    monkeypatch.setenv("AWSLAB_SANDBOX_CONNECTION_SECONDS", "60")  # held for the whole test
    info = box.start()
    iam = awslab.connect("sandbox").client("iam")
    # The usual open-files limit, scaled down: 200 descriptors for the whole sandbox.
    resource.prlimit(info.pid, resource.RLIMIT_NOFILE, (200, 200))
    holder = subprocess.Popen([_python_for(user), "-I", "-c", HOLDER, str(info.port), "300"],
                              stdout=subprocess.PIPE, text=True, cwd="/", **_as(user))
    try:
        assert int(holder.stdout.readline()) > 0
        started = time.monotonic()
        assert _user_names(iam) == []
        iam.create_user(UserName="still-served")
        assert time.monotonic() - started < 5
        assert awslab.connect("sandbox").account_id == info.account_id
    finally:
        holder.kill()
        holder.wait()

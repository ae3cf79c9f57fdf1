"""The sandbox server process: `python -m awslab.sandbox.server --port N`.

Started in the background by `awslab sandbox start` (awslab/sandbox_client.py), detached from
any kernel. It loads the account from AWSLAB_HOME/sandbox/account.json (made at the first
start, with the home's key, server.key), installs awslab's additions beside moto, binds
127.0.0.1 (the requested port, or a free one when the default is taken), writes server.json
once it answers (or, when it cannot start, exits with EXIT_REFUSED and says why in one sentence
on the starter's --report-fd: a folder or file that is not the learner's own, a full disk),
and stops cleanly on
SIGTERM, or by itself when nobody uses it or the JupyterHub server it serves ends
(lifetime.py), keeping the account either way. Each connection gets a thread, within
bounds: its request must arrive in time (CONNECTION_SECONDS), and each other local user may
hold only a few at once (BoundedServer), so nobody can tie the server up.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import logging
import os
import shutil
import signal
import socket
import sys
import threading
import time

# Additions, installed in this order: each module registers its changes inside moto
# (patches.wraps) when imported, and may have install(app) for filters and routes. What spans
# services sits here in awslab/sandbox/; each service's own in services/<service>/, as moto's.
EXTENSIONS = [
    "awslab.sandbox.gate",                                 # who is calling, may they: signatures, policies
    "awslab.sandbox.state",                                # this thread's request, moto under one lock, writes noticed
    "awslab.sandbox.services.iam.managed_policies",        # AWS managed policies listed, documents read when asked
    "awslab.sandbox.persistence",                          # the saved account loaded now, each change saved before its answer
    "awslab.sandbox.lifetime",                             # stops by itself when idle or when its JupyterHub server ends
    "awslab.sandbox.dispatch",                             # each host's moto service found once, not on every request
    "awslab.sandbox.services.iam.last_used",               # each access key's last use (root's too), before any answer
    "awslab.sandbox.services.account.account_service",     # Account Management's calls: one dispatcher
    "awslab.sandbox.services.account.contacts",            # Account Management's primary and alternate contacts
    "awslab.sandbox.not_offered",                          # an operation moto lacks: a well-formed NotImplemented
    "awslab.sandbox.services.organizations.organizations", # no organization: AWSOrganizationsNotInUseException
    "awslab.sandbox.services.sts.sessions",                # GetSessionToken; GetCallerIdentity of root and sessions
    "awslab.sandbox.services.signin.signin",               # console sign-in of root and IAM users; the authenticator
    "awslab.sandbox.services.iam.validation",              # user and group names
    "awslab.sandbox.services.iam.login_profile",           # PasswordResetRequired, password policy, ChangePassword
    "awslab.sandbox.services.iam.policy_documents",        # MalformedPolicyDocument, policy size quotas
    "awslab.sandbox.services.iam.mfa",                     # real seeds, QR codes and TOTP checks
    "awslab.sandbox.services.iam.root_user",               # root keys, root MFA console, summary, credential report
    "awslab.sandbox.services.account.regions",             # Account Management Region calls
    "awslab.sandbox.services.iam.deletion",                # DeleteConflict
    "awslab.sandbox.services.iam.alias",                   # alias rules, one alias, "held elsewhere"
    "awslab.sandbox.services.iam.simulator",               # the policy simulator, from the gate's own evaluator
    "awslab.sandbox.services.iam.answers",                 # AWS-shaped ids, whole-second timestamps, request ids
    "awslab.sandbox.services.sso.identity_center",         # no instance until the console step; assignments provision roles
    "awslab.sandbox.services.sso.portal",                  # the access portal, sso-oidc's device flow, the portal API
    "awslab.sandbox.start_over",                           # POST /_awslab/reset: a brand-new account, in this process
]

log = logging.getLogger("awslab.sandbox")


def build_app(account):
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from awslab.sandbox import patches
    from awslab.sandbox.app import SandboxApp
    from awslab.sandbox.state import set_sandbox_account

    set_sandbox_account(account)
    app = SandboxApp(DomainDispatcherApplication(create_backend_app), account)
    for name in EXTENSIONS:
        install = getattr(importlib.import_module(name), "install", None)
        if install is not None:
            install(app)
    patches.apply()
    return app


# One read per service the lab calls. moto builds a service's backend app, its default
# account's backend and the request parser on the first request it sees (0.15 s for IAM):
# the sandbox pays that here, before it says it is ready, not in a learner's first cell.
WARM_UP = [
    ("iam", "iam.amazonaws.com", "Action=GetAccountSummary&Version=2010-05-08"),
    ("sts", "sts.amazonaws.com", "Action=GetCallerIdentity&Version=2011-06-15"),
]


def warm_up(app, account) -> None:
    """Load the account's IAM backend (and AWS managed policies), the gate's signer, and
    answer one read per service through moto (the gate would rightly refuse the warm-up's
    unsigned calls). Reads only: nothing in the account changes. A failure is logged,
    never fatal: the first real call pays the set-up instead."""
    import botocore.auth  # noqa: F401 - the gate's signer, loaded before the first request
    from werkzeug.test import Client

    from awslab.sandbox.gate import _regions, _verifier
    from awslab.sandbox.state import iam_backend

    iam_backend(account.account_id)
    _regions()
    _verifier()
    client = Client(app.moto_app)
    for service, host, body in WARM_UP:
        authorization = (f"AWS4-HMAC-SHA256 Credential=AWSLABWARMUP/20260101/{account.region}/"
                         f"{service}/aws4_request, SignedHeaders=host, Signature=0")
        try:
            answer = client.post("/", data=body, headers={
                "Host": host, "Authorization": authorization,
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
            if answer.status_code != 200:
                log.warning("warm-up %s answered %s", service, answer.status_code)
        except Exception:
            log.exception("warm-up %s failed", service)


# Connections. The server gives each connection a thread: a socket that sends nothing, or
# half a request, must not hold one for ever, nor may one local user take them all.
CONNECTION_SECONDS = 10.0   # AWSLAB_SANDBOX_CONNECTION_SECONDS
WRITE_SECONDS = 30.0        # an answer the client does not read
OTHER_USER_CONNECTIONS = 16   # at once, per Unix user other than the sandbox's own (loopback)
OWN_USER_CONNECTIONS = 128    # the learner's own kernels and shells
ALL_CONNECTIONS = 256


def connection_seconds() -> float:
    """How long a connection may wait before its request's first byte (between requests
    too), and then how long the whole request (head and body) may take to arrive."""
    try:
        return max(0.1, float(os.environ.get("AWSLAB_SANDBOX_CONNECTION_SECONDS") or CONNECTION_SECONDS))
    except ValueError:
        return CONNECTION_SECONDS


class _TimedReader(io.RawIOBase):
    """The connection's input with deadlines: CONNECTION_SECONDS for a request's first byte,
    then CONNECTION_SECONDS for all of it (so one byte now and then keeps nothing open)."""

    def __init__(self, handler):
        self.handler = handler

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        handler, sock = self.handler, self.handler.connection
        if handler.request_deadline is None:
            sock.settimeout(handler.connection_seconds)
        else:
            left = handler.request_deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request did not arrive in time")
            sock.settimeout(left)
        count = sock.recv_into(buffer)
        if handler.request_deadline is None and count:
            handler.request_deadline = time.monotonic() + handler.connection_seconds
        return count


class _TimedWriter(io.BufferedIOBase):
    def __init__(self, sock):
        self.sock = sock

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sock.settimeout(WRITE_SECONDS)
        self.sock.sendall(data)
        with memoryview(data) as view:
            return view.nbytes

    def fileno(self) -> int:
        return self.sock.fileno()


BEARER_HEADER = "x-amz-sso_bearer_token"  # the AWS access portal API's token (sso: GetRoleCredentials...)
BEARER_ENVIRON = "awslab.sso_bearer_token"


def _handler_class():
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class Handler(MotoRequestHandler):
        def setup(self):
            super().setup()
            self.connection_seconds = self.server.connection_seconds
            self.request_deadline = None
            self.rfile.close()  # the plain file the base class made (it holds the socket open)
            self.rfile = io.BufferedReader(_TimedReader(self))
            self.wfile = _TimedWriter(self.connection)

        def handle_one_request(self):
            self.request_deadline = None  # the next request's clock starts with its first byte
            super().handle_one_request()

        def make_environ(self):
            # werkzeug drops headers with an underscore (WSGI cannot tell X_Foo from X-Foo);
            # the AWS access portal's API sends its token in one: kept, when sent once.
            environ = super().make_environ()
            tokens = [value for name, value in self.headers.items() if name.lower() == BEARER_HEADER]
            if len(tokens) == 1:
                environ[BEARER_ENVIRON] = tokens[0].strip()
            return environ

        def log_error(self, format, *args):
            if format.startswith("Request timed out"):
                return  # a silent socket closed: expected, and not worth a line each
            super().log_error(format, *args)

    return Handler


def _all_connections() -> int:
    """ALL_CONNECTIONS, or fewer when the open-files limit would be reached first (the
    journal, the log and the modules need some too)."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):
        return ALL_CONNECTIONS
    if soft == resource.RLIM_INFINITY:
        return ALL_CONNECTIONS
    return max(8, min(ALL_CONNECTIONS, soft - 64))


def _server_class():
    from werkzeug.serving import ThreadedWSGIServer

    from awslab.sandbox.ownership import peer_uid

    class BoundedServer(ThreadedWSGIServer):
        """Connections counted per client (the Unix user at the other end of a loopback
        connection, where Linux says; else its address): over the bound, closed at once."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.connection_seconds = connection_seconds()
            self.counting = threading.Lock()
            self.open: dict[int, object] = {}   # id(socket): its client
            self.per_client: dict[object, int] = {}
            self.refused = 0

        def verify_request(self, request, client_address) -> bool:
            uid = peer_uid(self.server_address[:2], client_address[:2])
            client = ("uid", uid) if uid is not None else ("address", client_address[0])
            limit = OWN_USER_CONNECTIONS if uid == os.geteuid() else (
                OTHER_USER_CONNECTIONS if uid is not None else OWN_USER_CONNECTIONS)
            with self.counting:
                if len(self.open) >= _all_connections() or self.per_client.get(client, 0) >= limit:
                    self.refused += 1
                    if self.refused in (1, 10, 100) or self.refused % 1000 == 0:
                        log.warning("refused a connection from %s %s: it has %s open (%s refused so far)",
                                    *client, self.per_client.get(client, 0), self.refused)
                    return False
                self.open[id(request)] = client
                self.per_client[client] = self.per_client.get(client, 0) + 1
            return True

        def shutdown_request(self, request) -> None:
            with self.counting:
                client = self.open.pop(id(request), None)
                if client is not None:
                    left = self.per_client[client] - 1
                    if left:
                        self.per_client[client] = left
                    else:
                        del self.per_client[client]
            super().shutdown_request(request)

    return BoundedServer


def bind(port: int, strict: bool) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A sandbox restarted on its old port must not wait for the old connections' TIME_WAIT.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        if strict:
            sock.close()
            raise
        sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


EXIT_PORT_TAKEN = 3   # what the starter (awslab/sandbox_client.py) is told by the exit code
EXIT_REFUSED = 4      # ... and, with it, the sentence written to --report-fd
# A fresh start (`--fresh`, a reset that could not start over in place) keeps of the sandbox's
# folder only the home's files (its lock, the log, the key) and the lab's own (server.json,
# which this server writes again, and the lab's saved credentials, which the lab removes itself).
KEPT_WHEN_FRESH = ("lock", "server.log", "server.key", "server.json", "credentials.json",
                   "console-session.json")


def refuse(report_fd: int | None, refused) -> int:
    """Tell the starter why this sandbox cannot start (one sentence and the lab's code for it),
    on the pipe it gave (else on stderr); the exit code says there is a sentence."""
    told = json.dumps({"sentence": refused.sentence, "code": refused.code}).encode()
    if report_fd is None:
        print(refused.sentence, file=sys.stderr)
    else:
        try:
            os.write(report_fd, told)
            os.close(report_fd)
        except OSError:
            print(refused.sentence, file=sys.stderr)
    return EXIT_REFUSED


def prepare(fresh: bool):
    """The sandbox's folder checked (the learner's own), its key (made at the first start) and
    its account (made when there is none; with `fresh`, always a new one): home.Refused with
    one sentence when any of them is not the learner's own or cannot be written."""
    from awslab.sandbox.account import load_or_create
    from awslab.sandbox.home import NotWritable, home_named, sandbox_dir
    from awslab.sandbox.ownership import server_key

    try:
        folder = sandbox_dir()
        if fresh:
            for name in os.listdir(folder):
                if name in KEPT_WHEN_FRESH or name.removesuffix(".tmp") in KEPT_WHEN_FRESH:
                    continue
                target = folder / name
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                else:
                    target.unlink()
        key = server_key(home_named())
        return load_or_create(), key
    except OSError as error:  # AWSLAB_HOME full, read-only
        raise NotWritable(
            f"The sandbox cannot start: it cannot write to {home_named()} ({error.strerror or error}). "
            "Free some space there or make it writable (or set AWSLAB_HOME to a folder you can "
            "write to); the account saved there is kept as it is.") from None


def write_server_state(state: dict) -> None:
    from awslab.sandbox.home import sandbox_dir, write_json_private

    write_json_private(sandbox_dir() / "server.json", state)


def forget_server_state(pid: int) -> None:
    """A stopping server's last word: server.json no longer names it (unless a start or
    stop holds the lock: then that one decides what server.json says)."""
    import fcntl

    from awslab.sandbox.home import read_json, sandbox_dir

    try:
        folder = sandbox_dir()
        with open(folder / "lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if (read_json(folder / "server.json") or {}).get("pid") == pid:
                (folder / "server.json").unlink(missing_ok=True)
    except Exception:  # its last word only: the starter copes without it
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="awslab.sandbox.server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--strict-port", action="store_true")
    parser.add_argument("--watch-pid", type=int, default=None,
                        help="stop (keeping the account) when this process ends")
    parser.add_argument("--fresh", action="store_true",
                        help="start with a brand-new account (nothing of the saved one is read)")
    parser.add_argument("--report-fd", type=int, default=None,
                        help="where to write why the sandbox cannot start (JSON: sentence, code)")
    args = parser.parse_args(argv)

    from awslab.sandbox import lifetime
    from awslab.sandbox.home import Refused

    lifetime.one_malloc_arena()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        account, key = prepare(args.fresh)
    except Refused as refused:
        log.error("not started: %s", refused.sentence)
        return refuse(args.report_fd, refused)
    # Every request is about this one account, whoever signs it.
    os.environ["MOTO_ACCOUNT_ID"] = account.account_id
    # AWS managed policies come from managed_policies.py (listed at once, documents read when
    # asked for), never from moto's parse of all of them.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "false"
    os.environ.setdefault("AWS_DEFAULT_REGION", account.region)

    try:
        sock = bind(args.port, args.strict_port)
    except OSError as error:
        print(f"port {args.port} is taken ({error.strerror})", file=sys.stderr)
        return EXIT_PORT_TAKEN

    try:
        app = build_app(account)
    except Refused as refused:  # the saved state is not the learner's own (persistence.py)
        log.error("not started: %s", refused.sentence)
        return refuse(args.report_fd, refused)
    warm_up(app, account)
    server = _server_class()("127.0.0.1", sock.getsockname()[1], app.wsgi(), _handler_class(),
                             fd=sock.fileno())
    port = server.socket.getsockname()[1]
    app.listen(port, key)

    def shutdown(signum, frame):
        log.info("stopping (signal %s)", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    write_server_state({"pid": os.getpid(), "port": port,
                        "endpoint": f"http://127.0.0.1:{port}", "started": time.time()})
    if args.report_fd is not None:
        with contextlib.suppress(OSError):
            os.close(args.report_fd)  # started: nothing to report
    from awslab.sandbox.home import sandbox_dir

    log.info("sandbox for account %s on http://127.0.0.1:%s (state in %s)",
             account.account_id, port, sandbox_dir())
    app.lifetime.start(lambda why: threading.Thread(target=server.shutdown, daemon=True).start(),
                       args.watch_pid)
    lifetime.hand_back_memory()
    try:
        server.serve_forever(poll_interval=0.1)  # stopped within 0.1 s
    finally:
        for hook in getattr(app, "on_stop", []):
            hook()
        forget_server_state(os.getpid())
        log.info("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

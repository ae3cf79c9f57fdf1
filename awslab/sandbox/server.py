"""The sandbox server process: `python -m awslab.sandbox.server --port N`.

Started in the background by `awslab sandbox start` (see process.py), detached from
any kernel. It loads the account from AWSLAB_HOME/sandbox/account.json, installs
awslab's additions beside moto, binds 127.0.0.1 (the requested port, or a free one
when the default is taken), writes server.json once it answers, and stops cleanly on
SIGTERM, or by itself when nobody uses it or the JupyterHub server it serves ends
(lifetime.py), keeping the account either way.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import socket
import sys
import threading
import time

# Additions, installed in this order: each module registers its changes inside moto
# (patches.wraps) when imported, and may have install(app) for filters and routes.
EXTENSIONS = [
    "awslab.sandbox.gate",              # who is calling, may they: signatures, policies
    "awslab.sandbox.state",             # this thread's request, moto under one lock, writes noticed
    "awslab.sandbox.managed_policies",  # AWS managed policies listed, documents read when asked
    "awslab.sandbox.persistence",       # the saved account loaded now, each change saved before its answer
    "awslab.sandbox.lifetime",          # stops by itself when idle or when its JupyterHub server ends
    "awslab.sandbox.dispatch",          # each host's moto service found once, not on every request
    "awslab.sandbox.last_used",         # each access key's last use (root's too), before any answer
    "awslab.sandbox.account_service",   # Account Management's calls: one dispatcher
    "awslab.sandbox.contacts",          # Account Management's primary and alternate contacts
    "awslab.sandbox.not_offered",       # an operation moto lacks: a well-formed NotImplemented
    "awslab.sandbox.organizations",     # no organization: AWSOrganizationsNotInUseException
    "awslab.sandbox.sessions",          # GetSessionToken; GetCallerIdentity of root and sessions
    "awslab.sandbox.signin",            # console sign-in of root and IAM users; the authenticator
    "awslab.sandbox.validation",        # user and group names
    "awslab.sandbox.login_profile",     # PasswordResetRequired, password policy, ChangePassword
    "awslab.sandbox.policy_documents",  # MalformedPolicyDocument, policy size quotas
    "awslab.sandbox.mfa",               # real seeds, QR codes and TOTP checks
    "awslab.sandbox.root_user",         # root keys, root MFA console, summary, credential report
    "awslab.sandbox.regions",           # Account Management Region calls
    "awslab.sandbox.deletion",          # DeleteConflict
    "awslab.sandbox.alias",             # alias rules, one alias, "held elsewhere"
    "awslab.sandbox.identity_center",   # no instance until the console step; assignments provision roles
    "awslab.sandbox.portal",            # the access portal, sso-oidc's device flow, the portal API
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


BEARER_HEADER = "x-amz-sso_bearer_token"  # the AWS access portal API's token (sso: GetRoleCredentials...)
BEARER_ENVIRON = "awslab.sso_bearer_token"


def request_handler():
    """moto's request handler, keeping the one header with an underscore that an API the sandbox
    serves needs (werkzeug drops such headers, as WSGI cannot tell `X_Foo` from `X-Foo`): the
    portal API's bearer token, under its own environ key, and only when sent once."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class SandboxRequestHandler(MotoRequestHandler):
        def make_environ(self):
            environ = super().make_environ()
            tokens = [value for name, value in self.headers.items() if name.lower() == BEARER_HEADER]
            if len(tokens) == 1:
                environ[BEARER_ENVIRON] = tokens[0].strip()
            return environ

    return SandboxRequestHandler


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="awslab.sandbox.server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--strict-port", action="store_true")
    parser.add_argument("--watch-pid", type=int, default=None,
                        help="stop (keeping the account) when this process ends")
    args = parser.parse_args(argv)

    from awslab.sandbox import lifetime

    lifetime.one_malloc_arena()

    from awslab.sandbox.account import load_or_create, sandbox_dir
    from awslab.sandbox.process import write_server_state

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    account = load_or_create()
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
        return 3

    from werkzeug.serving import make_server

    app = build_app(account)
    warm_up(app, account)
    server = make_server("127.0.0.1", sock.getsockname()[1], app.wsgi(), threaded=True,
                         request_handler=request_handler(), fd=sock.fileno())
    port = server.socket.getsockname()[1]

    def shutdown(signum, frame):
        log.info("stopping (signal %s)", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    write_server_state({"pid": os.getpid(), "port": port,
                        "endpoint": f"http://127.0.0.1:{port}", "started": time.time()})
    log.info("sandbox for account %s on http://127.0.0.1:%s (state in %s)",
             account.account_id, port, sandbox_dir())
    app.lifetime.start(lambda why: threading.Thread(target=server.shutdown, daemon=True).start(),
                       args.watch_pid)
    lifetime.hand_back_memory()
    try:
        server.serve_forever(poll_interval=0.1)  # stopped within 0.1 s (a reset is stop + start)
    finally:
        for hook in getattr(app, "on_stop", []):
            hook()
        from awslab.sandbox.process import forget_server_state

        forget_server_state(os.getpid())
        log.info("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

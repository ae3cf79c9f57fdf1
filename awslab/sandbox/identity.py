"""Who is calling: the sandbox's own credentials are the account's root user.

AWS: `sts get-caller-identity` with root's access key gives `arn:aws:iam::<acct>:root`;
an IAM user's key gives that user; an unknown, deleted or inactive key gets
`InvalidClientTokenId`. moto alone answers `user/moto` to any key.

Root console sessions. On AWS the owner of an account can always sign in to the console
as root (email address, password, MFA), even when root has no access keys: that is how
the last administrator user gets deleted. A console session is temporary credentials,
not an access key. The sandbox's simulated console sign-in (awslab-only, JSON):

  POST /_awslab/console/root-session  {"console_secret": <account.json's console_secret>}
       -> 200 {"access_key_id": "ASIA...", "secret_access_key", "session_token",
               "expiration": "<ISO 8601, UTC>"}   (valid 12 hours, or
               AWSLAB_CONSOLE_SESSION_SECONDS seconds when the server was started with it)
       -> 403 {"error": "AccessDenied", "message": ...} for a missing or wrong secret

A session's key acts as root (GetCallerIdentity gives the root ARN, root-only calls work)
while it is unexpired and signed with its session token. It is not an access key:
AccountAccessKeysPresent, ListAccessKeys and the credential report don't show it. After
its expiration AWS answers `ExpiredToken` (403); a wrong or missing session token gets
`InvalidClientTokenId`. Sessions are kept in STATE["console_sessions"] (saved with the
account by persistence.py); expired ones are dropped when a new one is issued.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time

from moto.iam.models import iam_backends
from moto.sts.models import STSBackend

from awslab.sandbox.account import new_access_key_id, new_secret_access_key
from awslab.sandbox.app import (
    AwsRequest,
    SandboxApp,
    SandboxCallError,
    aws_error,
    json_body,
    json_response,
)
from awslab.sandbox.state import LOCK, STATE, changed, iso

INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"
CONSOLE_SESSION_SECONDS = 12 * 3600


def iam_backend(account_id: str):
    return iam_backends[account_id]["global"]


def console_session_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get("AWSLAB_CONSOLE_SESSION_SECONDS") or CONSOLE_SESSION_SECONDS))
    except ValueError:
        return float(CONSOLE_SESSION_SECONDS)


def console_sessions() -> dict:
    """access key id -> {"secret_access_key", "session_token", "issued", "expires"}."""
    return STATE.setdefault("console_sessions", {})


def issue_console_session(now: float | None = None) -> tuple[str, dict]:
    """A new root console session (and the expired ones forgotten)."""
    now = time.time() if now is None else now
    with LOCK:
        sessions = console_sessions()
        for key in [k for k, s in sessions.items() if s["expires"] <= now]:
            del sessions[key]
        key = new_access_key_id("ASIA")
        session = {"secret_access_key": new_secret_access_key(),
                   "session_token": secrets.token_urlsafe(96),
                   "issued": now, "expires": now + console_session_seconds()}
        sessions[key] = session
        changed()
    return key, session


def console_session(access_key: str | None) -> dict | None:
    """The root console session with this key id (expired or not), or None."""
    return console_sessions().get(access_key or "")


def is_root_key(account, access_key: str | None) -> bool:
    """Whether this key id signs as the root user: an active root access key, or an
    unexpired root console session."""
    root = account.root_key(access_key or "")
    if root is not None:
        return root.status == "Active"
    session = console_session(access_key)
    return session is not None and session["expires"] > time.time()


def _session_token(request: AwsRequest) -> str | None:
    return (request.http.headers.get("X-Amz-Security-Token")
            or request.http.args.get("X-Amz-Security-Token"))


def install(app: SandboxApp) -> None:
    account = app.account

    def who_is_calling(request: AwsRequest):
        key = request.access_key
        if key is None:
            return aws_error(request, 403, "MissingAuthenticationToken",
                             "Request is missing Authentication Token")
        session = console_session(key)
        if session is not None:
            token = str(_session_token(request) or "").encode()
            if not hmac.compare_digest(token, session["session_token"].encode()):
                return aws_error(request, 403, "InvalidClientTokenId", INVALID_TOKEN)
            if session["expires"] <= time.time():
                return aws_error(request, 403, "ExpiredToken", EXPIRED_TOKEN)
        if is_root_key(account, key):
            request.caller = "root"
            return None
        user_key = iam_backend(account.account_id).access_keys.get(key)
        if user_key is not None and user_key.status == "Active":
            request.caller = user_key.user_name
            return None
        return aws_error(request, 403, "InvalidClientTokenId", INVALID_TOKEN)

    app.add_filter(who_is_calling)
    app.route("/_awslab/console/root-session", _root_session_route(account))

    original = STSBackend.get_caller_identity

    def get_caller_identity(self, access_key_id: str, region: str):
        if account.root_key(access_key_id) is not None or console_session(access_key_id) is not None:
            return account.account_id, account.root_arn, account.account_id
        return original(self, access_key_id, region)

    STSBackend.get_caller_identity = get_caller_identity


def _root_session_route(account):
    def root_session(request):
        data = json_body(request)
        given = str(data.get("console_secret") or "")
        if not given or not hmac.compare_digest(given.encode(), account.console_secret.encode()):
            raise SandboxCallError("AccessDenied", "The root user's console sign-in was refused: "
                                   "the console secret is wrong.", 403)
        key, session = issue_console_session()
        return json_response({"access_key_id": key,
                              "secret_access_key": session["secret_access_key"],
                              "session_token": session["session_token"],
                              "expiration": iso(session["expires"])})

    return root_session

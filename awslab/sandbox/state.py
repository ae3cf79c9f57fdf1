"""What awslab's additions share: the request being answered, their own state, one lock.

- `current()`: the AwsRequest this thread answers (set by a filter installed first), so a
  patched moto backend method can read a parameter moto does not pass it (for example
  `PasswordResetRequired`) or know whether root is calling.
- `STATE`: the additions' own state that moto has no place for (root's MFA device, each
  Region's opt-in status, used TOTP steps, root console sessions with their expiry). persistence.py saves it with the IAM backend.
- `LOCK`: held while moto answers, while an addition changes state, and while the state
  is saved, so a save never sees half a change.
- `changed()`: tell persistence.py that something was written.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone

LOCK = threading.RLock()
STATE: dict = {}
_local = threading.local()
_on_change: list[Callable[[], None]] = []

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"


_account: list = []


def set_sandbox_account(account) -> None:
    """The one account this sandbox process simulates (set when its app is built)."""
    _account[:] = [account]


def sandbox_account():
    """The account set above (None in a process that is not a sandbox server)."""
    return _account[0] if _account else None


def set_current(request) -> None:
    _local.request = request


def current():
    """The AwsRequest being answered on this thread, or None outside a request."""
    return getattr(_local, "request", None)


def current_param(name: str) -> str | None:
    request = current()
    return request.params.get(name) if request is not None else None


def on_change(hook: Callable[[], None]) -> None:
    _on_change.append(hook)


def changed() -> None:
    for hook in _on_change:
        hook()


def iam_backend(account_id: str):
    from moto.iam.models import iam_backends

    return iam_backends[account_id]["global"]


def iso(ts: float | datetime) -> str:
    if isinstance(ts, datetime):
        return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def xml_escape(text: str) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def iam_xml(action: str, result: str = ""):
    """An IAM query-protocol answer for `action`, with `result` (XML) inside its Result."""
    from werkzeug.wrappers import Response

    request_id = str(uuid.uuid4())
    inner = f"<{action}Result>{result}</{action}Result>" if result else ""
    body = (f'<{action}Response xmlns="{IAM_NS}">{inner}'
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
            f"</{action}Response>")
    return Response(body, status=200, content_type="text/xml",
                    headers={"x-amzn-RequestId": request_id})


_READ_ONLY = ("Get", "List", "Generate", "Simulate", "Describe")
# Services whose moto backends persistence.py saves (signing names): their writes are changes.
SAVED_SERVICES = {"iam", "organizations", "identitystore", "sso"}


def install(app) -> None:
    """Record each AWS request as this thread's current one (runs after identity's filter),
    answer moto's part under LOCK, and report successful IAM writes as changes."""

    def remember(request):
        set_current(request)
        return None

    app.add_filter(remember)
    moto_app = app.moto_app

    def locked_moto(environ, start_response):
        request = current()
        operation = None
        if request is not None and request.service in SAVED_SERVICES:
            operation = request.action or (request.http.headers.get("X-Amz-Target") or "").rpartition(".")[2]
        writes = bool(operation) and not operation.startswith(_READ_ONLY)
        status = []

        def spy(code, headers, exc_info=None):
            status.append(code)
            return start_response(code, headers, exc_info)

        with LOCK:
            body = moto_app(environ, spy)
            if writes and status and status[0][:1] == "2":
                changed()
        return body

    app.moto_app = locked_moto

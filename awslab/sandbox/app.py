"""The sandbox's WSGI app: awslab's additions in front of moto's own server app.

An AWS request passes, in this order: the gate (gate.py: who is calling, may they), the
additions' filters (each may answer it), then moto. Additions are small modules with an
`install(app)` function (see `server.EXTENSIONS`); they register filters and routes under
`/_awslab/` (calls that are not AWS's, such as the simulated console). Their changes
inside moto's methods are registered in patches.py.
"""

from __future__ import annotations

import io
import json
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from awslab import trust
from awslab.sandbox import ownership, wire
from awslab.sandbox.account import Account

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/")
QUERY_SERVICES = {"iam", "sts", "ec2", "sns", "sqs", "cloudformation", "rds", "elasticache"}
# Signing names of the JSON-protocol services the sandbox serves or may answer.
JSON_SERVICES = {"account", "organizations", "identitystore", "sso", "awsssoportal", "sso-oauth",
                 "access-analyzer"}


@dataclass(frozen=True)
class Caller:
    """Who signed a request: the root user or an IAM user, with a long-term access key or a
    session (temporary credentials; `session` is its record in sessions.py)."""

    kind: str                      # "root", "user" or "role" (a role's session)
    account_id: str
    access_key: str
    user_name: str | None = None
    user_id: str | None = None
    path: str = "/"
    session: dict | None = None
    role_name: str | None = None   # a role's session: the role, and the session's name
    session_name: str | None = None

    @property
    def is_root(self) -> bool:
        return self.kind == "root"

    @property
    def is_role(self) -> bool:
        return self.kind == "role"

    @property
    def arn(self) -> str:
        """The principal as AWS names it in AccessDenied messages and GetCallerIdentity."""
        if self.is_root:
            return f"arn:aws:iam::{self.account_id}:root"
        if self.is_role:
            return f"arn:aws:sts::{self.account_id}:assumed-role/{self.role_name}/{self.session_name}"
        return f"arn:aws:iam::{self.account_id}:user{self.path}{self.user_name}"

    @property
    def principal_arn(self) -> str:
        """aws:PrincipalArn: for a role's session, the role's ARN."""
        if self.is_role:
            return f"arn:aws:iam::{self.account_id}:role{self.path}{self.role_name}"
        return self.arn


class _Http(Request):
    max_content_length = wire.MAX_BODY  # a larger body is refused before it is read


class AwsRequest:
    """What the additions need to know about one AWS API request, read once (wire.py): the
    parameters the gate judges are the ones moto is handed. `problem` is set when the request
    is one AWS's protocols do not allow; the app answers it before anything else looks."""

    def __init__(self, environ: dict, *, sandbox_call: bool = False):
        self.environ = environ
        self.http = _Http(environ)
        self.problem: wire.WireError | None = None
        try:
            self.body = self.http.get_data(cache=True)
        except RequestEntityTooLarge:
            self.body = b""
            self.problem = wire.WireError("RequestEntityTooLarge", "The request is larger than the "
                                          f"sandbox accepts ({wire.MAX_BODY} bytes).", 413)
        # moto reads the body again: hand it a fresh stream.
        environ["wsgi.input"] = io.BytesIO(self.body)
        environ["CONTENT_LENGTH"] = str(len(self.body))
        auth = self.http.headers.get("Authorization", "")
        match = _CREDENTIAL.search(auth)
        self.access_key, self.region, self.service = (match.groups() if match else (None, None, None))
        if self.access_key is None and "X-Amz-Credential" in self.http.args:
            parts = self.http.args["X-Amz-Credential"].split("/")
            if len(parts) >= 4:
                self.access_key, self.region, self.service = parts[0], parts[2], parts[3]
        self.path = self.http.path
        self.params: dict[str, str] = {}
        content_type = self.http.headers.get("Content-Type", "")
        form = wire.media_type(content_type) == wire.FORM
        # A form body is the query protocol unless the scope names a JSON service (a
        # malformed scope, such as a secret with a `/` where the key id goes, is still
        # answered in XML); a form sent to a JSON service is refused (wire.py).
        self._query = self.service in QUERY_SERVICES or (form and self.service not in JSON_SERVICES) or (
            self.service is None and not content_type and "Action" in self.http.args)
        if self.problem is None and not sandbox_call:  # a sandbox call's body is read by json_body
            try:
                if self._query:
                    self.params = wire.form_params(self.body, self.http.query_string,
                                                   self.http.method, content_type)
                else:
                    wire.check_json_request(self.body, self.http.query_string,
                                            self.http.method, content_type, self.service)
            except wire.WireError as error:
                self.problem = error
        self.action = self.params.get("Action")
        self.caller: Caller | None = None  # set by the gate

    def json(self) -> dict:
        try:
            data = wire.loads(self.body or b"{}")
        except wire.WireError:
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def query_protocol(self) -> bool:
        """A query-protocol (form in, XML out) request: a service known to use it, or a
        form-encoded body."""
        return self._query

    def hand_to_moto(self) -> None:
        """The parameters the gate judged (and completed) become the request moto reads."""
        if self._query:
            self.body = wire.hand_to_moto(self.environ, self.http.method, self.params)


def aws_error(request: AwsRequest | None, status: int, code: str, message: str) -> Response:
    """An error in the wire format the request's service uses, as AWS would send it."""
    request_id = str(uuid.uuid4())
    if request is None or request.query_protocol:
        kind = "Sender" if status < 500 else "Receiver"
        namespace = _NAMESPACES.get(request.service if request is not None else None, "")
        body = (
            f"<ErrorResponse{namespace}><Error>"
            f"<Type>{kind}</Type><Code>{code}</Code><Message>{_xml(message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return Response(body, status=status, content_type="text/xml",
                        headers={"x-amzn-RequestId": request_id})
    return Response(
        json.dumps({"__type": code, "message": message, "Message": message}),
        status=status,
        content_type="application/json",
        headers={"x-amzn-ErrorType": code, "x-amzn-RequestId": request_id},
    )


_NAMESPACES = {"iam": ' xmlns="https://iam.amazonaws.com/doc/2010-05-08/"',
               "sts": ' xmlns="https://sts.amazonaws.com/doc/2011-06-15/"'}


def json_response(data, status: int = 200) -> Response:
    return Response(json.dumps(data, default=str), status=status, content_type="application/json")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


Filter = Callable[[AwsRequest], "Response | None"]
Route = Callable[[Request], Response]
SignedRoute = Callable[["AwsRequest", Caller], Response]


class SandboxApp:
    def __init__(self, moto_app, account: Account):
        self.moto_app = moto_app
        self.account = account
        self.routes: dict[str, Route] = {}
        self.signed_routes: dict[str, SignedRoute] = {}
        # AWS APIs that are not SigV4-signed (sso-oidc, the AWS access portal's API): their
        # handlers authenticate the client secret or bearer token themselves.
        self.unsigned_apis: dict[tuple[str, str], Filter] = {}
        self.authenticate: Callable[[AwsRequest], Caller] | None = None  # set by the gate
        self.gate: Filter | None = None
        self.filters: list[Filter] = []
        self.on_stop: list[Callable[[], None]] = []
        # WSGI layers around the whole app, innermost first (persistence.py: an answer waits
        # until its change is saved); the server serves `wsgi()`.
        self.wrappers: list[Callable] = []
        self.port: int | None = None  # set by listen()
        self.key: bytes | None = None
        self.extra_hosts = tuple(name.strip().lower() for name in
                                 os.environ.get("AWSLAB_SANDBOX_HOSTS", "").split(",") if name.strip())
        self.questions = ownership.Questions()
        self.route("/_awslab/health", self._health)
        self.route("/_awslab/account", self._account)

    def route(self, path: str, handler: Route) -> None:
        self.routes[path] = handler

    def signed_route(self, path: str, handler: SignedRoute) -> None:
        """A sandbox call made as someone: signed like an AWS request (SigV4), answered with
        the caller the signature proves (an unsigned or wrongly signed call is refused)."""
        self.signed_routes[path] = handler

    def unsigned_api(self, method: str, path: str, handler: Filter) -> None:
        self.unsigned_apis[(method, path)] = handler

    def add_filter(self, handler: Filter) -> None:
        self.filters.append(handler)

    def wsgi(self):
        """This app inside its wrappers: what the server serves."""
        app = self
        for wrap in self.wrappers:
            app = wrap(app)
        return app

    def listen(self, port: int, key: bytes) -> None:
        """The port the server listens on and this home's key (server.main): the health
        route's proof and the Host check use them."""
        self.port, self.key = port, key

    def _health(self, request: Request) -> Response:
        """Alive; asked with a nonce, the proof that this is the sandbox of the AWSLAB_HOME
        whose key it read, listening on this port (ownership.py). Nothing else: no account
        id, home or pid for whoever asks."""
        answer = {"status": "ok"}
        nonce = request.args.get("nonce", "")
        if self.key is not None and self.port is not None and ownership.valid_nonce(nonce):
            answer["proof"] = trust.proof(self.key, nonce, self.port)
        return json_response(answer)

    def _account(self, request: Request) -> Response:
        """The account as its owner knows it (id, Region, root's access keys, the console
        secret), for the lab of this AWSLAB_HOME only: the question is signed with this home's
        key, for this port, now, once (ownership.account_proof). The lab reads it here, never
        from account.json."""
        try:
            asked = json_body(request)
        except SandboxCallError as error:
            return json_response({"error": error.code, "message": str(error)}, error.status)
        if self.key is None or self.port is None or not self.questions.allowed(self.key, self.port, asked):
            return json_response({"error": "AccessDenied", "message": "Only the lab of this sandbox's "
                                  "AWSLAB_HOME (it holds the sandbox's key) may ask for the account."}, 403)
        _authenticated(request.environ)
        account = self.account
        return json_response({
            "account_id": account.account_id, "region": account.region,
            "root_keys": [{"access_key_id": key.access_key_id, "secret_access_key": key.secret_access_key,
                           "status": key.status} for key in account.root_keys],
            "console_secret": account.console_secret})

    def _host_allowed(self, host: str) -> bool:
        """127.0.0.1, localhost, [::1] or a name in AWSLAB_SANDBOX_HOSTS, on the sandbox's port
        (or with no port: a browser always names a port other than 80): a page in the learner's
        browser that rebinds its own name to 127.0.0.1 still sends its own name."""
        host = host.strip().lower()
        name, colon, port = host.rpartition(":")
        if not colon or not port.isdigit() or name.count(":") and not name.endswith("]"):
            name, port = host, None  # no port (an IPv6 address in brackets keeps its colons)
        elif self.port is not None and int(port) != self.port:
            return False
        return name in LOOPBACK_NAMES or name in self.extra_hosts

    def _wrong_host(self, environ) -> Response:
        host = environ.get("HTTP_HOST", "")
        message = (f"The sandbox answers only requests addressed to 127.0.0.1, localhost or [::1] on "
                   f"its own port, not to {host[:100]!r}.")
        if environ.get("PATH_INFO", "").startswith("/_awslab/"):
            return json_response({"error": "InvalidHostHeader", "message": message}, 400)
        if "json" in environ.get("CONTENT_TYPE", ""):
            return Response(json.dumps({"__type": "InvalidHostHeader", "message": message}), status=400,
                            content_type="application/json",
                            headers={"x-amzn-ErrorType": "InvalidHostHeader"})
        return aws_error(None, 400, "InvalidHostHeader", message)

    def __call__(self, environ, start_response):
        if not self._host_allowed(environ.get("HTTP_HOST", "")):
            return self._wrong_host(environ)(environ, start_response)
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_awslab/"):
            key = path.rstrip("/")
            try:
                if key in self.signed_routes:
                    request = AwsRequest(environ, sandbox_call=True)
                    if request.problem is not None:
                        raise SandboxCallError(request.problem.code, request.problem.message,
                                               request.problem.status)
                    caller = self.authenticate(request)
                    _authenticated(environ)
                    response = self.signed_routes[key](request, caller)
                elif key in self.routes:
                    response = self.routes[key](_Http(environ))
                else:
                    response = json_response({"error": f"no such sandbox call: {path}"}, status=404)
            except SandboxCallError as error:
                response = json_response({**error.details, "error": error.code,
                                          "message": str(error)}, error.status)
            return response(environ, start_response)
        if path.startswith("/moto-api"):
            # moto's own dashboard and reset API would bypass the sandbox's account.
            return json_response({"error": "moto's API is not part of the sandbox"}, 404)(environ, start_response)
        unsigned = self.unsigned_apis.get((environ.get("REQUEST_METHOD", ""), path))
        if unsigned is not None and "HTTP_AUTHORIZATION" not in environ:
            request = AwsRequest(environ, sandbox_call=True)  # the handler reads its own input
            if request.problem is not None:
                problem = request.problem
                return aws_error(request, problem.status, problem.code, problem.message)(environ, start_response)
            return unsigned(request)(environ, start_response)
        request = AwsRequest(environ)
        if request.problem is not None:
            problem = request.problem
            return aws_error(request, problem.status, problem.code, problem.message)(environ, start_response)
        for handler in ([self.gate] if self.gate else []) + self.filters:
            response = handler(request)
            if response is not None:
                return response(environ, start_response)
            if handler is self.gate and request.caller is not None:
                _authenticated(environ)
        return self.moto_app(environ, start_response)


# Set in a request's environ by lifetime.py: called once the request is proven to come from
# someone (the gate let it through, or a signed sandbox call): only those keep a sandbox awake.
AUTHENTICATED = "awslab.authenticated"


def _authenticated(environ) -> None:
    note = environ.get(AUTHENTICATED)
    if note is not None:
        note()


def json_body(request: Request | AwsRequest) -> dict:
    """The JSON object a sandbox call (POST /_awslab/...) carries; SandboxCallError otherwise."""
    http = request.http if isinstance(request, AwsRequest) else request
    if http.method != "POST":
        raise SandboxCallError("MethodNotAllowed", "Use POST.", 405)
    try:
        data = wire.loads(http.get_data() or b"{}", code="InvalidRequest",
                          message="The request body must be a JSON object.")
    except RequestEntityTooLarge:
        raise SandboxCallError("RequestEntityTooLarge", "The request is larger than the sandbox "
                               f"accepts ({wire.MAX_BODY} bytes).", 413) from None
    except wire.WireError as error:
        raise SandboxCallError(error.code, error.message, error.status) from None
    if not isinstance(data, dict):
        raise SandboxCallError("InvalidRequest", "The request body must be a JSON object.")
    return data


class SandboxCallError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, **details):
        super().__init__(message)
        self.code = code
        self.status = status
        self.details = details

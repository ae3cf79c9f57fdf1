"""The sandbox's WSGI app: awslab's additions in front of moto's own server app.

Requests reach moto unchanged unless an addition answers first. Additions are small
modules with an `install(app)` function (see `server.EXTENSIONS`); they register
routes under `/_awslab/` (calls that are not AWS's, such as the simulated console) and
filters that see every AWS request before moto does.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Callable
from urllib.parse import parse_qs

from werkzeug.wrappers import Request, Response

from awslab.sandbox.account import Account

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/")
QUERY_SERVICES = {"iam", "sts", "ec2", "sns", "sqs", "cloudformation", "rds", "elasticache"}


class AwsRequest:
    """What the additions need to know about one AWS API request."""

    def __init__(self, environ: dict):
        self.environ = environ
        self.http = Request(environ)
        self.body = self.http.get_data(cache=True)
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
        if self.service in QUERY_SERVICES:
            form = parse_qs(self.body.decode("utf-8", "replace")) if self.body else {}
            form.update(parse_qs(self.http.query_string.decode("utf-8", "replace")))
            self.params = {key: values[-1] for key, values in form.items()}
        self.action = self.params.get("Action")
        self.caller = None  # set by the identity addition: "root" or an IAM user name

    def json(self) -> dict:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return {}

    @property
    def query_protocol(self) -> bool:
        return self.service in QUERY_SERVICES


def aws_error(request: AwsRequest | None, status: int, code: str, message: str) -> Response:
    """An error in the wire format the request's service uses, as AWS would send it."""
    request_id = str(uuid.uuid4())
    if request is None or request.query_protocol:
        kind = "Sender" if status < 500 else "Receiver"
        body = (
            "<ErrorResponse><Error>"
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


def json_response(data, status: int = 200) -> Response:
    return Response(json.dumps(data, default=str), status=status, content_type="application/json")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


Filter = Callable[[AwsRequest], "Response | None"]
Route = Callable[[Request], Response]


class SandboxApp:
    def __init__(self, moto_app, account: Account):
        self.moto_app = moto_app
        self.account = account
        self.routes: dict[str, Route] = {}
        self.filters: list[Filter] = []
        self.on_stop: list[Callable[[], None]] = []
        self.route("/_awslab/health", self._health)

    def route(self, path: str, handler: Route) -> None:
        self.routes[path] = handler

    def add_filter(self, handler: Filter) -> None:
        self.filters.append(handler)

    def _health(self, request: Request) -> Response:
        import os

        return json_response({"status": "ok", "account_id": self.account.account_id,
                              "home": os.environ.get("AWSLAB_HOME", ""), "pid": os.getpid()})

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_awslab/"):
            handler = self.routes.get(path.rstrip("/"))
            if handler is None:
                response = json_response({"error": f"no such sandbox call: {path}"}, status=404)
            else:
                try:
                    response = handler(Request(environ))
                except SandboxCallError as error:
                    response = json_response({"error": error.code, "message": str(error)}, error.status)
            return response(environ, start_response)
        if path.startswith("/moto-api"):
            # moto's own dashboard and reset API would bypass the sandbox's account.
            return json_response({"error": "moto's API is not part of the sandbox"}, 404)(environ, start_response)
        request = AwsRequest(environ)
        for handler in self.filters:
            response = handler(request)
            if response is not None:
                return response(environ, start_response)
        return self.moto_app(environ, start_response)


def json_body(request: Request) -> dict:
    """The JSON object a sandbox call (POST /_awslab/...) carries; SandboxCallError otherwise."""
    if request.method != "POST":
        raise SandboxCallError("MethodNotAllowed", "Use POST.", 405)
    try:
        data = json.loads(request.get_data() or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise SandboxCallError("InvalidRequest", "The request body must be a JSON object.")
    return data


class SandboxCallError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.status = status

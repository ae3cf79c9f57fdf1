"""A call the sandbox does not offer gets a well-formed AWS error that says so.

moto 5.2.5 raises NotImplementedError for an operation it has no code for (IAM's
ListServiceSpecificCredentials, GenerateServiceLastAccessedDetails,
ListOrganizationsFeatures, ...); its server then answers HTTP 500 with an HTML page, which
an SDK cannot parse ("Unable to parse response ... invalid XML") and retries as a server
fault. Here the same call gets an error in the service's own protocol (moto's serializer
for that service: XML for IAM, JSON for JSON services), HTTP 501 with the code
`NotImplemented`, which SDKs do not retry, and one sentence naming the operation.

A service moto does not simulate at all (IAM Access Analyzer's ValidatePolicy, say) made
moto's server fail the same way (HTML, HTTP 500, retried four times). It gets the same
answer, in the protocol botocore's model gives that service (the service found from the
signature's scope, the operation from X-Amz-Target, Action or the REST path).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from urllib.parse import parse_qs

import moto
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from werkzeug.wrappers import Response

from awslab import aws_model
from awslab.sandbox import patches

STATUS = 501
log = logging.getLogger("awslab.sandbox.not_offered")


class NotOffered(ServiceException):
    code = "NotImplemented"


def sentence(service: str, operation: str) -> str:
    return (f"The sandbox does not offer {service}:{operation}: moto {moto.__version__}, which "
            "simulates the account, does not implement it. On AWS it works; here, leave it out.")


@patches.wraps(BaseResponse, "call_action")
def call_action(original, self):
    try:
        return original(self)
    except NotImplementedError:
        try:
            operation = self._get_action() or "this operation"
        except Exception:
            operation = "this operation"
        service = getattr(self, "boto3_service_name", None) or self.service_name or "this service"
        log.info("not offered: %s:%s", service, operation)
        _, headers, body = self.serialized(ActionResult(NotOffered(sentence(service, operation))))
        headers, body = self._enrich_response(headers, body)  # its request id, as every answer's
        return STATUS, headers, body


# A service moto does not simulate.

_SCOPE = re.compile(r"Credential=[^/,\s]+/[^/]+/([^/]+)/([^/,\s]+)/")


def unserved_sentence(service: str, operation: str | None) -> str:
    what = f"{service}:{operation}" if operation else f"the service {service}"
    return (f"The sandbox does not offer {what}: it simulates an account's IAM, STS and Account "
            f"Management (with moto {moto.__version__}), not this service. On AWS it works; here, "
            "leave it out.")


def unserved_answer(environ) -> Response:
    """NotImplemented (HTTP 501) in the protocol the request speaks (the service's, as
    botocore's model gives it, when the request does not say)."""
    scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    signing_name = scope.group(2) if scope else "unknown"
    service = aws_model.service_for_signing_name(signing_name)
    path = environ.get("PATH_INFO", "/")
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    body = environ["wsgi.input"].read() if environ.get("wsgi.input") is not None else b""
    form = parse_qs(body.decode("utf-8", "replace")) if b"Action=" in body else {}
    form.update(parse_qs(environ.get("QUERY_STRING", "")))
    if "rpc-v2-cbor" in environ.get("HTTP_SMITHY_PROTOCOL", ""):
        protocol, operation = "cbor", path.rsplit("/operation/", 1)[-1] if "/operation/" in path else None
    elif target:
        protocol, operation = "json", target.rsplit(".", 1)[-1]
    elif form.get("Action"):
        protocol, operation = "query", form["Action"][-1]
    else:
        protocol = (aws_model.protocol(service) if service else None) or "rest-json"
        operation = aws_model.operation_for(service, environ.get("REQUEST_METHOD", "GET"), path) \
            if service else None
    message = unserved_sentence(signing_name, operation)
    log.info("not offered: %s:%s (no such service in the sandbox)", signing_name, operation)
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id}
    if protocol == "cbor":
        headers["smithy-protocol"] = "rpc-v2-cbor"
        return Response(_cbor({"__type": "NotImplemented", "message": message}), status=STATUS,
                        content_type="application/cbor", headers=headers)
    if protocol in ("json", "rest-json"):
        model = aws_model.service_model(service) if service else None
        version = model.metadata.get("jsonVersion", "1.1") if model is not None else "1.1"
        content_type = f"application/x-amz-json-{version}" if protocol == "json" else "application/json"
        headers["x-amzn-ErrorType"] = "NotImplemented"
        return Response(json.dumps({"__type": "NotImplemented", "message": message}), status=STATUS,
                        content_type=content_type, headers=headers)
    text = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    error = (f"<Error><Type>Sender</Type><Code>NotImplemented</Code><Message>{text}</Message>"
             "</Error>")
    xml = f"<ErrorResponse>{error}<RequestId>{request_id}</RequestId></ErrorResponse>"
    return Response(xml, status=STATUS, content_type="text/xml", headers=headers)


def _cbor(data: dict[str, str]) -> bytes:
    """A CBOR map of text strings (RFC 8949), as the Smithy RPC v2 CBOR protocol sends errors."""

    def head(major: int, length: int) -> bytes:
        if length < 24:
            return bytes([major << 5 | length])
        for extra, size in ((24, 1), (25, 2), (26, 4)):
            if length < 1 << (8 * size):
                return bytes([major << 5 | extra]) + length.to_bytes(size, "big")
        raise ValueError("too long")

    def text(value: str) -> bytes:
        raw = value.encode("utf-8")
        return head(3, len(raw)) + raw

    return head(5, len(data)) + b"".join(text(key) + text(value) for key, value in data.items())


def _unserved(dispatcher, environ) -> bool:
    """Whether moto has no backend for the service this request is addressed to."""
    try:
        host = dispatcher.infer_service_region_host(environ, environ.get("PATH_INFO", ""))
        return host is not None and dispatcher.get_backend_for_host(host) is None
    except Exception:
        return False


@patches.wraps(DomainDispatcherApplication, "get_application")
def get_application(original, self, environ):
    try:
        return original(self, environ)
    except Exception:
        if not _unserved(self, environ):
            raise
        return _unserved_app


def _unserved_app(environ, start_response):
    return unserved_answer(environ)(environ, start_response)

"""One reading of a request's parameters, the one the gate judges and moto executes.

Before this module, the gate and moto each parsed a request their own way: the gate took a
form parameter's last value and let the URL query override the body; moto takes the first
value, ignores the query when the body is a form, and also reads multipart bodies. A weak
user could then have the gate judge one action and moto run another (issue 19: `Action`
given twice made any user administrator). Now:

- a query-protocol request (IAM, STS) carries its parameters in exactly one place: a
  `application/x-www-form-urlencoded` body (POST) or the URL query (GET), never both; each
  parameter once; strictly percent-encoded UTF-8. Anything else is refused with the query
  protocol's `InvalidQueryParameter` (HTTP 400), as AWS's common errors name it;
- a JSON-protocol request (Organizations, Account Management, ...) carries a JSON body
  (`application/x-amz-json-1.x` or `application/json`), never a form, and no query beside a
  body: moto's `_get_param` would prefer the query to the body the gate judged;
- the parameters the gate read are written back as the request moto sees (`hand_to_moto`),
  in a canonical form with nothing left over for moto to read differently;
- bodies are bounded (`MAX_BODY`) and JSON is bounded in depth (`MAX_DEPTH`) wherever it is
  parsed, so a document nested thousands deep is a clean 4xx, not a RecursionError's 500.
"""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qsl, urlencode

# AWS's query APIs take requests up to a few hundred KB (a managed policy is at most 6,144
# characters, a role's trust policy 2,048 by default); 1 MiB leaves room for every call the
# sandbox serves.
MAX_BODY = 1024 * 1024
MAX_FIELDS = 1000
# No IAM policy grammar nests deeper than about 6 (Statement, Condition, operator, key,
# values); botocore's shapes nest a few levels more.
MAX_DEPTH = 64
FORM = "application/x-www-form-urlencoded"
JSON_TYPES = ("application/x-amz-json-1.0", "application/x-amz-json-1.1", "application/json")


class WireError(Exception):
    """A request AWS's protocols do not allow: (status, code, message), in AWS's words."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def depth(text: str | bytes) -> int:
    """The deepest nesting of [ and { in a JSON text (strings skipped), without parsing it."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    deepest = level = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            level += 1
            deepest = max(deepest, level)
        elif char in "]}":
            level -= 1
    return deepest


def loads(text: str | bytes, *, code: str = "SerializationException",
          message: str = "The request body is not valid JSON."):
    """json.loads with the sandbox's size and depth bounds; WireError otherwise."""
    if len(text) > MAX_BODY:
        raise WireError("RequestEntityTooLarge", "The request is larger than the sandbox accepts "
                        f"({MAX_BODY} bytes).", 413)
    if depth(text) > MAX_DEPTH:
        raise WireError(code, f"{message} (nested more than {MAX_DEPTH} levels deep)")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise WireError(code, message) from None


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def form_params(body: bytes, query: bytes, method: str, content_type: str) -> dict[str, str]:
    """A query-protocol request's parameters, read once and strictly; WireError otherwise."""
    kind = media_type(content_type)
    if body:
        if kind != FORM:
            raise WireError("InvalidQueryParameter", "The AWS query string is malformed or does "
                            f"not adhere to AWS standards: a body of type '{kind or 'none'}'; "
                            f"this API takes its parameters as {FORM}.")
        if query:
            raise WireError("InvalidQueryParameter", "The AWS query string is malformed or does "
                            "not adhere to AWS standards: parameters in both the URL and the body; "
                            "send them in one place.")
        source = body
    else:
        source = query
    try:
        pairs = parse_qsl(source.decode("ascii"), keep_blank_values=True, strict_parsing=True,
                          encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as error:
        if not source:
            return {}
        raise WireError("InvalidQueryParameter", "The AWS query string is malformed or does not "
                        f"adhere to AWS standards: {_why(error)}.") from None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise WireError("InvalidQueryParameter", "The AWS query string is malformed or does "
                            f"not adhere to AWS standards: the parameter {name} is given more "
                            "than once.")
        params[name] = value
        if ("[" in value or "{" in value) and depth(value) > MAX_DEPTH:
            code = "MalformedPolicyDocument" if name.endswith("PolicyDocument") else "ValidationError"
            raise WireError(code, "Syntax errors in policy." if code == "MalformedPolicyDocument"
                            else f"The value of {name} is nested more than {MAX_DEPTH} levels deep.")
    return params


def _why(error: Exception) -> str:
    if isinstance(error, UnicodeError):
        return "it is not percent-encoded UTF-8"
    if "Max number of fields" in str(error):
        return f"more than {MAX_FIELDS} parameters"
    return "a parameter without a value (name=value pairs joined by &)"


# REST APIs whose operations bind members to the URL query (the AWS access portal's
# GetRoleCredentials, ListAccounts...); every other JSON API the sandbox serves takes none, and
# moto's `_get_param` would read a query before the body the gate judged.
QUERY_MEMBERS = frozenset({"awsssoportal"})


def check_json_request(body: bytes, query: bytes, method: str, content_type: str,
                       service: str | None = None) -> None:
    """A JSON-protocol request carries JSON (or nothing), and no query unless its API binds
    members there (and then no body beside it)."""
    kind = media_type(content_type)
    if kind in (FORM, "multipart/form-data"):
        raise WireError("SerializationException", f"This API takes JSON, not {kind}.")
    if query and (body or service not in QUERY_MEMBERS):
        raise WireError("SerializationException", "Parameters in the URL: this API takes them in "
                        "the JSON body.")
    if body:
        loads(body)


def hand_to_moto(environ: dict, method: str, params: dict[str, str]) -> bytes:
    """Write `params` back as the one request moto reads: a canonical form body for POST (no
    query), the URL query for other methods (no body). Returns the body moto will read."""
    canonical = urlencode(params).encode()
    if method == "POST":
        body = canonical
        environ["QUERY_STRING"] = ""
        environ["CONTENT_TYPE"] = f"{FORM}; charset=utf-8"
    else:
        body = b""
        environ["QUERY_STRING"] = canonical.decode()
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    path = environ.get("PATH_INFO", "/")
    for name in ("RAW_URI", "REQUEST_URI"):  # werkzeug's dev server sets both
        if name in environ:
            environ[name] = path + (f"?{environ['QUERY_STRING']}" if environ["QUERY_STRING"] else "")
    return body

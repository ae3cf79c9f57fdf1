"""Account Management's calls (rest-json, signing name "account"): one dispatcher for all.

AWS serves them as POST /<operation> with a JSON body. An addition registers each
operation it answers with `@operation("/listRegions", "ListRegions")`: a function of the
request's JSON body that returns the answer's body or raises `Refused`. The dispatcher
checks `AccountId` as AWS does for a standalone account (12 digits; another account is
not a member of an organization; this account's own id is refused), then every constraint
AWS's model declares for the operation's input (awslab/aws_model.py: required members,
lengths, patterns, ranges, enumerations; 400 ValidationException listing the fields), answers
under the sandbox's lock, and gives a path nobody serves a 404 naming it. Every answer
carries a request id (x-amzn-RequestId), as AWS's do.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable

from werkzeug.wrappers import Response

from awslab import aws_model
from awslab.sandbox.app import aws_error, json_response
from awslab.sandbox.state import LOCK

OPERATIONS: dict[str, tuple[str, Callable[[dict], dict]]] = {}  # path -> (name, function)
_ACCOUNT_ID = re.compile(r"\d{12}")


class Refused(Exception):
    """An Account Management error: status, code, message and, for ValidationException,
    the fields AWS lists (fieldList)."""

    def __init__(self, status: int, code: str, message: str, fields: list[dict] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def invalid(fields: list[dict]) -> Refused:
    """A ValidationException listing the fields that fail, as AWS's does."""
    count = len(fields)
    detail = "; ".join(f"Value at '{field['name']}' failed to satisfy constraint: {field['message']}"
                       for field in fields)
    return Refused(400, "ValidationException",
                   f"{count} validation error{'s' if count > 1 else ''} detected: {detail}", fields)


def model_problems(name: str, body: dict) -> list[dict]:
    """The fields of `body` that break the model of operation `name`, as fieldList entries."""
    return [{"name": problem.path, "message": _field_message(problem)}
            for problem in aws_model.problems("account", name, body)]


def _field_message(problem: aws_model.Problem) -> str:
    low, high = problem.limit if problem.kind == "length" else (None, None)
    if low is not None and high is not None:
        return f"Member must have length between {low} and {high}"
    if problem.kind == "pattern":
        pattern = str(problem.limit)
        return ("Member must satisfy regular expression pattern: "
                + (pattern if pattern.startswith("^") else f"^{pattern}$"))
    return problem.constraint


def operation(path: str, name: str):
    def register(function: Callable[[dict], dict]) -> Callable[[dict], dict]:
        OPERATIONS[path] = (name, function)
        return function

    return register


def error(request, refused: Refused) -> Response:
    if not refused.fields:
        return aws_error(request, refused.status, refused.code, refused.message)
    body = {"message": refused.message, "reason": "fieldValidationFailed", "fieldList": refused.fields}
    return Response(json.dumps(body), status=refused.status, content_type="application/json",
                    headers={"x-amzn-ErrorType": refused.code, "x-amzn-RequestId": str(uuid.uuid4())})


def _check_account_id(body: dict, account_id: str) -> None:
    given = body.get("AccountId")
    if given is None:
        return
    if not (isinstance(given, str) and _ACCOUNT_ID.fullmatch(given)):
        raise invalid([{"name": "accountId",
                        "message": "Member must satisfy regular expression pattern: ^\\d{12}$"}])
    if given != account_id:
        raise Refused(403, "AccessDeniedException", "The account is not a member of your "
                      "organization: leave AccountId out to manage your own account.")
    raise invalid([{"name": "accountId", "message": "The management account can't specify its "
                                                    "own AccountId; leave AccountId out."}])


def install(app) -> None:
    account_id = app.account.account_id

    def account_calls(request):
        if request.service != "account":
            return None
        served = OPERATIONS.get(request.path.rstrip("/"))
        if served is None:
            return aws_error(request, 404, "ResourceNotFoundException",
                             f"The sandbox does not offer {request.path} of Account Management.")
        body = request.json()
        if not isinstance(body, dict):
            body = {}
        try:
            _check_account_id(body, account_id)
            problems = model_problems(served[0], body)
            if problems:
                raise invalid(problems)
            with LOCK:
                answer = served[1](body)
        except Refused as refused:
            return error(request, refused)
        response = json_response(answer)
        response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
        return response

    app.add_filter(account_calls)

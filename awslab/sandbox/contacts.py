"""Account Management's contacts: the primary contact and the alternate contacts.

AWS (rest-json, signing name "account"): every account has a primary contact, given when
the account is made (GetContactInformation, PutContactInformation), and may name three
alternate contacts, one each for BILLING, OPERATIONS and SECURITY
(GetAlternateContact, PutAlternateContact, DeleteAlternateContact). An alternate contact
that was never put, or was deleted, gives 404 ResourceNotFoundException "No contact of the
inputted alternate contact type found."; a field that breaks the API's constraints gives
400 ValidationException with reason fieldValidationFailed and the field named. Without
AccountId a call is about the caller's own account (the sandbox's account belongs to no
organization, so another account's id is refused, as for the Region calls).

moto 5.2.5 offers only the alternate contacts (and not through the sandbox, whose account
calls go through these filters), without validation, and keeps them outside the state the
sandbox saves. Here they live in state.STATE["contacts"], saved with the account. The
primary contact of a new sandbox account is a fictional one (a 555-01xx phone number).
"""

from __future__ import annotations

import json
import re
import uuid

from werkzeug.wrappers import Response

from awslab.sandbox.app import aws_error, json_response
from awslab.sandbox.state import LOCK, STATE, changed

TYPES = ("BILLING", "OPERATIONS", "SECURITY")
NOT_FOUND = "No contact of the inputted alternate contact type found."
PRIMARY = {  # the contact a new sandbox account was "made" with
    "FullName": "Sandbox Account Owner",
    "AddressLine1": "100 Example Street",
    "City": "Seattle",
    "StateOrRegion": "WA",
    "PostalCode": "98101",
    "CountryCode": "US",
    "PhoneNumber": "+1 206-555-0100",
}
# name -> (required, min, max, pattern): botocore's account model, as of moto 5.2.5's botocore.
CONTACT_FIELDS = {
    "FullName": (True, 1, 50, None), "AddressLine1": (True, 1, 60, None),
    "AddressLine2": (False, 1, 60, None), "AddressLine3": (False, 1, 60, None),
    "City": (True, 1, 50, None), "StateOrRegion": (False, 1, 50, None),
    "DistrictOrCounty": (False, 1, 50, None), "PostalCode": (True, 1, 20, None),
    "CountryCode": (True, 2, 2, None), "PhoneNumber": (True, 1, 20, r"[+][\s0-9()-]+"),
    "CompanyName": (False, 1, 50, None), "WebsiteUrl": (False, 1, 256, None),
}
ALTERNATE_FIELDS = {
    "Name": (True, 1, 64, None), "Title": (True, 1, 50, None),
    "EmailAddress": (True, 1, 254, r"[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*"),
    "PhoneNumber": (True, 1, 25, r"[\s0-9()+-]+"),
}
_PATHS = {"/getContactInformation": "GetContactInformation",
          "/putContactInformation": "PutContactInformation",
          "/getAlternateContact": "GetAlternateContact",
          "/putAlternateContact": "PutAlternateContact",
          "/deleteAlternateContact": "DeleteAlternateContact"}
_ACCOUNT_ID = re.compile(r"\d{12}")


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str, fields: list[dict] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def _contacts() -> dict:
    return STATE.setdefault("contacts", {})


def primary() -> dict:
    return dict(_contacts().get("primary") or PRIMARY)


def alternates() -> dict[str, dict]:
    return _contacts().setdefault("alternate", {})


def _problems(values: dict, fields: dict, where: str = "") -> list[dict]:
    found = []
    for name, (required, low, high, pattern) in fields.items():
        value = values.get(name)
        path = f"{where}{name[:1].lower()}{name[1:]}"
        if value is None:
            if required:
                found.append({"name": path, "message": "Member must not be null"})
            continue
        if not isinstance(value, str):
            found.append({"name": path, "message": "Member must be a string"})
        elif not low <= len(value) <= high:
            found.append({"name": path, "message": f"Member must have length between {low} and {high}"})
        elif pattern and not re.fullmatch(pattern, value):
            found.append({"name": path, "message": "Member must satisfy regular expression pattern: "
                                                   f"^{pattern}$"})
    return found


def _invalid(problems: list[dict]) -> _Refused:
    count = len(problems)
    detail = "; ".join(f"Value at '{p['name']}' failed to satisfy constraint: {p['message']}"
                       for p in problems)
    return _Refused(400, "ValidationException",
                    f"{count} validation error{'s' if count > 1 else ''} detected: {detail}", problems)


def _contact_type(body: dict) -> str:
    kind = body.get("AlternateContactType")
    if kind not in TYPES:
        message = ("Member must not be null" if kind is None else
                   "Member must satisfy enum value set: [" + ", ".join(TYPES) + "]")
        raise _invalid([{"name": "alternateContactType", "message": message}])
    return kind


def get_contact_information(body: dict) -> dict:
    return {"ContactInformation": primary()}


def put_contact_information(body: dict) -> dict:
    given = body.get("ContactInformation")
    if not isinstance(given, dict):
        raise _invalid([{"name": "contactInformation", "message": "Member must not be null"}])
    problems = _problems(given, CONTACT_FIELDS, "contactInformation.")
    if problems:
        raise _invalid(problems)
    _contacts()["primary"] = {k: v for k, v in given.items() if k in CONTACT_FIELDS}
    changed()
    return {}


def get_alternate_contact(body: dict) -> dict:
    kind = _contact_type(body)
    contact = alternates().get(kind)
    if contact is None:
        raise _Refused(404, "ResourceNotFoundException", NOT_FOUND)
    return {"AlternateContact": {"AlternateContactType": kind, **contact}}


def put_alternate_contact(body: dict) -> dict:
    kind = body.get("AlternateContactType")
    problems = _problems(body, ALTERNATE_FIELDS)
    try:
        _contact_type(body)
    except _Refused as refused:
        problems = refused.fields + problems
    if problems:
        raise _invalid(problems)
    alternates()[kind] = {name: body[name] for name in ALTERNATE_FIELDS}
    changed()
    return {}


def delete_alternate_contact(body: dict) -> dict:
    kind = _contact_type(body)
    if alternates().pop(kind, None) is None:
        raise _Refused(404, "ResourceNotFoundException", NOT_FOUND)
    changed()
    return {}


OPERATIONS = {"GetContactInformation": get_contact_information,
              "PutContactInformation": put_contact_information,
              "GetAlternateContact": get_alternate_contact,
              "PutAlternateContact": put_alternate_contact,
              "DeleteAlternateContact": delete_alternate_contact}


def _error(request, refused: _Refused) -> Response:
    if not refused.fields:
        return aws_error(request, refused.status, refused.code, refused.message)
    request_id = str(uuid.uuid4())
    body = {"message": refused.message, "reason": "fieldValidationFailed", "fieldList": refused.fields}
    return Response(json.dumps(body), status=refused.status, content_type="application/json",
                    headers={"x-amzn-ErrorType": refused.code, "x-amzn-RequestId": request_id})


def install(app) -> None:
    account_id = app.account.account_id

    def contact_calls(request):
        if request.service != "account":
            return None
        operation = _PATHS.get(request.path.rstrip("/"))
        if operation is None:
            return None  # the Region calls (regions.py)
        body = request.json()
        if not isinstance(body, dict):
            body = {}
        given = body.get("AccountId")
        try:
            if given is not None and not (isinstance(given, str) and _ACCOUNT_ID.fullmatch(given)):
                raise _invalid([{"name": "accountId", "message": "Member must satisfy regular "
                                                                 "expression pattern: ^\\d{12}$"}])
            if given is not None and given != account_id:
                raise _Refused(403, "AccessDeniedException",
                               "The account is not a member of your organization: leave AccountId "
                               "out to manage your own account.")
            if given == account_id:
                raise _invalid([{"name": "accountId", "message": "The management account can't "
                                 "specify its own AccountId; leave AccountId out."}])
            with LOCK:
                answer = OPERATIONS[operation](body)
        except _Refused as refused:
            return _error(request, refused)
        return json_response(answer)

    app.add_filter(contact_calls)

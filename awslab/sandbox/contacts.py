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

import re

from awslab.sandbox.account_service import Refused, invalid, operation
from awslab.sandbox.state import STATE, changed

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


def _contact_type(body: dict) -> str:
    kind = body.get("AlternateContactType")
    if kind not in TYPES:
        message = ("Member must not be null" if kind is None else
                   "Member must satisfy enum value set: [" + ", ".join(TYPES) + "]")
        raise invalid([{"name": "alternateContactType", "message": message}])
    return kind


@operation("/getContactInformation", "GetContactInformation")
def get_contact_information(body: dict) -> dict:
    return {"ContactInformation": primary()}


@operation("/putContactInformation", "PutContactInformation")
def put_contact_information(body: dict) -> dict:
    given = body.get("ContactInformation")
    if not isinstance(given, dict):
        raise invalid([{"name": "contactInformation", "message": "Member must not be null"}])
    problems = _problems(given, CONTACT_FIELDS, "contactInformation.")
    if problems:
        raise invalid(problems)
    _contacts()["primary"] = {k: v for k, v in given.items() if k in CONTACT_FIELDS}
    changed()
    return {}


@operation("/getAlternateContact", "GetAlternateContact")
def get_alternate_contact(body: dict) -> dict:
    kind = _contact_type(body)
    contact = alternates().get(kind)
    if contact is None:
        raise Refused(404, "ResourceNotFoundException", NOT_FOUND)
    return {"AlternateContact": {"AlternateContactType": kind, **contact}}


@operation("/putAlternateContact", "PutAlternateContact")
def put_alternate_contact(body: dict) -> dict:
    kind = body.get("AlternateContactType")
    problems = _problems(body, ALTERNATE_FIELDS)
    try:
        _contact_type(body)
    except Refused as refused:
        problems = refused.fields + problems
    if problems:
        raise invalid(problems)
    alternates()[kind] = {name: body[name] for name in ALTERNATE_FIELDS}
    changed()
    return {}


@operation("/deleteAlternateContact", "DeleteAlternateContact")
def delete_alternate_contact(body: dict) -> dict:
    kind = _contact_type(body)
    if alternates().pop(kind, None) is None:
        raise Refused(404, "ResourceNotFoundException", NOT_FOUND)
    changed()
    return {}

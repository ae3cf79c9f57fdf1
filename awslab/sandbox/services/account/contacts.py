"""Account Management's contacts: the primary contact and the alternate contacts.

AWS (rest-json, signing name "account"): every account has a primary contact, given when
the account is made (GetContactInformation, PutContactInformation), and may name three
alternate contacts, one each for BILLING, OPERATIONS and SECURITY
(GetAlternateContact, PutAlternateContact, DeleteAlternateContact). An alternate contact
that was never put, or was deleted, gives 404 ResourceNotFoundException "No contact of the
inputted alternate contact type found."; a field that breaks the API's constraints gives
400 ValidationException with reason fieldValidationFailed and the field named (checked
from AWS's model by account_service.py before these functions run). Without
AccountId a call is about the caller's own account (the sandbox's account belongs to no
organization, so another account's id is refused, as for the Region calls).

moto 5.2.5 offers only the alternate contacts (and not through the sandbox, whose account
calls go through these filters), without validation, and keeps them outside the state the
sandbox saves. Here they live in state.STATE["contacts"], saved with the account. The
primary contact of a new sandbox account is a fictional one (a 555-01xx phone number).
"""

from __future__ import annotations

from awslab import aws_model
from awslab.sandbox.services.account.account_service import Refused, invalid, operation
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
ALTERNATE_FIELDS = ("Name", "Title", "EmailAddress", "PhoneNumber")  # kept for each type


def _contacts() -> dict:
    return STATE.setdefault("contacts", {})


def primary() -> dict:
    return dict(_contacts().get("primary") or PRIMARY)


def alternates() -> dict[str, dict]:
    return _contacts().setdefault("alternate", {})


def _contact_type(body: dict) -> str:
    return body["AlternateContactType"]  # present and one of TYPES: the model was checked


@operation("/getContactInformation", "GetContactInformation")
def get_contact_information(body: dict) -> dict:
    return {"ContactInformation": primary()}


@operation("/putContactInformation", "PutContactInformation")
def put_contact_information(body: dict) -> dict:
    given = body.get("ContactInformation")
    if not isinstance(given, dict):
        raise invalid([{"name": "contactInformation", "message": "Member must not be null"}])
    fields = aws_model.members("account", "ContactInformation")
    _contacts()["primary"] = {k: v for k, v in given.items() if k in fields}
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
    kind = _contact_type(body)
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

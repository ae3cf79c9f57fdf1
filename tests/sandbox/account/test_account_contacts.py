"""(docs/contract.md, "Sandbox: a new account"; an auditor's view): Account Management's contacts, as AWS serves them.

Every account has a primary contact (GetContactInformation; moto: 404); the alternate
contacts (BILLING, OPERATIONS, SECURITY) exist once put: a missing one is
ResourceNotFoundException "No contact of the inputted alternate contact type found.",
a field breaking the API's constraints ValidationException (fieldValidationFailed).
"""

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

SECURITY = {"AlternateContactType": "SECURITY", "Name": "Security team", "Title": "Security",
            "EmailAddress": "security@example.com", "PhoneNumber": "+1 206-555-0199"}
NOT_FOUND = "No contact of the inputted alternate contact type found."


def error(excinfo) -> tuple[str, int, str]:
    response = excinfo.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"]["Message"])


def unchecked(lab):
    """An Account Management client that sends what it is given (botocore checks only some
    constraints itself), so the sandbox's own validation answers."""
    credentials = lab.session.get_credentials()
    return boto3.client("account", endpoint_url=lab.endpoint_url, region_name="us-east-1",
                        aws_access_key_id=credentials.access_key,
                        aws_secret_access_key=credentials.secret_key,
                        aws_session_token=credentials.token,
                        config=Config(parameter_validation=False))


def test_every_account_has_a_primary_contact(lab):
    account = lab.client("account")
    contact = account.get_contact_information()["ContactInformation"]
    for field in ("FullName", "AddressLine1", "City", "PostalCode", "CountryCode", "PhoneNumber"):
        assert contact[field], field
    assert contact["PhoneNumber"].startswith("+")

    changed = dict(contact, FullName="Ana Silva", CompanyName="Example Corp")
    account.put_contact_information(ContactInformation=changed)
    try:
        assert account.get_contact_information()["ContactInformation"] == changed
        with pytest.raises(ClientError) as bad_phone:
            unchecked(lab).put_contact_information(ContactInformation=dict(changed, PhoneNumber="555 0100"))
        assert error(bad_phone)[:2] == ("ValidationException", 400)
        assert "contactInformation.phoneNumber" in error(bad_phone)[2]
        missing = {k: v for k, v in changed.items() if k != "City"}
        with pytest.raises(ClientError) as no_city:
            unchecked(lab).put_contact_information(ContactInformation=missing)
        assert "contactInformation.city" in error(no_city)[2]
        assert account.get_contact_information()["ContactInformation"] == changed  # nothing changed
    finally:
        account.put_contact_information(ContactInformation=contact)


def test_alternate_contacts(lab):
    account = lab.client("account")
    for kind in ("BILLING", "OPERATIONS", "SECURITY"):
        with pytest.raises(ClientError) as missing:
            account.get_alternate_contact(AlternateContactType=kind)
        assert error(missing) == ("ResourceNotFoundException", 404, NOT_FOUND)

    account.put_alternate_contact(**SECURITY)
    try:
        assert account.get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"] == SECURITY
        with pytest.raises(ClientError):
            account.get_alternate_contact(AlternateContactType="BILLING")
        account.put_alternate_contact(**dict(SECURITY, Name="Security on call"))  # replaces it
        assert account.get_alternate_contact(
            AlternateContactType="SECURITY")["AlternateContact"]["Name"] == "Security on call"
    finally:
        account.delete_alternate_contact(AlternateContactType="SECURITY")
    with pytest.raises(ClientError) as gone:
        account.get_alternate_contact(AlternateContactType="SECURITY")
    assert error(gone)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as twice:
        account.delete_alternate_contact(AlternateContactType="SECURITY")
    assert error(twice) == ("ResourceNotFoundException", 404, NOT_FOUND)


@pytest.mark.parametrize("change, field", [
    ({"EmailAddress": "not-an-address"}, "emailAddress"),
    ({"PhoneNumber": "call me"}, "phoneNumber"),
    ({"Name": "x" * 65}, "name"),
    ({"Title": ""}, "title"),
    ({"AlternateContactType": "LEGAL"}, "alternateContactType"),
])
def test_put_alternate_contact_checks_each_field(lab, change, field):
    with pytest.raises(ClientError) as refused:
        unchecked(lab).put_alternate_contact(**dict(SECURITY, **change))
    code, status, message = error(refused)
    assert (code, status) == ("ValidationException", 400)
    assert f"'{field}'" in message
    with pytest.raises(ClientError):
        lab.client("account").get_alternate_contact(AlternateContactType="SECURITY")  # nothing stored


def test_another_accounts_contacts_are_refused(lab):
    account = lab.client("account")
    with pytest.raises(ClientError) as other:
        account.get_alternate_contact(AlternateContactType="SECURITY", AccountId="123456789012")
    assert error(other)[:2] == ("AccessDeniedException", 403)


def test_an_iam_user_needs_the_account_permissions(lab):
    """The gate judges these calls like the others: account:GetAlternateContact on
    arn:aws:account::<account>:account."""
    import json

    iam = lab.client("iam")
    iam.create_user(UserName="contact-reader")
    iam.put_user_policy(UserName="contact-reader", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "account:GetContactInformation",
                                                "Resource": f"arn:aws:account::{lab.account_id}:account"}]}))
    key = iam.create_access_key(UserName="contact-reader")["AccessKey"]
    try:
        reader = boto3.client("account", endpoint_url=lab.endpoint_url, region_name="us-east-1",
                              aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        assert reader.get_contact_information()["ContactInformation"]["FullName"]
        with pytest.raises(ClientError) as denied:
            reader.get_alternate_contact(AlternateContactType="SECURITY")
        assert error(denied)[0] == "AccessDeniedException"
        assert "account:GetAlternateContact" in error(denied)[2]
    finally:
        iam.delete_access_key(UserName="contact-reader", AccessKeyId=key["AccessKeyId"])
        iam.delete_user_policy(UserName="contact-reader", PolicyName="read")
        iam.delete_user(UserName="contact-reader")

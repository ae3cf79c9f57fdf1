"""Whom AWS reaches about the account: its primary contact and its security contact.

Securing a new account includes telling AWS whom to reach about security (CIS 1.1 and 1.2).
Every account has a primary contact, given when it was made (Account Management's
GetContactInformation); the security contact is one of three optional alternate contacts
(GetAlternateContact / PutAlternateContact with `AlternateContactType="SECURITY"`). Without
one, AWS's security notices about the account reach the primary contact only.

    primary_contact(lab)                 # the primary contact (a dict), or LabError/ClientError
    security_contact(lab)                # the security contact, or None when none is registered
    set_security_contact(lab, name=..., title=..., email=..., phone=...)   # recorded for clean-up
    SecurityContactForm(lab, security_contact={...}, auto_submit=...).show()

Registering it is recorded (awslab.record, kind "security_contact") with the contact the
account had before, so clean-up (awslab.clean_up) puts that back, or deletes the one the
lab registered.
"""

from __future__ import annotations

import re

from botocore.exceptions import ClientError

from awslab import record
from awslab.errors import Code, LabError, code_of, explain
from awslab.forms import Form, line, note

SECURITY = "SECURITY"
FIELDS = ("name", "title", "email", "phone")
_EMAIL = re.compile(r"[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*")
_PHONE = re.compile(r"[\s0-9()+-]+")
RECORD = ("security_contact", SECURITY)


def primary_contact(lab) -> dict:
    """GetContactInformation's ContactInformation (needs account:GetContactInformation)."""
    return lab.client("account").get_contact_information()["ContactInformation"]


def security_contact(lab) -> dict | None:
    """The account's security contact (GetAlternateContact), or None when none is registered."""
    try:
        return lab.client("account").get_alternate_contact(AlternateContactType=SECURITY)["AlternateContact"]
    except ClientError as error:
        if code_of(error) == Code.ResourceNotFoundException:
            return None
        raise


def masked_email(email: str) -> str:
    """j***@example.com: enough to recognise it, not to harvest it from a saved notebook."""
    local, _, domain = str(email).strip().partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def masked_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", str(phone))
    return f"ending {digits[-4:]}" if len(digits) >= 4 else "(short)"


def describe(contact: dict) -> str:
    """A contact in one line, email and phone masked."""
    title = f" ({contact['Title']})" if contact.get("Title") else ""
    return (f"{contact.get('Name', '?')}{title}, {masked_email(contact.get('EmailAddress', ''))}, "
            f"phone {masked_phone(contact.get('PhoneNumber', ''))}")


def contact_problems(name: str, title: str, email: str, phone: str) -> list[str]:
    """What AWS would refuse in a security contact (PutAlternateContact's constraints)."""
    return list(problems_by_field(name, title, email, phone).values())


def problems_by_field(name: str, title: str, email: str, phone: str) -> dict[str, str]:
    """contact_problems(), each under the field it judges (name, title, email, phone)."""
    problems = {}
    if not 1 <= len(name) <= 64:
        problems["name"] = "give a name of 1 to 64 characters (a person or a team)"
    if not 1 <= len(title) <= 50:
        problems["title"] = "give a title of 1 to 50 characters (for example Security team)"
    if not (1 <= len(email) <= 254 and _EMAIL.fullmatch(email)):
        problems["email"] = "give an email address such as security@example.com"
    if not (1 <= len(phone) <= 25 and _PHONE.fullmatch(phone) and re.search(r"\d", phone)):
        problems["phone"] = ("give a phone number of digits, spaces, +, - and parentheses, such as "
                             "+1 206-555-0199")
    return problems


def set_security_contact(lab, name: str = "", title: str = "", email: str = "", phone: str = "") -> dict:
    """PutAlternateContact for SECURITY, checked first; the contact the account had before is
    recorded (once) so that clean-up puts it back, or deletes this one if there was none.
    Returns the contact as registered, in GetAlternateContact's field names."""
    name, title, email, phone = (str(v or "").strip() for v in (name, title, email, phone))
    problems = contact_problems(name, title, email, phone)
    if problems:
        raise LabError("The security contact was not registered: " + "; ".join(problems) + ".",
                       code=Code.InvalidInput)
    lab.require_write("register the account's security contact")
    recorded = record.was_created(lab.account_id, *RECORD)
    before = None if recorded else security_contact(lab)
    contact = {"AlternateContactType": SECURITY, "Name": name, "Title": title,
               "EmailAddress": email, "PhoneNumber": phone}
    lab.client("account").put_alternate_contact(**contact)
    if not recorded:
        previous = {k: before[k] for k in ("Name", "Title", "EmailAddress", "PhoneNumber")
                    if k in before} if before else None
        record.remember(lab.account_id, *RECORD, previous=previous)
    return contact


def restore_security_contact(lab, previous: dict | None) -> None:
    """Clean-up: the security contact the account had before the lab, or none."""
    account = lab.client("account")
    if previous:
        account.put_alternate_contact(AlternateContactType=SECURITY, **previous)
        return
    try:
        account.delete_alternate_contact(AlternateContactType=SECURITY)
    except ClientError as error:
        if code_of(error) != Code.ResourceNotFoundException:
            raise


class SecurityContactForm(Form):
    """The account's security contact (CIS 1.2): name, title, email, phone."""

    title = "Fix: the account's security contact (CIS 1.2)"
    submit_label = "Register security contact"
    doing = "registering the security contact"

    def __init__(self, lab, security_contact: dict | None = None, *, auto_submit: bool = False,
                 checklist=None):
        self.checklist = checklist
        self.given = self.parameter("security_contact", security_contact, {})
        super().__init__(lab, auto_submit=auto_submit)
        self.widget.add_class("awslab-security-contact")

    def build(self) -> list:
        import ipywidgets as W

        try:
            self.current = security_contact(self.lab)
            now = (f"Now: {describe(self.current)}." if self.current else
                   "No security contact is registered now: AWS's security notices reach the "
                   "primary contact only.")
        except Exception as error:
            self.current = None
            now = explain(error, "reading the security contact")
        current = self.current or {}
        style = {"description_width": "8em"}
        self.fields = {}
        for key, label, shown, placeholder in [
                ("name", "Name", "Name", "a person or a team"),
                ("title", "Title", "Title", "Security team"),
                ("email", "Email", "EmailAddress", "security@example.com"),
                ("phone", "Phone", "PhoneNumber", "+1 206-555-0199")]:
            field = W.Text(value=str(self.given.get(key) or current.get(shown) or ""),
                           description=label, placeholder=placeholder, style=style)
            field.add_class(f"awslab-contact-{key}")
            self.fields[key] = field
        self.now = W.HTML(note(now + " AWS writes to it about security issues in the account "
                               "(abuse reports, exposed keys): use an address a team reads."))
        return [self.now, *self.fields.values()]

    def values(self) -> dict:
        return {key: field.value for key, field in self.fields.items()}

    def action(self, **values) -> dict:
        return set_security_contact(self.lab, **values)

    def submit(self):
        result = super().submit()
        if result is None and self.error is not None:
            # The fields the sentence judged, marked until the learner changes one.
            values = {key: str(value or "").strip() for key, value in self.values().items()}
            refused = [self.fields[key] for key in problems_by_field(**values)]
            for field in refused:
                self.mark_invalid(field, True)
            if refused:
                self.focus(refused[0])
        return result

    def show_result(self, contact: dict) -> None:
        import ipywidgets as W

        self.current = contact
        self.now.value = note(f"Now: {describe(contact)}.")
        self.after.children = (W.HTML(line(True, f"Security contact: {describe(contact)}",
                                           "99_clean_up puts back what the account had before")),)
        if self.checklist is not None:
            self.checklist.refresh(changed=("security_contact",))

    def show(self) -> None:
        """Display; headless, register the contact given in `security_contact`, or skip."""
        from IPython.display import display

        display(self.widget)
        if self.refuse_wrong_parameter() or not self.auto_submit:
            return
        if not self.given:
            self.say(None, "No security contact given (security_contact is empty): nothing "
                           "registered.")
            return
        unknown = sorted(set(self.given) - set(FIELDS))
        if unknown:
            self.refuse(LabError(f"security_contact has no field {unknown[0]!r}: give name, title, "
                                 "email and phone.", code=Code.WrongParameter))
            return
        self.submit()

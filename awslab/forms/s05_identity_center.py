"""Notebook 05's forms: IAM Identity Center, the way AWS recommends today that people sign in.

Each form names the steps (awslab/steps/s05_identity_center.py) behind its buttons. Secrets (the
person's password, the portal session, the MFA seed and QR code, role credentials, the OIDC
client secret and access token) stay in the kernel: a password box keeps its value there,
credentials are shown by the secret widgets, and the portal token is a Python attribute, never
widget state.
"""

from __future__ import annotations

import html
import time

import ipywidgets as W

from awslab.errors import LabError
from awslab.forms.base import Form
from awslab.forms.html import line, note, table
from awslab.steps import s05_identity_center as s05

LABEL = {"description_width": "12em"}


def _text(description: str, value: str, css: str, placeholder: str = "") -> W.Text:
    field = W.Text(value=value or "", description=description, style=LABEL, placeholder=placeholder,
                   layout=W.Layout(width="32em"))
    field.add_class(css)
    return field


def _no_instance(lab) -> str | None:
    """Headless on a real account without the organization instance (a console step): a note,
    not a failure (docs/contract.md, "Sandbox: IAM Identity Center")."""
    if lab.sandbox or s05.status(lab)["instance"] is not None:
        return None
    return ("IAM Identity Center is not enabled in this account (a console step, see step 2): "
            "headless runs skip this step.")


# 1 and 2: the organization, then the instance.

class OrganizationForm(Form):
    title = "1. Create the organization"
    actions = {"Create organization": s05.enable_organization}
    doing = "creating the organization"

    def build(self) -> list:
        self.state = W.HTML()
        self.refresh()
        return [self.state]

    def refresh(self) -> None:
        try:
            org = s05.status(self.lab)["organization"]
        except LabError as error:
            self.state.value = line(None, error.sentence)
            return
        if org is None:
            self.state.value = line(None, "This account belongs to no organization yet.")
        else:
            self.state.value = line(org["management"], f"Organization {org['id']} ({org['feature_set']} "
                                    "features); this account is its management account"
                                    if org["management"] else f"This account is a member of {org['id']}.")

    def show_result(self, result, label=None) -> None:
        self.refresh()
        if result["created"]:
            self.say(True, f"Organization {result['id']} created with all features: this account is "
                     "now its management account (the one that pays and governs the others).")
        else:
            self.say(True, f"The organization {result['id']} exists already; nothing changed.")


class IdentityCenterForm(Form):
    title = "2. Enable IAM Identity Center"
    actions = {"Enable IAM Identity Center": s05.enable_identity_center}
    doing = "enabling IAM Identity Center"

    def build(self) -> list:
        self.state = W.HTML()
        how = ("In the sandbox this is the simulated console's button." if self.lab.sandbox else
               s05.CONSOLE_STEPS.replace(", then run this cell again", ", then press the button "
                                         "below to check"))
        return [W.HTML(note(how)), self.state]

    def show_result(self, result, label=None) -> None:
        self.state.value = line(True, f"Instance {result['arn']}") + line(
            True, f"AWS access portal: {result['portal_url']}")
        self.say(True, "IAM Identity Center is enabled (organization instance)." if result["enabled_now"]
                 else "IAM Identity Center was enabled already; nothing changed.")

    def skip_headless(self) -> str | None:
        if not self.lab.sandbox and s05.status(self.lab)["instance"] is None:
            return ("On a real account IAM Identity Center is enabled in the console (steps above); "
                    "headless runs leave it to you.")
        return None


# 3: the person.

class PersonForm(Form):
    title = "3. A person: user, group, membership"
    actions = {"Create user and group": s05.create_person}
    doing = "creating the person in IAM Identity Center"

    def __init__(self, lab, *, user_name: str, given_name: str, family_name: str, email: str,
                 group_name: str, auto_submit: bool = False):
        self.initial = dict(user_name=user_name, given_name=given_name, family_name=family_name,
                            email=email, group_name=group_name)
        super().__init__(lab, auto_submit=auto_submit)

    def build(self) -> list:
        i = self.initial
        self.user_name = _text("User name", i["user_name"], "awslab-sso-user-name")
        self.given_name = _text("First name", i["given_name"], "awslab-sso-given-name")
        self.family_name = _text("Last name", i["family_name"], "awslab-sso-family-name")
        self.email = _text("Email address", i["email"], "awslab-sso-email", "where the invitation goes")
        self.group_name = _text("Group", i["group_name"], "awslab-sso-group")
        self.mailbox = W.VBox()
        self.mailbox.add_class("awslab-mailbox")
        return [self.user_name, self.given_name, self.family_name, self.email, self.group_name]

    def skip_headless(self) -> str | None:
        return _no_instance(self.lab)

    def values(self, label=None) -> dict:
        return {"user_name": self.user_name.value.strip(), "given_name": self.given_name.value.strip(),
                "family_name": self.family_name.value.strip(), "email": self.email.value.strip(),
                "group_name": self.group_name.value.strip()}

    def show_result(self, result, label=None) -> None:
        v = self.values()
        made = [f"user {v['user_name']}" + ("" if result["user_created"] else " (there already)"),
                f"group {v['group_name']}" + ("" if result["group_created"] else " (there already)"),
                f"{v['user_name']} is a member of {v['group_name']}"]
        self.say(True, "In IAM Identity Center: " + "; ".join(made) + ".")
        self.invitation = s05.invitation(self.lab, v["user_name"])
        rows = []
        if self.invitation is not None:
            mail = self.invitation
            rows.append(W.HTML(
                "<b>Simulated mailbox</b>" + table(["", ""], [
                    ["From", mail["from"]], ["To", mail["to"]], ["Subject", mail["subject"]]]) +
                f"<pre style='white-space:pre-wrap;margin:4px 0'>{html.escape(mail['body'])}</pre>" +
                note("The invitation's link (kept here in the kernel, used by step 5) sets the "
                     "person's password once; it expires in seven days.")))
        elif not self.lab.sandbox:
            rows.append(W.HTML(note(f"AWS emails {v['email']} an invitation with a link to set the "
                                    "password (valid seven days).")))
        self.mailbox.children = tuple(rows)
        self.after.children = (self.mailbox,)


# 4: the permission set and its assignment.

class AccessForm(Form):
    title = "4. Permission set, assigned to the group on this account"
    actions = {"Create and assign": s05.grant_access}
    doing = "assigning the permission set"

    def __init__(self, lab, *, permission_set_name: str, group_name: str, auto_submit: bool = False):
        self.initial = (permission_set_name, group_name)
        super().__init__(lab, auto_submit=auto_submit)

    def build(self) -> list:
        self.set_name = _text("Permission set", self.initial[0], "awslab-permission-set")
        self.group_name = _text("Group", self.initial[1], "awslab-sso-group")
        self.progress = W.HTML()
        self.progress.add_class("awslab-assignment-status")
        return [self.set_name, self.group_name, self.progress]

    def skip_headless(self) -> str | None:
        return _no_instance(self.lab)

    def values(self, label=None) -> dict:
        return {"permission_set_name": self.set_name.value.strip(),
                "group_name": self.group_name.value.strip(), "on_status": self._status}

    def _status(self, status: str) -> None:
        self.progress.value = line(None if status == "IN_PROGRESS" else status == "SUCCEEDED",
                                   f"Account assignment: {status}")

    def show_result(self, result, label=None) -> None:
        self._status(result["status"])
        hours = "one hour" if result["session_duration"] == "PT1H" else result["session_duration"]
        self.say(True, f"Permission set {result['permission_set']} (the AWS managed policy of the "
                 f"same name, sessions of {hours}) is assigned to the group on account "
                 f"{self.lab.account_id}.")
        self.after.children = (W.HTML(
            line(True, f"IAM Identity Center made the IAM role {result['role_name']} in this account, "
                 "under /aws-reserved/sso.amazonaws.com/") +
            note("Nobody edits that role, not even an administrator: IAM refuses (UnmodifiableEntity). "
                 "Change the permission set instead, and IAM Identity Center updates the role in "
                 "every account it is assigned to.")),)


# 5: the AWS access portal.

class PortalForm(Form):
    """The person's first sign-in: a password from the invitation, an MFA device registered at
    the first sign-in, then the account and role, and short-term credentials."""

    title = "5. Sign in to the AWS access portal as the person"
    actions = {"Set password": s05.accept_invitation, "Sign in": s05.portal_sign_in,
               "Verify MFA code": s05.portal_sign_in, "Get short-term credentials": s05.role_credentials}
    doing = "signing in to the AWS access portal"

    def __init__(self, lab, person: PersonForm | None, *, user_name: str, role_name: str,
                 auto_submit: bool = False):
        self.person, self.initial_user, self.role_name = person, user_name, role_name
        self.pending: str | None = None
        self.portal_token: str | None = None   # the portal session: a secret, kernel only
        self.accounts: list = []
        self.secrets: list = []
        self.seed: str | None = None
        super().__init__(lab, auto_submit=auto_submit)

    def build(self) -> list:
        from awslab.forms.widgets import PasswordInput

        self.password = PasswordInput("Password", description_width=LABEL["description_width"], width="32em")
        self.password.add_class("awslab-portal-password")
        self.user_name = _text("User name", self.initial_user, "awslab-portal-user")
        self.code = _text("MFA code", "", "awslab-portal-code", "6 digits from the app")
        self.code.layout.display = "none"
        self.device_box = W.VBox()
        self.signed_in_box = W.VBox()
        intro = ("Accept the invitation (set the person's password), sign in with it, add the MFA "
                 "device the portal shows to an authenticator app and type its code."
                 if self.lab.sandbox else
                 "On a real account the person does this in a browser: open the invitation email, set "
                 "a password, sign in at the AWS access portal URL and register an MFA device.")
        return [W.HTML(note(intro)), self.user_name, self.password, self.device_box, self.code,
                self.signed_in_box]

    def show(self) -> None:
        self.offer("Set password", "Sign in")
        super().show()

    def _link(self) -> str:
        # The newest message for the person: the invitation, or the email of a password reset.
        invitation = s05.invitation(self.lab, self.user_name.value.strip())
        if invitation is None:
            raise LabError("There is no invitation for this person: run step 3 first.")
        return invitation["link"]

    def values(self, label=None) -> dict:
        if label == "Set password":
            return {"link": self._link(), "password": self.password.value}
        if label == "Sign in":
            return {"user_name": self.user_name.value.strip(), "password": self.password.value}
        if label == "Verify MFA code":
            return {"pending": self.pending, "mfa_code": self.code.value.strip()}
        if self.portal_token is None:
            raise LabError("Sign in to the access portal first.")
        return {"portal_token": self.portal_token, "role_name": self.role_name}

    def show_result(self, result, label=None) -> None:
        if label == "Set password":
            self.say(True, f"Password set for {result['user_name']}: the invitation's link is used up. "
                     "Now sign in with it.")
            self.offer("Sign in")
            return
        if label == "Get short-term credentials":
            return self._show_credentials(result)
        if result.get("next") == "register_mfa":
            self.pending, self.seed = result["pending"], result["seed"]
            self._show_device(result)
            self.offer("Verify MFA code", "Sign in")
            self.say(None, "The portal asks for an MFA device (first sign-in): add it to an "
                     "authenticator app, then type the code it shows and choose Verify MFA code.")
        elif result.get("next") == "mfa_code":
            self.pending = result["pending"]
            self.code.layout.display = ""
            self.offer("Verify MFA code", "Sign in")
            self.say(None, "Type the code the person's authenticator app shows.")
        elif result.get("signed_in"):
            self.portal_token, self.accounts = result["portal_token"], result["accounts"]
            self.pending = None
            with self.quietly():
                self.code.value = ""
            for secret in self.secrets:
                secret.forget()
            self.device_box.children = ()
            self.code.layout.display = "none"
            self.offer("Get short-term credentials", "Sign in")
            rows = [[a["account_id"], a["account_name"], ", ".join(a["roles"])] for a in self.accounts]
            self.signed_in_box.children = (W.HTML(
                "<b>AWS access portal</b>" + table(["account", "name", "roles (permission sets)"], rows)),)
            self.say(True, f"Signed in to the AWS access portal as {result['user_name']}, with MFA.")

    def _show_device(self, result) -> None:
        import base64

        from awslab.forms.s01_root_user import SimulatedAuthenticator
        from awslab.forms.secret_widgets import SecretImage, SecretText

        qr = SecretImage("QR code", base64.b64decode(result["qr_png"]))
        key = SecretText("Secret key", result["seed"])
        self.secrets = [qr, key]
        children = [W.HTML("<b>Register an MFA device</b>"), qr, key]
        if self.lab.sandbox:
            self.authenticator = SimulatedAuthenticator(result["seed"], f"{self.user_name.value} (portal)")
            children += [W.HTML(note("No phone? The sandbox's simulated authenticator app shows the codes:")),
                         self.authenticator]
        self.device_box.children = tuple(children)
        self.code.layout.display = ""

    def _show_credentials(self, creds: dict) -> None:
        from awslab.forms.secret_widgets import SecretText

        expires = time.strftime("%H:%M:%S UTC", time.gmtime(creds["expiration"] / 1000))
        widgets = [SecretText("Access key ID", creds["accessKeyId"]),
                   SecretText("Secret access key", creds["secretAccessKey"]),
                   SecretText("Session token", creds["sessionToken"])]
        self.secrets += widgets
        self.after.children = (W.VBox([W.HTML(
            f"<b>Short-term credentials for {html.escape(self.role_name)}</b> (shown once; they expire "
            f"at {expires}, with the permission set's session)"), *widgets]),)
        self.say(True, f"Short-term credentials of the role {self.role_name}: they stop working at "
                 f"{expires}. Nothing long-lived was made.")

    def submit(self):
        """Headless: the whole first sign-in, each step through run(label)."""
        if not self.auto_submit:
            return self.run(self.primary)
        if not self.lab.sandbox:
            self.say(None, "On a real account the person signs in in a browser; headless runs skip it.")
            return None
        name = self.user_name.value.strip()
        if s05.invitation(self.lab, name) is not None and self.portal_token is None:
            # Headless, the person's password is made up here; on a run after the invitation was
            # used, the console's Reset password sends a new link first.
            self.password.value = s05.portal_password()
            try:
                self.run("Set password")
            except LabError as error:
                if "already used" not in error.sentence:
                    raise
                s05.reset_password(self.lab, name)
                self.run("Set password")
        step = self.run("Sign in")
        if step and step.get("next") in ("register_mfa", "mfa_code"):
            with self.quietly():
                self.code.value = s05.authenticator_code(self.lab, self.user_name.value.strip(),
                                                         seed=self.seed)
            self.run("Verify MFA code")
        return self.run("Get short-term credentials")


# 6: the AWS CLI's way.

class CliForm(Form):
    """A profile and its sso-session in the AWS config file, then `aws sso login`'s device flow."""

    title = "6. The AWS CLI: an sso-session profile, and aws sso login"
    actions = {"Write the profile": s05.write_sso_profile, "Sign in (aws sso login)": s05.start_sso_login,
               "Approve in the portal": s05.approve_device, "Finish sign-in": s05.finish_sso_login}
    doing = "setting up the AWS CLI profile"

    def __init__(self, lab, portal: PortalForm | None, *, profile: str | None, role_name: str,
                 auto_submit: bool = False):
        self.portal, self.profile_name, self.role_name = portal, profile, role_name
        self.login: dict | None = None
        super().__init__(lab, auto_submit=auto_submit)

    def build(self) -> list:
        self.profile = _text("Profile name", self.profile_name or "", "awslab-sso-profile")
        self.flow = W.HTML()
        self.flow.add_class("awslab-device-flow")
        return [self.profile, self.flow]

    def show(self) -> None:
        self.offer("Write the profile", "Sign in (aws sso login)")
        super().show()

    def values(self, label=None) -> dict:
        profile = self.profile.value.strip()
        if label == "Write the profile":
            instance = s05.require_instance(self.lab)
            return {"profile": profile, "portal_url": instance["portal_url"], "role_name": self.role_name}
        if label == "Sign in (aws sso login)":
            return {"profile": profile}
        if self.login is None:
            raise LabError("Start the sign-in first (Sign in (aws sso login)).")
        if label == "Approve in the portal":
            token = getattr(self.portal, "portal_token", None)
            if token is None:
                raise LabError("Sign in to the AWS access portal first (step 5): the approval page "
                               "asks who you are.")
            return {"portal_token": token, "user_code": self.login["user_code"]}
        return {"device": self.login["device"]}

    def show_result(self, result, label=None) -> None:
        if label == "Write the profile":
            self.say(True, f"Profile {self.profile.value.strip()} and its sso-session are in {result}, "
                     "as `aws configure sso` writes them. No key is written.")
            self.offer("Sign in (aws sso login)", "Write the profile")
        elif label == "Sign in (aws sso login)":
            self.login = result
            self.flow.value = (
                line(None, f"Open {result['verification_uri']} and check the code {result['user_code']}.")
                + note("That is what `aws sso login` prints and opens in a browser. In the sandbox, "
                       "Approve in the portal does it as the person signed in at step 5."))
            self.say(None, "Waiting for the approval in the access portal.")
            self.offer(*(("Approve in the portal", "Finish sign-in") if self.lab.sandbox else
                         ("Finish sign-in",)))
        elif label == "Approve in the portal":
            self.say(True, f"Approved: the access portal allowed {result['client_name']}. Now Finish sign-in.")
            self.offer("Finish sign-in")
        else:
            identity = s05.profile_identity(self.profile.value.strip())
            self.result = dict(identity, token_file=str(result))
            self.flow.value = (
                line(True, f"The token is in botocore's SSO cache: {result}") +
                line(True, f"boto3.Session(profile_name={self.profile.value.strip()!r}) is "
                     f"{identity['arn']}") +
                note("Any AWS tool with this profile now gets short-term credentials itself; when "
                     "the token expires, sign in again (aws sso login)."))
            self.say(True, "The profile works, with no access key on disk.")
            self.offer("Sign in (aws sso login)", "Write the profile")

    def skip_headless(self) -> str | None:
        if not self.profile.value.strip():
            return "sso_profile_name is None: no AWS CLI profile written."
        return _no_instance(self.lab)

    def submit(self):
        if not self.auto_submit:
            return self.run(self.primary)
        self.run("Write the profile")
        if not self.lab.sandbox:
            self.say(None, f"Now run `aws sso login --profile {self.profile.value.strip()}` in a "
                     "terminal: it opens the approval page in a browser.")
            return None
        self.run("Sign in (aws sso login)")
        self.run("Approve in the portal")
        return self.run("Finish sign-in")


def side_by_side(iam_user: str | None, person: str | None, profile: str | None) -> W.HTML:
    """7. The IAM user of notebook 02 and the person of notebook 05."""
    rows = [list(row) for row in s05.side_by_side(iam_user, person, profile)]
    widget = W.HTML("<b>Two ways to give a person access</b>" +
                    table(["", "IAM user (notebooks 02-04)", "IAM Identity Center (this notebook)"], rows))
    widget.add_class("awslab-side-by-side")
    return widget

"""Notebook 04's first forms: sign back in as the new user, in the console too, and retire
the root user's access keys.

Cells of `notebooks/04_sign_in_and_review.ipynb`: "1. Sign back in as the new user" shows
SignInForm, "Log out, and log back in to the console" ConsoleSignInForm, "2. Retire the root
user's access keys" RetireRootKeysForm. Each form names the steps (awslab/steps/s04_sign_in.py)
behind its buttons; every button goes through Form.run(label). The checklist's forms are in
awslab/checklist.py.
"""

from __future__ import annotations

import html

import ipywidgets as W
from botocore.exceptions import ClientError

from awslab.errors import Code, LabError, explain
from awslab.forms.base import Form
from awslab.forms.html import AMBER, line, note
from awslab.forms.widgets import PasswordInput
from awslab.session import Lab
from awslab.steps import s04_sign_in as s04
from awslab.steps.s00_connect import available_profiles
from awslab.steps.s02_users import (
    DEFAULT_GROUP_NAME,
    DEFAULT_USER_NAME,
    credentials_csv_path,
    generate_password,
    password_policy,
    password_problem,
)
from awslab.steps.s04_sign_in import (
    ConsoleStep,
    Retired,
    SignedIn,
    account_for_sign_in,
    csv_password,
    default_delete_root_access_keys,
    looks_like_key_id,
    root_access_keys,
    root_keys_present,
)

LABEL_WIDTH = "10em"  # "Secret access key", the longest description, whole


class SignInForm(Form):
    """Load the new user's keys (.csv, profile or pasted) and prove them with GetCallerIdentity.

    Notebook 04, cell "1. Sign back in as the new user"."""

    title = "Sign back in as the new user"
    actions = {"Sign in and check": s04.sign_in_as}
    doing = "signing in as the new user"

    def __init__(self, lab: Lab, user_name: str | None = None, *, auto_submit: bool = False,
                 source: str = "csv", profile: str | None = None):
        self._user_name = user_name or DEFAULT_USER_NAME
        self._source, self._profile = source, profile
        super().__init__(lab, auto_submit=auto_submit)

    def build(self) -> list:
        # Each label whole: buttons as wide as their words, descriptions as wide as the longest.
        style = {"description_width": LABEL_WIDTH}
        self.source = W.ToggleButtons(options=[(".csv from notebook 02", "csv"),
                                               ("AWS CLI profile", "profile"),
                                               ("Paste the keys", "typed")],
                                      value=self._source, description="Keys from",
                                      style={**style, "button_width": "auto"},
                                      layout=W.Layout(width="auto"))
        self.user_name = W.Text(value=self._user_name, description="User name", style=style)
        self.user_name.add_class("awslab-user-name")
        self.csv_note = W.HTML()
        self._where_now()
        profiles = available_profiles()
        self.profile = W.Dropdown(options=[("(choose)", "")] + [(p, p) for p in profiles],
                                  value=self._profile if self._profile in profiles else "",
                                  description="Profile", style=style)
        self.access_key_id = W.Text(description="Access key ID", placeholder="AKIA…", style=style)
        self.secret = W.Password(description="Secret access key", placeholder="pasted, never saved",
                                 style=style)
        self.secret.add_class("awslab-secret-field")
        self.parts = {"csv": W.VBox([self.user_name, self.csv_note]),
                      "profile": W.VBox([self.profile]),
                      "typed": W.VBox([self.access_key_id, self.secret,
                                       W.HTML(note("The secret is cleared once the keys are checked; when AWS "
                                                   "refuses only the secret, the key ID stays."))])}

        def toggle(_change=None):
            for name, box in self.parts.items():
                box.layout.display = "" if self.source.value == name else "none"

        self.source.observe(toggle, "value")
        self.user_name.observe(lambda _change: self._where_now(), "value")
        toggle()
        return [self.source, *self.parts.values()]

    def _where_now(self) -> None:
        name = self.user_name.value.strip() or "?"
        path = credentials_csv_path(self.lab.account_id, name)
        if path.exists():
            self.csv_note.value = note(f"Read from {path}")
        else:
            self.csv_note.value = note(f"No .csv for {name} yet at {path}: run notebook 02 first (it "
                                       "creates the user and writes the file), or choose a profile or "
                                       "paste the keys.", AMBER)

    def values(self, label: str | None = None) -> dict:
        return {"source": self.source.value, "user_name": self.user_name.value.strip(),
                "profile": self.profile.value or None,
                "access_key_id": self.access_key_id.value, "secret_access_key": self.secret.value}

    def submit(self):
        """Sign in and check; whatever AWS answers, a pasted secret is cleared from the field."""
        result = None
        try:
            result = super().submit()
        finally:  # a pasted secret never stays in the widgets (whose state a notebook can save)
            with self.quietly():
                self.secret.value = ""
                # The key ID is no secret: when AWS knew it and refused only the secret, it
                # stays, so that only the secret is pasted again.
                if result is not None or not self._only_the_secret_wrong():
                    self.access_key_id.value = ""
        if result is None and self.error is not None:
            # The fields the refused keys came from, marked until the learner changes one.
            fields = {"csv": [self.user_name], "profile": [self.profile],
                      "typed": [self.access_key_id, self.secret]}[self.source.value]
            if self._only_the_secret_wrong():
                fields = [self.secret]
            for refused in fields:
                self.mark_invalid(refused, True)
            self.focus(fields[0])
        return result

    def _only_the_secret_wrong(self) -> bool:
        """Pasted keys refused with SignatureDoesNotMatch: AWS knows the key ID, not that secret."""
        return (self.source.value == "typed" and bool(self.error) and "SignatureDoesNotMatch" in self.error
                and looks_like_key_id(self.access_key_id.value.strip()))

    def show_result(self, signed: SignedIn, label: str | None = None) -> None:
        rows = [line(True, f"AWS says these keys are {signed.arn}", "an IAM user, not the root user")]
        rows.append(line(signed.administrator, signed.admin_detail or "administrator access unknown"))
        rows.append(note("Next: the same user signs in to the console, below."))
        self.after.children = (W.HTML("".join(rows)),)


class RetireRootKeysForm(Form):
    """List root's access keys; after a confirmation, switch the lab to the new user and delete them.

    Notebook 04, cell "2. Retire the root user's access keys"."""

    title = "Retire the root user's access keys"
    actions = {"Delete the root user's access keys": s04.retire_root_access_keys}
    doing = "deleting the root user's access keys"

    def __init__(self, lab: Lab, signed_in, delete_root_access_keys: bool | None = None, *,
                 group_name: str = DEFAULT_GROUP_NAME, auto_submit: bool = False):
        self._signed_in = signed_in
        self.group_name = group_name or DEFAULT_GROUP_NAME  # a SignedIn, or the SignInForm whose result it will be
        # A wrong type typed into the parameters cell ("no") is refused when the form is shown.
        wanted = self.parameter("delete_root_access_keys", delete_root_access_keys)
        self.delete = default_delete_root_access_keys(lab, wanted)
        super().__init__(lab, auto_submit=auto_submit)
        self.button.button_style = "danger"

    @property
    def signed_in(self) -> SignedIn | None:
        value = self._signed_in
        return getattr(value, "result", value) if not isinstance(value, SignedIn) else value

    def build(self) -> list:
        self.listed: list[dict] = []  # root's keys as last listed
        self.keys_view = W.HTML()
        self.keys_view.add_class("awslab-root-keys")
        self.refresh()
        return [self.keys_view]

    def refresh(self) -> None:
        if self.lab.is_root:
            try:
                keys = root_access_keys(self.lab)
            except ClientError as error:
                self.keys_view.value = line(None, explain(error, "listing the root user's access keys"))
                return
            if not keys:
                self.keys_view.value = line(True, "The root user has no access keys.")
                return
            rows = "".join(line(False, f"root access key {k['AccessKeyId']}",
                                f"{k['Status']}, created {k['CreateDate']:%Y-%m-%d %H:%M} UTC") for k in keys)
            self.listed = keys
            self.keys_view.value = rows + note(
                "The lab signs its calls with one of these. Once deleted, it signs in as the new "
                "user instead (it switches first, so it is never left without credentials).")
        else:
            present = root_keys_present(self.lab)
            text = {0: "AccountAccessKeysPresent is 0: the root user has no access keys.",
                    None: "Could not read AccountAccessKeysPresent."}.get(
                present, "AccountAccessKeysPresent is 1: the root user still has access keys.")
            self.keys_view.value = line(present == 0 if present is not None else None,
                                        text, f"the lab signs in as {self.lab.principal}")

    def values(self, label: str | None = None) -> dict:
        return {"signed": self.signed_in, "group_name": self.group_name}

    def skip_headless(self) -> str | None:
        if not self.delete:
            return "Kept the root user's access keys (delete_root_access_keys is False)."
        return None

    def refuse_wrong_parameter(self) -> bool:
        refused = super().refuse_wrong_parameter()
        if refused:
            self.button.disabled = True  # nothing is deleted on a value that was not understood
        return refused

    def _clicked(self, label: str | None = None) -> None:
        """The button asks first when it would delete keys; otherwise it runs at once (the step
        refuses, or has nothing to do, and says why). Headless, the question counts as yes."""
        signed = self.signed_in
        if not self.lab.is_root or signed is None or signed.administrator is not True:
            super()._clicked(label)  # nothing to confirm
            return
        who = signed.user_name
        self.ask(f"Delete the root user's access keys? The lab will sign in as {who} from now on; "
                 "deleted keys cannot be recovered (root can still sign in to the console).",
                 self.submit, yes_label="Delete them")

    def show_result(self, retired: Retired, label: str | None = None) -> None:
        self._paint_retired(retired)
        rows = [line(True, f"Deleted root access key {k}") for k in retired.deleted]
        if retired.note:
            rows.append(line(True, retired.note))
        present = retired.keys_present
        rows.append(line(present == 0 if present is not None else None,
                         f"AccountAccessKeysPresent: {present if present is not None else 'unknown'}"))
        rows.append(line(True, f"The lab now signs in as {retired.principal}",
                         "in every notebook, in the forms below this one, and in every awslab "
                         "command; run the next cell to see it in the banner"))
        self.after.children = (W.HTML("".join(rows)),)
        self.button.description = ("Root's access keys deleted" if retired.deleted else
                                   "No root access keys to delete")
        self.button.disabled = True
        self.button.button_style = ""  # done: grey, no longer red like a danger or an error

    def _paint_retired(self, retired: Retired) -> None:
        """The key list shows what is true now: each key listed before is deleted (root's own
        client can no longer read the list: its key is gone with them)."""
        deleted = set(retired.deleted)
        rows = []
        for key in self.listed:
            gone = key["AccessKeyId"] in deleted
            rows.append(line(gone, f"root access key {key['AccessKeyId']}",
                             "deleted" if gone else f"{key['Status']}, not deleted"))
        rows += [line(True, f"root access key {k}", "deleted")
                 for k in retired.deleted if k not in {key["AccessKeyId"] for key in self.listed}]
        if not rows:
            present = retired.keys_present
            rows = [line(present == 0 if present is not None else None,
                         {0: "The root user has no access keys.",
                          None: "Could not read AccountAccessKeysPresent."}.get(
                             present, "AccountAccessKeysPresent is 1: the root user still has access keys."))]
        self.keys_view.value = "".join(rows)


ASK_APP = "Ask the simulated authenticator app"


class ConsoleSignInForm(Form):
    """The tutorial's last step: sign in to the (simulated) console as the new user.

    Notebook 04, cell "Log out, and log back in to the console". Sign in runs one step of the
    console's sign-in (the password, then the MFA code, then a new password, as the console
    asks); headless, the form takes every step, with the code the simulated authenticator app
    shows and a new password that meets the account's policy."""

    title = "Sign in to the console as the new user"
    actions = {"Sign in": s04.sign_in_to_console, ASK_APP: s04.simulated_code}
    doings = {"Sign in": "signing in to the console", ASK_APP: "asking the simulated authenticator"}
    doing = doings["Sign in"]

    def __init__(self, lab: Lab, user_name: str, *, auto_submit: bool = False):
        self._user_name = user_name
        self.step = ConsoleStep(user_name)
        self._password = ""  # kept in the kernel between steps, never shown
        super().__init__(lab, auto_submit=auto_submit)
        self.widget.add_class("awslab-console-sign-in")

    def build(self) -> list:
        self.account = account_for_sign_in(self.lab) if self.lab.sandbox else self.lab.account_id
        url = self.lab.sign_in_url(self.account)
        self.url = W.HTML(f"<div class='awslab-sign-in-url'><b>Sign-in URL</b> <code>"
                          f"{html.escape(url)}</code></div>")
        self.ask_app = self.place(ASK_APP)
        if not self.lab.sandbox:
            self.button.layout.display = "none"
            return [self.url, W.HTML(self._real_account_steps())]
        self.url.value += note("In the sandbox this is the simulated console's sign-in page: it "
                               "checks what AWS's would, in the same order.")
        self.user_name = W.Text(value=self._user_name, description="IAM user name",
                                style={"description_width": "12em"})
        self.from_csv = W.Checkbox(value=True, indent=False, layout=W.Layout(width="auto"),
                                   description="Use the password from the .csv of notebook 02")
        self.password = PasswordInput(label="Password", placeholder="from the .csv", description_width="12em")
        self.password.layout.display = "none"
        self.from_csv.observe(lambda _c: self._show_password_field(), "value")
        self.code = W.Text(description="MFA code", placeholder="6 digits",
                           style={"description_width": "12em"})
        self.mfa_step = W.VBox([W.HTML(note("This user has an MFA device: type the code it shows "
                                            "now.")), W.HBox([self.code, self.ask_app])])
        self.new_password = PasswordInput(label="New password", description_width="12em")
        self.confirm = PasswordInput(label="Confirm new password", description_width="12em")
        self.rules = W.HTML()
        self.keep_in_csv = W.Checkbox(value=True, indent=False, layout=W.Layout(width="auto"), description=(
            "Keep the new password in the lab's .csv (readable only by you) in place of the first one"))
        for box in (self.new_password, self.confirm):
            box.on_change(self._check_rules)
        for box in (self.password, self.new_password, self.confirm):
            # Not ipywidgets' value widgets (their value stays in the kernel): a refusal they
            # judged goes away when the learner types, as for the other fields.
            box.on_change(lambda: self._field_changed(None))
        self.new_step = W.VBox([W.HTML(note("Notebook 02 required a new password at first sign-in: "
                                            "choose one. Changing it is the user's own "
                                            "iam:ChangePassword.")),
                                self.new_password, self.confirm, self.rules, self.keep_in_csv])
        for box in (self.mfa_step, self.new_step):
            box.layout.display = "none"
        return [self.url, self.user_name, self.from_csv, self.password, self.mfa_step,
                self.new_step]

    def _real_account_steps(self) -> str:
        steps = [
            "Sign out of the console as the root user (top right: your account name, Sign out).",
            f"Open the sign-in URL above and sign in as {self._user_name} with the password from "
            "the .csv of notebook 02.",
            "Choose a new password when asked (notebook 02 required a reset at first sign-in).",
            f"Add MFA for {self._user_name}: IAM, Users, {self._user_name}, Security credentials, "
            "Assign MFA device.",
        ]
        return "<ol style='margin:4px 0'>" + "".join(f"<li>{html.escape(s)}</li>" for s in steps) + "</ol>"

    def _show_password_field(self) -> None:
        self.password.layout.display = "none" if self.from_csv.value else ""

    def _check_rules(self) -> None:
        """The policy's rules, each marked as the new password meets it, as you type."""
        new, again = self.new_password.value, self.confirm.value
        policy = self._policy()
        problem = password_problem(policy, new, self.user_name.value, with_policy=False) if new else None
        rows = [line(None, rule) for rule in self.step.rules]
        if new:
            rows.append(line(problem is None, "Meets the account's password policy", problem or ""))
        if again:
            rows.append(line(new == again, "Both fields match" if new == again else
                             "The two new passwords differ"))
        self.rules.value = "".join(rows)

    def _policy(self):
        if not hasattr(self, "_password_policy"):
            self._password_policy = password_policy(self.lab.client("iam"))
        return self._password_policy

    def skip_headless(self) -> str | None:
        if not self.lab.sandbox:
            return ("On a real account the lab cannot sign in to AWS's console for you: follow the "
                    "steps above in your browser.")
        return None

    def values(self, label: str | None = None) -> dict:
        self.doing = self.doings.get(label, self.doing)
        user_name = self.user_name.value.strip()
        if label == ASK_APP:  # headless, a code not shown before (the last ones were just used)
            return {"user_name": self.user_name.value, "wait": self.auto_submit}
        if self.step.next is None or not self._password:
            self._password = (csv_password(self.lab, user_name) if self.from_csv.value
                              else self.password.value)
        new = None
        if self.step.next == "new_password":
            new = self._chosen_password(user_name)
        code = self.code.value.strip() or None
        if self.step.next == "mfa_code" and not code:
            raise LabError("Type the 6-digit code your MFA device shows (or ask the simulated "
                           "authenticator app).", code=Code.MissingCode)
        return {"user_name": user_name, "password": self._password, "account": self.account,
                "mfa_code": code if self.step.next == "mfa_code" else None,
                "new_password": new, "pending": self.step.pending,
                "keep_in_csv": bool(new) and self.keep_in_csv.value}

    def _chosen_password(self, user_name: str) -> str:
        if self.auto_submit:
            return generate_password(self._policy(), user_name)
        new, again = self.new_password.value, self.confirm.value
        if not new:
            raise LabError("Type a new password in both fields.", code=Code.MissingPassword)
        if new != again:
            raise LabError("The two new passwords differ: type the same one in both fields.",
                           code=Code.PasswordsDiffer)
        return new

    def submit(self):
        """One step of the sign-in; headless, every step the console asks for (three at most)."""
        if not self.auto_submit:
            return self._sign_in_step()
        for _ in range(3):  # password, then the MFA code, then the new password
            if self.step.next == "mfa_code":
                self.run(ASK_APP)
            result = self._sign_in_step()
            if self.step.next is None and result is not None:
                return result
        raise LabError(f"The console sign-in did not finish: it still asks for {self.step.next}.")

    def _sign_in_step(self):
        result = self.run("Sign in")
        if result is None and self.error:
            # The field(s) the refusal judged, marked until the learner changes one; a refused
            # MFA code is cleared (it is used up) by the form itself, which keeps the message.
            fields = {"mfa_code": [self.code],
                      "new_password": [self.new_password, self.confirm]}.get(
                self.step.next, [self.user_name] if self.from_csv.value else [self.user_name, self.password])
            if self.step.next == "mfa_code":
                with self.quietly():
                    self.code.value = ""
            for refused in fields:
                self.mark_invalid(refused, True)
            self.focus(fields[0])
        return result

    def show_result(self, result, label: str | None = None) -> None:
        if label == ASK_APP:
            self.code.value = result
            self.say(None, "Password accepted. The console asks for the MFA code.")
            return
        self._signed_in_step(result)

    def _signed_in_step(self, step: ConsoleStep) -> None:
        accepted = "The MFA code was accepted" if self.step.next == "mfa_code" else "Password accepted"
        self.step = step
        with self.quietly():
            self.code.value = ""
        self.mfa_step.layout.display = "" if step.next == "mfa_code" else "none"
        self.new_step.layout.display = "" if step.next == "new_password" else "none"
        if step.next == "mfa_code":
            self.button.description = "Submit the code"
            self.say(None, "Password accepted. The console asks for the MFA code.")
            return
        if step.next == "new_password":
            self.button.description = "Set the new password and sign in"
            self._check_rules()
            self.say(None, f"{accepted}. You must choose a new password.")
            return
        self._password = ""
        self.password.clear()
        self.new_password.clear()
        self.confirm.clear()
        rows = [line(True, f"Signed in to the console as {step.arn}", "an IAM user, not root")]
        if step.used_mfa:
            rows.append(line(True, "With the MFA code of its device"))
        if step.password_changed:
            where = (" (the lab's .csv now holds it)" if self.keep_in_csv.value else
                     " (remember it: the .csv still holds the first one)")
            rows.append(line(True, "A new password was chosen; PasswordResetRequired is cleared",
                             where.strip(" ()")))
        rows.append(line(True, "The user's PasswordLastUsed now records this sign-in (iam get-user shows it)",
                         "the credential report's password_last_used too, from IAM's next report "
                         "(it makes one at most every four hours)"))
        self.after.children = (W.HTML("".join(rows)),)
        self.button.description = "Signed in"
        self.button.disabled = True
        self.say(True, "Signed in.")


__all__ = ["ConsoleSignInForm", "RetireRootKeysForm", "SignInForm"]

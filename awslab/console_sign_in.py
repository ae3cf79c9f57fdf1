"""Notebook 04: "log out and log back in with the new user credentials", in the console.

In the sandbox the console sign-in is simulated (awslab.sandbox.signin), step by step as
the AWS console does it: the account's sign-in URL (alias or id), the user name and the
password from the .csv of notebook 02; the MFA code when the user has a device; a new
password when notebook 02 required a reset. Choosing the new password is the user's own
`iam:ChangePassword`, so it is refused where AWS refuses it: a user without
IAMUserChangePassword (or another policy that allows it) cannot finish signing in.

    result = sign_in_to_console(lab, "alice", password)            # one step at a time:
    result.next        # None when signed in, else "mfa_code" or "new_password" (+ .rules)
    sign_in_to_console(lab, "alice", password, mfa_code="123456")
    sign_in_to_console(lab, "alice", password, new_password=..., pending=result.pending)

Headless (auto_submit) the form signs in with the .csv's password, takes MFA codes from
the simulated authenticator, chooses a new password that meets the account's policy and
writes it only to the lab's own .csv (mode 0600): never to the notebook or a log. On a
real account the form lists the console steps instead: the lab cannot sign in to AWS's
console for you.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import ipywidgets as W

from awslab.credentials_file import credentials_csv, credentials_csv_path, read_credentials_csv
from awslab.errors import Code, LabError
from awslab.forms import Form, line, note
from awslab.home import write_private
from awslab.log import keep_out_of_logs
from awslab.passwords import PasswordInput, generate_password, password_policy, password_problem
from awslab.session import Lab


@dataclass
class ConsoleStep:
    """Where a console sign-in stands: signed in (`next` is None) or what the console asks."""

    user_name: str
    next: str | None = None            # "mfa_code", "new_password" or None (signed in)
    rules: list[str] = field(default_factory=list)
    pending: str | None = field(default=None, repr=False)
    arn: str = ""
    used_mfa: bool = False
    password_changed: bool = False


def account_for_sign_in(lab: Lab) -> str:
    """What the sign-in URL carries: the account alias when there is one, else the id."""
    try:
        aliases = lab.client("iam").list_account_aliases()["AccountAliases"]
    except Exception:
        aliases = []
    return aliases[0] if aliases else lab.account_id


def csv_password(lab: Lab, user_name: str) -> str:
    """The console password in the lab's .csv for this user (LabError when there is none)."""
    path = credentials_csv_path(lab.account_id, user_name)
    row = read_credentials_csv(path) or {}
    password = (row.get("Password") or "").strip()
    if not password:
        raise LabError(f"The .csv for {user_name} at {path} holds no console password: create the "
                       "user with console access in notebook 02, or type the password.",
                       code=Code.NoPassword)
    keep_out_of_logs(password)
    return password


def remember_new_password(lab: Lab, user_name: str, password: str) -> None:
    """Put the new console password in the lab's .csv (0600), in place of the first one."""
    path = credentials_csv_path(lab.account_id, user_name)
    row = read_credentials_csv(path)
    if row is None:
        return
    write_private(path, credentials_csv(row.get("User name") or user_name, password,
                                        row.get("Access key ID"), row.get("Secret access key"),
                                        row.get("Console login link") or ""))


def sign_in_to_console(lab: Lab, user_name: str, password: str, *, account: str | None = None,
                       mfa_code: str | None = None, new_password: str | None = None,
                       pending: str | None = None) -> ConsoleStep:
    """One step of the sandbox's console sign-in as an IAM user."""
    from awslab.sandbox import console

    if not lab.sandbox:
        raise LabError("The lab signs in to the console only in the sandbox: on a real account, "
                       "follow the console steps shown.", code=Code.NotSandbox)
    user_name = (user_name or "").strip()
    if not user_name or not password:
        raise LabError("Type the user name and its password (the .csv of notebook 02 holds both).",
                       code=Code.MissingPassword)
    answer = console.sign_in_as_user(lab.endpoint_url, account or account_for_sign_in(lab),
                                     user_name, password, mfa_code=mfa_code,
                                     new_password=new_password, pending=pending)
    if not answer.get("signed_in"):
        return ConsoleStep(user_name, answer.get("next"), answer.get("rules") or [],
                           answer.get("pending"))
    keep_out_of_logs(answer.get("secret_access_key"), answer.get("session_token"))
    return ConsoleStep(user_name, None, arn=answer.get("arn", ""), used_mfa=bool(mfa_code),
                       password_changed=bool(new_password))


def simulated_code(lab: Lab, user_name: str, *, wait: bool = True) -> str:
    """The code the simulated authenticator app shows for the user's MFA device (waiting for
    a new one when the ones it shows were just used, unless `wait` is False)."""
    from awslab.sandbox import console
    from awslab.sandbox.account import load_or_create

    devices = lab.client("iam").list_mfa_devices(UserName=user_name)["MFADevices"]
    if not devices:
        raise LabError(f"{user_name} has no MFA device for the simulated authenticator to answer.",
                       code=Code.NoMfaDevice)
    return console.authenticator_code(lab.endpoint_url, load_or_create().console_secret,
                                      devices[0]["SerialNumber"], wait=wait)


class ConsoleSignInForm(Form):
    """The tutorial's last step: sign in to the (simulated) console as the new user."""

    title = "Sign in to the console as the new user"
    submit_label = "Sign in"
    doing = "signing in to the console"

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
        if not self.lab.sandbox:
            self.button.layout.display = "none"
            return [self.url, W.HTML(self._real_account_steps())]
        self.url.value += note("In the sandbox this is the simulated console's sign-in page: it "
                               "checks what AWS's would, in the same order.")
        self.user_name = W.Text(value=self._user_name, description="IAM user name",
                                style={"description_width": "10em"})
        self.from_csv = W.Checkbox(value=True, indent=False, layout=W.Layout(width="auto"),
                                   description="Use the password from the .csv of notebook 02")
        self.password = PasswordInput(label="Password", placeholder="from the .csv")
        self.password.layout.display = "none"
        self.from_csv.observe(lambda _c: self._show_password_field(), "value")
        self.code = W.Text(description="MFA code", placeholder="6 digits",
                           style={"description_width": "10em"})
        self.ask_app = W.Button(description="Ask the simulated authenticator app",
                                layout=W.Layout(width="auto"))
        self.ask_app.on_click(lambda _b: self._fill_code())
        self.mfa_step = W.VBox([W.HTML(note("This user has an MFA device: type the code it shows "
                                            "now.")), W.HBox([self.code, self.ask_app])])
        self.new_password = PasswordInput(label="New password")
        self.confirm = PasswordInput(label="Confirm new password")
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

    def _fill_code(self) -> None:
        try:
            self.code.value = simulated_code(self.lab, self.user_name.value, wait=False)
        except Exception as error:
            self.refuse(error, "asking the simulated authenticator")

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

    def values(self) -> dict:
        return {}

    def action(self) -> ConsoleStep:
        user_name = self.user_name.value.strip()
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
        step = sign_in_to_console(self.lab, user_name, self._password, account=self.account,
                                  mfa_code=code if self.step.next == "mfa_code" else None,
                                  new_password=new, pending=self.step.pending)
        if step.next is None and new and self.keep_in_csv.value:
            remember_new_password(self.lab, user_name, new)
        return step

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
        result = super().submit()
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

    def show_result(self, step: ConsoleStep) -> None:
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

    def show(self) -> None:
        from IPython.display import display

        display(self.widget)
        if not self.lab.sandbox or not self.auto_submit:
            return
        for _ in range(3):  # password, then the MFA code, then the new password
            if self.step.next == "mfa_code":
                self.code.value = simulated_code(self.lab, self.user_name.value)
            self.submit()
            if self.step.next is None and self.result is not None:
                return
        raise LabError(f"The console sign-in did not finish: it still asks for {self.step.next}.")

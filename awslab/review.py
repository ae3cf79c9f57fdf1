"""Notebook 04: sign back in as the new user, retire the root user's access keys, review.

The tutorial ends with "log out and log back in with the new user credentials". Here:

    keys = keys_from_csv(lab.account_id, "awslab-admin")     # or keys_from_profile / keys_typed
    me = prove_keys(lab, keys)          # GetCallerIdentity as that user: its ARN, not root's
    retire_root_access_keys(lab, me)    # switch the lab to the user, then delete root's keys
    awslab.connect("sandbox")           # from now on: the new user

The checklist itself lives in awslab.checklist (`checklist.print_checklist` is `awslab check`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as W
from botocore.exceptions import ClientError

from awslab.errors import Code, LabError, explain
from awslab.forms import AMBER, Form, line, note
from awslab.log import keep_out_of_logs
from awslab.overview import holds_administrator_access
from awslab.session import Lab, save_connection, saved_connection
from awslab.users_and_groups import DEFAULT_GROUP_NAME, DEFAULT_USER_NAME, credentials_csv_path

REFUSED = {"InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException",
           "InvalidAccessKeyId", "AuthFailure"}


# Loading the new user's keys.

@dataclass
class UserKeys:
    """An access key of the new user, and where it came from. The secret never shows in a repr."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    source: str = "typed"          # "csv", "profile" or "typed"
    where: str = "the fields"      # the .csv path or the profile name, for sentences
    user_name: str | None = None
    profile: str | None = None
    session_token: str | None = field(default=None, repr=False)

    def __post_init__(self):
        keep_out_of_logs(self.secret_access_key, self.session_token)


def keys_from_csv(account_id: str, user_name: str, path: Path | None = None) -> UserKeys:
    """The access key in the .csv that notebook 02 wrote for user_name."""
    path = Path(path) if path else credentials_csv_path(account_id, user_name)
    if not path.exists():
        raise LabError(
            f"No credentials file for user {user_name!r} was found at {path}: run notebook "
            "02_set_up_additional_users (it writes the .csv when it creates the user with "
            "programmatic access), or choose a saved AWS CLI profile or paste the keys instead.",
            code=Code.NoCredentialsFile)
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LabError(f"The credentials file {path} could not be read ({type(error).__name__}): "
                       "download it again from notebook 02, or paste the keys instead.") from None
    rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in rows]
    row = next((r for r in rows if r.get("user name") == user_name), rows[0] if rows else None)
    key_id = (row or {}).get("access key id", "")
    secret = (row or {}).get("secret access key", "")
    if not key_id or not secret:
        raise LabError(
            f"The credentials file {path} holds no access key (the user may have been created "
            "without programmatic access): create an access key for it in notebook 02, or paste "
            "one in the fields.", code=Code.NoAccessKey)
    return UserKeys(key_id, secret, "csv", str(path), user_name=row.get("user name") or user_name)


def keys_from_profile(profile: str) -> UserKeys:
    """The access key an AWS CLI profile holds (notebook 02 can save one)."""
    import boto3
    from botocore.exceptions import ProfileNotFound

    profile = (profile or "").strip()
    if not profile:
        raise LabError("Choose the AWS CLI profile that holds the new user's keys.", code=Code.NoProfile)
    try:
        credentials = boto3.Session(profile_name=profile).get_credentials()
    except ProfileNotFound:
        raise LabError(f"There is no AWS CLI profile named {profile!r}: save one in notebook 02 "
                       "(Save as AWS CLI profile) or, in a terminal, run aws configure --profile NAME.",
                       code=Code.ProfileNotFound) from None
    if credentials is None:
        raise LabError(f"The profile {profile!r} holds no credentials.", code=Code.NoCredentials)
    frozen = credentials.get_frozen_credentials()
    return UserKeys(frozen.access_key, frozen.secret_key, "profile", f"profile {profile!r}",
                    profile=profile, session_token=frozen.token)


KEY_ID_SHAPE = re.compile(r"^(AKIA|ASIA)[A-Z0-9]{16}$")   # an access key ID: 20 characters
SECRET_SHAPE = re.compile(r"^[A-Za-z0-9+/]{40}$")           # a secret access key: 40


def looks_like_key_id(value: str) -> bool:
    return bool(KEY_ID_SHAPE.match(value or ""))


def keys_typed(access_key_id: str, secret_access_key: str) -> UserKeys:
    """Keys pasted into the form's masked fields."""
    access_key_id, secret_access_key = (access_key_id or "").strip(), (secret_access_key or "").strip()
    if not looks_like_key_id(access_key_id):
        keep_out_of_logs(access_key_id)  # perhaps a secret, pasted into the key ID's field
    if not access_key_id or not secret_access_key:
        raise LabError("Paste both the access key ID and the secret access key (from the .csv "
                       "notebook 02 let you download).", code=Code.MissingKeys)
    return UserKeys(access_key_id, secret_access_key, "typed", "the fields")


def refuse_swapped(keys: UserKeys) -> None:
    """The slip of a key ID and a secret swapped gets its own sentence, before anything is sent."""
    if looks_like_key_id(keys.secret_access_key) and not looks_like_key_id(keys.access_key_id):
        keep_out_of_logs(keys.access_key_id)
        where = ("paste the access key ID (20 characters, starting with AKIA) in the first field and "
                 "the secret access key (40 characters) in the second" if keys.source == "typed" else
                 f"check {keys.where}: the access key ID has 20 characters and starts with AKIA, the "
                 "secret access key has 40")
        raise LabError(f"The key ID and the secret look swapped: {where}; nothing was sent to AWS.",
                       code=Code.InvalidInput)


# Proving them.

@dataclass
class SignedIn:
    """The new user, proven: AWS says these keys are this IAM user."""

    user_name: str
    arn: str
    account_id: str
    keys: UserKeys = field(repr=False)
    lab: Lab = field(repr=False)           # a Lab connected as the new user
    administrator: bool | None = None      # None: could not tell (a permission missing)
    admin_detail: str = ""
    alias: str | None = None

    @property
    def sign_in_url(self) -> str:
        return self.lab.sign_in_url(self.alias)


def _session_for(lab: Lab, keys: UserKeys):
    from awslab.session import keyed_session, profile_session

    if keys.profile and not lab.sandbox:
        return profile_session(keys.profile, lab.region)
    return keyed_session(keys.access_key_id, keys.secret_access_key, keys.session_token, lab.region)


def prove_keys(lab: Lab, keys: UserKeys) -> SignedIn:
    """GetCallerIdentity with the new user's keys: its ARN (an IAM user of this account), or
    a LabError saying why not. Changes nothing."""
    refuse_swapped(keys)
    session = _session_for(lab, keys)
    user_lab = Lab(lab.target, lab.region, "", "", "", session, endpoint_url=lab.endpoint_url,
                   profile=keys.profile, confirm_account_id=lab.confirm_account_id)
    try:
        who = user_lab.client("sts").get_caller_identity()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in REFUSED:
            why = ("the secret access key does not match the access key ID"
                   if code == "SignatureDoesNotMatch" else
                   "they are wrong, or the key was deactivated or deleted")
            raise LabError(
                f"AWS refused the keys from {keys.where} ({code}): {why}. Nothing was changed; "
                "use the current keys (notebook 02 shows the user and can create a new access key).",
                code=code) from None
        raise LabError(explain(error, "checking the new user's keys")) from None
    except Exception as error:
        raise LabError(explain(error, "checking the new user's keys")) from None
    user_lab.account_id, user_lab.arn, user_lab.user_id = who["Account"], who["Arn"], who["UserId"]
    if who["Account"] != lab.account_id:
        raise LabError(f"These keys belong to account {who['Account']}, but the lab works on "
                       f"account {lab.account_id}: use the new user's keys of this account.",
                       code=Code.OtherAccount)
    if user_lab.is_root:
        raise LabError("These are the root user's keys, not the new user's: load the new IAM "
                       "user's keys (the .csv from notebook 02).", code=Code.RootKeys)
    if user_lab.user_name is None:
        raise LabError(f"These credentials are {who['Arn']}, not an IAM user: load the new IAM "
                       "user's access key (the .csv from notebook 02).", code=Code.NotAUser)
    keys.user_name = user_lab.user_name
    signed = SignedIn(user_lab.user_name, who["Arn"], who["Account"], keys, user_lab)
    signed.administrator, signed.admin_detail = administrator_access(lab, user_lab)
    signed.alias = _alias(lab, user_lab)
    return signed


def _alias(*readers: Lab) -> str | None:
    """The account alias, read by the first of `readers` allowed to (the next one is asked
    only when one is refused, not when the account simply has no alias)."""
    for reader in readers:
        try:
            aliases = reader.client("iam").list_account_aliases()["AccountAliases"]
        except ClientError:
            continue
        return aliases[0] if aliases else None
    return None


def administrator_access(lab: Lab, user_lab: Lab) -> tuple[bool | None, str]:
    """Whether user_lab's user holds AdministratorAccess (directly or through a group)."""
    name = user_lab.user_name
    error = None
    for reader in (lab, user_lab):
        try:
            holds = holds_administrator_access(reader.client("iam"), name)
        except ClientError as problem:
            error = problem
            continue
        if holds:
            return True, f"{name} holds AdministratorAccess"
        return False, (f"{name} does not hold AdministratorAccess (neither directly nor through a "
                       "group such as administrators)")
    return None, explain(error, "reading who holds AdministratorAccess")


def sign_in_as(lab: Lab, source: str = "csv", user_name: str | None = None, profile: str | None = None,
               access_key_id: str | None = None, secret_access_key: str | None = None) -> SignedIn:
    """Load the new user's keys from the .csv, a profile or the fields, and prove them."""
    if source == "csv":
        keys = keys_from_csv(lab.account_id, (user_name or "").strip() or DEFAULT_USER_NAME)
    elif source == "profile":
        keys = keys_from_profile(profile or "")
    elif source == "typed":
        keys = keys_typed(access_key_id or "", secret_access_key or "")
    else:
        raise LabError(f"Unknown source {source!r}: use 'csv', 'profile' or 'typed'.")
    return prove_keys(lab, keys)


# Retiring root's access keys.

@dataclass
class Retired:
    deleted: list[str]
    keys_present: int | None   # AccountAccessKeysPresent afterwards
    principal: str             # who the lab signs in as now
    note: str = ""


def root_access_keys(lab: Lab) -> list[dict]:
    """Root's access keys (as root, ListAccessKeys without UserName lists root's own)."""
    if not lab.is_root:
        return []
    return lab.client("iam").list_access_keys()["AccessKeyMetadata"]


def root_keys_present(lab: Lab) -> int | None:
    try:
        return int(lab.client("iam").get_account_summary()["SummaryMap"].get("AccountAccessKeysPresent", 0))
    except ClientError:
        return None


def _switch_lab_to(lab: Lab, signed: SignedIn):
    """Make every later notebook and `awslab` command sign in as the new user; return undo()."""
    if lab.sandbox:
        from awslab import sandbox
        from awslab.sandbox.credentials import credentials_path

        had_file = credentials_path().exists()
        before = sandbox.lab_credentials()
        sandbox.set_lab_credentials(signed.keys.access_key_id, signed.keys.secret_access_key,
                                    principal=f"user/{signed.user_name}")

        def undo():
            if had_file:
                sandbox.set_lab_credentials(before["access_key_id"], before["secret_access_key"],
                                            principal=before.get("principal", "root"))
            else:
                credentials_path().unlink(missing_ok=True)
        return undo
    if not signed.keys.profile:
        raise LabError(
            "On a real account the lab keeps working after root's keys are gone only through a "
            "saved AWS CLI profile of the new user: save one in notebook 02 (Save as AWS CLI "
            "profile), choose it above as the source, and run this again; nothing was deleted.",
            code=Code.NeedProfile)
    before = saved_connection()
    save_connection(**{**before, "profile": signed.keys.profile, "region": lab.region})

    def undo():
        save_connection(**before)
    return undo


def retire_root_access_keys(lab: Lab, signed: SignedIn | None, group_name: str = DEFAULT_GROUP_NAME) -> Retired:
    """Once the new user is proven to be an administrator: switch the lab to it, then delete
    root's access keys with root's own client (restoring the lab's sign-in if that fails)."""
    if signed is None:
        raise LabError("Sign in as the new user first (the form above): the lab deletes root's "
                       "keys only once the new user's keys are proven to work.", code=Code.NotSignedIn)
    if signed.administrator is not True:
        why = signed.admin_detail or f"{signed.user_name} does not hold administrator access"
        raise LabError(
            f"The root user's access keys are kept: {why.rstrip('.')}, so deleting them could leave "
            f"no administrator to work with; give the user AdministratorAccess (the {group_name} "
            "group in notebook 02) and run this again.", code=Code.NotAdministrator)
    if not lab.is_root:
        present = root_keys_present(signed.lab)
        if present == 0:
            return Retired([], 0, signed.lab.principal,
                           "The root user has no access keys: nothing to retire.")
        raise LabError(
            f"The lab is signed in as {lab.principal}, and only the root user can delete root's "
            "access keys: sign in to the console as root, open Security credentials, and delete "
            "them under Access keys.", code=Code.NotRoot)
    lab.require_write("delete the root user's access keys")
    iam = lab.client("iam")
    keys = root_access_keys(lab)
    credentials = lab.session.get_credentials()
    signing = credentials.access_key if credentials else None
    undo = _switch_lab_to(lab, signed)
    deleted: list[str] = []
    # The key the lab signs with goes last: the others are deleted with it.
    for key in sorted(keys, key=lambda k: k["AccessKeyId"] == signing):
        try:
            iam.delete_access_key(AccessKeyId=key["AccessKeyId"])
        except Exception as error:
            if signing not in deleted:
                undo()
            done = f" ({len(deleted)} deleted before that)" if deleted else ""
            raise LabError(f"{explain(error, 'deleting the root user access keys').rstrip('.')}{done}; "
                           "the lab still signs in as before.") from None
        deleted.append(key["AccessKeyId"])
    lab.become(signed.lab)  # the forms below this one sign in as the new user too, at once
    return Retired(deleted, root_keys_present(signed.lab), f"user/{signed.user_name}")


def default_delete_root_access_keys(lab: Lab, given: bool | None) -> bool:
    """`delete_root_access_keys = None` means: yes in the sandbox, no on a real account."""
    return lab.sandbox if given is None else bool(given)


# Forms.

LABEL_WIDTH = "10em"  # "Secret access key", the longest description, whole


class SignInForm(Form):
    """Load the new user's keys (.csv, profile or pasted) and prove them with GetCallerIdentity."""

    title = "Sign back in as the new user"
    submit_label = "Sign in and check"
    doing = "signing in as the new user"

    def __init__(self, lab: Lab, user_name: str | None = None, *, auto_submit: bool = False,
                 source: str = "csv", profile: str | None = None):
        self._user_name = user_name or DEFAULT_USER_NAME
        self._source, self._profile = source, profile
        super().__init__(lab, auto_submit=auto_submit)

    def build(self) -> list:
        from awslab.before_you_start import available_profiles

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

    def values(self) -> dict:
        return {"source": self.source.value, "user_name": self.user_name.value.strip(),
                "profile": self.profile.value or None,
                "access_key_id": self.access_key_id.value, "secret_access_key": self.secret.value}

    def action(self, **values) -> SignedIn:
        return sign_in_as(self.lab, **values)

    def submit(self):
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

    def show_result(self, signed: SignedIn) -> None:
        rows = [line(True, f"AWS says these keys are {signed.arn}", "an IAM user, not the root user")]
        rows.append(line(signed.administrator, signed.admin_detail or "administrator access unknown"))
        rows.append(note("Next: the same user signs in to the console, below."))
        self.after.children = (W.HTML("".join(rows)),)


class RetireRootKeysForm(Form):
    """List root's access keys; after a confirmation, switch the lab to the new user and delete them."""

    title = "Retire the root user's access keys"
    submit_label = "Delete the root user's access keys"
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

    def action(self) -> Retired:
        return retire_root_access_keys(self.lab, self.signed_in, self.group_name)

    def _confirm_then_submit(self) -> None:
        signed = self.signed_in
        who = signed.user_name if signed else "the new user"
        self.ask(f"Delete the root user's access keys? The lab will sign in as {who} from now on; "
                 "deleted keys cannot be recovered (root can still sign in to the console).",
                 self.submit, yes_label="Delete them")

    def _clicked(self) -> None:
        signed = self.signed_in
        if not self.lab.is_root or signed is None or signed.administrator is not True:
            self._submit_quietly()  # nothing to confirm: it refuses (or has nothing to do) and says why
            return
        self._confirm_then_submit()

    def _submit_quietly(self) -> None:
        try:
            self.submit()
        except LabError:
            pass

    def show_result(self, retired: Retired) -> None:
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

    def show(self) -> None:
        from IPython.display import display

        display(self.widget)
        if self.refuse_wrong_parameter():
            self.button.disabled = True  # nothing is deleted on a value that was not understood
            return
        if not self.auto_submit:
            return
        if not self.delete:
            self.say(None, "Kept the root user's access keys (delete_root_access_keys is False).")
            return
        signed = self.signed_in
        if self.lab.is_root and signed is not None and signed.administrator is True:
            self._confirm_then_submit()
        else:
            self.submit()  # refuses with its sentence (raised headless), or has nothing to do


__all__ = [
    "RetireRootKeysForm", "Retired", "SignInForm", "SignedIn", "UserKeys",
    "administrator_access", "credentials_csv_path", "keys_from_csv", "keys_from_profile",
    "keys_typed", "prove_keys",
    "retire_root_access_keys", "root_access_keys", "sign_in_as",
]

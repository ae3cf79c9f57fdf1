"""Notebook 04, first half: sign back in as the new user, retire root's keys, the console.

Defined for `notebooks/04_sign_in_and_review.ipynb`, one function per thing the learner does;
no widgets here (the forms are in awslab/forms/s04_sign_in.py). The tutorial ends with "log
out and log back in with the new user credentials". Here:

Cell "1. Sign back in as the new user" (SignInForm: Sign in and check):

    keys = keys_from_csv(lab.account_id, "awslab-admin")     # or keys_from_profile / keys_typed
    me = prove_keys(lab, keys)          # GetCallerIdentity as that user: its ARN, not root's
    sign_in_as(lab, "csv", "awslab-admin")                   # both, from where the form says

Cell "Log out, and log back in to the console" (ConsoleSignInForm: Sign in, Ask the simulated
authenticator app). In the sandbox the console sign-in is simulated (awslab/sandbox/services/signin/),
step by step as the AWS console does it: the account's sign-in URL (alias or id), the user
name and the password from the .csv of notebook 02; the MFA code when the user has a device; a
new password when notebook 02 required a reset. Choosing the new password is the user's own
`iam:ChangePassword`, so it is refused where AWS refuses it: a user without
IAMUserChangePassword (or another policy that allows it) cannot finish signing in.

    result = sign_in_to_console(lab, "alice", password)            # one step at a time:
    result.next        # None when signed in, else "mfa_code" or "new_password" (+ .rules)
    sign_in_to_console(lab, "alice", password, mfa_code="123456")
    sign_in_to_console(lab, "alice", password, new_password=..., pending=result.pending)
    simulated_code(lab, "alice")        # the code the simulated authenticator app shows

A new password is written only to the lab's own .csv (readable only by you, `keep_in_csv`):
never to the notebook or a log. On a real account the lab cannot sign in to AWS's console for
you: the form lists the console steps instead.

Cell "2. Retire the root user's access keys" (RetireRootKeysForm: Delete the root user's
access keys):

    retire_root_access_keys(lab, me)    # switch the lab to the user, then delete root's keys
    awslab.connect("sandbox")           # from now on: the new user

The checklist of notebook 04 lives in awslab.steps.s04_checklist (`awslab check`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from botocore.exceptions import ClientError

from awslab.credentials_file import credentials_csv, credentials_csv_path, read_credentials_csv
from awslab.errors import Code, LabError, explain
from awslab.home import write_private
from awslab.redaction import keep_out_of_logs
from awslab.session import Lab, save_connection, saved_connection
from awslab.steps.s00_connect import holds_administrator_access
from awslab.steps.s02_users import DEFAULT_GROUP_NAME, DEFAULT_USER_NAME

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
        from awslab import sandbox_client as sandbox
        from awslab.sandbox_client import credentials_path

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


# The console sign-in.

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
                       pending: str | None = None, keep_in_csv: bool = False) -> ConsoleStep:
    """One step of the sandbox's console sign-in as an IAM user. With `keep_in_csv`, a new
    password the sign-in set goes into the lab's .csv in place of the first one."""
    from awslab import sandbox_client as console

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
    if new_password and keep_in_csv:
        remember_new_password(lab, user_name, new_password)
    return ConsoleStep(user_name, None, arn=answer.get("arn", ""), used_mfa=bool(mfa_code),
                       password_changed=bool(new_password))


def simulated_code(lab: Lab, user_name: str, *, wait: bool = True) -> str:
    """The code the simulated authenticator app shows for the user's MFA device (waiting for
    a new one when the ones it shows were just used, unless `wait` is False)."""
    from awslab import sandbox_client as console

    devices = lab.client("iam").list_mfa_devices(UserName=user_name)["MFADevices"]
    if not devices:
        raise LabError(f"{user_name} has no MFA device for the simulated authenticator to answer.",
                       code=Code.NoMfaDevice)
    return console.authenticator_code(lab.endpoint_url, console.console_secret(),
                                      devices[0]["SerialNumber"], wait=wait)


__all__ = [
    "KEY_ID_SHAPE", "REFUSED", "SECRET_SHAPE", "ConsoleStep", "Retired", "SignedIn", "UserKeys",
    "account_for_sign_in", "administrator_access", "credentials_csv_path", "csv_password",
    "default_delete_root_access_keys", "keys_from_csv", "keys_from_profile", "keys_typed",
    "looks_like_key_id", "prove_keys", "refuse_swapped", "remember_new_password", "retire_root_access_keys",
    "root_access_keys", "root_keys_present", "sign_in_as", "sign_in_to_console", "simulated_code",
]

"""The root user: its access keys, its MFA (through a simulated console), its report row.

AWS behaviour followed here (moto 5.2.5 has no root user at all):
- The sandbox's own credentials (AWSLAB_HOME/sandbox/account.json) are root's access keys.
  "Root is calling" (request.caller.is_root, set by the gate) means an active root key or
  an unexpired root session; sessions are never listed as access keys.
  Called as root without `UserName`, ListAccessKeys lists them, CreateAccessKey adds one
  (two at most), UpdateAccessKey changes one's status and DeleteAccessKey deletes one;
  account.json is saved at once, so a deleted or inactive key stops working
  (InvalidClientTokenId), also after a restart. GetUser and ListMFADevices without
  `UserName` answer about root.
- GetAccountSummary: `AccountAccessKeysPresent` is 1 while root has keys,
  `AccountMFAEnabled` is 1 once root has an MFA device, `AccountPasswordPresent` is 1 (every
  account's root user has a password, set when the account was made).
- The credential report starts with the `<root_account>` row (arn:aws:iam::<acct>:root),
  with root's password last use (its console sign-in) and each key's last use (last_used.py).
  GenerateCredentialReport makes a report only when there is none or the last one is over
  four hours old; GetCredentialReport hands back that report as it was when generated
  (its content and its GeneratedTime), not the account as it is now. An IAM user's key
  never used reads `N/A` for its last-used date, Region and service.

Root MFA can be enabled only in the console on AWS. The sandbox's simulated console is
this awslab-only HTTP API (not an AWS API; JSON in, JSON out), used by notebook 01
through awslab.sandbox_client. Each call is signed as an AWS request is (SigV4, by
root's access key or a root console session; on AWS root MFA is set up in the console):

  POST /_awslab/root-mfa/create  {"device_name": "..."}
       -> 200 {"serial_number", "seed", "qr_png_base64", "otpauth_uri"}
  POST /_awslab/root-mfa/enable  {"serial_number", "code1", "code2"}
       -> 200 {"serial_number", "enabled": true}; two consecutive valid TOTP codes needed,
          else 400 {"error": "InvalidAuthenticationCode", "message": ...}; after five wrong
          pairs in a row (or a burst from one client address) 429 {"error": "Throttling",
          "message", "wait_seconds"} for a while, right codes included (throttle.py)
  GET  /_awslab/root-mfa/status  -> 200 {"account_id", "mfa_enabled", "devices": [...]}

A call signed by anyone but root gets 403 {"error": "AccessDenied", ...}, an unsigned or
wrongly signed one the gate's answer (MissingAuthenticationToken, SignatureDoesNotMatch,
...); other refusals are {"error": <AWS-style code>, "message": <one sentence>} with
400/404/409.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone

from moto.core.utils import utcnow
from moto.iam.exceptions import IAMException
from moto.iam.models import AccountSummary, IAMBackend
from moto.iam.responses import IamResponse

from awslab import aws_model
from awslab.sandbox import patches, throttle
from awslab.sandbox.account import RootKey, new_access_key_id, new_secret_access_key
from awslab.sandbox.app import SandboxCallError, aws_error, json_body, json_response
from awslab.sandbox.services.iam import last_used, mfa, validation
from awslab.sandbox.state import (
    LOCK,
    STATE,
    changed,
    iam_backend,
    iam_xml,
    iso,
    sandbox_account,
    xml_escape,
)

ROOT_ROW = "<root_account>"
REPORT_SECONDS = 4 * 3600
KEYS_PER_USER = 2
_DATE = "%Y-%m-%dT%H:%M:%S+00:00"


def root_devices() -> dict:
    """serial number -> {"enabled": timestamp or None} for root's virtual MFA devices."""
    return STATE.setdefault("root_mfa", {})


def root_mfa_enabled() -> bool:
    return any(device.get("enabled") for device in root_devices().values())


def _csv_date(ts: float) -> str:
    return time.strftime(_DATE, time.gmtime(ts))


def root_password_last_used() -> float | None:
    """When root last signed in to the (simulated) console with its password, or None."""
    return STATE.get("root_password_last_used")


def root_row(account) -> str:
    keys = account.root_keys
    signed_in = root_password_last_used()
    fields = [ROOT_ROW, account.root_arn, _csv_date(account.created),
              "not_supported", _csv_date(signed_in) if signed_in else "no_information",
              "not_supported", "not_supported", "true" if root_mfa_enabled() else "false"]
    for index in range(2):
        if index < len(keys):
            key = keys[index]
            fields += ["true" if key.status == "Active" else "false", _csv_date(key.created),
                       *last_used.use(key.access_key_id)]
        else:
            fields += ["false", "N/A", "N/A", "N/A", "N/A"]
    fields += ["false", "N/A", "false", "N/A"]
    return ",".join(fields) + "\n"


def user_rows(backend, content: str) -> str:
    """moto's user rows with each key's last-used Region and service (moto writes
    `not_supported` there; AWS writes them, or `N/A` for a key never used)."""
    lines = content.splitlines(keepends=True)
    out = []
    for text in lines:
        fields = text.rstrip("\n").split(",")
        user = backend.users.get(fields[0]) if len(fields) == 22 else None
        if user is not None:
            for index, first in enumerate((10, 15)):
                if index < len(user.access_keys):
                    key = user.access_keys[index]
                    fields[first:first + 3] = last_used.use(key.access_key_id, key)
                else:
                    fields[first:first + 3] = ["N/A", "N/A", "N/A"]
            text = ",".join(fields) + "\n"
        out.append(text)
    return "".join(out)


def report_lifetime() -> float:
    """Seconds a credential report is kept (AWS: four hours). AWSLAB_REPORT_SECONDS shortens
    it for tests that stand for a later day, as AWSLAB_REGION_DELAY does for Regions."""
    try:
        return max(0.0, float(os.environ.get("AWSLAB_REPORT_SECONDS", REPORT_SECONDS)))
    except ValueError:
        return float(REPORT_SECONDS)


def install(app) -> None:
    account = app.account
    app.add_filter(_root_calls(account))
    app.signed_route("/_awslab/root-mfa/create", _create_route(account))
    app.signed_route("/_awslab/root-mfa/enable", _enable_route(account))
    app.signed_route("/_awslab/root-mfa/status", _status_route(account))


@patches.wraps(IAMBackend, "get_account_summary")
def get_account_summary(original, self) -> AccountSummary:
    result = original(self)
    account = sandbox_account()
    if self.account_id == account.account_id:
        result._account_mfa_enabled = 1 if root_mfa_enabled() else 0
        result._account_access_keys_present = 1 if account.root_keys else 0
    return result


@patches.wraps(IamResponse, "get_account_summary")
def respond_account_summary(original, self):
    result = original(self)
    if isinstance(result.result, dict) and isinstance(result.result.get("SummaryMap"), dict):
        result.result["SummaryMap"]["AccountPasswordPresent"] = 1
    return result


def report_now(backend, content: str) -> str:
    """The report as the account is now: root's row first, then the IAM users'."""
    header, _, rows = content.partition("\n")
    return header + "\n" + root_row(sandbox_account()) + user_rows(backend, rows)


@patches.wraps(IAMBackend, "get_credential_report")
def get_credential_report(original, self) -> str:
    content = original(self)  # ReportNotPresent when none was generated
    if self.account_id != sandbox_account().account_id:
        return content
    if STATE.get("credential_report") is None:  # a state saved before reports were kept
        STATE["credential_report"] = report_now(self, content)
    return STATE["credential_report"]


@patches.wraps(IAMBackend, "generate_report")
def generate_report(original, self) -> None:
    """GenerateCredentialReport makes a report (kept as it is, with its time, for
    GetCredentialReport's GeneratedTime; moto alone answers a fixed 2015-02-02 and the
    account as it is now) when there is none or the last one is over four hours old."""
    original(self)
    if self.account_id != sandbox_account().account_id:
        return
    if (STATE.get("credential_report") is None
            or time.time() - STATE.get("credential_report_time", 0) > report_lifetime()):
        STATE["credential_report_time"] = time.time()
        STATE["credential_report"] = report_now(self, patches.unpatched(
            IAMBackend, "get_credential_report")(self))
        changed()


@patches.wraps(IamResponse, "get_credential_report")
def respond_credential_report(original, self):
    result = original(self)
    when = STATE.get("credential_report_time")
    if when and isinstance(result.result, dict):
        result.result["GeneratedTime"] = datetime.fromtimestamp(when, timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
    return result


# Root's own access keys, MFA devices and user, over IAM's API.

def _root_calls(account):
    def key_xml(key: RootKey, secret: bool = False) -> str:
        extra = f"<SecretAccessKey>{key.secret_access_key}</SecretAccessKey>" if secret else ""
        return (f"<AccessKeyId>{key.access_key_id}</AccessKeyId><Status>{key.status}</Status>"
                f"{extra}<CreateDate>{iso(key.created)}</CreateDate>")

    def no_such_key(request, key_id):
        return aws_error(request, 404, "NoSuchEntity",
                         f"The Access Key with id {key_id} cannot be found.")

    def list_access_keys(request):
        members = "".join(f"<member>{key_xml(key)}</member>" for key in account.root_keys)
        return iam_xml("ListAccessKeys", f"<AccessKeyMetadata>{members}</AccessKeyMetadata>"
                                         "<IsTruncated>false</IsTruncated>")

    def create_access_key(request):
        if len(account.root_keys) >= KEYS_PER_USER:
            return aws_error(request, 409, "LimitExceeded",
                             f"Cannot exceed quota for AccessKeysPerUser: {KEYS_PER_USER}")
        key = RootKey(new_access_key_id(), new_secret_access_key())
        account.root_keys.append(key)
        account.save()
        return iam_xml("CreateAccessKey", f"<AccessKey>{key_xml(key, secret=True)}</AccessKey>")

    def delete_access_key(request):
        key_id = request.params.get("AccessKeyId", "")
        key = account.root_key(key_id)
        if key is None:
            return no_such_key(request, key_id)
        account.root_keys.remove(key)
        account.save()
        return iam_xml("DeleteAccessKey")

    def update_access_key(request):
        key_id = request.params.get("AccessKeyId", "")
        status = request.params.get("Status", "")
        if status not in ("Active", "Inactive"):
            return aws_error(request, 400, "ValidationError",
                             f"1 validation error detected: Value '{xml_escape(status)}' at 'status' "
                             "failed to satisfy constraint: Member must satisfy enum value set: "
                             "[Active, Inactive]")
        key = account.root_key(key_id)
        if key is None:
            return no_such_key(request, key_id)
        key.status = status
        account.save()
        return iam_xml("UpdateAccessKey")

    def get_user(request):
        signed_in = root_password_last_used()
        used = f"<PasswordLastUsed>{iso(signed_in)}</PasswordLastUsed>" if signed_in else ""
        return iam_xml("GetUser", f"<User><UserId>{account.account_id}</UserId>"
                                  f"<Arn>{account.root_arn}</Arn>"
                                  f"<CreateDate>{iso(account.created)}</CreateDate>{used}</User>")

    def list_mfa_devices(request):
        members = "".join(
            f"<member><SerialNumber>{xml_escape(serial)}</SerialNumber>"
            f"<EnableDate>{iso(device['enabled'])}</EnableDate></member>"
            for serial, device in root_devices().items() if device.get("enabled"))
        return iam_xml("ListMFADevices", f"<MFADevices>{members}</MFADevices>"
                                         "<IsTruncated>false</IsTruncated>")

    handlers = {
        "ListAccessKeys": list_access_keys,
        "CreateAccessKey": create_access_key,
        "DeleteAccessKey": delete_access_key,
        "UpdateAccessKey": update_access_key,
        "GetUser": get_user,
        "ListMFADevices": list_mfa_devices,
    }

    def root_calls(request):
        if request.caller is None or not request.caller.is_root or request.service != "iam":
            return None
        handler = handlers.get(request.action)
        if handler is None or request.params.get("UserName"):
            return None
        with LOCK:
            response = handler(request)
            if response.status_code == 200 and request.action not in ("ListAccessKeys", "GetUser",
                                                                         "ListMFADevices"):
                changed()
        return response

    return root_calls


# The simulated console for root MFA.

def _require_root(caller) -> None:
    if not caller.is_root:
        raise SandboxCallError("AccessDenied", "Only the root user can manage root's MFA: sign the "
                               "call with root's access key or a root console session.", 403)


def _create_route(account):
    def create(request, caller):
        data = json_body(request)
        _require_root(caller)
        name = str(data.get("device_name") or "root-account-mfa-device")
        try:
            validation.check(aws_model.problems("iam", "CreateVirtualMFADevice",
                                                {"VirtualMFADeviceName": name}))
            with LOCK:
                device = iam_backend(account.account_id).create_virtual_mfa_device(name, "/")
                root_devices()[device.serial_number] = {"enabled": None}
                changed()
        except IAMException as error:
            raise SandboxCallError(error.code, error.message,
                                   409 if error.code == "EntityAlreadyExists" else 400) from None
        return json_response({"serial_number": device.serial_number,
                              "seed": device.base32_string_seed,
                              "qr_png_base64": mfa.png_base64(device.qr_code_png),
                              "otpauth_uri": device.awslab_uri})

    return create


def _enable_route(account):
    def enable(request, caller):
        data = json_body(request)
        _require_root(caller)
        serial = str(data.get("serial_number") or "")
        with LOCK:
            backend = iam_backend(account.account_id)
            entry = root_devices().get(serial)
            device = backend.virtual_mfa_devices.get(serial)
            if entry is None or device is None:
                raise SandboxCallError("NoSuchEntity", f"No root MFA device {serial!r}: create one "
                                       "first with /_awslab/root-mfa/create.", 404)
            if entry.get("enabled") or device.enable_date is not None:
                raise SandboxCallError("EntityAlreadyExists", "This MFA device is already assigned.", 409)
            keys = throttle.keys(request.environ, f"mfa:{serial}")
            throttle.guard(keys, "MFA codes")
            try:
                step = mfa.check_codes(device.base32_string_seed, data.get("code1"),
                                       data.get("code2"), getattr(device, "awslab_last_step", None))
            except IAMException as error:
                throttle.failed(keys)
                raise SandboxCallError(error.code, error.message, 400) from None
            throttle.passed(keys)
            now = utcnow()
            device.awslab_last_step = step
            device.enable_date = now
            device.user_attribute = {"Arn": account.root_arn, "UserId": account.account_id,
                                     "CreateDate": datetime.fromtimestamp(int(account.created),
                                                                          timezone.utc)}
            entry["enabled"] = time.time()
            changed()
        return json_response({"serial_number": serial, "enabled": True})

    return enable


def _status_route(account):
    def status(request, caller):
        _require_root(caller)
        devices = [{"serial_number": serial, "enabled": bool(entry.get("enabled")),
                    "enable_date": iso(entry["enabled"]) if entry.get("enabled") else None}
                   for serial, entry in root_devices().items()]
        return json_response({"account_id": account.account_id, "mfa_enabled": root_mfa_enabled(),
                              "devices": devices})

    return status

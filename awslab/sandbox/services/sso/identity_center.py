"""IAM Identity Center in the sandbox, as in a new AWS account (docs/contract.md, "Sandbox: IAM Identity Center").

moto 5.2.5 serves `sso-admin` and `identitystore`; where it differs from AWS the sandbox
follows AWS (each change registered in patches.py):

- **No instance until the console step.** moto's every `sso-admin` backend starts with an
  instance. On AWS an *organization* instance is enabled in the console, in an AWS
  Organizations management account (all features), and has no API
  (`sso-admin:CreateInstance` makes an *account* instance, which cannot grant access to AWS
  accounts). The sandbox starts with none and offers the console step as a signed sandbox
  call, `POST /_awslab/console/identity-center/enable` (the caller needs what the console
  needs: `sso:CreateInstance` and `organizations:EnableAWSServiceAccess`). `CreateInstance`
  makes an account instance; an account assignment on it is refused. The console's Delete
  (Settings, Management) is `POST /_awslab/console/identity-center/delete`
  (`sso:DeleteInstance`): the instance goes with everything in it; clean-up uses it.
- **Identity store ids are checked** (moto makes a store for any id) and emails are
  validated as IAM Identity Center does.
- **A new user gets an invitation** (the console's "Send an email to this user with password
  setup instructions"): a message in the simulated mailbox with a one-time link, valid 7
  days, to set the password (portal.py).
- **Permission sets**: session duration `PT1H` by default, names unique and as AWS's pattern
  allows; one that is assigned cannot be deleted (`ConflictException`).
- **Account assignments** go `IN_PROGRESS`, then `SUCCEEDED` (after `AWSLAB_IC_DELAY`
  seconds, 1 by default), and provision the IAM role `AWSReservedSSO_<set>_<16 hex>` under
  `/aws-reserved/sso.amazonaws.com/`, trusting the instance's SAML provider, with the set's
  AWS managed policies; deleting the last assignment of a set on the account removes the
  role. The target must be this account, the principal a user or group of the instance's
  store, and a duplicate is a `ConflictException`.
- **The provisioned role is AWS's**: IAM refuses to change or delete it
  (`UnmodifiableEntity`), as it does on AWS, where only IAM Identity Center manages it.

State: STATE["identity_center"] (saved with the account by persistence.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time

from moto.identitystore.exceptions import ResourceNotFoundException as StoreNotFound
from moto.identitystore.exceptions import ValidationException as StoreValidation
from moto.identitystore.models import IdentityStoreBackend
from moto.ssoadmin.exceptions import ConflictException, ResourceNotFoundException
from moto.ssoadmin.models import Instance, SSOAdminBackend
from moto.ssoadmin.responses import SSOAdminResponse

from awslab.sandbox import patches, throttle
from awslab.sandbox.app import SandboxCallError, aws_error, json_response
from awslab.sandbox.state import LOCK, STATE, changed, iam_backend, sandbox_account

ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"
ROLE_PREFIX = "AWSReservedSSO_"
INVITE_SECONDS = 7 * 24 * 3600
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
_SET_NAME = re.compile(r"[\w+=,.@-]{1,32}")
_DURATION = re.compile(r"PT(?:(\d+)H)?(?:(\d+)M)?")


class SsoValidation(ResourceNotFoundException):
    """sso-admin's ValidationException (moto has no class for it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.error_type = "ValidationException"
        self.description = json.dumps({"__type": "ValidationException", "message": message,
                                       "Message": message})


def delay() -> float:
    try:
        return max(0.0, float(os.environ.get("AWSLAB_IC_DELAY", "1")))
    except ValueError:
        return 1.0


def state() -> dict:
    with LOCK:
        data = STATE.setdefault("identity_center", {})
        for name in ("people", "mailbox", "assignments", "roles", "account_instances"):
            data.setdefault(name, {} if name != "mailbox" else [])
        data.setdefault("instance", None)
        return data


def instance() -> dict | None:
    """The organization instance: {"arn", "identity_store_id", "region", "created"}, or None."""
    return state()["instance"]


def portal_url(store_id: str) -> str:
    return f"https://{store_id}.awsapps.com/start"


# --- sso-admin: instances -------------------------------------------------------------------

@patches.wraps(SSOAdminBackend, "__init__")
def no_instance_until_enabled(original, self, region_name, account_id):
    original(self, region_name, account_id)
    self.instances = []  # moto makes one; AWS's new account has none (the console enables it)
    found = instance()
    if found is not None and found["region"] == region_name:
        self.instances.append(_moto_instance(found, account_id))


def _moto_instance(found: dict, account_id: str) -> Instance:
    made = Instance(account_id, found["region"])
    made.instance_arn, made.identity_store_id = found["arn"], found["identity_store_id"]
    made.created_date = found["created"]
    return made


def _sso_backend(region: str) -> SSOAdminBackend:
    from moto.ssoadmin.models import ssoadmin_backends

    return ssoadmin_backends[sandbox_account().account_id][region]


def _organization():
    from moto.organizations.models import organizations_backends

    return organizations_backends[sandbox_account().account_id]["aws"].org


def enable(caller, region: str) -> dict:
    """The console's "Enable" on the IAM Identity Center page: the organization instance."""
    from awslab.sandbox import gate

    for action in (("organizations", "EnableAWSServiceAccess"), ("sso", "CreateInstance")):
        try:
            gate.decide(caller, *action, {}, region)
        except gate.Refusal as refusal:
            raise SandboxCallError(refusal.code, refusal.message, refusal.status) from None
    org = _organization()
    account_id = sandbox_account().account_id
    if org is None:
        raise SandboxCallError("OrganizationRequired", "IAM Identity Center's organization instance "
                               "needs AWS Organizations: create an organization first (all features).",
                               400)
    if org.feature_set != "ALL" or org.master_account_id != account_id:
        raise SandboxCallError("OrganizationRequired", "Enable IAM Identity Center in the "
                               "organization's management account, with all features enabled.", 400)
    with LOCK:
        found = instance()
        if found is not None:
            return dict(found, already=True, portal_url=portal_url(found["identity_store_id"]))
        found = {"arn": f"arn:aws:sso:::instance/ssoins-{secrets.token_hex(8)}",
                 "identity_store_id": f"d-{secrets.token_hex(5)}", "region": region,
                 "created": time.time(),
                 "saml_provider": f"AWSSSO_{secrets.token_hex(8)}_DO_NOT_DELETE"}
        state()["instance"] = found
        _sso_backend(region).instances.append(_moto_instance(found, account_id))
        org_backend = _org_backend()
        if hasattr(org_backend, "enable_aws_service_access"):
            try:
                org_backend.enable_aws_service_access(ServicePrincipal="sso.amazonaws.com")
            except Exception:  # moto's signature varies; access is recorded for ListAWSServiceAccess
                pass
        changed()
    return dict(found, already=False, portal_url=portal_url(found["identity_store_id"]))


def delete(caller, region: str) -> dict:
    """The console's "Delete IAM Identity Center" (Settings, Management): the organization
    instance goes with everything in it (users, groups, permission sets, assignments and the
    roles they provisioned, portal sessions and tokens); the organization stays."""
    from awslab.sandbox import gate

    try:
        gate.decide(caller, "sso", "DeleteInstance", {}, region)
    except gate.Refusal as refusal:
        raise SandboxCallError(refusal.code, refusal.message, refusal.status) from None
    with LOCK:
        found = instance()
        if found is None:
            raise SandboxCallError("ResourceNotFoundException", "IAM Identity Center is not enabled "
                                   "in this account.", 400)
        backend = _sso_backend(found["region"])
        for made in [s for s in backend.permission_sets if s.instance_arn == found["arn"]]:
            deprovision_role(made)
            backend.permission_sets.remove(made)
        backend.account_assignments = [a for a in backend.account_assignments
                                       if a.instance_arn != found["arn"]]
        backend.instances = [i for i in backend.instances if i.instance_arn != found["arn"]]
        _store_backend().identity_stores.pop(found["identity_store_id"], None)
        data = state()
        data["instance"] = None
        for name in ("people", "roles", "clients", "devices", "tokens", "portal_sessions"):
            data[name] = {}
        data["mailbox"] = []
        changed()
    return {"deleted": found["arn"]}


def _org_backend():
    from moto.organizations.models import organizations_backends

    return organizations_backends[sandbox_account().account_id]["aws"]


@patches.wraps(SSOAdminBackend, "list_instances")
def list_instances(original, self):
    return [i for i in original(self) if i.instance_arn not in state()["account_instances"]] + [
        i for i in original(self) if i.instance_arn in state()["account_instances"]]


def _organization_instance(instance_arn: str) -> dict:
    found = instance()
    if found is None or instance_arn != found["arn"]:
        if instance_arn in state()["account_instances"]:
            raise SsoValidation("This operation is not supported for an account instance of IAM "
                                "Identity Center: only an organization instance grants access to "
                                "AWS accounts.")
        raise ResourceNotFoundException(f"Instance {instance_arn} does not exist.")
    return found


# --- sso-admin: permission sets ---------------------------------------------------------------

def duration_seconds(duration: str | None) -> int:
    match = _DURATION.fullmatch(duration or "PT1H")
    if not match or not (match.group(1) or match.group(2)):
        return 3600
    return int(match.group(1) or 0) * 3600 + int(match.group(2) or 0) * 60


@patches.wraps(SSOAdminBackend, "create_permission_set")
def create_permission_set(original, self, name, description, instance_arn, session_duration,
                          relay_state, tags):
    _organization_instance(instance_arn)
    if not _SET_NAME.fullmatch(name or ""):
        raise SsoValidation(f"1 validation error detected: Value '{name}' at 'name' failed to "
                            "satisfy constraint: Member must satisfy regular expression pattern: "
                            "[\\w+=,.@-]+ and have length between 1 and 32")
    if any(p.name == name and p.instance_arn == instance_arn for p in self.permission_sets):
        raise ConflictException(f"PermissionSet with name {name} already exists")
    if not isinstance(session_duration, str) or not session_duration:
        session_duration = "PT1H"  # moto's default is the number 3600; AWS's is PT1H
    seconds = duration_seconds(session_duration)
    if not _DURATION.fullmatch(session_duration) or not 3600 <= seconds <= 43200:
        raise SsoValidation("The session duration must be an ISO-8601 duration from PT1H to PT12H.")
    return original(self, name, description, instance_arn, session_duration, relay_state, tags)


@patches.wraps(SSOAdminBackend, "delete_permission_set")
def delete_permission_set(original, self, instance_arn, permission_set_arn):
    if any(a.permission_set_arn == permission_set_arn for a in self.account_assignments):
        raise ConflictException("The permission set is assigned to an account: delete its "
                                "account assignments first.")
    return original(self, instance_arn, permission_set_arn)


# --- sso-admin: account assignments ----------------------------------------------------------

def _permission_set(backend, instance_arn: str, arn: str):
    for made in backend.permission_sets:
        if made.permission_set_arn == arn and made.instance_arn == instance_arn:
            return made
    raise ResourceNotFoundException(f"Could not find PermissionSet with ARN {arn}")


def _principal_exists(store_id: str, kind: str, principal_id: str) -> bool:
    store = _store_backend().identity_stores.get(store_id)
    if store is None:
        return False
    return principal_id in (store.users if kind == "USER" else store.groups)


def _store_backend() -> IdentityStoreBackend:
    from moto.identitystore.models import identitystore_backends

    found = instance()
    region = found["region"] if found else sandbox_account().region
    return identitystore_backends[sandbox_account().account_id][region]


def role_name(permission_set) -> str:
    """The role a permission set provisions in an account: AWSReservedSSO_<set>_<16 hex>, the
    hex fixed per set (so every assignment of the set shares one role)."""
    roles = state()["roles"]
    entry = roles.get(permission_set.permission_set_arn)
    if entry is None:
        entry = roles[permission_set.permission_set_arn] = {
            "name": f"{ROLE_PREFIX}{permission_set.name}_{secrets.token_hex(8)}"[:64]}
    return entry["name"]


def provision_role(permission_set) -> str:
    """Make (or bring up to date) the set's role in IAM; returns its name."""
    account_id = sandbox_account().account_id
    iam = iam_backend(account_id)
    name = role_name(permission_set)
    found = instance()
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{account_id}:saml-provider/{found['saml_provider']}"},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
    with _provisioning():
        if _role(iam, name) is None:
            iam.create_role(name, json.dumps(trust), ROLE_PATH, None,
                            f"Provisioned by IAM Identity Center for permission set "
                            f"{permission_set.name}. Do not edit.", [],
                            str(duration_seconds(permission_set.session_duration)))
        role = _role(iam, name)
        wanted = {p.arn for p in permission_set.managed_policies}
        for arn in list(role.managed_policies):
            if arn not in wanted:
                iam.detach_role_policy(arn, name)
        for arn in wanted - set(role.managed_policies):
            iam.attach_role_policy(arn, name)
        if permission_set.inline_policy:
            iam.put_role_policy(name, "AwsSSOInlinePolicy", permission_set.inline_policy)
    return name


def _role(iam, name: str):
    return next((r for r in iam.roles.values() if r.name == name), None)


def deprovision_role(permission_set) -> None:
    iam = iam_backend(sandbox_account().account_id)
    name = state()["roles"].get(permission_set.permission_set_arn, {}).get("name")
    role = _role(iam, name) if name else None
    if role is None:
        return
    with _provisioning():
        for arn in list(role.managed_policies):
            iam.detach_role_policy(arn, name)
        for policy_name in list(role.policies):
            iam.delete_role_policy(name, policy_name)
        iam.delete_role(name)


class _provisioning:
    """IAM Identity Center itself is changing its role (UnmodifiableEntity does not apply)."""

    depth = 0

    def __enter__(self):
        _provisioning.depth += 1

    def __exit__(self, *exc):
        _provisioning.depth -= 1


@patches.wraps(SSOAdminBackend, "create_account_assignment")
def create_account_assignment(original, self, instance_arn, target_id, target_type,
                              permission_set_arn, principal_type, principal_id):
    found = _organization_instance(instance_arn)
    permission_set = _permission_set(self, instance_arn, permission_set_arn)
    if target_type != "AWS_ACCOUNT" or target_id != sandbox_account().account_id:
        raise SsoValidation(f"The target {target_id} is not an AWS account of this organization.")
    if principal_type not in ("USER", "GROUP") or not _principal_exists(
            found["identity_store_id"], principal_type, principal_id):
        raise SsoValidation(f"The {str(principal_type).lower()} {principal_id} is not in the "
                            "instance's identity store.")
    for made in self.account_assignments:
        if (made.permission_set_arn, made.principal_type, made.principal_id, made.target_id) == (
                permission_set_arn, principal_type, principal_id, target_id):
            raise ConflictException("This account assignment already exists.")
    answer = original(self, instance_arn, target_id, target_type, permission_set_arn,
                      principal_type, principal_id)
    provision_role(permission_set)
    with LOCK:
        state()["assignments"][answer["RequestId"]] = {"started": time.time(), "kind": "create"}
        changed()
    return _with_status(answer)


def _status(request_id: str | None) -> str:
    record = state()["assignments"].get(request_id or "", {"started": 0})
    return "SUCCEEDED" if time.time() >= record["started"] + delay() else "IN_PROGRESS"


def _with_status(answer: dict) -> dict:
    return dict(answer, Status=_status(answer.get("RequestId")))


def _timed(original, self, key: str) -> str:
    """moto's responses say SUCCEEDED at once; AWS's assignments take a moment."""
    data = json.loads(original(self))
    data[key]["Status"] = _status(data[key].get("RequestId"))
    return json.dumps(data)


@patches.wraps(SSOAdminResponse, "create_account_assignment")
def create_answer(original, self):
    return _timed(original, self, "AccountAssignmentCreationStatus")


@patches.wraps(SSOAdminResponse, "describe_account_assignment_creation_status")
def creation_answer(original, self):
    return _timed(original, self, "AccountAssignmentCreationStatus")


@patches.wraps(SSOAdminResponse, "delete_account_assignment")
def delete_answer(original, self):
    return _timed(original, self, "AccountAssignmentDeletionStatus")


@patches.wraps(SSOAdminResponse, "describe_account_assignment_deletion_status")
def deletion_answer(original, self):
    return _timed(original, self, "AccountAssignmentDeletionStatus")


@patches.wraps(SSOAdminBackend, "delete_account_assignment")
def delete_account_assignment(original, self, instance_arn, target_id, target_type,
                              permission_set_arn, principal_type, principal_id):
    _organization_instance(instance_arn)
    permission_set = _permission_set(self, instance_arn, permission_set_arn)
    answer = original(self, instance_arn, target_id, target_type, permission_set_arn,
                      principal_type, principal_id)
    if not any(a.permission_set_arn == permission_set_arn for a in self.account_assignments):
        deprovision_role(permission_set)
    with LOCK:
        state()["assignments"][answer["RequestId"]] = {"started": time.time(), "kind": "delete"}
        changed()
    return _with_status(answer)


# --- identitystore ----------------------------------------------------------------------------

def _check_store(store_id: str) -> None:
    found = instance()
    if found is None or store_id != found["identity_store_id"]:
        raise StoreNotFound(message=f"Identity store {store_id} does not exist.",
                            resource_type="IDENTITY_STORE", resource_id=store_id)


@patches.wraps(IdentityStoreBackend, "create_user")
def create_user(original, self, identity_store_id, user_name, name, display_name, nick_name,
                profile_url, emails, addresses, phone_numbers, user_type, title,
                preferred_language, locale, timezone):
    _check_store(identity_store_id)
    for email in emails or []:
        value = str(email.get("Value") or "")
        if len(value) > 128 or not _EMAIL.fullmatch(value):
            raise StoreValidation(message=f"The email address {value!r} is not valid: IAM Identity "
                                  "Center needs an address such as name@example.com.")
    store = self.identity_stores.get(identity_store_id)
    if store is not None and any(u.UserName.lower() == str(user_name).lower()
                                 for u in store.users.values()):
        from moto.identitystore.exceptions import ConflictException as StoreConflict

        raise StoreConflict(message="Duplicate UserName", reason="UNIQUENESS_CONSTRAINT_VIOLATION")
    user_id, store_id = original(self, identity_store_id, user_name, name, display_name, nick_name,
                                 profile_url, emails, addresses, phone_numbers, user_type, title,
                                 preferred_language, locale, timezone)
    primary = next((e.get("Value") for e in emails or [] if e.get("Primary")), None) or next(
        (e.get("Value") for e in emails or []), None)
    invite(user_id, user_name, display_name or user_name, primary)
    return user_id, store_id


@patches.wraps(IdentityStoreBackend, "create_group")
def create_group(original, self, identity_store_id, display_name, description):
    _check_store(identity_store_id)
    return original(self, identity_store_id, display_name, description)


@patches.wraps(IdentityStoreBackend, "create_group_membership")
def create_group_membership(original, self, identity_store_id, group_id, member_id):
    _check_store(identity_store_id)
    return original(self, identity_store_id, group_id, member_id)


@patches.wraps(IdentityStoreBackend, "delete_user")
def delete_user(original, self, identity_store_id, user_id):
    _check_store(identity_store_id)
    original(self, identity_store_id, user_id)
    with LOCK:
        forget_person(user_id)
        changed()


def forget_person(user_id: str) -> None:
    """A deleted user: its password, MFA device, portal sessions and tokens go."""
    data = state()
    data["people"].pop(user_id, None)
    for table in ("portal_sessions", "tokens"):
        for key in [k for k, v in data.get(table, {}).items() if v.get("user_id") == user_id]:
            del data[table][key]


def invite(user_id: str, user_name: str, display_name: str, email: str | None, *,
           reset: bool = False) -> None:
    """The invitation email IAM Identity Center sends a new user (or, `reset`, the email of the
    console's "Reset password"): a one-time link to set a password, valid seven days."""
    found = instance()
    token = secrets.token_urlsafe(24)
    now = time.time()
    link = f"{portal_url(found['identity_store_id'])}/#/signup/accept-invite?token={token}"
    url = portal_url(found["identity_store_id"])
    if reset:
        subject = "Reset your AWS IAM Identity Center password"
        body = (f"Hello {display_name},\n\nYour administrator reset the password of your AWS access "
                f"portal user {user_name} ({url}).\n\nSet a new password (this link expires in 7 "
                "days):")
    else:
        subject = "Invitation to join AWS IAM Identity Center"
        body = (f"Hello {display_name},\n\nYour administrator has invited you to access AWS "
                f"accounts and applications through the AWS access portal.\n\nUsername: "
                f"{user_name}\nAWS access portal URL: {url}\n\nAccept the invitation to set your "
                "password (this link expires in 7 days):")
    with LOCK:
        person = state()["people"].setdefault(user_id, {"user_name": user_name, "mfa": None})
        person.update(user_name=user_name, password=None if not reset else person.get("password"),
                      invite=_digest(token), invite_expires=now + INVITE_SECONDS)
        state()["mailbox"].append({
            "id": secrets.token_hex(6), "to": email or "(no email address)", "sent": now,
            "user_id": user_id, "from": "no-reply@login.awsapps.com", "subject": subject,
            "body": body, "link": link})
        changed()


def reset_password(caller, user_name: str, region: str) -> dict:
    """The console's "Reset password" of a user: an email with a one-time link."""
    from awslab.sandbox import gate

    try:
        gate.decide(caller, "identitystore", "UpdateUser", {}, region)
    except gate.Refusal as refusal:
        raise SandboxCallError(refusal.code, refusal.message, refusal.status) from None
    found = instance()
    store = _store_backend().identity_stores.get(found["identity_store_id"]) if found else None
    user = next((u for u in (store.users.values() if store else [])
                 if u.UserName.lower() == user_name.lower()), None)
    if user is None:
        raise SandboxCallError("ResourceNotFoundException", f"IAM Identity Center has no user "
                               f"{user_name!r}.", 404)
    email = next((e.get("Value") for e in user.Emails or []), None)
    invite(user.UserId, user.UserName, user.DisplayName or user.UserName, email, reset=True)
    return {"sent_to": email}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- IAM: the provisioned role is Identity Center's --------------------------------------------

_ROLE_WRITES = {"DeleteRole", "AttachRolePolicy", "DetachRolePolicy", "PutRolePolicy",
                "DeleteRolePolicy", "UpdateAssumeRolePolicy", "UpdateRole",
                "UpdateRoleDescription", "PutRolePermissionsBoundary",
                "DeleteRolePermissionsBoundary", "TagRole", "UntagRole"}


def protect_reserved_roles(request):
    if (request.service == "iam" and request.action in _ROLE_WRITES
            and str(request.params.get("RoleName", "")).startswith(ROLE_PREFIX)
            and _provisioning.depth == 0):
        name = request.params["RoleName"]
        return aws_error(request, 400, "UnmodifiableEntity",
                         f"Cannot perform the operation on the protected role '{name}' - this role "
                         "is only modifiable by AWS")
    return None


# --- the console step and the mailbox ----------------------------------------------------------

def _enable_route(account):
    def answer(request, caller):
        from awslab.sandbox.app import json_body

        data = json_body(request)
        region = str(data.get("region") or account.region)
        return json_response(enable(caller, region))

    return answer


def _reset_route(account):
    def answer(request, caller):
        from awslab.sandbox.app import json_body

        data = json_body(request)
        return json_response(reset_password(caller, str(data.get("user_name") or ""),
                                            str(data.get("region") or account.region)))

    return answer


def _delete_route(account):
    def answer(request, caller):
        from awslab.sandbox.app import json_body

        data = json_body(request)
        return json_response(delete(caller, str(data.get("region") or account.region)))

    return answer


def _mailbox_route(account):
    def answer(request):
        from awslab.sandbox.app import json_body
        from awslab.sandbox.services.signin.signin import _owner

        _owner(account, json_body(request), throttle.keys(request.environ, "signin:root"))
        return json_response({"messages": list(state()["mailbox"])})

    return answer


def install(app) -> None:
    app.signed_route("/_awslab/console/identity-center/enable", _enable_route(app.account))
    app.signed_route("/_awslab/console/identity-center/delete", _delete_route(app.account))
    app.signed_route("/_awslab/console/identity-center/reset-password", _reset_route(app.account))
    app.route("/_awslab/mailbox", _mailbox_route(app.account))
    app.add_filter(protect_reserved_roles)

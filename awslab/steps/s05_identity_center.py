"""IAM Identity Center: the way AWS recommends today that people sign in (notebook 05).

Defined for `notebooks/05_identity_center.ipynb`, one function per thing the learner does, in
the notebook's order; no widgets here (the forms are in awslab/forms/s05_identity_center.py).

    status(lab)                         the organization and the Identity Center instance
    enable_organization(lab)            AWS Organizations, all features (cell "1. Organizations")
    enable_identity_center(lab)         the organization instance: a console step ("2. Enable")
    create_person(lab, ...)             a user, a group, the membership ("3. A person")
    invitation(lab, user_name)          the invitation email (sandbox: the simulated mailbox)
    create_permission_set(lab, ...)     the set with its AWS managed policy ("4. Permission set")
    assign(lab, ...)                    the account assignment, IN_PROGRESS to SUCCEEDED
    accept_invitation / portal_sign_in  the person's first sign-in ("5. The access portal")
    role_credentials(lab, ...)          short-term credentials from the portal
    write_sso_profile / start_sso_login / approve_device / finish_sso_login   ("6. The AWS CLI")
    profile_identity(profile)           GetCallerIdentity through the profile, no key on disk
    side_by_side(lab, ...)              the IAM user of 02 and the person of 05 ("7.")

Every function raises LabError with one sentence when it cannot do its part; none leaves a
thing half-made (a person's user without its membership is removed again).
"""

from __future__ import annotations

import configparser
import datetime
import hashlib
import json
import os
import time
from pathlib import Path

from awslab import record
from awslab.errors import Code, LabError, code_of, explain

PORTAL_SUFFIX = ".awsapps.com/start"
SSO_SCOPES = "sso:account:access"
ADMIN_POLICY = "AdministratorAccess"
CONSOLE_STEPS = (
    "Enable IAM Identity Center in the AWS console: sign in to the management account, open "
    "https://console.aws.amazon.com/singlesignon, choose Enable (with AWS Organizations, the "
    "organization instance), then run this cell again.")


# --- what is there ---------------------------------------------------------------------------

def status(lab) -> dict:
    """{"organization": {"id", "feature_set", "management": bool} or None,
        "instance": {"arn", "identity_store_id", "portal_url"} or None}."""
    org = None
    try:
        found = lab.client("organizations").describe_organization()["Organization"]
        org = {"id": found["Id"], "feature_set": found.get("FeatureSet"),
               "management": found.get("MasterAccountId") == lab.account_id}
    except Exception as error:
        if code_of(error) != Code.AWSOrganizationsNotInUseException:
            raise LabError(explain(error, "reading the organization")) from None
    instance = None
    if org is not None:
        instance = _instance(lab)
    return {"organization": org, "instance": instance}


def _instance(lab) -> dict | None:
    try:
        instances = lab.client("sso-admin").list_instances()["Instances"]
    except Exception as error:
        raise LabError(explain(error, "listing IAM Identity Center instances")) from None
    for found in instances:
        if found.get("OwnerAccountId", lab.account_id) == lab.account_id or len(instances) == 1:
            return {"arn": found["InstanceArn"], "identity_store_id": found["IdentityStoreId"],
                    "portal_url": f"https://{found['IdentityStoreId']}{PORTAL_SUFFIX}"}
    return None


def require_instance(lab) -> dict:
    found = status(lab)["instance"]
    if found is None:
        raise LabError("IAM Identity Center is not enabled yet: run step 2 (Enable IAM Identity "
                       "Center) first.", code=Code.NoSuchEntity)
    return found


# --- 1 and 2: the organization and the instance --------------------------------------------------

def enable_organization(lab) -> dict:
    """AWS Organizations with all features; this account becomes its management account.
    Already there: said, nothing changed."""
    lab.require_write("create an organization")
    now = status(lab)["organization"]
    if now is not None:
        if not now["management"]:
            raise LabError("This account is a member of another organization: IAM Identity Center's "
                           "organization instance is enabled in the management account. Use that "
                           "account, or leave the organization first.", code=Code.Conflict)
        return dict(now, created=False)
    try:
        found = lab.client("organizations").create_organization(FeatureSet="ALL")["Organization"]
    except Exception as error:
        raise LabError(explain(error, "creating the organization")) from None
    record.remember(lab.account_id, "organization", found["Id"])
    return {"id": found["Id"], "feature_set": found.get("FeatureSet"), "management": True,
            "created": True}


def enable_identity_center(lab) -> dict:
    """The organization instance. In the sandbox, its simulated console step; on AWS, the
    console steps (there is no API: CreateInstance makes an *account* instance, which cannot
    grant access to AWS accounts), then a check with ListInstances."""
    org = status(lab)["organization"]
    if org is None or org["feature_set"] != "ALL":
        raise LabError("IAM Identity Center's organization instance needs AWS Organizations with all "
                       "features: run step 1 first.", code=Code.NoSuchEntity)
    found = _instance(lab)
    if found is not None:
        return dict(found, enabled_now=False)
    if not lab.sandbox:
        raise LabError(CONSOLE_STEPS, code=Code.ConsoleOnly)
    lab.require_write("enable IAM Identity Center")
    from awslab.sandbox_client import signed_call as _signed

    _signed(lab, "/_awslab/console/identity-center/enable", {"region": lab.region})
    found = _instance(lab)
    record.remember(lab.account_id, "identity_center", found["arn"])
    return dict(found, enabled_now=True)


# --- 3: the person -----------------------------------------------------------------------------

def _store(lab) -> tuple[object, str]:
    return lab.client("identitystore"), require_instance(lab)["identity_store_id"]


def find_user(lab, user_name: str) -> dict | None:
    ids, store = _store(lab)
    try:
        user_id = ids.get_user_id(IdentityStoreId=store, AlternateIdentifier={"UniqueAttribute": {
            "AttributePath": "userName", "AttributeValue": user_name}})["UserId"]
    except Exception as error:
        if code_of(error) == Code.ResourceNotFoundException:
            return None
        raise LabError(explain(error, "looking up the user")) from None
    return ids.describe_user(IdentityStoreId=store, UserId=user_id)


def find_group(lab, group_name: str) -> str | None:
    ids, store = _store(lab)
    try:
        return ids.get_group_id(IdentityStoreId=store, AlternateIdentifier={"UniqueAttribute": {
            "AttributePath": "displayName", "AttributeValue": group_name}})["GroupId"]
    except Exception as error:
        if code_of(error) == Code.ResourceNotFoundException:
            return None
        raise LabError(explain(error, "looking up the group")) from None


def create_person(lab, user_name: str, given_name: str, family_name: str, email: str,
                  group_name: str) -> dict:
    """The person's user, the group and the membership; whatever exists already is reused
    (rerunnable), and what this call made is removed again if a later part fails."""
    lab.require_write("create a user in IAM Identity Center")
    problems = [name for name, value in (("user name", user_name), ("given name", given_name),
                                         ("family name", family_name), ("email", email),
                                         ("group name", group_name)) if not str(value or "").strip()]
    if problems:
        raise LabError(f"Fill in the {' and '.join(problems)}.", code=Code.InvalidInput)
    ids, store = _store(lab)
    made: list[tuple[str, str]] = []
    try:
        user = find_user(lab, user_name)
        if user is not None and not record.was_created(lab.account_id, "sso_user", user["UserName"]):
            raise LabError(f"IAM Identity Center already has a user named {user_name!r}, which this "
                           "lab did not create: choose another user name (sso_user_name).",
                           code=Code.EntityAlreadyExists)
        if user is None:
            user_id = ids.create_user(
                IdentityStoreId=store, UserName=user_name, DisplayName=f"{given_name} {family_name}",
                Name={"GivenName": given_name, "FamilyName": family_name},
                Emails=[{"Value": email, "Type": "work", "Primary": True}])["UserId"]
            made.append(("user", user_id))
        else:
            user_id = user["UserId"]
        group_id = find_group(lab, group_name)
        if group_id is None:
            group_id = ids.create_group(IdentityStoreId=store, DisplayName=group_name,
                                        Description="People with administrator access (awslab)")["GroupId"]
            made.append(("group", group_id))
        if not ids.is_member_in_groups(IdentityStoreId=store, MemberId={"UserId": user_id},
                                       GroupIds=[group_id])["Results"][0]["MembershipExists"]:
            ids.create_group_membership(IdentityStoreId=store, GroupId=group_id,
                                        MemberId={"UserId": user_id})
    except Exception as error:
        for kind, made_id in reversed(made):  # nothing half-made
            try:
                (ids.delete_user if kind == "user" else ids.delete_group)(
                    IdentityStoreId=store, **({"UserId": made_id} if kind == "user" else {"GroupId": made_id}))
            except Exception:
                pass
        if isinstance(error, LabError):
            raise
        raise LabError(_person_sentence(error, user_name, email)) from None
    for kind, made_id in made:
        record.remember(lab.account_id, f"sso_{kind}", user_name if kind == "user" else group_name,
                        id=made_id)
    record.remember(lab.account_id, "sso_membership", f"{user_name}|{group_name}")
    return {"user_id": user_id, "group_id": group_id, "user_created": ("user", user_id) in made,
            "group_created": any(kind == "group" for kind, _ in made)}


def _person_sentence(error, user_name: str, email: str) -> str:
    code = code_of(error)
    if code == Code.ConflictException:
        return (f"IAM Identity Center already has a user named {user_name!r} (names are unique "
                "regardless of case): choose another user name.")
    if code == Code.ValidationException and "email" in str(error).lower():
        return (f"IAM Identity Center refuses the email address {email!r}: give an address such "
                "as ana@example.com (the invitation goes there).")
    return explain(error, "creating the person in IAM Identity Center")


def invitation(lab, user_name: str) -> dict | None:
    """The invitation email the person received (sandbox: from the simulated mailbox):
    {"to", "subject", "body", "link"}; None when there is none."""
    if not lab.sandbox:
        return None
    from awslab.sandbox_client import call as _request

    box = _request(lab.endpoint_url, "/_awslab/mailbox", {"console_secret": _owner_secret()})
    user = find_user(lab, user_name)
    mine = [m for m in box["messages"] if user is not None and m["user_id"] == user["UserId"]]
    return mine[-1] if mine else None


# --- 4: the permission set and the assignment -------------------------------------------------------

def find_permission_set(lab, name: str) -> dict | None:
    sso, instance = lab.client("sso-admin"), require_instance(lab)
    for arn in sso.list_permission_sets(InstanceArn=instance["arn"])["PermissionSets"]:
        found = sso.describe_permission_set(InstanceArn=instance["arn"], PermissionSetArn=arn)["PermissionSet"]
        if found["Name"] == name:
            return found
    return None


def create_permission_set(lab, name: str, policy_name: str | None = None,
                          session_duration: str = "PT1H") -> dict:
    """The permission set with the AWS managed policy of the same name (or `policy_name`);
    an existing one is reused and its policy attached if missing."""
    lab.require_write("create a permission set")
    sso, instance = lab.client("sso-admin"), require_instance(lab)
    found = find_permission_set(lab, name)
    if found is not None and not record.was_created(lab.account_id, "permission_set", name):
        raise LabError(f"A permission set named {name!r} already exists, and this lab did not create "
                       "it: choose another name (permission_set_name), or assign that one in the "
                       "console.", code=Code.EntityAlreadyExists)
    created = found is None
    try:
        if created:
            found = sso.create_permission_set(InstanceArn=instance["arn"], Name=name,
                                              SessionDuration=session_duration,
                                              Description="awslab: administrator access")["PermissionSet"]
            record.remember(lab.account_id, "permission_set", name, arn=found["PermissionSetArn"])
        policy_arn = f"arn:aws:iam::aws:policy/{policy_name or name}"
        attached = sso.list_managed_policies_in_permission_set(
            InstanceArn=instance["arn"], PermissionSetArn=found["PermissionSetArn"])["AttachedManagedPolicies"]
        if policy_arn not in [p["Arn"] for p in attached]:
            sso.attach_managed_policy_to_permission_set(
                InstanceArn=instance["arn"], PermissionSetArn=found["PermissionSetArn"],
                ManagedPolicyArn=policy_arn)
    except Exception as error:
        if created and found is not None:
            try:
                sso.delete_permission_set(InstanceArn=instance["arn"],
                                          PermissionSetArn=found["PermissionSetArn"])
                record.forget(lab.account_id, "permission_set", name)
            except Exception:
                pass
        raise LabError(explain(error, "creating the permission set")) from None
    return dict(found, created=created, policy_arn=policy_arn)


def assign(lab, permission_set_arn: str, group_id: str, *, on_status=None,
           timeout: float = 120.0) -> dict:
    """Assign the permission set to the group on this account and wait until SUCCEEDED
    (`on_status(status)` hears each reading). Returns {"status", "role_name", "created"}."""
    lab.require_write("assign the permission set")
    sso, instance = lab.client("sso-admin"), require_instance(lab)
    existing = sso.list_account_assignments(InstanceArn=instance["arn"], AccountId=lab.account_id,
                                            PermissionSetArn=permission_set_arn)["AccountAssignments"]
    if any(a["PrincipalType"] == "GROUP" and a["PrincipalId"] == group_id for a in existing):
        return {"status": "SUCCEEDED", "role_name": provisioned_role(lab, permission_set_arn),
                "created": False}
    try:
        made = sso.create_account_assignment(
            InstanceArn=instance["arn"], TargetId=lab.account_id, TargetType="AWS_ACCOUNT",
            PermissionSetArn=permission_set_arn, PrincipalType="GROUP",
            PrincipalId=group_id)["AccountAssignmentCreationStatus"]
    except Exception as error:
        raise LabError(explain(error, "assigning the permission set")) from None
    record.remember(lab.account_id, "account_assignment", f"{permission_set_arn}|{group_id}",
                    permission_set_arn=permission_set_arn, group_id=group_id)
    deadline = time.monotonic() + timeout
    while True:
        if on_status is not None:
            on_status(made["Status"])
        if made["Status"] in ("SUCCEEDED", "FAILED"):
            break
        if time.monotonic() > deadline:
            raise LabError("The account assignment is still in progress after two minutes: run the "
                           "cell again to keep watching it.", code=Code.InProgress)
        time.sleep(0.5)
        made = sso.describe_account_assignment_creation_status(
            InstanceArn=instance["arn"],
            AccountAssignmentCreationRequestId=made["RequestId"])["AccountAssignmentCreationStatus"]
    if made["Status"] == "FAILED":
        raise LabError(f"IAM Identity Center could not assign the permission set: "
                       f"{made.get('FailureReason', 'no reason given')}.")
    return {"status": "SUCCEEDED", "role_name": provisioned_role(lab, permission_set_arn),
            "created": True}


def grant_access(lab, permission_set_name: str, group_name: str, *, on_status=None) -> dict:
    """Step 4 as one: the permission set (with the AWS managed policy of its name) and its
    assignment to the group on this account, watched until SUCCEEDED. Returns {"permission_set",
    "session_duration", "status", "role_name", "created"}."""
    group_id = find_group(lab, group_name)
    if group_id is None:
        raise LabError(f"IAM Identity Center has no group {group_name!r} yet: run step 3 first.",
                       code=Code.NoSuchEntity)
    permission_set = create_permission_set(lab, permission_set_name)
    try:
        assigned = assign(lab, permission_set["PermissionSetArn"], group_id, on_status=on_status)
    except LabError:
        if permission_set["created"]:  # nothing half-made: the set made now goes again
            try:
                lab.client("sso-admin").delete_permission_set(
                    InstanceArn=require_instance(lab)["arn"],
                    PermissionSetArn=permission_set["PermissionSetArn"])
                record.forget(lab.account_id, "permission_set", permission_set_name)
            except Exception:
                pass
        raise
    return dict(assigned, permission_set=permission_set_name,
                permission_set_arn=permission_set["PermissionSetArn"],
                session_duration=permission_set.get("SessionDuration") or "PT1H",
                set_created=permission_set["created"])


def provisioned_role(lab, permission_set_arn: str | None = None) -> str | None:
    """The IAM role IAM Identity Center made for the set in this account (AWSReservedSSO_...)."""
    name = None
    if permission_set_arn is not None:
        sso, instance = lab.client("sso-admin"), require_instance(lab)
        name = sso.describe_permission_set(InstanceArn=instance["arn"],
                                           PermissionSetArn=permission_set_arn)["PermissionSet"]["Name"]
    roles = lab.client("iam").list_roles(PathPrefix="/aws-reserved/sso.amazonaws.com/")["Roles"]
    for role in roles:
        if name is None or role["RoleName"].startswith(f"AWSReservedSSO_{name}_"):
            return role["RoleName"]
    return None


# --- 5: the person at the access portal -------------------------------------------------------------

def _owner_secret() -> str:
    """The account owner's console secret: the simulated mailbox and authenticator are theirs."""
    from awslab.sandbox_client import console_secret

    return console_secret()


def _sandbox_only(lab, what: str) -> None:
    if not lab.sandbox:
        raise LabError(f"{what} happens in a browser on a real account: open the AWS access "
                       "portal URL and follow the steps there.", code=Code.NotSandbox)


def reset_password(lab, user_name: str) -> dict:
    """The console's "Reset password" (IAM Identity Center, Users): the person gets an email with
    a one-time link to set a new password. Sandbox: the simulated console's button."""
    _sandbox_only(lab, "Resetting a person's password")
    lab.require_write("reset the person's password")
    from awslab.sandbox_client import signed_call as _signed

    return _signed(lab, "/_awslab/console/identity-center/reset-password",
                   {"user_name": user_name, "region": lab.region})


def portal_password() -> str:
    """A password IAM Identity Center accepts (headless runs set one from the invitation)."""
    import secrets
    import string

    pool = string.ascii_letters + string.digits
    body = "".join(secrets.choice(pool) for _ in range(16))
    return f"Aa1!{body}"


def accept_invitation(lab, link: str, password: str) -> dict:
    """The invitation's link: set the person's password (IAM Identity Center's rules)."""
    _sandbox_only(lab, "Accepting the invitation")
    from awslab.sandbox_client import call as _request

    token = link.split("token=", 1)[1] if "token=" in link else link
    return _request(lab.endpoint_url, "/_awslab/portal/accept-invite",
                    {"token": token, "password": password}, hints={"InvalidPassword": ""})


def portal_sign_in(lab, user_name: str = "", password: str = "", mfa_code: str | None = None,
                   pending: str | None = None) -> dict:
    """One step of the portal's sign-in: {"next": "register_mfa" | "mfa_code", "pending", ...}
    or {"signed_in": True, "portal_token", "accounts"} (secrets: never display the token)."""
    _sandbox_only(lab, "Signing in to the AWS access portal")
    from awslab.sandbox_client import call as _request

    payload = {"user_name": user_name, "password": password}
    if pending:
        payload = {"pending": pending}
    if mfa_code:
        payload["mfa_code"] = str(mfa_code)
    return _request(lab.endpoint_url, "/_awslab/portal/sign-in", payload,
                    hints={"AuthenticationFailed": " Check the user name and the password you set "
                                                   "from the invitation."})


def authenticator_code(lab, user_name: str = "", seed: str | None = None) -> str:
    """The person's simulated authenticator app: a code the sandbox accepts now."""
    from awslab.sandbox_client import call as _request

    payload = {"console_secret": _owner_secret(), "user_name": user_name}
    if seed:
        payload["seed"] = seed
    for _ in range(2):
        try:
            return str(_request(lab.endpoint_url, "/_awslab/portal/authenticator-code", payload)["code"])
        except LabError as error:
            wait = getattr(error, "details", {}).get("wait_seconds")
            if error.code != "TryAgain" or wait is None:
                raise
            time.sleep(min(float(wait), 31.0))
    raise LabError("The simulated authenticator has no fresh code yet: try again in a moment.")


def role_credentials(lab, portal_token: str, role_name: str) -> dict:
    """The portal's "Access keys": {"accessKeyId", "secretAccessKey", "sessionToken",
    "expiration" (ms)}: secrets, shown once."""
    _sandbox_only(lab, "Getting credentials from the access portal")
    from awslab.sandbox_client import call as _request

    return _request(lab.endpoint_url, "/_awslab/portal/credentials", {
        "portal_token": portal_token, "account_id": lab.account_id, "role_name": role_name})


# --- 6: the AWS CLI's way: a profile, its sso-session, `aws sso login` ----------------------------

def config_path() -> Path:
    return Path(os.environ.get("AWS_CONFIG_FILE") or Path.home() / ".aws" / "config").expanduser()


def token_cache_path(session_name: str) -> Path:
    """Where botocore (and the AWS CLI) look for an sso-session's token."""
    digest = hashlib.sha1(session_name.encode()).hexdigest()
    return Path.home() / ".aws" / "sso" / "cache" / f"{digest}.json"


def write_sso_profile(lab, profile: str, portal_url: str, role_name: str) -> Path:
    """`[profile NAME]` and `[sso-session NAME]` in the AWS config file, as `aws configure sso`
    writes them (with the sandbox's endpoint_url in the sandbox). Another profile of that name
    that is not an SSO profile of this account is refused."""
    path = config_path()
    config = configparser.RawConfigParser()
    config.read(path)
    section, session = f"profile {profile}", f"sso-session {profile}"
    if config.has_section(section):
        mine = config.get(section, "sso_session", fallback=None) == profile
        if not mine:
            raise LabError(f"The AWS config file already has a profile {profile!r} that is not an "
                           "IAM Identity Center profile: choose another sso_profile_name.",
                           code=Code.ProfileExists)
    created = not config.has_section(section)
    values = {"sso_session": profile, "sso_account_id": lab.account_id, "sso_role_name": role_name,
              "region": lab.region, "output": "json"}
    if lab.sandbox:
        values["endpoint_url"] = lab.endpoint_url
    for name, entries in ((section, values), (session, {
            "sso_start_url": portal_url, "sso_region": lab.region,
            "sso_registration_scopes": SSO_SCOPES})):
        if not config.has_section(name):
            config.add_section(name)
        for key, value in entries.items():
            config.set(name, key, value)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    existed = path.exists()
    with open(path, "w") as handle:
        config.write(handle)
    if not existed:
        os.chmod(path, 0o600)
    if created:
        record.remember(lab.account_id, "sso_profile", profile, config_file=str(path),
                        config_created=not existed)
    return path


def start_sso_login(lab, profile: str) -> dict:
    """What `aws sso login` does first: register a client and start the device authorization.
    Returns {"verification_uri", "user_code", "device"} (device: for finish_sso_login)."""
    config = configparser.RawConfigParser()
    config.read(config_path())
    session = f"sso-session {profile}"
    if not config.has_section(session):
        raise LabError(f"There is no sso-session {profile!r} in the AWS config file: run the "
                       "profile step first.", code=Code.NoProfile)
    start_url = config.get(session, "sso_start_url")
    oidc = lab.client("sso-oidc")
    try:
        client = oidc.register_client(clientName=f"awslab-{profile}", clientType="public",
                                      scopes=[SSO_SCOPES])
        device = oidc.start_device_authorization(clientId=client["clientId"],
                                                 clientSecret=client["clientSecret"],
                                                 startUrl=start_url)
    except Exception as error:
        raise LabError(explain(error, "starting the AWS CLI's sign-in")) from None
    return {"verification_uri": device["verificationUriComplete"], "user_code": device["userCode"],
            "device": {"client": client, "device_code": device["deviceCode"],
                       "interval": device.get("interval", 1), "expires_in": device["expiresIn"],
                       "start_url": start_url, "session": profile}}


def approve_device(lab, portal_token: str, user_code: str) -> dict:
    """The page `aws sso login` opens, in the sandbox's portal: allow the request."""
    _sandbox_only(lab, "Approving the AWS CLI's request")
    from awslab.sandbox_client import call as _request

    return _request(lab.endpoint_url, "/_awslab/portal/approve-device",
                    {"portal_token": portal_token, "user_code": user_code},
                    hints={"InvalidUserCode": ""})


def finish_sso_login(lab, device: dict, *, timeout: float = 60.0) -> Path:
    """Poll for the token as `aws sso login` does (authorization_pending, slow_down), then
    leave it in botocore's SSO token cache (mode 0600). Returns the cache file."""
    oidc = lab.client("sso-oidc")
    client = device["client"]
    interval = float(device.get("interval") or 1)
    deadline = time.monotonic() + timeout
    while True:
        try:
            token = oidc.create_token(clientId=client["clientId"], clientSecret=client["clientSecret"],
                                      grantType="urn:ietf:params:oauth:grant-type:device_code",
                                      deviceCode=device["device_code"])
            break
        except Exception as error:
            code = code_of(error)
            if code == Code.AuthorizationPendingException and time.monotonic() < deadline:
                time.sleep(interval)
                continue
            if code == Code.SlowDownException and time.monotonic() < deadline:
                interval += 1
                time.sleep(interval)
                continue
            if code in (Code.AuthorizationPendingException, Code.SlowDownException):
                raise LabError("The request was never approved in the access portal: approve it "
                               "(the code shown above), or start the sign-in again.",
                               code=Code.AuthorizationPending) from None
            if code == Code.ExpiredTokenException:
                raise LabError("The code expired before it was approved: start the sign-in again "
                               "and approve the new code within ten minutes.", code=Code.ExpiredToken) from None
            raise LabError(explain(error, "finishing the AWS CLI's sign-in")) from None
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    entry = {"startUrl": device["start_url"], "region": lab.region,
             "accessToken": token["accessToken"],
             "expiresAt": (now + datetime.timedelta(seconds=token["expiresIn"])).strftime(stamp),
             "clientId": client["clientId"], "clientSecret": client["clientSecret"],
             "registrationExpiresAt": datetime.datetime.fromtimestamp(
                 client["clientSecretExpiresAt"], datetime.timezone.utc).strftime(stamp)}
    if token.get("refreshToken"):
        entry["refreshToken"] = token["refreshToken"]
    path = token_cache_path(device["session"])
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(entry, handle)
    os.chmod(path, 0o600)
    record.remember(lab.account_id, "sso_token", device["session"], path=str(path))
    return path


def profile_identity(profile: str) -> dict:
    """GetCallerIdentity through the profile, as any AWS tool would use it: botocore's own SSO
    provider reads the cached token and gets short-term credentials."""
    import boto3

    try:
        session = boto3.Session(profile_name=profile)
        identity = session.client("sts").get_caller_identity()
        credentials = session.get_credentials()
    except Exception as error:
        raise LabError(explain(error, f"using the profile {profile}")) from None
    return {"arn": identity["Arn"], "user_id": identity["UserId"],
            "method": getattr(credentials, "method", None)}


# --- 7: side by side ------------------------------------------------------------------------------

def side_by_side(iam_user: str | None, person: str | None, profile: str | None,
                 session_duration: str = "PT1H") -> list[tuple[str, str, str]]:
    """(what, the IAM user of notebook 02, the person of notebook 05) rows."""
    hours = {"PT1H": "1 hour"}.get(session_duration, session_duration)
    return [
        ("who", f"IAM user {iam_user or '(none)'}", f"Identity Center user {person or '(none)'}"),
        ("signs in at", "the account's sign-in URL (one account)",
         "the AWS access portal (every account assigned)"),
        ("on disk", "a long-term access key (in a .csv or ~/.aws/credentials)",
         f"no key: a token in ~/.aws/sso/cache{' and the profile ' + profile if profile else ''}"),
        ("credentials live", "until someone deletes or rotates the key",
         f"{hours} (the permission set's session), then sign in again"),
        ("MFA", "optional, per user", "asked at every sign-in, registered at the first"),
        ("permissions", "the groups the user is in (administrators)",
         "the permission sets assigned to its groups, per account"),
        ("the checklist", "1.10 and 1.12 flag the key; 1.14 passes through the group",
         "nothing to flag: no IAM user, no long-term key"),
        ("right for", "software that cannot use Identity Center or roles",
         "people, in every account of the organization"),
    ]

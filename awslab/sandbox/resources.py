"""The resource ARN and condition keys of every IAM, STS and Account Management action.

An IAM policy statement applies to a request when its Action matches the action and its
Resource matches the ARN AWS evaluates the action against. This module gives that ARN for
every operation of botocore's `iam`, `sts` and `account` service models, built from the
request's parameters, and the action-specific condition keys the parameters put in the
request context.

It follows the "Resource types" and "Condition keys" columns of the Service Authorization
Reference (docs.aws.amazon.com/service-authorization/latest/reference/):
list_awsidentityandaccessmanagementiam.html, list_awssecuritytokenservice.html and
list_awsaccountmanagement.html (as of May 2026), and, where the reference lists no resource
type, the ARN AWS names in its AccessDenied messages:

- ListUsers, ListGroups, ListRoles, ListPolicies, ListInstanceProfiles,
  ListServerCertificates: the type followed by the PathPrefix without its leading "/",
  e.g. `arn:aws:iam::<acct>:user/` or `...:instance-profile/division/` (AWS's messages say
  so; the reference lists no resource type for these).
- Every other action without a resource type: "*".

An existing entity's ARN contains its path (`user/division/bob`): it comes from `lookup`
(the entity's stored Path); unknown entities, or no lookup, give the path "/". A create
uses its Path parameter ("/" by default). Actions whose UserName is optional (ChangePassword,
CreateAccessKey, ListAccessKeys, GetUser, ListMFADevices, ...) default to the caller's own
user; a caller that is not an IAM user (root, or a role session) gets
`arn:aws:iam::<acct>:root` there (AWS: root acts on itself, a role session gets a
ValidationError).

Approximations:
- Where the reference lists several resource types for an action, the one the request names
  is used: SimulatePrincipalPolicy and GetContextKeysForPrincipalPolicy evaluate the
  PolicySourceArn, GenerateServiceLastAccessedDetails and ListPoliciesGrantingServiceAccess
  their Arn; DeleteVirtualMFADevice, TagMFADevice, UntagMFADevice and ListMFADeviceTags
  the SerialNumber (an `mfa/` ARN); ResyncMFADevice, EnableMFADevice, DeactivateMFADevice
  and GetMFADevice the user, as the reference says.
- Renames (UpdateUser, UpdateGroup, UpdateServerCertificate with a new name or path): AWS
  checks both the old and the new ARN; only the old one is given here.
- GetAccessKeyLastUsed names only the key: its owner comes from an optional
  `lookup.access_key_user(access_key_id)`; without it, the caller's own user is used.
- CreateServiceLinkedRole: `role/aws-service-role/<service>/AWSServiceRoleFor...`, named
  by moto's rule (the name the sandbox will give the role), not by each service's own name.
- ListServiceSpecificCredentials with AllUsers: `user/`, as ListUsers.
- CreateDelegationRequest has no id yet: `delegation-request/*`.
- Account Management: a request for the caller's own account (no AccountId) is evaluated
  against `arn:aws:account::<acct>:account`; the reference lists that type for ListRegions,
  GetRegionOptStatus, EnableRegion and DisableRegion too. A member account's AccountId gives
  the `accountInOrganization` shape `arn:aws:account::<acct>:account/o-unknown/<member>`:
  the sandbox has no organization, so the caller's account stands for the management account
  and `o-unknown` for the organization id.
- Actions in botocore but not (yet) in the reference are guesses, marked "not in the
  reference" in the tables below.
- Condition keys: only those the parameters give, for the actions the reference lists them
  for (iam:PolicyARN: Attach/Detach{User,Group,Role}Policy only; Put*PermissionsBoundary get
  iam:PermissionsBoundary). Keys describing an existing entity (e.g.
  iam:PermissionsBoundary of the user a DeleteUserPolicy targets, aws:ResourceTag/*,
  iam:ServiceSpecificCredentialServiceName of an existing credential) are not produced, nor
  iam:PassedToService (PassRole is not an API operation), nor the FIDO keys of
  EnableMFADevice, nor the saml:/OIDC keys that come from an assertion or token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

PARTITION = "aws"
ANY = "*"
ORGANIZATION_ID = "o-unknown"  # the sandbox has no AWS Organizations organization


class Lookup(Protocol):
    """How the module learns entity paths; the sandbox passes moto-backed ones."""

    def path(self, kind: str, name: str) -> str | None:
        """The entity's Path ("/" or "/division/"), None if unknown.

        kind: "user", "group", "role", "instance-profile" or "server-certificate".
        """


@dataclass(frozen=True)
class _Request:
    params: Mapping[str, object]
    account_id: str
    caller_user: str | None
    lookup: Lookup | None

    def get(self, name: str) -> str | None:
        value = self.params.get(name)
        if value is None or value == "":
            return None
        return str(value)

    def iam(self, resource: str) -> str:
        return f"arn:{PARTITION}:iam::{self.account_id}:{resource}"

    def stored_path(self, kind: str, name: str) -> str:
        return _path(self.lookup.path(kind, name) if self.lookup is not None else None)

    def named(self, kind: str, name: str) -> str:
        return self.iam(f"{kind}{self.stored_path(kind, name)}{name}")

    def caller(self) -> str:
        if self.caller_user is None:
            return self.iam("root")
        return self.named("user", self.caller_user)


Builder = Callable[[_Request], str]


def _path(path: str | None) -> str:
    """A Path as it appears in an ARN: "/" or "/division/"."""
    inner = (path or "").strip("/")
    return f"/{inner}/" if inner else "/"


def _entity(kind: str, name_param: str) -> Builder:
    """An existing entity, named by a parameter, at its stored path.

    A user action without UserName acts on the caller's own user.
    """

    def build(r: _Request) -> str:
        name = r.get(name_param)
        if name is None:
            return r.caller() if kind == "user" else r.iam(f"{kind}/")
        return r.named(kind, name)

    return build


def _create(kind: str, name_param: str) -> Builder:
    """A new entity: at the Path parameter, "/" by default."""

    def build(r: _Request) -> str:
        return r.iam(f"{kind}{_path(r.get('Path'))}{r.get(name_param) or ''}")

    return build


def _listing(kind: str) -> Builder:
    """A List action over a path: the type followed by PathPrefix without its leading "/"."""

    def build(r: _Request) -> str:
        return r.iam(f"{kind}/{(r.get('PathPrefix') or '').lstrip('/')}")

    return build


def _arn(param: str, kind: str = "") -> Builder:
    """The ARN the request names (PolicyArn, RoleArn, ...), as given."""

    def build(r: _Request) -> str:
        return r.get(param) or (r.iam(f"{kind}/") if kind else ANY)

    return build


def _mfa(r: _Request) -> str:
    """A virtual MFA device: its serial number is its ARN."""
    serial = r.get("SerialNumber") or ""
    return serial if serial.startswith("arn:") else r.iam(f"mfa/{serial}")


def _oidc_provider(r: _Request) -> str:
    url = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", r.get("Url") or "")
    return r.iam(f"oidc-provider/{url}")


def _saml_provider(r: _Request) -> str:
    return r.iam(f"saml-provider/{r.get('Name') or ''}")


def _service_linked_role(r: _Request) -> str:
    """role/aws-service-role/<service>/AWSServiceRoleFor<Name>[_<CustomSuffix>].

    <Name> by moto's rule, the name the sandbox gives the role: "elasticloadbalancing" for
    elasticloadbalancing.amazonaws.com, "AutoScaling_CustomResource" for
    custom-resource.autoscaling.amazonaws.com (AWS names each service's role its own way).
    """
    service = r.get("AWSServiceName") or ""
    labels = service.split(".")
    base, prefix = labels[max(len(labels) - 3, 0)], labels[0]
    name = _SERVICE_NAME_CONVERSION.get(base, base)
    if base != prefix:
        name += "_" + "".join(part.capitalize() for part in prefix.split("-"))
    suffix = r.get("CustomSuffix")
    role = f"AWSServiceRoleFor{name}" + (f"_{suffix}" if suffix else "")
    return r.iam(f"role/aws-service-role/{service}/{role}")


_SERVICE_NAME_CONVERSION = {
    "autoscaling": "AutoScaling",
    "application-autoscaling": "ApplicationAutoScaling",
    "elasticbeanstalk": "ElasticBeanstalk",
}


def _deletion_task(r: _Request) -> str:
    """task/aws-service-role/<service>/<role>/<uuid> -> that role."""
    parts = (r.get("DeletionTaskId") or "").split("/")
    if len(parts) >= 4 and parts[0] == "task":
        return r.iam("role/" + "/".join(parts[1:-1]))
    return r.iam("role/")


def _access_key_owner(r: _Request) -> str:
    key = r.get("AccessKeyId")
    owner_of = getattr(r.lookup, "access_key_user", None)
    owner = owner_of(key) if key and callable(owner_of) else None
    return r.named("user", owner) if owner else r.caller()


def _service_specific_credentials(r: _Request) -> str:
    if (r.get("AllUsers") or "").lower() == "true":
        return r.iam("user/")
    return _USER(r)


def _access_report(r: _Request) -> str:
    return r.iam(f"access-report/{r.get('EntityPath') or ''}")


def _delegation_request(r: _Request) -> str:
    return r.iam(f"delegation-request/{r.get('DelegationRequestId') or '*'}")


def _root_user(r: _Request) -> str:
    """AssumeRoot: the member account's root user (TargetPrincipal: account id or ARN)."""
    target = r.get("TargetPrincipal") or r.account_id
    return target if target.startswith("arn:") else f"arn:{PARTITION}:iam::{target}:root"


def _federated_user(r: _Request) -> str:
    return f"arn:{PARTITION}:sts::{r.account_id}:federated-user/{r.get('Name') or ''}"


def _account(param: str = "AccountId", member_only: bool = False) -> Builder:
    """The caller's account (`account`), or a member account (`accountInOrganization`)."""

    def build(r: _Request) -> str:
        target = r.get(param)
        if target is None or (target == r.account_id and not member_only):
            return f"arn:{PARTITION}:account::{r.account_id}:account"
        return f"arn:{PARTITION}:account::{r.account_id}:account/{ORGANIZATION_ID}/{target}"

    return build


_USER = _entity("user", "UserName")
_GROUP = _entity("group", "GroupName")
_ROLE = _entity("role", "RoleName")
_PROFILE = _entity("instance-profile", "InstanceProfileName")
_CERTIFICATE = _entity("server-certificate", "ServerCertificateName")
_POLICY = _arn("PolicyArn", "policy")
_OIDC = _arn("OpenIDConnectProviderArn", "oidc-provider")
_SAML = _arn("SAMLProviderArn", "saml-provider")

# operation -> how to build its resource ARN; None: no resource type, "*".
IAM: dict[str, Builder | None] = {
    "AcceptDelegationRequest": _delegation_request,
    "AcquireRole": None,  # not in the reference
    "AddClientIDToOpenIDConnectProvider": _OIDC,
    "AddRoleToInstanceProfile": _PROFILE,
    "AddUserToGroup": _GROUP,
    "AssociateDelegationRequest": _delegation_request,
    "AttachGroupPolicy": _GROUP,
    "AttachRolePolicy": _ROLE,
    "AttachUserPolicy": _USER,
    "ChangePassword": _USER,
    "CreateAccessKey": _USER,
    "CreateAccountAlias": None,
    "CreateDelegationRequest": _delegation_request,
    "CreateGroup": _create("group", "GroupName"),
    "CreateInstanceProfile": _create("instance-profile", "InstanceProfileName"),
    "CreateLoginProfile": _USER,
    "CreateOpenIDConnectProvider": _oidc_provider,
    "CreatePolicy": _create("policy", "PolicyName"),
    "CreatePolicyVersion": _POLICY,
    "CreateRole": _create("role", "RoleName"),
    "CreateSAMLProvider": _saml_provider,
    "CreateServiceLinkedRole": _service_linked_role,
    "CreateServiceSpecificCredential": _USER,
    "CreateUser": _create("user", "UserName"),
    "CreateVirtualMFADevice": _create("mfa", "VirtualMFADeviceName"),
    "DeactivateMFADevice": _USER,
    "DeleteAccessKey": _USER,
    "DeleteAccountAlias": None,
    "DeleteAccountPasswordPolicy": None,
    "DeleteGroup": _GROUP,
    "DeleteGroupPolicy": _GROUP,
    "DeleteInstanceProfile": _PROFILE,
    "DeleteLoginProfile": _USER,
    "DeleteOpenIDConnectProvider": _OIDC,
    "DeletePolicy": _POLICY,
    "DeletePolicyVersion": _POLICY,
    "DeleteRole": _ROLE,
    "DeleteRolePermissionsBoundary": _ROLE,
    "DeleteRolePolicy": _ROLE,
    "DeleteSAMLProvider": _SAML,
    "DeleteSSHPublicKey": _USER,
    "DeleteServerCertificate": _CERTIFICATE,
    "DeleteServiceLinkedRole": _ROLE,
    "DeleteServiceSpecificCredential": _USER,
    "DeleteSigningCertificate": _USER,
    "DeleteUser": _USER,
    "DeleteUserPermissionsBoundary": _USER,
    "DeleteUserPolicy": _USER,
    "DeleteVirtualMFADevice": _mfa,
    "DetachGroupPolicy": _GROUP,
    "DetachRolePolicy": _ROLE,
    "DetachUserPolicy": _USER,
    "DisableOrganizationsRootCredentialsManagement": None,
    "DisableOrganizationsRootSessions": None,
    "DisableOutboundWebIdentityFederation": None,
    "EnableMFADevice": _USER,
    "EnableOrganizationsRootCredentialsManagement": None,
    "EnableOrganizationsRootSessions": None,
    "EnableOutboundWebIdentityFederation": None,
    "GenerateCredentialReport": None,
    "GenerateOrganizationsAccessReport": _access_report,
    "GenerateServiceLastAccessedDetails": _arn("Arn"),
    "GetAccessKeyLastUsed": _access_key_owner,
    "GetAccountAuthorizationDetails": None,
    "GetAccountPasswordPolicy": None,
    "GetAccountProperties": None,  # not in the reference
    "GetAccountSummary": None,
    "GetContextKeysForCustomPolicy": None,
    "GetContextKeysForPrincipalPolicy": _arn("PolicySourceArn"),
    "GetCredentialReport": None,
    "GetDelegationRequest": _delegation_request,
    "GetGroup": _GROUP,
    "GetGroupPolicy": _GROUP,
    "GetHumanReadableSummary": _arn("EntityArn", "delegation-request"),
    "GetInstanceProfile": _PROFILE,
    "GetLoginProfile": _USER,
    "GetMFADevice": _USER,
    "GetOpenIDConnectProvider": _OIDC,
    "GetOrganizationsAccessReport": None,
    "GetOutboundWebIdentityFederationInfo": None,
    "GetPolicy": _POLICY,
    "GetPolicyVersion": _POLICY,
    "GetRole": _ROLE,
    "GetRolePolicy": _ROLE,
    "GetRoleTemplateVersion": None,  # not in the reference
    "GetSAMLProvider": _SAML,
    "GetSSHPublicKey": _USER,
    "GetServerCertificate": _CERTIFICATE,
    "GetServiceLastAccessedDetails": None,
    "GetServiceLastAccessedDetailsWithEntities": None,
    "GetServiceLinkedRoleDeletionStatus": _deletion_task,
    "GetUser": _USER,
    "GetUserPolicy": _USER,
    "ListAccessKeys": _USER,
    "ListAccountAliases": None,
    "ListAttachedGroupPolicies": _GROUP,
    "ListAttachedRolePolicies": _ROLE,
    "ListAttachedUserPolicies": _USER,
    "ListDelegationRequests": None,
    "ListEntitiesForPolicy": _POLICY,
    "ListGroupPolicies": _GROUP,
    "ListGroups": _listing("group"),
    "ListGroupsForUser": _USER,
    "ListInstanceProfileTags": _PROFILE,
    "ListInstanceProfiles": _listing("instance-profile"),
    "ListInstanceProfilesForRole": _ROLE,
    "ListMFADeviceTags": _mfa,
    "ListMFADevices": _USER,
    "ListOpenIDConnectProviderTags": _OIDC,
    "ListOpenIDConnectProviders": None,
    "ListOrganizationsFeatures": None,
    "ListPolicies": _listing("policy"),
    "ListPoliciesGrantingServiceAccess": _arn("Arn"),
    "ListPolicyTags": _POLICY,
    "ListPolicyVersions": _POLICY,
    "ListRolePolicies": _ROLE,
    "ListRoleTags": _ROLE,
    "ListRoles": _listing("role"),
    "ListSAMLProviderTags": _SAML,
    "ListSAMLProviders": None,
    "ListSSHPublicKeys": _USER,
    "ListServerCertificateTags": _CERTIFICATE,
    "ListServerCertificates": _listing("server-certificate"),
    "ListServiceSpecificCredentials": _service_specific_credentials,
    "ListSigningCertificates": _USER,
    "ListUserPolicies": _USER,
    "ListUserTags": _USER,
    "ListUsers": _listing("user"),
    "ListVirtualMFADevices": None,
    "PutAccountProperties": None,  # not in the reference
    "PutGroupPolicy": _GROUP,
    "PutRolePermissionsBoundary": _ROLE,
    "PutRolePolicy": _ROLE,
    "PutUserPermissionsBoundary": _USER,
    "PutUserPolicy": _USER,
    "RejectDelegationRequest": _delegation_request,
    "RemoveClientIDFromOpenIDConnectProvider": _OIDC,
    "RemoveRoleFromInstanceProfile": _PROFILE,
    "RemoveUserFromGroup": _GROUP,
    "ResetServiceSpecificCredential": _USER,
    "ResyncMFADevice": _USER,
    "SendDelegationToken": _delegation_request,
    "SetDefaultPolicyVersion": _POLICY,
    "SetSecurityTokenServicePreferences": None,
    "SimulateCustomPolicy": None,
    "SimulatePrincipalPolicy": _arn("PolicySourceArn"),
    "TagInstanceProfile": _PROFILE,
    "TagMFADevice": _mfa,
    "TagOpenIDConnectProvider": _OIDC,
    "TagPolicy": _POLICY,
    "TagRole": _ROLE,
    "TagSAMLProvider": _SAML,
    "TagServerCertificate": _CERTIFICATE,
    "TagUser": _USER,
    "UntagInstanceProfile": _PROFILE,
    "UntagMFADevice": _mfa,
    "UntagOpenIDConnectProvider": _OIDC,
    "UntagPolicy": _POLICY,
    "UntagRole": _ROLE,
    "UntagSAMLProvider": _SAML,
    "UntagServerCertificate": _CERTIFICATE,
    "UntagUser": _USER,
    "UpdateAccessKey": _USER,
    "UpdateAccountPasswordPolicy": None,
    "UpdateAssumeRolePolicy": _ROLE,
    "UpdateDelegationRequest": _delegation_request,  # not in the reference
    "UpdateGroup": _GROUP,
    "UpdateLoginProfile": _USER,
    "UpdateOpenIDConnectProvider": _OIDC,  # not in the reference
    "UpdateOpenIDConnectProviderThumbprint": _OIDC,
    "UpdateRole": _ROLE,
    "UpdateRoleDescription": _ROLE,
    "UpdateSAMLProvider": _SAML,
    "UpdateSSHPublicKey": _USER,
    "UpdateServerCertificate": _CERTIFICATE,
    "UpdateServiceSpecificCredential": _USER,
    "UpdateSigningCertificate": _USER,
    "UpdateUser": _USER,
    "UploadSSHPublicKey": _USER,
    "UploadServerCertificate": _create("server-certificate", "ServerCertificateName"),
    "UploadSigningCertificate": _USER,
}

STS: dict[str, Builder | None] = {
    "AssumeRole": _arn("RoleArn", "role"),
    "AssumeRoleWithSAML": _arn("RoleArn", "role"),
    "AssumeRoleWithWebIdentity": _arn("RoleArn", "role"),
    "AssumeRoot": _root_user,
    "DecodeAuthorizationMessage": None,
    "GetAccessKeyInfo": None,
    "GetCallerIdentity": None,
    "GetDelegatedAccessToken": None,
    "GetFederationToken": _federated_user,
    "GetScopedCredentials": None,  # not in the reference
    "GetSessionToken": None,
    "GetWebIdentityToken": None,
}

ACCOUNT: dict[str, Builder | None] = {
    "AcceptPrimaryEmailUpdate": _account(member_only=True),
    "DeleteAlternateContact": _account(),
    "DisableRegion": _account(),
    "EnableRegion": _account(),
    "GetAccountInformation": _account(),
    "GetAlternateContact": _account(),
    "GetContactInformation": _account(),
    "GetGovCloudAccountInformation": _account("StandardAccountId"),
    "GetPrimaryEmail": _account(member_only=True),
    "GetPrimaryEmailUpdateStatus": _account(),  # not in the reference
    "GetRegionOptStatus": _account(),
    "ListRegions": _account(),
    "PutAccountName": _account(),
    "PutAlternateContact": _account(),
    "PutContactInformation": _account(),
    "SendPhoneNumberVerification": _account(),  # not in the reference
    "StartPrimaryEmailUpdate": _account(member_only=True),
    "VerifyPhoneNumber": _account(),  # not in the reference
}

RESOURCES: dict[str, dict[str, Builder | None]] = {"iam": IAM, "sts": STS, "account": ACCOUNT}


def resource_arn(
    service: str,
    operation: str,
    params: Mapping[str, object],
    *,
    account_id: str,
    caller_user: str | None,
    lookup: Lookup | None = None,
) -> str:
    """The one ARN `service:operation` is evaluated against, or "*" (no resource type).

    params: the request's parameters (query protocol: flat strings; Account Management: the
    JSON body). caller_user: the calling IAM user's name, None for root or a role session.
    """
    build = RESOURCES.get(service.lower(), {}).get(operation)
    if build is None:
        return ANY
    return build(_Request(params, account_id, caller_user, lookup))


# Actions whose tags (Tags) become aws:RequestTag/<key> and aws:TagKeys.
_REQUEST_TAGS = {
    "iam": {
        "CreateInstanceProfile", "CreateOpenIDConnectProvider", "CreatePolicy", "CreateRole",
        "CreateSAMLProvider", "CreateUser", "CreateVirtualMFADevice", "UploadServerCertificate",
        "TagInstanceProfile", "TagMFADevice", "TagOpenIDConnectProvider", "TagPolicy",
        "TagRole", "TagSAMLProvider", "TagServerCertificate", "TagUser",
    },
    "sts": {
        "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity",
        "GetFederationToken", "GetWebIdentityToken",
    },
}
_POLICY_ARN = {
    "AttachGroupPolicy", "AttachRolePolicy", "AttachUserPolicy",
    "DetachGroupPolicy", "DetachRolePolicy", "DetachUserPolicy",
}
_PERMISSIONS_BOUNDARY = {
    "CreateUser", "CreateRole", "PutUserPermissionsBoundary", "PutRolePermissionsBoundary",
}
_TARGET_REGION = {"EnableRegion", "DisableRegion", "GetRegionOptStatus"}
_ALTERNATE_CONTACT = {"GetAlternateContact", "PutAlternateContact", "DeleteAlternateContact"}


def condition_keys(service: str, operation: str, params: Mapping[str, object]) -> dict[str, object]:
    """The action-specific condition keys the request's parameters put in its context.

    Keys as AWS spells them; values are strings, or lists of strings for multi-valued keys
    (aws:TagKeys, sts:TransitiveTagKeys, ...).
    """
    service = service.lower()
    keys: dict[str, object] = {}

    def put(key: str, param: str) -> None:
        value = params.get(param)
        if value is not None and value != "":
            keys[key] = str(value)

    if operation in _REQUEST_TAGS.get(service, ()):
        tags = [tag for tag in _members(params, "Tags") if isinstance(tag, Mapping)]
        for tag in tags:
            keys[f"aws:RequestTag/{tag.get('Key', '')}"] = str(tag.get("Value", ""))
        if tags:
            keys["aws:TagKeys"] = [str(tag.get("Key", "")) for tag in tags]
    if service == "iam" and operation in IAM and operation.startswith("Untag"):
        tag_keys = [str(key) for key in _members(params, "TagKeys")]
        if tag_keys:
            keys["aws:TagKeys"] = tag_keys

    if service == "iam":
        if operation in _POLICY_ARN:
            put("iam:PolicyARN", "PolicyArn")
        if operation in _PERMISSIONS_BOUNDARY:
            put("iam:PermissionsBoundary", "PermissionsBoundary")
        if operation == "CreateServiceLinkedRole":
            put("iam:AWSServiceName", "AWSServiceName")
        if operation == "GenerateOrganizationsAccessReport":
            put("iam:OrganizationsPolicyId", "OrganizationsPolicyId")
        if operation == "CreateServiceSpecificCredential":
            put("iam:ServiceSpecificCredentialServiceName", "ServiceName")
            put("iam:ServiceSpecificCredentialAgeDays", "CredentialAgeDays")
        if operation == "CreateDelegationRequest":
            put("iam:NotificationChannel", "NotificationChannel")
            put("iam:DelegationDuration", "SessionDuration")
            template = _structure(params, "Permissions").get("PolicyTemplateArn")
            if template:
                keys["iam:TemplateArn"] = str(template)
    elif service == "sts":
        if operation == "AssumeRole":
            put("sts:ExternalId", "ExternalId")
            put("sts:SourceIdentity", "SourceIdentity")
        if operation in {"AssumeRole", "AssumeRoleWithWebIdentity"}:
            put("sts:RoleSessionName", "RoleSessionName")
        if operation in {"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"}:
            transitive = [str(key) for key in _members(params, "TransitiveTagKeys")]
            if transitive:
                keys["sts:TransitiveTagKeys"] = transitive
        if operation == "AssumeRoot":
            task_policy = _structure(params, "TaskPolicyArn").get("arn")
            if task_policy:
                keys["sts:TaskPolicyArn"] = str(task_policy)
        if operation == "GetWebIdentityToken":
            put("sts:DurationSeconds", "DurationSeconds")
            put("sts:SigningAlgorithm", "SigningAlgorithm")
            audience = [str(value) for value in _members(params, "Audience")]
            if audience:
                keys["sts:IdentityTokenAudience"] = audience
    elif service == "account":
        if operation in _TARGET_REGION:
            put("account:TargetRegion", "RegionName")
        if operation in _ALTERNATE_CONTACT and params.get("AlternateContactType"):
            keys["account:AlternateContactTypes"] = [str(params["AlternateContactType"])]
        if operation in {"StartPrimaryEmailUpdate", "AcceptPrimaryEmailUpdate"}:
            email = str(params.get("PrimaryEmail") or "")
            if "@" in email:
                keys["account:EmailTargetDomain"] = email.rsplit("@", 1)[1]
    return keys


_MEMBER = re.compile(r"(\d+)(?:\.(.+))?")


def _members(params: Mapping[str, object], name: str) -> list[object]:
    """A list parameter: a JSON list, or the query protocol's Name.member.N[.Field] keys.

    Items with fields (Tags.member.1.Key) come back as dicts, plain items as strings.
    """
    value = params.get(name)
    if isinstance(value, list):
        return list(value)
    items: dict[int, object] = {}
    prefix = f"{name}.member."
    for key, item in params.items():
        if not key.startswith(prefix):
            continue
        match = _MEMBER.fullmatch(key[len(prefix):])
        if match is None:
            continue
        index, field = int(match.group(1)), match.group(2)
        if field is None:
            items[index] = str(item)
        else:
            entry = items.setdefault(index, {})
            if isinstance(entry, dict):
                entry[field] = str(item)
    return [items[index] for index in sorted(items)]


def _structure(params: Mapping[str, object], name: str) -> Mapping[str, object]:
    """A structure parameter: a JSON object, or the query protocol's Name.Field keys."""
    value = params.get(name)
    if isinstance(value, Mapping):
        return value
    prefix = f"{name}."
    return {key[len(prefix):]: item for key, item in params.items() if key.startswith(prefix)}

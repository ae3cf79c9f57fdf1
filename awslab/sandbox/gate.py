"""Who is calling, and may they: the one layer in front of the additions and moto.

Every AWS request passes `Gate.__call__` first: authenticate, then authorize; a refusal
is answered here, in AWS's words, and the request never reaches moto.

Authentication (AWS Signature Version 4, signed in the Authorization header). The key
id the request names is looked up (root's access keys in account.json, IAM users' keys
in moto, sessions in sessions.py) and the signature is computed again with that key's
secret (botocore's signer) and compared in constant time. AWS's answers, all HTTP 403:
- no signature: MissingAuthenticationToken; a header without Credential, SignedHeaders
  or Signature: IncompleteSignature;
- an unknown, inactive or deleted key, or a session token that does not match:
  InvalidClientTokenId; an expired session: ExpiredToken;
- a wrong secret, a scope for a Region that does not exist or for another service
  than the one answering, or a request more than 15 minutes old or ahead:
  SignatureDoesNotMatch (with AWS's "Signature expired: ..." wording for the clock).
Presigned URLs (the signature in the query string) are not offered by the sandbox.

Authorization (AWS's evaluation logic for identity-based policies, policy.py): root may
do everything; `sts:GetCallerIdentity` and `sts:GetSessionToken` need no permission; an
IAM user (and its sessions) gets what the user's inline and attached policies and its
groups' inline and attached policies allow: an explicit Deny wins, then an Allow, else
denied. The resource is the action's resource ARN (resources.py). A denied call gets
403 AccessDenied with AWS's current message and changes nothing. Sessions made by
GetSessionToken without MFA may call no IAM operation (InvalidClientTokenId) and no STS
operation but GetCallerIdentity (AccessDenied), as on AWS.

The request context (condition keys): aws:username, aws:userid, aws:PrincipalArn,
aws:PrincipalType, aws:PrincipalAccount, aws:MultiFactorAuthPresent (only for sessions:
true when made with an MFA code; absent for long-term access keys, as on AWS),
aws:MultiFactorAuthAge, aws:TokenIssueTime, aws:CurrentTime, aws:EpochTime,
aws:SecureTransport, aws:SourceIp, aws:RequestedRegion, aws:CalledVia is not set, and
the action's own keys (resources.condition_keys). aws:SecureTransport is "true": the
sandbox stands in for AWS's endpoints, which answer only over TLS, although it serves
plain HTTP on this machine.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import logging
import time
from functools import lru_cache
from typing import NamedTuple

from awslab.sandbox import policy, resources
from awslab.sandbox.app import AwsRequest, Caller, SandboxCallError, aws_error
from awslab.sandbox.services.sts import sessions
from awslab.sandbox.state import iam_backend

log = logging.getLogger("awslab.sandbox.gate")
SKEW_SECONDS = 15 * 60
INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"
WRONG_SIGNATURE = ("The request signature we calculated does not match the signature you provided. "
                   "Check your AWS Secret Access Key and signing method. Consult the service "
                   "documentation for details.")
NO_PERMISSION_NEEDED = {"sts:getcalleridentity", "sts:getsessiontoken"}
_AMZ_DATE = "%Y%m%dT%H%M%SZ"


class Refusal(Exception):
    def __init__(self, code: str, message: str, status: int = 403):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


# Authentication.

def parse_authorization(value: str) -> dict[str, str]:
    """{"Credential", "SignedHeaders", "Signature"} of a SigV4 Authorization header."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
        raise Refusal("IncompleteSignature",
                      f"Unsupported AWS 'algorithm': '{algorithm}' (the sandbox, like AWS's IAM, "
                      "accepts AWS4-HMAC-SHA256).")
    parts: dict[str, str] = {}
    for piece in rest.split(","):
        name, _, text = piece.strip().partition("=")
        if name in parts:  # moto reads the first Credential, a dict the last: one of each
            raise Refusal("IncompleteSignature", f"Authorization header has '{name}' more than once.")
        if name:
            parts[name] = text.strip()
    if parts and next(iter(parts)) != "Credential":  # moto finds the scope only there
        raise Refusal("IncompleteSignature", "Authorization header must begin with 'Credential=' "
                      "after the algorithm: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., "
                      "Signature=...")
    missing = [f"Authorization header requires '{name}' parameter."
               for name in ("Credential", "Signature", "SignedHeaders") if not parts.get(name)]
    if missing:
        raise Refusal("IncompleteSignature", " ".join(missing) + f" Authorization={value[:200]}")
    return parts


@lru_cache(maxsize=1)
def _regions() -> frozenset[str]:
    import botocore.session

    from awslab.sandbox.services.account.regions import ALL_REGIONS

    names = set(ALL_REGIONS)
    partitions = botocore.session.get_session().get_component("data_loader").load_data("partitions")
    for partition in partitions.get("partitions", []):
        names.update(partition.get("regions", {}))
    names.add("aws-global")
    return frozenset(names)


@lru_cache(maxsize=8)
def _operations(service: str) -> frozenset[str]:
    import botocore.session

    try:
        model = botocore.session.get_session().get_service_model(service)
    except Exception:
        return frozenset()
    return frozenset(model.operation_names)


def _check_scope(request: AwsRequest, date: str, region: str, service: str, terminator: str,
                 amz_date: str) -> None:
    if terminator != "aws4_request":
        raise Refusal("SignatureDoesNotMatch", "Credential should be scoped with a valid terminator: "
                      f"'aws4_request', not '{terminator}'.")
    if date != amz_date[:8]:
        raise Refusal("SignatureDoesNotMatch", f"Date in Credential scope does not match YYYYMMDD "
                      f"from ISO-8601 version of date from HTTP: '{date}' != '{amz_date[:8]}', "
                      f"from '{amz_date}'.")
    if region not in _regions():
        raise Refusal("SignatureDoesNotMatch", "Credential should be scoped to a valid region. ")
    action = request.action
    if action and request.query_protocol and action not in _operations(service):
        for other in ("iam", "sts"):
            if other != service and action in _operations(other):
                raise Refusal("SignatureDoesNotMatch",
                              f"Credential should be scoped to correct service: '{other}'. ")


def _check_clock(amz_date: str, now: float) -> None:
    try:
        if len(amz_date) != 16 or amz_date[8] != "T" or amz_date[15] != "Z":
            raise ValueError(amz_date)
        when = calendar.timegm((int(amz_date[:4]), int(amz_date[4:6]), int(amz_date[6:8]),
                                int(amz_date[9:11]), int(amz_date[11:13]), int(amz_date[13:15])))
    except ValueError:
        raise Refusal("IncompleteSignature", "Authorization header requires existence of either a "
                      "'X-Amz-Date' or a 'Date' header.") from None

    def stamp(ts: float) -> str:
        return time.strftime(_AMZ_DATE, time.gmtime(ts))

    if when < now - SKEW_SECONDS:
        raise Refusal("SignatureDoesNotMatch", f"Signature expired: {amz_date} is now earlier than "
                      f"{stamp(now - SKEW_SECONDS)} ({stamp(now)} - 15 min.)")
    if when > now + SKEW_SECONDS:
        raise Refusal("SignatureDoesNotMatch", f"Signature not yet current: {amz_date} is still "
                      f"later than {stamp(now + SKEW_SECONDS)} ({stamp(now)} + 15 min.)")


@lru_cache(maxsize=1)
def _verifier() -> type:
    """botocore's SigV4 signer, told which headers were signed and what the body hashed to
    (made once: botocore is imported when the first request is checked)."""
    from botocore.auth import SigV4Auth

    class Verifier(SigV4Auth):
        def headers_to_sign(self, request):
            return request.awslab_headers

        def payload(self, request):
            return request.awslab_payload

        def signature(self, string_to_sign, request):
            key = _signing_key(self.credentials.secret_key, request.context["timestamp"][:8],
                               self._region_name, self._service_name)
            return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

    return Verifier


@lru_cache(maxsize=256)
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """SigV4's derived key (the same for a key's every request of a day, Region and service)."""
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def signature(secret: str, request: AwsRequest, signed_headers: list[str], amz_date: str,
              region: str, service: str) -> str:
    """The SigV4 signature of this request with `secret` (botocore's signer)."""
    from botocore.awsrequest import AWSRequest
    from botocore.compat import HTTPHeaders
    from botocore.credentials import Credentials

    http = request.http
    headers = HTTPHeaders()
    for name in signed_headers:
        value = http.headers.get(name)
        if value is not None:
            headers[name] = value
    raw_path = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or http.path
    path, _, query = raw_path.partition("?")
    url = f"http://{http.headers.get('Host', 'localhost')}{path}" + (f"?{query}" if query else "")
    signed = AWSRequest(method=http.method, url=url, headers=headers, data=request.body)
    signed.context["timestamp"] = amz_date
    signed.awslab_headers = headers
    # The signature covers the body sent: its hash is computed here, never taken from the
    # client (check_payload_hash refuses a header that disagrees).
    signed.awslab_payload = hashlib.sha256(request.body).hexdigest()
    verifier = _verifier()(Credentials("-", secret), service, region)
    return verifier.signature(verifier.string_to_sign(signed, verifier.canonical_request(signed)),
                              signed)


UNSIGNED_PAYLOADS = ("UNSIGNED-PAYLOAD", "STREAMING-")


def check_payload_hash(request: AwsRequest) -> None:
    """X-Amz-Content-Sha256, when sent, must be the SHA-256 of the body sent. IAM, STS and
    Account Management take neither unsigned nor streaming (chunked-signature) payloads: on AWS
    the signature of these APIs always covers the body (SigV4's canonical request hashes it)."""
    claimed = request.http.headers.get("X-Amz-Content-Sha256")
    if claimed is None:
        return
    if claimed.upper().startswith(UNSIGNED_PAYLOADS):
        raise Refusal("SignatureDoesNotMatch", f"{WRONG_SIGNATURE} (this API signs the body itself: "
                      f"an X-Amz-Content-Sha256 of {claimed[:40]} is not accepted)")
    if not hmac.compare_digest(claimed.lower().encode(),
                               hashlib.sha256(request.body).hexdigest().encode()):
        raise Refusal("SignatureDoesNotMatch", f"{WRONG_SIGNATURE} (the X-Amz-Content-Sha256 header "
                      "is not the SHA-256 of the body sent)")


def identify(account, key: str, token: str | None, now: float) -> tuple[Caller, str]:
    """The caller a key id stands for and the secret it signs with; Refusal otherwise."""
    root = account.root_key(key)
    if root is not None:
        if root.status != "Active" or token:
            raise Refusal("InvalidClientTokenId", INVALID_TOKEN)
        return Caller("root", account.account_id, key), root.secret_access_key
    session = sessions.find(key)
    if session is not None:
        if not token or not hmac.compare_digest(token.encode(), session["session_token"].encode()):
            raise Refusal("InvalidClientTokenId", INVALID_TOKEN)
        if session["expires"] <= now:
            raise Refusal("ExpiredToken", EXPIRED_TOKEN)
        if session["kind"] == "root":
            return Caller("root", account.account_id, key, session=session), session["secret_access_key"]
        if session["kind"] == "role":
            role = _role(iam_backend(account.account_id), session["role_name"])
            if role is None or role.id != session["role_id"]:  # the role was deleted (or remade)
                raise Refusal("InvalidClientTokenId", INVALID_TOKEN)
            return (Caller("role", account.account_id, key, user_id=f"{role.id}:{session['session_name']}",
                           path=role.path, session=session, role_name=role.name,
                           session_name=session["session_name"]),
                    session["secret_access_key"])
        user = iam_backend(account.account_id).users.get(session["user_name"])
        if user is None:
            raise Refusal("InvalidClientTokenId", INVALID_TOKEN)
        return (Caller("user", account.account_id, key, user.name, user.id, user.path, session),
                session["secret_access_key"])
    backend = iam_backend(account.account_id)
    user_key = backend.access_keys.get(key)
    if user_key is None or user_key.status != "Active" or token:
        raise Refusal("InvalidClientTokenId", INVALID_TOKEN)
    user = backend.users.get(user_key.user_name)
    if user is None:
        raise Refusal("InvalidClientTokenId", INVALID_TOKEN)
    return Caller("user", account.account_id, key, user.name, user.id, user.path), user_key.secret_access_key


def authenticate(account, request: AwsRequest, now: float | None = None) -> Caller:
    now = time.time() if now is None else now
    http = request.http
    header = http.headers.get("Authorization")
    if header is None:
        if "X-Amz-Signature" in http.args or "X-Amz-Credential" in http.args:
            raise Refusal("IncompleteSignature", "The sandbox does not accept presigned URLs (a "
                          "signature in the query string): sign the request in its Authorization "
                          "header.")
        raise Refusal("MissingAuthenticationToken", "Request is missing Authentication Token")
    parts = parse_authorization(header)
    scope = parts["Credential"].split("/")
    if len(scope) != 5:
        raise Refusal("IncompleteSignature", "Credential should have exactly five parts: "
                      "<key id>/<date>/<region>/<service>/aws4_request, not "
                      f"'{parts['Credential'][:120]}'.")
    key, date, region, service, terminator = scope
    amz_date = http.headers.get("X-Amz-Date") or ""
    _check_clock(amz_date, now)
    _check_scope(request, date, region, service, terminator, amz_date)
    token = http.headers.get("X-Amz-Security-Token")
    caller, secret = identify(account, key, token, now)
    check_payload_hash(request)
    signed_headers = [name for name in parts["SignedHeaders"].lower().split(";") if name]
    if "host" not in signed_headers:
        raise Refusal("SignatureDoesNotMatch", "'Host' must be a 'SignedHeader' in the "
                      "AWS Authorization.")
    expected = signature(secret, request, signed_headers, amz_date, region, service)
    if not hmac.compare_digest(expected.encode(), parts["Signature"].encode()):
        raise Refusal("SignatureDoesNotMatch", WRONG_SIGNATURE)
    return caller


# Authorization.

def operation_of(request: AwsRequest) -> str | None:
    """The API operation: the query protocol's Action, a JSON protocol's X-Amz-Target, or
    Account Management's path (/listRegions -> ListRegions)."""
    if request.query_protocol:
        return request.action
    if request.service == "account":  # REST: the path names the operation, as moto reads it
        if request.http.headers.get("X-Amz-Target"):
            raise Refusal("SerializationException", "Account Management is a REST API: it takes "
                          "no X-Amz-Target header.", 400)
        name = request.path.strip("/").split("/")[-1]
        return name[:1].upper() + name[1:] if name else None
    target = request.http.headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    return None


def check_action(request: AwsRequest, service: str) -> None:
    """A query-protocol request names one operation of the service its signature is scoped
    to (AWS's common errors: MissingAction, InvalidAction, both HTTP 400)."""
    if not request.query_protocol:
        return
    if not request.action:
        raise Refusal("MissingAction", "The request must contain the parameter Action.", 400)
    known = _operations(service)
    if known and request.action not in known:
        version = request.params.get("Version", "")
        raise Refusal("InvalidAction", f"Could not find operation {request.action} for version "
                      f"{version}", 400)


class Held(NamedTuple):
    """One identity-based policy a principal holds, and where it comes from: named as IAM's
    policy simulator names it (services/iam/simulator.py). The gate makes a few for every
    request (about 1.5 us in all, next to a request's 2 to 4 ms)."""

    source_id: str                 # a managed policy's name; an inline one's "group_admins_Name"
    document: str
    attached_to: tuple[str, str]   # ("user", "alice"), ("group", "administrators"), ("role", ...)
    arn: str | None = None         # a managed policy's ARN; None for an inline policy
    inline_name: str | None = None


def held_by(kind: str, entity) -> list[Held]:
    """The inline and attached policies of one user, group or role (`kind`), without a user's
    groups'."""
    inline = [Held(f"{kind}_{entity.name}_{name}", document, (kind, entity.name), inline_name=name)
              for name, document in entity.policies.items()]
    return inline + [Held(managed.name, default_document(managed), (kind, entity.name), arn=managed.arn)
                     for managed in entity.managed_policies.values()]


def held_policies(backend, user) -> list[Held]:
    """The user's inline and attached policies and its groups' inline and attached ones, in
    the order identity_policies() evaluates them."""
    held = held_by("user", user)
    for group in backend.groups.values():
        if user in group.users:
            held += held_by("group", group)
    return held


def parsed(held: list[Held]) -> list[tuple[Held, policy.Policy]]:
    """Each held policy with its parse; one IAM would refuse (refused when put, so one that
    got in anyway) grants nothing and is left out."""
    found = []
    for each in held:
        try:
            found.append((each, policy.parse(each.document)))
        except policy.MalformedPolicy:
            continue
    return found


def identity_policies(backend, user) -> list[policy.Policy]:
    """The user's inline and attached policies and its groups' inline and attached ones."""
    return [parsed_policy for _, parsed_policy in parsed(held_policies(backend, user))]


def default_document(managed) -> str:
    """A managed policy's default version's document."""
    for version in managed.versions:
        if version.is_default:
            return version.document
    return "{}"


def _role(backend, name: str | None):
    return next((r for r in backend.roles.values() if r.name == name), None) if name else None


def role_policies(backend, role) -> list[policy.Policy]:
    """A role's inline and attached policies (a role is in no group)."""
    return [parsed_policy for _, parsed_policy in parsed(held_by("role", role))]


def context(caller: Caller, region: str, now: float, source_ip: str) -> dict[str, object]:
    keys: dict[str, object] = {
        "aws:PrincipalArn": caller.principal_arn, "aws:PrincipalAccount": caller.account_id,
        "aws:PrincipalType": "Account" if caller.is_root else (
            "AssumedRole" if caller.is_role else "User"),
        "aws:userid": caller.account_id if caller.is_root else caller.user_id,
        "aws:CurrentTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        "aws:EpochTime": str(int(now)), "aws:SecureTransport": "true",
        "aws:SourceIp": source_ip,
        "aws:RequestedRegion": region,
    }
    if caller.user_name:
        keys["aws:username"] = caller.user_name
    if caller.session is not None:
        keys["aws:MultiFactorAuthPresent"] = "true" if caller.session.get("mfa") else "false"
        keys["aws:TokenIssueTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                   time.gmtime(caller.session["issued"]))
        if caller.session.get("mfa_time"):
            keys["aws:MultiFactorAuthAge"] = str(int(now - caller.session["mfa_time"]))
    return keys


def decide(caller: Caller, service: str, operation: str, params: dict, region: str = "us-east-1",
           source_ip: str = "127.0.0.1", now: float | None = None) -> None:
    """Refusal unless `caller` may call service:operation with these parameters."""
    action = f"{service}:{operation}"
    session = caller.session
    if session is not None and session.get("origin") == "GetSessionToken":  # root's too
        if service == "iam" and not session.get("mfa"):
            raise Refusal("InvalidClientTokenId", INVALID_TOKEN)
        if service == "sts" and operation not in ("GetCallerIdentity", "AssumeRole"):
            raise Refusal("AccessDenied", sessions.SESSION_STS)
    if caller.is_root or action.lower() in NO_PERMISSION_NEEDED:
        return
    now = time.time() if now is None else now
    backend = iam_backend(caller.account_id)
    if caller.is_role:
        role = _role(backend, caller.role_name)
        if role is None:
            raise Refusal("InvalidClientTokenId", INVALID_TOKEN)
        held, boundary = role_policies(backend, role), None
    else:
        user = backend.users.get(caller.user_name)
        if user is None:
            raise Refusal("InvalidClientTokenId", INVALID_TOKEN)
        held, boundary = identity_policies(backend, user), _boundary(backend, user)
    resource = resources.resource_arn(service, operation, params, account_id=caller.account_id,
                                      caller_user=caller.user_name, lookup=_Lookup(backend))
    keys = context(caller, region, now, source_ip)
    keys.update(resources.condition_keys(service, operation, params))
    decision = policy.evaluate(held, action, resource, keys, boundary=boundary)
    if decision.allowed or (not decision.explicit_deny and _own_password(backend, caller, action, resource)):
        return
    why = ("with an explicit deny in an identity-based policy" if decision.explicit_deny else
           f"because no identity-based policy allows the {action} action")
    code = "AccessDeniedException" if service == "account" else "AccessDenied"
    raise Refusal(code, f"User: {caller.arn} is not authorized to perform: {action} on resource: "
                        f"{resource} {why}")


def _own_password(backend, caller: Caller, action: str, resource: str) -> bool:
    """The password policy's "Allow users to change their own password" lets every IAM user
    call ChangePassword on itself and read the policy."""
    rules = backend.account_password_policy
    if caller.is_role or rules is None or not rules.allow_users_to_change_password:
        return False
    return action == "iam:GetAccountPasswordPolicy" or (
        action == "iam:ChangePassword" and resource == caller.arn)


def _boundary(backend, user) -> list[policy.Policy] | None:
    arn = getattr(user, "awslab_permissions_boundary", None)
    managed = backend.managed_policies.get(arn) if arn else None
    return [policy.parse(default_document(managed))] if managed is not None else None


class _Lookup:
    """Entity paths from moto's backend, for resources.resource_arn."""

    def __init__(self, backend):
        self.backend = backend

    def path(self, kind: str, name: str) -> str | None:
        table = {"user": self.backend.users, "group": self.backend.groups,
                 "role": self.backend.roles, "instance-profile": self.backend.instance_profiles}
        if kind == "role":
            found = next((r for r in self.backend.roles.values() if r.name == name), None)
        elif kind == "instance-profile":
            found = next((p for p in self.backend.instance_profiles.values() if p.name == name), None)
        else:
            found = table.get(kind, {}).get(name)
        return getattr(found, "path", None) if found is not None else None


# IAM operations whose UserName, when not given, is the calling user's (AWS: "IAM determines
# the user name implicitly based on the Amazon Web Services access key ID signing the request").
CALLER_IS_DEFAULT_USER = frozenset({
    "CreateAccessKey", "CreateLoginProfile", "DeactivateMFADevice", "DeleteAccessKey",
    "DeleteLoginProfile", "DeleteServiceSpecificCredential", "DeleteSigningCertificate",
    "GetLoginProfile", "GetMFADevice", "GetUser", "ListAccessKeys", "ListMFADevices",
    "ListSSHPublicKeys", "ListServiceSpecificCredentials", "ListSigningCertificates",
    "ResetServiceSpecificCredential", "UpdateAccessKey", "UpdateServiceSpecificCredential",
    "UpdateSigningCertificate", "UploadSigningCertificate"})


def name_the_caller(request: AwsRequest, caller: Caller) -> None:
    """Hand moto the calling IAM user's name where AWS implies it. moto alone looks for the
    signing key among long-term keys (a session's is not there: it answers for a
    "default_user") or acts on whoever owns the AccessKeyId named (another user's key)."""
    if (caller.is_root or request.service != "iam" or not request.query_protocol
            or request.action not in CALLER_IS_DEFAULT_USER or "UserName" in request.params
            or str(request.params.get("AllUsers", "")).lower() == "true"):
        return
    request.params["UserName"] = caller.user_name  # request.hand_to_moto() writes it out


def request_params(request: AwsRequest) -> dict:
    if request.query_protocol:
        return request.params
    body = request.json()
    return body if isinstance(body, dict) else {}


class Gate:
    """authenticate, then authorize; None lets the request go on."""

    def __init__(self, account):
        self.account = account

    def __call__(self, request: AwsRequest):
        try:
            caller = authenticate(self.account, request)
            request.caller = caller
            check_action(request, request.service)
            # An operation the sandbox cannot name (a REST service) is judged as service:*.
            operation = operation_of(request) or "*"
            decide(caller, request.service, operation, request_params(request),
                   request.region or self.account.region,
                   request.environ.get("REMOTE_ADDR") or "127.0.0.1")
            name_the_caller(request, caller)
            request.hand_to_moto()  # moto executes exactly what was judged
        except Refusal as refusal:
            return aws_error(request, refusal.status, refusal.code, refusal.message)
        except Exception:  # never let a request through undecided
            log.exception("the gate failed on %s %s", request.service, request.action)
            return aws_error(request, 500, "InternalFailure", "The sandbox could not decide on "
                             "this request (its log, server.log, says why); nothing was changed.")
        return None


def install(app) -> None:
    app.gate = Gate(app.account)

    def authenticate_route(request: AwsRequest) -> Caller:
        try:
            return authenticate(app.account, request)
        except Refusal as refusal:
            raise SandboxCallError(refusal.code, refusal.message, refusal.status) from None

    app.authenticate = authenticate_route

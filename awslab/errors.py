"""One sentence a learner can act on, for every way a step can fail.

`LabError` carries that sentence. `explain()` turns anything boto3 raises into one.
The traceback goes to the log (`awslab.log`), never into a form.
"""

from __future__ import annotations

import logging
import math
import re

log = logging.getLogger("awslab")


class LabError(Exception):
    """A refused step, told in one sentence: what happened and what to do next."""

    def __init__(self, sentence: str, *, code: str | None = None):
        from awslab.redaction import redact

        sentence = redact(sentence)  # never a secret the lab holds, whatever a sentence quotes
        super().__init__(sentence)
        self.sentence = sentence
        self.code = code

    def _render_traceback_(self):
        # IPython shows this instead of a traceback: a headless run fails with the
        # form's sentence, not a wall of frames.
        return [f"LabError: {self.sentence}"]


class SandboxDown(LabError):
    """The sandbox does not answer (its code is always Code.SandboxDown)."""

    def __init__(self, sentence: str):
        super().__init__(sentence, code=Code.SandboxDown)


class Code:
    """Every code a LabError carries, in one place. Where AWS has a name for the failure
    (NoSuchEntity, EntityAlreadyExists, ...) the lab uses AWS's; the rest are the lab's own.
    Compare with `code_of(error) == Code.NoSuchEntity`, never with a string."""

    AWSOrganizationsNotInUseException = "AWSOrganizationsNotInUseException"
    AuthorizationPending = "AuthorizationPending"
    AuthorizationPendingException = "AuthorizationPendingException"
    BadConfig = "BadConfig"
    BadParamsFile = "BadParamsFile"
    ConcurrentModification = "ConcurrentModification"
    Conflict = "Conflict"
    ConflictException = "ConflictException"
    ConsoleOnly = "ConsoleOnly"
    EnabledByDefault = "EnabledByDefault"
    EntityAlreadyExists = "EntityAlreadyExists"
    ExpiredToken = "ExpiredToken"
    HomeNotPrivate = "HomeNotPrivate"
    ExpiredTokenException = "ExpiredTokenException"
    InProgress = "InProgress"
    InvalidAlias = "InvalidAlias"
    InvalidClientTokenId = "InvalidClientTokenId"
    InvalidInput = "InvalidInput"
    LimitExceeded = "LimitExceeded"
    MissingCode = "MissingCode"
    MissingKeys = "MissingKeys"
    MissingPassword = "MissingPassword"
    NeedProfile = "NeedProfile"
    NoAccessKey = "NoAccessKey"
    NoCredentials = "NoCredentials"
    NoCredentialsFile = "NoCredentialsFile"
    NoDevice = "NoDevice"
    NoMfaDevice = "NoMfaDevice"
    NoNotebooks = "NoNotebooks"
    NoParamsFile = "NoParamsFile"
    NoPassword = "NoPassword"
    NoProfile = "NoProfile"
    NoSuchEntity = "NoSuchEntity"
    ResourceNotFoundException = "ResourceNotFoundException"
    ValidationException = "ValidationException"
    SlowDownException = "SlowDownException"
    NotAUser = "NotAUser"
    NotAdministrator = "NotAdministrator"
    NotConfirmed = "NotConfirmed"
    NotRoot = "NotRoot"
    NotSandbox = "NotSandbox"
    NotSignedIn = "NotSignedIn"
    NotSimulated = "NotSimulated"
    OtherAccount = "OtherAccount"
    PasswordPolicyViolation = "PasswordPolicyViolation"
    PasswordsDiffer = "PasswordsDiffer"
    PortTaken = "PortTaken"
    ProfileExists = "ProfileExists"
    ProfileNotFound = "ProfileNotFound"
    ReportTimeout = "ReportTimeout"
    ResourceNotFoundException = "ResourceNotFoundException"
    RootKeys = "RootKeys"
    SandboxDown = "SandboxDown"
    SandboxHomeNotWritable = "SandboxHomeNotWritable"
    Stale = "Stale"
    StillEnabling = "StillEnabling"
    Throttling = "Throttling"
    UnknownNotebook = "UnknownNotebook"
    UnknownParameter = "UnknownParameter"
    UnknownRegion = "UnknownRegion"
    UnknownTarget = "UnknownTarget"
    ValidationError = "ValidationError"
    WrongParameter = "WrongParameter"


CODES = frozenset(value for name, value in vars(Code).items() if not name.startswith("_"))


def code_of(error: BaseException) -> str | None:
    """The code of a refusal: a LabError's, or the AWS error code of a botocore ClientError."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return getattr(error, "code", None)


# What each AWS error code means for a learner, when AWS's own message is not enough.
HINTS = {
    "EntityAlreadyExists": "it already exists; pick another name or use the existing one",
    "NoSuchEntity": "it does not exist (it may have been deleted); check the name",
    "LimitExceeded": "an AWS limit was reached; delete something unused first",
    "DeleteConflict": "it still has attached parts; remove those first",
    "ValidationError": "AWS refused the value; check it against the rules shown",
    "InvalidInput": "AWS refused the value; check it against the rules shown",
    "MalformedPolicyDocument": "the policy document is not valid",
    "PasswordPolicyViolation": "the password breaks the account's password policy",
    "InvalidAuthenticationCode": "the codes were not accepted; type two codes in a row from your authenticator app",
    "ExpiredToken": "your credentials have expired; sign in again (for example `aws sso login`, AWS CLI v2) and re-run this cell",
    "ExpiredTokenException": "your credentials have expired; sign in again (for example `aws sso login`, AWS CLI v2) and re-run this cell",
    "InvalidClientTokenId": "AWS does not recognise these credentials (they may have been deleted or deactivated); use current ones",
    "SignatureDoesNotMatch": "the secret access key does not match the access key id; check both",
    "UnrecognizedClientException": "AWS does not recognise these credentials; use current ones",
    "Throttling": "AWS is throttling requests; wait a few seconds and try again",
    "ConcurrentModification": "another change is in progress; wait a few seconds and try again",
    "ConflictException": "the resource is changing right now; wait until it settles and try again",
}

ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}

# Calls whose Throttling means "too many wrong codes" (AWS, and the sandbox, throttle guessing).
CODE_GUESSES = {"EnableMFADevice", "ResyncMFADevice", "GetSessionToken"}


def throttled_sentence(wait_seconds=None, guesses: str = "MFA codes") -> str:
    """The one sentence for a refusal of more guesses (AWS's `Throttling` after wrong codes or
    passwords): what happened, and how long to wait when the answer says (Retry-After)."""
    try:
        wait = max(1, math.ceil(float(wait_seconds))) if wait_seconds is not None else None
    except (TypeError, ValueError):
        wait = None
    when = (f"wait {wait} second{'s' if wait != 1 else ''} and try again" if wait
            else "wait a minute and try again")
    return f"Too many wrong {guesses}: AWS refuses more tries for a while; {when}."


def action_of(service: str, operation: str) -> str:
    """The IAM action name for an API operation, e.g. ('iam', 'CreateUser') -> 'iam:CreateUser'."""
    return f"{service}:{operation}"


def explain(error: BaseException, doing: str | None = None) -> str:
    """One sentence for any error from a step. `doing` names the step ("creating the user").
    Never a secret: what the lab holds, and anything shaped like a secret access key or a
    session token, is scrubbed from it (an error can quote what it was given: awslab.log.scrub)."""
    from awslab.redaction import scrub

    return scrub(_explain(error, doing))


def _explain(error: BaseException, doing: str | None) -> str:
    if isinstance(error, LabError):
        return error.sentence
    lead = f"While {doing}, " if doing else ""
    try:
        from botocore import exceptions as bx
    except ImportError:  # pragma: no cover
        bx = None
    if bx is not None:
        if isinstance(error, bx.ClientError):
            err = error.response.get("Error", {})
            code = err.get("Code", "Error")
            message = _clean(err.get("Message", ""))
            op = getattr(error, "operation_name", "") or ""
            service = _service_of(error)
            if code in ACCESS_DENIED:
                return (
                    f"{lead}AWS denied {op or 'the call'} ({code}): your identity needs the "
                    f"permission `{action_of(service, op)}`; ask an administrator to allow it, "
                    "or connect with an identity that has it."
                )
            if code == "Throttling" and op in CODE_GUESSES:
                headers = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
                return lead + _lower_first(throttled_sentence(headers.get("retry-after")), lead)
            hint = HINTS.get(code)
            said = f"AWS said {code}: {message}" if message else f"AWS said {code}"
            if hint:
                return _sentence(f"{lead}{said} ({hint})")
            return _sentence(f"{lead}{said}")
        if isinstance(error, bx.NoCredentialsError | bx.PartialCredentialsError):
            return (
                f"{lead}no AWS credentials were found: set AWS_PROFILE or run `aws configure` "
                "(or AWS CLI v2's `aws sso login`), or choose the sandbox target."
            )
        if isinstance(error, bx.ProfileNotFound):
            return _sentence(f"{lead}{_clean(str(error))}: pick a profile from ~/.aws/config or ~/.aws/credentials.")
        if isinstance(error, bx.TokenRetrievalError | bx.SSOTokenLoadError):
            return f"{lead}your SSO session has expired: run `aws sso login` (AWS CLI v2) and re-run this cell."
        if isinstance(error, bx.EndpointConnectionError | bx.ConnectionClosedError | bx.ReadTimeoutError | bx.ConnectTimeoutError):
            endpoint = getattr(error, "kwargs", {}).get("endpoint_url", "")
            if endpoint.startswith("http://127.0.0.1") or endpoint.startswith("http://localhost"):
                return (
                    f"{lead}the sandbox at {endpoint} is not answering (it was stopped or killed): "
                    "run `awslab sandbox start` in a terminal, or re-run the first cell of this notebook, which starts it."
                )
            return f"{lead}AWS could not be reached ({_clean(str(error))}); check the network and try again."
    return _sentence(f"{lead}something unexpected went wrong ({type(error).__name__}: {_clean(str(error))}); the details are in the lab's log, `awslab.log` under AWSLAB_HOME")


def _service_of(error) -> str:
    """The IAM action prefix of the failed operation (iam, sts, account, sso, ...): the one
    AWS's AccessDenied message names ("not authorized to perform: sso:CreateAccountAssignment"),
    else the first service whose API has the operation."""
    from awslab import aws_model

    operation = getattr(error, "operation_name", "") or ""
    said = re.search(r"perform: ([\w-]+):" + re.escape(operation) + r"\b",
                     str(error.response.get("Error", {}).get("Message", "")))
    if operation and said:
        return said.group(1)
    for service, prefix in (("iam", "iam"), ("sts", "sts"), ("account", "account"),
                            ("organizations", "organizations"), ("sso-admin", "sso"),
                            ("identitystore", "identitystore")):
        if operation in aws_model.operation_names(service):
            return prefix
    return "iam"


def _lower_first(text: str, lead: str) -> str:
    return text[0].lower() + text[1:] if lead else text


def _clean(text: str) -> str:
    text = " ".join(str(text).split())
    return text.rstrip(".")


def _sentence(text: str) -> str:
    text = re.sub(r"^(While [^,]+, )([A-Z])([a-z])", lambda m: m[1] + m[2].lower() + m[3], text.strip())
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."

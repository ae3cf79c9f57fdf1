"""AWS's API model as botocore ships it: the one module of awslab that reads botocore's shapes.

botocore carries, for every operation of every service, the input it takes: each member's
type, whether it is required, and the constraints AWS checks before it acts (lengths,
patterns, numeric ranges, enumerations). This module answers, from that model:

- `operation_names(service)`: the operations a service has (empty for an unknown service);
- `problems(service, operation, params)`: every constraint a request's input breaks, each a
  `Problem` with the member's path as AWS names it ('userName', 'tags.1.member.value') and
  AWS's words for the constraint; `message(problems)` is the ValidationError message AWS's
  query services send ("1 validation error detected: Value '🚀' at 'tags.1.member.value'
  failed to satisfy constraint: Member must satisfy regular expression pattern: ...");
- `query_input(...)`: a query-protocol request's flat parameters (Tags.member.1.Key=...)
  as the nested input the model describes;
- `service_for_signing_name`, `protocol`, `operation_for`: which service a SigV4 scope
  names, how it speaks, and which of its operations a REST request calls.

botocore's patterns are Java regular expressions. Python's `re` reads most of them as they
are; what it lacks is translated here (`java_regex`): Unicode general categories
(`\\p{L}`, `\\p{Z}`, `\\p{N}`, ... built from Python's `unicodedata`, whose Unicode version
may be a little older or newer than the JVM's), and Java's ASCII-only `\\w`, `\\d`, `\\s`
(compiled with re.ASCII). A pattern that cannot be translated raises ValueError; the
constraint is then left unchecked rather than guessed (tests check every pattern of the
services awslab uses translates).

Lengths count Unicode code points (Smithy's length of a string). botocore is imported
only when a model is first needed. The sandbox hands this module moto's own cached models
(`use_models`), so one copy of each model is in its memory.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

_source: list[Callable] = []  # a function service -> botocore ServiceModel, when set
_lock = threading.Lock()


def use_models(source: Callable | None) -> None:
    """Read models through `source(service) -> botocore.model.ServiceModel` (for example
    moto's cached `get_service_model`), or botocore's own loader again with None."""
    with _lock:
        _source[:] = [source] if source is not None else []
        service_model.cache_clear()


@lru_cache(maxsize=1)
def _loader():
    import botocore.session

    return botocore.session.get_session().get_component("data_loader")


@lru_cache(maxsize=32)
def service_model(service: str):
    """botocore's ServiceModel of `service` (its botocore name: "iam", "accessanalyzer");
    None for a service botocore does not know."""
    if _source:
        try:
            return _source[0](service)
        except Exception:
            return None
    from botocore.exceptions import DataNotFoundError
    from botocore.model import ServiceModel

    try:
        return ServiceModel(_loader().load_service_model(service, "service-2"), service)
    except DataNotFoundError:
        return None


def operation_names(service: str) -> frozenset[str]:
    model = service_model(service)
    return frozenset(model.operation_names) if model is not None else frozenset()


def protocol(service: str) -> str | None:
    """"query", "json", "rest-json", "rest-xml" or "ec2"; None for an unknown service."""
    model = service_model(service)
    return model.metadata.get("protocol") if model is not None else None


@lru_cache(maxsize=1)
def _available() -> tuple[str, ...]:
    return tuple(_loader().list_available_services("service-2"))


@lru_cache(maxsize=64)
def service_for_signing_name(name: str) -> str | None:
    """The botocore service whose requests are signed for `name` (a SigV4 credential
    scope's service: "access-analyzer" -> "accessanalyzer"), or None."""
    name = (name or "").lower()
    if not name:
        return None
    plain = name.replace("-", "")
    candidates = [name, plain] + [s for s in _available() if s.replace("-", "") == plain]
    for service in dict.fromkeys(candidates):
        if service not in _available():
            continue
        model = service_model(service)
        if model is None:
            continue
        metadata = model.metadata
        if name in {metadata.get("signingName", ""), metadata.get("endpointPrefix", ""), service}:
            return service
    return None


def operation_for(service: str, method: str, path: str) -> str | None:
    """The operation of a REST service (rest-json, rest-xml) that `method path` calls: the
    one whose requestUri template matches (the longest literal prefix wins), or None."""
    model = service_model(service)
    if model is None:
        return None
    path = path.split("?", 1)[0] or "/"
    best, best_score = None, -1
    for name in model.operation_names:
        http = model.operation_model(name).http
        if http.get("method", "POST").upper() != method.upper():
            continue
        template = http.get("requestUri", "/").split("?", 1)[0]
        if _uri_regex(template).fullmatch(path):
            score = len(template.split("{", 1)[0])
            if score > best_score:
                best, best_score = name, score
    return best


@lru_cache(maxsize=2048)
def _uri_regex(template: str) -> re.Pattern:
    parts = re.split(r"(\{[^}]+\})", template)
    out = []
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            out.append(".+" if part.endswith("+}") else "[^/]+")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))


# Java regular expressions, as botocore's models write them.

_CATEGORY = re.compile(r"\\([pP])\{(?:Is)?([A-Za-z]{1,2})\}")


@lru_cache(maxsize=2)
def _categories(ascii_only: bool = False) -> dict[str, tuple[tuple[int, int], ...]]:
    """Unicode general category ("Lu", "Nd", ...) -> its code point ranges: of every code point
    (one pass, about 0.15 s, once per process), or of ASCII's 128 only."""
    import sys
    import unicodedata

    last = 0x7F if ascii_only else sys.maxunicode
    found: dict[str, list[tuple[int, int]]] = {}
    category = unicodedata.category
    previous, start = None, 0
    for code in range(last + 1):
        current = category(chr(code))
        if current != previous:
            if previous is not None:
                found.setdefault(previous, []).append((start, code - 1))
            previous, start = current, code
    found.setdefault(previous, []).append((start, last))
    return {name: tuple(ranges) for name, ranges in found.items()}


# Unicode's general categories (stable since Unicode 4.1), and their major classes.
_GENERAL = frozenset("Lu Ll Lt Lm Lo Mn Mc Me Nd Nl No Pc Pd Ps Pe Pi Pf Po Sm Sc Sk So Zs Zl Zp "
                     "Cc Cf Cs Co Cn".split())
_MAJOR = frozenset(name[0] for name in _GENERAL)


@lru_cache(maxsize=64)
def _category_class(name: str, ascii_only: bool = False) -> str:
    """The body of a character class (no brackets) matching general category `name`: one
    letter for a major class (L = Lu, Ll, Lt, Lm, Lo), two for one category."""
    if len(name) == 1 and name.upper() in _MAJOR:
        table = _categories(ascii_only)
        ranges = sorted(r for category, rs in table.items() if category[0] == name.upper() for r in rs)
    elif len(name) == 2 and name[0].upper() + name[1].lower() in _GENERAL:
        ranges = list(_categories(ascii_only).get(name[0].upper() + name[1].lower(), ()))
    else:
        raise ValueError(f"no Unicode general category {name!r}")
    if not ranges:  # none in ASCII (marks, say): a member no ASCII value holds
        return "\\U0010ffff"
    return "".join(f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}"
                   for low, high in ranges)


@lru_cache(maxsize=512)
def java_regex(pattern: str, ascii_only: bool = False) -> re.Pattern:
    """A Python pattern that matches what Java's `pattern` matches (for the constructs
    botocore's models use); ValueError for one it cannot translate. `ascii_only`: for values
    that are all ASCII (str.isascii), where it matches exactly as the whole pattern does (a
    character class decides an ASCII character by its ASCII members), without reading the
    categories of every Unicode code point."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            match = _CATEGORY.match(pattern, i)
            if match:
                negated, body = match.group(1) == "P", _category_class(match.group(2), ascii_only)
                if in_class and negated:
                    raise ValueError(f"\\P{{..}} inside a character class: {pattern!r}")
                out.append(body if in_class else f"[{'^' if negated else ''}{body}]")
                i = match.end()
                continue
            if pattern[i + 1:i + 2] in ("p", "P", "Q", "E", "G", "Z", "h", "H", "R", "X"):
                raise ValueError(f"Java construct \\{pattern[i + 1]} in {pattern!r}")
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if char == "[":
            if in_class:
                raise ValueError(f"a nested character class (Java's union) in {pattern!r}")
            in_class = True
            out.append(char)
            if pattern[i + 1:i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1:i + 2] == "]":  # a literal "]" first in the class
                out.append("\\]")
                i += 1
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        elif char == "&" and in_class and pattern[i + 1:i + 2] == "&":
            raise ValueError(f"a class intersection (&&) in {pattern!r}")
        else:
            out.append(char)
        i += 1
    try:
        return re.compile("".join(out), re.ASCII)
    except re.error as error:
        raise ValueError(f"{pattern!r}: {error}") from None


# Constraints.

@dataclass(frozen=True)
class Problem:
    """One constraint one member breaks. `kind` is "required", "length", "range", "pattern",
    "enum" or "type"; `limit` the constraint's value (a (min, max) pair, the pattern, the
    enumeration); `constraint` AWS's words for it."""

    path: str
    value: object
    kind: str
    limit: object
    constraint: str
    sensitive: bool = False

    def sentence(self) -> str:
        """The problem as AWS's query services (IAM, STS) word it. A sensitive member's value
        (a password, a private key) is never repeated: "Value at 'password' failed ..."."""
        if self.sensitive and self.value is not None:
            return f"Value at '{self.path}' failed to satisfy constraint: {self.constraint}"
        shown = "null" if self.value is None else f"'{_show(self.value)}'"
        return f"Value {shown} at '{self.path}' failed to satisfy constraint: {self.constraint}"


def message(found: list[Problem]) -> str:
    """AWS's ValidationError message for a request's problems."""
    count = len(found)
    noun = "validation error" if count == 1 else "validation errors"
    return f"{count} {noun} detected: " + "; ".join(problem.sentence() for problem in found)


def _show(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_show(item)}" for key, item in value.items()) + "}"
    return str(value)


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def problems(service: str, operation: str, params: dict) -> list[Problem]:
    """Every constraint of the operation's input that `params` (the nested input, as an SDK
    takes it) breaks; [] for an operation the model does not know."""
    model = service_model(service)
    if model is None or operation not in model.operation_names:
        return []
    shape = model.operation_model(operation).input_shape
    if shape is None:
        return []
    found: list[Problem] = []
    _check_structure(shape, params if isinstance(params, dict) else {}, "", found)
    return found


def shape_problems(service: str, shape_name: str, value, path: str) -> list[Problem]:
    """The constraints of one named shape ("accountAliasType") that `value` breaks, the
    member named `path`."""
    model = service_model(service)
    if model is None:
        return []
    found: list[Problem] = []
    if value is None:
        return [Problem(path, None, "required", True, "Member must not be null")]
    _check(model.shape_for(shape_name), value, path, found)
    return found


def shape_constraints(service: str, shape_name: str) -> dict:
    """A named shape's constraints as the model states them: {"min", "max", "pattern",
    "enum"} (those it has)."""
    model = service_model(service)
    if model is None:
        return {}
    metadata = model.shape_for(shape_name).metadata
    return {key: metadata[key] for key in ("min", "max", "pattern", "enum") if key in metadata}


def members(service: str, shape_name: str) -> tuple[str, ...]:
    """The member names of a structure shape, in the model's order."""
    model = service_model(service)
    return tuple(model.shape_for(shape_name).members) if model is not None else ()


def _check_structure(shape, value: dict, prefix: str, found: list[Problem]) -> None:
    required = set(shape.required_members)
    for name, member in shape.members.items():
        path = f"{prefix}{_camel(name)}"
        given = value.get(name)
        if given is None:
            if name in required:
                found.append(Problem(path, None, "required", True, "Member must not be null"))
            continue
        _check(member, given, path, found)


def _check(shape, value, path: str, found: list[Problem]) -> None:
    kind, metadata = shape.type_name, shape.metadata
    if kind == "structure":
        if isinstance(value, dict):
            _check_structure(shape, value, f"{path}.", found)
        return
    if kind == "list":
        if not isinstance(value, list):
            return
        _length(value, len(value), metadata, path, found)
        for index, item in enumerate(value, start=1):
            if item is not None:
                _check(shape.member, item, f"{path}.{index}.member", found)
        return
    if kind == "map":
        if not isinstance(value, dict):
            return
        _length(value, len(value), metadata, path, found)
        for key, item in value.items():
            _check(shape.key, key, f"{path}.{key}.key", found)
            if item is not None:
                _check(shape.value, item, f"{path}.{key}.member", found)
        return
    if kind == "string":
        secret = bool(metadata.get("sensitive"))
        if not isinstance(value, str):  # a JSON body's number or object where text belongs
            found.append(Problem(path, value, "type", kind, "Member must be a string", secret))
            return
        _length(value, len(value), metadata, path, found, secret)
        if "pattern" in metadata and value:
            try:
                rule = java_regex(metadata["pattern"], value.isascii())
            except ValueError:
                rule = None  # not translatable: unchecked rather than guessed
            if rule is not None and not rule.fullmatch(value):
                found.append(Problem(path, value, "pattern", metadata["pattern"],
                                     "Member must satisfy regular expression pattern: "
                                     + metadata["pattern"], secret))
        if "enum" in metadata and value not in metadata["enum"]:
            found.append(Problem(path, value, "enum", tuple(metadata["enum"]),
                                 "Member must satisfy enum value set: ["
                                 + ", ".join(metadata["enum"]) + "]", secret))
        return
    if kind in ("integer", "long"):
        try:
            number = int(value)
        except (TypeError, ValueError):
            found.append(Problem(path, value, "type", kind, "Member must be a number"))
            return
        if "min" in metadata and number < metadata["min"]:
            found.append(Problem(path, number, "range", (metadata.get("min"), metadata.get("max")),
                                 f"Member must have value greater than or equal to {metadata['min']}"))
        if "max" in metadata and number > metadata["max"]:
            found.append(Problem(path, number, "range", (metadata.get("min"), metadata.get("max")),
                                 f"Member must have value less than or equal to {metadata['max']}"))


def _length(value, length: int, metadata: dict, path: str, found: list[Problem],
            secret: bool = False) -> None:
    bounds = (metadata.get("min"), metadata.get("max"))
    if "min" in metadata and length < metadata["min"]:
        found.append(Problem(path, value, "length", bounds,
                             f"Member must have length greater than or equal to {metadata['min']}",
                             secret))
    if "max" in metadata and length > metadata["max"]:
        found.append(Problem(path, value, "length", bounds,
                             f"Member must have length less than or equal to {metadata['max']}",
                             secret))


# The query protocol's flat parameters.

def query_input(service: str, operation: str, params: dict[str, str]) -> dict:
    """A query-protocol request's parameters (UserName=..., Tags.member.1.Key=...) as the
    nested input the operation's model describes (members the model lacks are left out)."""
    model = service_model(service)
    if model is None or operation not in model.operation_names:
        return {}
    shape = model.operation_model(operation).input_shape
    if shape is None:
        return {}
    value = _from_query(shape, params, "")
    return value if isinstance(value, dict) else {}


_MISSING = object()


def _indices(params: dict[str, str], prefix: str) -> list[int]:
    found = set()
    for key in params:
        if key.startswith(prefix):
            head = key[len(prefix):].split(".", 1)[0]
            if head.isdigit():
                found.add(int(head))
    return sorted(found)


def _from_query(shape, params: dict[str, str], key: str):
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            located = member.serialization.get("name", name)
            value = _from_query(member, params, f"{key}.{located}" if key else located)
            if value is not _MISSING:
                out[name] = value
        if key and not out and key not in params:
            return _MISSING
        return out
    if kind == "list":
        if params.get(key, _MISSING) == "":
            return []  # how an SDK sends an empty list
        if shape.serialization.get("flattened"):
            prefix = f"{key}."
        else:
            prefix = f"{key}.{shape.member.serialization.get('name', 'member')}."
        indices = _indices(params, prefix)
        if not indices:
            return _MISSING
        items = [_from_query(shape.member, params, f"{prefix}{index}") for index in indices]
        return [None if item is _MISSING else item for item in items]
    if kind == "map":
        if params.get(key, _MISSING) == "":
            return {}
        prefix = f"{key}." if shape.serialization.get("flattened") else f"{key}.entry."
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        out = {}
        for index in _indices(params, prefix):
            name = params.get(f"{prefix}{index}.{key_name}")
            value = _from_query(shape.value, params, f"{prefix}{index}.{value_name}")
            if name is not None:
                out[name] = None if value is _MISSING else value
        return out if out else _MISSING
    return params.get(key, _MISSING)

"""The lab's own least-privilege IAM policy: every AWS action the package calls, nothing more.

`awslab/policy/lab-policy.json` is what a role (for example SageMaker Studio's execution
role) needs to run the whole lab against a real account. `actions_in_source()` finds the
AWS operations the package's code calls (boto3 client methods and paginators of IAM, STS
and Account Management, read from the code's syntax tree); tests/system/test_headless_run.py
checks the policy against them and against every call of a recorded full headless run.
"""

from __future__ import annotations

import ast
import functools
import json
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
POLICY_PATH = PACKAGE / "policy" / "lab-policy.json"
# boto3 client name -> the IAM action prefix (sso-admin's actions are sso:...). sso-oidc and the
# access portal's API (sso) are unsigned: they need no IAM permission.
SERVICES = {"iam": "iam", "sts": "sts", "account": "account", "organizations": "organizations",
            "sso-admin": "sso", "identitystore": "identitystore"}
DEFAULT_CLIENTS = ("iam", "sts", "account")


def policy() -> dict:
    return json.loads(POLICY_PATH.read_text())


def policy_actions() -> set[str]:
    actions: set[str] = set()
    for statement in policy()["Statement"]:
        listed = statement["Action"]
        actions.update([listed] if isinstance(listed, str) else listed)
    return actions


@functools.lru_cache(maxsize=1)
def _operations() -> dict[str, dict[str, str]]:
    """snake_case method name -> {client name: "iam:CreateUser", ...}."""
    from botocore import xform_name

    from awslab import aws_model

    found: dict[str, dict[str, str]] = {}
    for service, prefix in SERVICES.items():
        for operation in sorted(aws_model.operation_names(service)):
            found.setdefault(xform_name(operation), {})[service] = f"{prefix}:{operation}"
    return found


def _clients_named(tree) -> set[str]:
    """The services a file makes clients of (`lab.client("sso-admin")`, `session.client(...)`):
    a method name such as create_user means iam:CreateUser in one file and
    identitystore:CreateUser in another."""
    named = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "client" and node.args and isinstance(node.args[0], ast.Constant)
                and node.args[0].value in SERVICES):
            named.add(node.args[0].value)
    return named or set(DEFAULT_CLIENTS)


def _client_of(node) -> str | None:
    """The service of a `.client("svc")` call, else None."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "client"
            and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in SERVICES):
        return node.args[0].value
    return None


def _names_bound(tree) -> dict[str, set[str]]:
    """Variable name -> the services of the clients assigned to it in this file (`iam =
    lab.client("iam")`)."""
    bound: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            pairs = []
            for target in node.targets:
                if isinstance(target, ast.Name):
                    pairs.append((target.id, node.value))
                elif isinstance(target, ast.Attribute):  # self.iam = lab.client("iam")
                    pairs.append(("." + target.attr, node.value))
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    pairs += [(t.id, v) for t, v in zip(target.elts, node.value.elts, strict=False)
                              if isinstance(t, ast.Name)]
            for name, value in pairs:
                service = _client_of(value)
                if service:
                    bound.setdefault(name, set()).add(service)
    return bound


def _receiver_services(receiver, bound: dict[str, set[str]]) -> set[str] | None:
    """The services a call's receiver can be (None: cannot tell from the code)."""
    service = _client_of(receiver)
    if service:
        return {service}
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute) \
            and receiver.func.attr == "get_paginator":
        return _receiver_services(receiver.func.value, bound)
    if isinstance(receiver, ast.Name) and receiver.id in bound:
        return bound[receiver.id]
    if isinstance(receiver, ast.Attribute) and "." + receiver.attr in bound:
        return bound["." + receiver.attr]
    return None


def actions_in_source(root: Path = PACKAGE) -> dict[str, set[str]]:
    """AWS actions the code calls -> the files that call them. The sandbox (which answers
    calls rather than making them) is left out."""
    operations = _operations()
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        if "sandbox" in path.relative_to(root).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        clients, bound = _clients_named(tree), _names_bound(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name = node.func.attr
            receiver = node.func.value
            if name == "get_paginator" and node.args and isinstance(node.args[0], ast.Constant):
                name = node.args[0].value
            elif name == "get_paginator":
                continue
            # The client the call is made on, where the code says (a client made in the call's
            # receiver, or a name bound to one); else any client the file makes.
            possible = _receiver_services(receiver, bound) or clients
            for service, action in operations.get(name, {}).items():
                if service in possible:
                    found.setdefault(action, set()).add(path.name)
    return found

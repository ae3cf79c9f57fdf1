"""Error codes are one vocabulary (awslab.errors.Code): no free-string code in the package."""

import ast
from pathlib import Path

import awslab
from awslab.errors import CODES, Code, LabError, SandboxDown, code_of

PACKAGE = Path(awslab.__file__).parent


def test_every_lab_error_code_comes_from_the_vocabulary():
    free = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "sandbox" in path.relative_to(PACKAGE).parts[:1] and path.name not in (
                "console.py", "process.py", "credentials.py"):
            continue  # the sandbox server answers in AWS's protocol, not with LabError
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(
                    node.value, ast.Constant) and isinstance(node.value.value, str):
                free.append(f"{path.name}:{node.value.lineno} code={node.value.value!r}")
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Call) and getattr(
                    node.left.func, "id", "") == "code_of":
                for right in node.comparators:
                    values = right.elts if isinstance(right, ast.Tuple) else [right]
                    free += [f"{path.name}:{v.lineno} compares code_of() with {v.value!r}"
                             for v in values if isinstance(v, ast.Constant)]
    assert not free, free


def test_code_of_reads_lab_errors_and_aws_errors_alike():
    from botocore.exceptions import ClientError

    aws = ClientError({"Error": {"Code": "NoSuchEntity", "Message": "gone"}}, "GetUser")
    assert code_of(aws) == Code.NoSuchEntity
    assert code_of(LabError("x", code=Code.NotRoot)) == "NotRoot"
    assert code_of(SandboxDown("The sandbox did not answer.")) == Code.SandboxDown
    assert code_of(ValueError("x")) is None
    assert Code.SandboxDown in CODES and all(value.isidentifier() for value in CODES)

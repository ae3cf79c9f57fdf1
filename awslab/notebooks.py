"""The lab's notebooks: where they are, their order, and the parameters each one declares.

A notebook's cell tagged `parameters` is the declaration: each name, its default (and so its
type) and, in the comment beside it, what it means (often with an example). The same check
refuses a wrong value wherever it comes from: a params file, before `awslab run` starts
anything, or a value typed into a notebook, when the notebook's form is built.

    declared("03_account_alias_and_regions")  # {"regions_to_enable": Parameter(...), ...}
    check("regions_to_enable", "af-south-1")  # ["af-south-1"]: one code in a string is a list of one
    check("tags", "team=security")            # LabError: tags must be a mapping of strings to ...
"""

from __future__ import annotations

import ast
import functools
import io
import json
import re
import tokenize
import typing
from dataclasses import dataclass
from pathlib import Path

from awslab.errors import Code, LabError
from awslab.session import TARGETS

LAB = ["00_setup", "01_secure_the_root_user", "02_set_up_additional_users",
       "03_account_alias_and_regions", "04_sign_in_and_review", "05_identity_center"]
CLEAN_UP = "99_clean_up"
NOTEBOOKS = [*LAB, CLEAN_UP]

# What a parameter holds where its default cannot tell: None (the parameter may also be set
# to this), an empty list or mapping (what its items are), or a choice. Every other parameter
# holds what its default is (str or bool).
TYPES: dict[str, object] = {
    "target": typing.Literal[TARGETS],
    "confirm_account_id": str,
    "password": str,
    "account_alias": str,
    "delete_root_access_keys": bool,
    "regions_to_enable": list[str],
    "tags": dict[str, str],
    "security_contact": dict[str, str],
    "sso_profile_name": str,
}
SECRET = {"password"}  # a wrong value of these is never repeated (docs/contract.md, "Secrets")


def notebooks_dir() -> Path:
    """The lab's notebooks: the current folder (a kernel's), ./notebooks when run from a
    checkout, else beside the package."""
    here = Path.cwd()
    for candidate in (here, here / "notebooks", Path(__file__).resolve().parent.parent / "notebooks"):
        if (candidate / "00_setup.ipynb").exists():
            return candidate
    raise LabError("The lab's notebooks were not found: run awslab from the folder that holds notebooks/.",
                   code=Code.NoNotebooks)


@dataclass(frozen=True)
class Parameter:
    name: str
    default: object
    help: str = ""  # the comment beside it in the parameters cell

    @property
    def type(self):
        return TYPES.get(self.name, type(self.default))

    @property
    def example(self):
        """A value of the right type: the one the comment gives ("e.g. ..."), else the default."""
        text = re.sub(r"^e\.g\.\s*", "", self.help)
        for end in range(len(text), 0, -1):  # the longest start of the comment that is a value
            try:
                value = ast.literal_eval(text[:end])
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                continue
            if _problem(self.type, value) is None and value not in ("", [], {}):
                return value
        return self.default if self.default not in (None, "", [], {}) else None


def declared(notebook: str, folder: Path | None = None) -> dict[str, Parameter]:
    """The parameters a notebook declares, from its cell tagged `parameters` (the names
    papermill injects after)."""
    path = (folder or notebooks_dir()) / f"{notebook.removesuffix('.ipynb')}.ipynb"
    return dict(_declared(str(path)))


@functools.lru_cache(maxsize=16)
def _declared(path: str) -> tuple[tuple[str, Parameter], ...]:
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    source = next(("".join(c["source"]) for c in cells
                   if "parameters" in c.get("metadata", {}).get("tags", [])), "")
    comments = {token.start[0]: token.string.lstrip("#").strip()
                for token in tokenize.generate_tokens(io.StringIO(source).readline)
                if token.type == tokenize.COMMENT}
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            found.append((name, Parameter(name, ast.literal_eval(node.value), comments.get(node.lineno, ""))))
    return tuple(found)


def every_parameter(folder: Path | None = None) -> dict[str, Parameter]:
    """Every parameter of every notebook, by name (a name means the same in each notebook)."""
    found: dict[str, Parameter] = {}
    for notebook in NOTEBOOKS:
        for name, parameter in declared(notebook, folder).items():
            found.setdefault(name, parameter)
    return found


def check(name: str, value, parameter: Parameter | None = None):
    """The value, as the notebook will use it, if it has the parameter's type; otherwise a
    LabError whose sentence names the parameter, what it must be, and the value. Region codes
    given as one string (one code, or several separated by commas or spaces) are a list."""
    if parameter is None:
        try:
            parameter = every_parameter().get(name)
        except LabError:  # no notebooks beside this installation: nothing to check against
            return value
    if parameter is None:
        return value
    kind = parameter.type
    if value is None and parameter.default is None:
        return None
    if typing.get_origin(kind) is list and isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    problem = _problem(kind, value)
    if problem is None:
        return list(value) if typing.get_origin(kind) is list else value
    example = parameter.example
    plain = kind is bool or typing.get_origin(kind) is typing.Literal  # the choices say it all
    example = "" if example is None or plain else f", for example {json.dumps(example)}"
    if name in SECRET:
        shown = f"{_kind_of(value)} (its value is not repeated here)"
    elif problem == "wrong" and kind is str and isinstance(value, int | float) and not isinstance(value, bool):
        shown = f"the number {value} (put it in quotes)"
    else:
        shown = _short(value) + (f" ({problem})" if problem != "wrong" else "")
    optional = " or None" if parameter.default is None else ""
    raise LabError(f"{name} must be {_describe(kind)}{optional}{example}, not {shown}.", code=Code.WrongParameter)


def _problem(kind, value) -> str | None:
    """None when value has the type, "wrong" when it does not, or which item is wrong."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list:
        if not isinstance(value, list | tuple):
            return "wrong"
        bad = [item for item in value if not isinstance(item, args[0])]
        return f"{_short(bad[0])} is not {_describe(args[0])}" if bad else None
    if origin is dict:
        if not isinstance(value, dict):
            return "wrong"
        for key, item in value.items():
            for part in (key, item):
                if not isinstance(part, args[0]):
                    return f"{_short(part)} is not {_describe(args[0])}: put it in quotes"
        return None
    if origin is typing.Literal:
        return None if isinstance(value, str) and value in args else "wrong"
    if kind is bool:  # not 0, 1 or "yes": each would silently mean something
        return None if isinstance(value, bool) else "wrong"
    return None if isinstance(value, kind) else "wrong"


def _describe(kind, plural: bool = False) -> str:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list:
        return f"a list of {_describe(args[0], True)}"
    if origin is dict:
        return f"a mapping of {_describe(args[0], True)} to {_describe(args[1], True)}"
    if origin is typing.Literal:
        return " or ".join(json.dumps(choice) for choice in args)
    if kind is bool:
        return "True or False"
    name = {str: "string"}.get(kind, kind.__name__)
    return f"{name}s" if plural else f"a {name}"


def _kind_of(value) -> str:
    if isinstance(value, bool):
        return "True or False"
    if isinstance(value, int | float):
        return "a number"
    return {list: "a list", tuple: "a list", dict: "a mapping"}.get(type(value), f"a {type(value).__name__}")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."

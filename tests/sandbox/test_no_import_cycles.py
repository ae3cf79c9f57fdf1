"""awslab/sandbox/ (services/ too) has no import cycles, counting imports inside functions too."""

import ast
from pathlib import Path

import awslab.sandbox

FOLDER = Path(awslab.sandbox.__file__).parent


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)  # and what it names, which may be modules too
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("awslab.sandbox.")}


def test_no_module_of_the_sandbox_imports_one_that_imports_it_back():
    graph = {".".join(("awslab", "sandbox") + path.relative_to(FOLDER).with_suffix("").parts): imports_of(path)
             for path in FOLDER.rglob("*.py") if path.stem != "__init__"}
    cycles = []

    def visit(module, trail):
        for target in sorted(graph.get(module, ())):
            if target in trail:
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target in graph:
                visit(target, trail + [target])

    for module in sorted(graph):
        visit(module, [module])
    assert not cycles, sorted(set(cycles))[:5]

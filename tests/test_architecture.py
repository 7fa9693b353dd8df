"""The package's shape: three layers, imports only downward, no cycles, small modules.

Layers, bottom to top:

- **mechanisms** (``lossylab/*.py``): the ideas themselves; numpy, Pillow only in
  ``images``; no matplotlib, no ipywidgets, nothing from the layers above;
- **course** (``lossylab/course/``): what belongs to one notebook (``nbNN.py``) or is shared by
  several (``common.py``, ``exercises.py``); imports mechanisms;
- **presentation** (``lossylab/ui/``): the only place matplotlib and ipywidgets are imported.

Every ``import`` counts, at module level, inside a function, or under ``TYPE_CHECKING``: a
dependency hidden in a function is still a dependency. The checks parse the sources with
``ast``; nothing is imported, so a broken module cannot hide a violation.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lossylab"
LAYERS = {"mechanism": 0, "course": 1, "ui": 2}
PRESENTATION_ONLY = ("matplotlib", "ipywidgets")
PILLOW_ALLOWED = {"lossylab.images"}  # among mechanisms; course and ui may use it too
MAX_MODULE_LINES = 600
MAX_PACKAGE_LINES = 9_000
MAX_PUBLIC_NAMES = 170


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    return {module_name(p, package): p for p in sorted(package.rglob("*.py"))}


def layer(name: str) -> int:
    parts = name.split(".")
    if len(parts) > 2 and parts[1] in LAYERS:
        return LAYERS[parts[1]]
    return LAYERS["mechanism"]


def imported_names(tree: ast.AST) -> Iterable[tuple[int, str]]:
    """(line, dotted name) of every import anywhere in the tree, ``from x import y`` as x.y too."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def import_graph(mods: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module -> the package modules it imports (the package root itself excluded)."""
    graph: dict[str, set[str]] = {name: set() for name in mods}
    for name, path in mods.items():
        for _, target in imported_names(ast.parse(path.read_text(encoding="utf-8"))):
            if target in mods and target != name and "." in target:
                graph[name].add(target)
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def upward_imports(graph: Mapping[str, set[str]]) -> list[str]:
    return [f"{a} ({_layer_name(a)}) imports {b} ({_layer_name(b)})"
            for a in sorted(graph) for b in sorted(graph[a]) if layer(b) > layer(a)]


def _layer_name(name: str) -> str:
    return {v: k for k, v in LAYERS.items()}[layer(name)]


def forbidden_imports(mods: Mapping[str, Path]) -> list[str]:
    """matplotlib/ipywidgets outside the presentation layer; Pillow in a numpy-only mechanism."""
    bad = []
    for name, path in mods.items():
        for line, target in imported_names(ast.parse(path.read_text(encoding="utf-8"))):
            top = target.split(".")[0]
            where = f"{name}:{line}"
            if top in PRESENTATION_ONLY and layer(name) != LAYERS["ui"]:
                bad.append(f"{where} imports {target} outside lossylab.ui")
            if top == "PIL" and layer(name) == 0 and name not in PILLOW_ALLOWED:
                bad.append(f"{where} imports {target} in a numpy-only mechanism")
    return sorted(set(bad))


def public_definitions(tree: ast.Module) -> list[str]:
    """Module-level functions and classes without a leading underscore."""
    return [n.name for n in tree.body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and not n.name.startswith("_")]


def declared_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return list(ast.literal_eval(node.value))
    return None


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


MODULES = modules()
GRAPH = import_graph(MODULES)


# --- the checks -------------------------------------------------------------------------


def test_three_layers_exist() -> None:
    assert {layer(name) for name in MODULES} == set(LAYERS.values())


def test_no_import_cycles() -> None:
    assert cycles(GRAPH) == []


def test_no_upward_imports() -> None:
    assert upward_imports(GRAPH) == []


def test_matplotlib_and_ipywidgets_only_in_the_presentation_layer() -> None:
    assert forbidden_imports(MODULES) == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not n.endswith("__init__")))
def test_every_module_declares_its_public_names(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    if MODULES[name].name == "__init__.py":
        return
    declared = declared_all(tree)
    assert declared is not None, f"{name} has no __all__"
    defined = {n.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
               for n in (node.targets if isinstance(node, ast.Assign) else [node.target])
               if isinstance(n, ast.Name)} | set(public_definitions(tree)) | {
        n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert sorted(set(public_definitions(tree)) - set(declared)) == [], \
        f"{name}: public but not in __all__ (add it, or give it a leading underscore)"
    assert sorted(set(declared) - defined) == [], f"{name}: __all__ names what it does not define"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_size(name: str) -> None:
    assert line_count(MODULES[name]) <= MAX_MODULE_LINES


def test_package_size_and_public_names() -> None:
    lines = sum(line_count(p) for p in MODULES.values())
    public = sum(len(public_definitions(ast.parse(p.read_text(encoding="utf-8"))))
                 for p in MODULES.values())
    assert lines <= MAX_PACKAGE_LINES, f"{lines} lines"
    assert public <= MAX_PUBLIC_NAMES, f"{public} public functions and classes"


def test_numpy_mechanisms_do_not_load_pillow_or_the_layers_above() -> None:
    import subprocess

    code = ("import sys, lossylab.jpeg, lossylab.jpeg_decode, lossylab.lm; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PIL', 'matplotlib', "
            "'ipywidgets') or m.startswith(('lossylab.course', 'lossylab.ui'))]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- the checker itself can fail --------------------------------------------------------


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"lossylab.a": {"lossylab.b"}, "lossylab.b": {"lossylab.c"},
             "lossylab.c": {"lossylab.a"}, "lossylab.d": {"lossylab.a"}}
    assert cycles(graph) == [["lossylab.a", "lossylab.b", "lossylab.c"]]
    assert cycles({"lossylab.a": {"lossylab.b"}, "lossylab.b": set()}) == []


def test_the_layer_check_finds_an_upward_import(tmp_path: Path) -> None:
    package = tmp_path / "lossylab"
    (package / "course").mkdir(parents=True)
    (package / "ui").mkdir()
    (package / "lm.py").write_text("def f():\n    from lossylab.course import nb05\n")
    (package / "course" / "nb05.py").write_text("import matplotlib.pyplot as plt\n")
    (package / "ui" / "nb05.py").write_text("from lossylab.course import nb05\n")
    mods = modules(package)
    assert upward_imports(import_graph(mods)) == [
        "lossylab.lm (mechanism) imports lossylab.course.nb05 (course)"]
    assert [b.split(" imports ")[1] for b in forbidden_imports(mods)] == [
        "matplotlib.pyplot outside lossylab.ui"]

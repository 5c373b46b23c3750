"""The package's shape, checked: no import cycles, no private names across modules, no CLI words
in the library, modules and functions within their sizes, and every rule id in its three places
(its solver-side ``rule_<ID>``, its verifier ``check_<ID>``, its ``test_<ID>_…`` tests)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx
import pytest

from optimizer.rules.table import RULES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "optimizer"
TESTS = ROOT / "tests"
MAX_LINES, MAX_FUNCTION = 400, 60

LONG_FUNCTIONS: dict[str, str] = {
    # function → why it stays long (one reason each; the list only shrinks)
}
LONG_MODULES: dict[str, str] = {
    # module → why it stays long
}


def modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(p.relative_to(ROOT).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = p
    return out


def runtime_imports(path: Path) -> list[ast.ImportFrom | ast.Import]:
    """Every import statement that runs (function-level ones included), not those under
    ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only |= {id(n) for n in ast.walk(node)}
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, (ast.Import, ast.ImportFrom)) and id(n) not in typing_only
    ]


def import_graph() -> nx.DiGraph:
    mods = modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(mods)

    def owner(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    for name, path in mods.items():
        for node in runtime_imports(path):
            if isinstance(node, ast.ImportFrom):
                targets = [
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in mods else node.module
                    for a in node.names
                ]
            else:
                targets = [a.name for a in node.names]
            for t in targets:
                if t and t.startswith("optimizer") and (o := owner(t)) and o != name:
                    graph.add_edge(name, o)
    return graph


def test_no_import_cycles():
    """A module never needs, even from inside a function, a module that needs it."""
    graph = import_graph()
    # the package's lazy ``__init__`` names public things; modules importing from it only
    # take names, never loaded through a cycle
    graph.remove_node("optimizer")
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == []


def test_no_private_names_across_modules():
    found = []
    for name, path in modules().items():
        for node in runtime_imports(path):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("optimizer"):
                found += [
                    f"{name}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert found == []


def test_no_command_line_words_in_the_library():
    """Only the command line (``optimizer.cli``) names flags: the library names fields."""
    flag = re.compile(r"Problem\(\s*[\"']--")
    found = [
        name
        for name, path in modules().items()
        if not name.startswith("optimizer.cli") and flag.search(path.read_text())
    ]
    assert found == []


def test_module_and_function_sizes():
    too_long, long_functions = [], []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_LINES and name not in LONG_MODULES:
            too_long.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_FUNCTION and f"{name}.{node.name}" not in LONG_FUNCTIONS:
                    long_functions.append(f"{name}.{node.name}: {size} lines")
    assert too_long == []
    assert long_functions == []


def definitions(folder: Path, prefix: str) -> dict[str, list[str]]:
    """Rule id → the modules defining a function ``<prefix><ID with _>`` (exact name)."""
    out: dict[str, list[str]] = {}
    ids = {r.id.replace("-", "_"): r.id for r in RULES}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith(prefix):
                rest = node.name[len(prefix) :]
                key = (
                    rest
                    if prefix != "test_"
                    else next(
                        (k for k in sorted(ids, key=len, reverse=True) if rest.startswith(k + "_")),
                        None,
                    )
                )
                if key in ids:
                    out.setdefault(ids[key], []).append(str(path.relative_to(ROOT)))
    return out


SOLVED = [r.id for r in RULES if r.kind != "plan"]


@pytest.mark.parametrize("rule_id", SOLVED)
def test_each_rule_id_has_one_solver_side_definition(rule_id):
    """``rule_<ID>``: its constraint builder (optimizer.model.constraints), its eligibility
    predicate (optimizer.rules.eligibility), its history rule (optimizer.rules.history) or its
    points (optimizer.rules.scoring) — in exactly one module."""
    assert len(definitions(PACKAGE, "rule_").get(rule_id, [])) == 1


@pytest.mark.parametrize("rule_id", SOLVED)
def test_each_rule_id_has_one_verifier_check(rule_id):
    """``check_<ID>`` in optimizer.verify.checks, for every rule, the soft terms that only rank
    plans included (they look for a better choice the plan passed over); the PLAN-* ids are
    the plan files' own form, checked in optimizer.verify.structure."""
    defs = definitions(PACKAGE / "verify", "check_")
    assert len(defs.get(rule_id, [])) == 1


@pytest.mark.parametrize("rule_id", SOLVED)
def test_each_rule_id_has_tests_named_by_it(rule_id):
    assert definitions(TESTS, "test_").get(rule_id)


def test_no_module_is_called_like_a_function():
    """``optimizer.check(...)`` calls the public function; ``optimizer.plans.check(...)`` would
    call a module (a rename slip a test client may not reach)."""
    mods = set(modules())
    calls = re.compile(r"\b(optimizer(?:\.\w+)+)\(")
    found = [f"{name}: {m.group(1)}" for name, path in modules().items()
             for m in calls.finditer(path.read_text()) if m.group(1) in mods]  # fmt: skip
    assert found == []

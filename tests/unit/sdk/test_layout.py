"""The package is arranged by domain, without import cycles (issue 15, "Layout").

`src/hashtrust/chain/` (signing, sending, address books, devnet control) imports no domain
package; no two modules import each other, directly or round a longer loop (the old `demo` and
`demo_vault` did). Imports inside functions count too: a late import hides a cycle from Python,
not from the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[3] / "src" / "hashtrust"
DOMAINS = {"erc8004", "hashrate", "bitcoin", "demo", "cli", "deploy", "forwards", "indexer", "explorer", "payments"}


def _module(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every hashtrust module ``path`` imports, at its top level or inside a function."""
    me = _module(path)
    package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("hashtrust"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.startswith("hashtrust"):
                out.add(base)
                out.update(f"{base}.{a.name}" for a in node.names)
    return out


def _graph() -> dict[str, set[str]]:
    files = {_module(p): p for p in PKG.rglob("*.py")}
    graph = {}
    for mod, path in files.items():
        graph[mod] = {m for m in _imports(path) if m in files and m != mod}
    return graph


def test_chain_imports_no_domain_package():
    for mod, deps in _graph().items():
        if mod.startswith("hashtrust.chain"):
            domain = {d for d in deps if d.split(".")[1] in DOMAINS}
            assert not domain, f"{mod} imports {sorted(domain)}"


def test_no_import_cycles():
    graph = _graph()
    # a package's __init__ importing its own submodules is how packages work, not a cycle
    def deps(m):
        return {d for d in graph[m] if not d.startswith(m + ".")}

    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(deps(m)):
            if state.get(d) == 1:
                cycle = stack[stack.index(d):] + [d]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if d not in state:
                walk(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            walk(m)
    assert len(graph) > 30 and any(graph.values())  # the walk saw the package


def test_one_module_per_domain_folder():
    folders = {p.name for p in PKG.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert {"chain", "erc8004", "hashrate", "bitcoin", "demo", "cli"} <= folders, folders
    loose = sorted(p.name for p in PKG.glob("*.py"))
    assert loose == ["__init__.py", "deploy.py", "errors.py"], loose


TESTS = PKG.parents[1] / "tests"


def _helper_imports(path: Path) -> set[str]:
    """Top-level module names a test file imports (`import x` / `from x import ...`, not relative)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
    return names


def test_tests_never_import_conftest():
    """`from conftest import X` gets whichever conftest.py pytest imported last: on a fresh clone the
    vault tests imported tests/unit/vault/audit4/conftest.py and CI stopped at collection. Shared
    test helpers live in uniquely named modules (tests/unit/vault/vault_setup.py)."""
    offenders = sorted(
        str(p.relative_to(TESTS)) for p in TESTS.rglob("*.py") if "conftest" in _helper_imports(p)
    )
    assert offenders == [], f"tests import conftest as a module: {offenders}"


def test_test_helper_modules_have_unique_names():
    """Test folders have no __init__.py, so pytest puts each on sys.path: two helper modules with one
    name (or two test files with one name in one session) shadow each other."""
    seen: dict[str, list[str]] = {}
    for p in TESTS.rglob("*.py"):
        if p.name in ("conftest.py", "__init__.py"):
            continue
        suite = p.relative_to(TESTS).parts[0]  # unit / e2e / load run as separate sessions
        key = p.name if not p.name.startswith("test_") else f"{suite}:{p.name}"
        seen.setdefault(key, []).append(str(p.relative_to(TESTS)))
    dupes = {k: v for k, v in seen.items() if len(v) > 1}
    assert dupes == {}, f"same module name in two test folders: {dupes}"

"""The house's import rules, read off the source: no circle, nothing reaching a domain above.

Domains sit in layers (docs/architecture.md draws them); a module may import the shared core
and any domain below its own, never one above. The core (wiki/*.py helpers, wiki.exports and
the solver) imports no domain at all. Only the app's assembly modules (the factory, the CLI,
the demo, the metadata registry, cross-domain search and the home page) see every domain.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "wiki"

# Lowest first. A domain imports only domains to its left (and the core).
LAYERS = [
    "live",
    "accounts",
    "notices",
    "pages",
    "attachments",
    "events",
    "pitches",
    "moderation",
    "schedule",
    "admin",
]
ASSEMBLY = {
    "wiki",
    "wiki.cli",
    "wiki.demo",
    "wiki.models",
    "wiki.migrations",
    "wiki.search",
    "wiki.main",
    "wiki.schedule.__main__",  # a solve job's process: it builds the app, like the CLI
}
PURE = ("wiki.exports", "wiki.schedule.solver")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(current: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: -(node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str, path: Path, known: set[str], top_level_only: bool) -> set[str]:
    """The wiki modules `name` imports (a `from pkg import mod` counts as pkg.mod)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and _type_checking(node):
                continue  # annotations only: no import happens at run time
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.split(".")[0] == "wiki")
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(name, is_package, node)
                if target.split(".")[0] != "wiki":
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in known else target)
            if top_level_only and isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            ):
                continue
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    visit([n for n in inner if isinstance(n, ast.AST) and hasattr(n, "lineno")])

    visit(tree.body)
    found.discard(name)
    return found


def layer(name: str) -> int | None:
    """0 for the core, 1.. for domains, None for the assembly (which may import anything)."""
    if name in ASSEMBLY:
        return None
    if name.startswith(PURE):
        return 0
    parts = name.split(".")
    if len(parts) >= 2 and parts[1] in LAYERS:
        return LAYERS.index(parts[1]) + 1
    return 0


def domain(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) >= 2 and parts[1] in LAYERS else None


def _pure_root(name: str) -> str | None:
    return next((p for p in PURE if name == p or name.startswith(p + ".")), None)


def breaks(name: str, target: str) -> bool:
    """Whether `name` importing `target` breaks the layering."""
    mine = layer(name)
    if mine is None:
        return False
    root = _pure_root(name)
    if root:
        return not (target == root or target.startswith(root + "."))
    theirs = layer(target)
    if theirs is None:
        return True
    if domain(target) is not None and domain(target) == domain(name):
        return False
    if mine == 0:
        return theirs > 0
    return theirs >= mine


def violations() -> set[tuple[str, str]]:
    mods = modules()
    return {
        (name, target)
        for name, path in mods.items()
        for target in imports_of(name, path, set(mods), top_level_only=False)
        if breaks(name, target)
    }


def cycles() -> list[list[str]]:
    mods = modules()
    graph = {
        name: imports_of(name, path, set(mods), top_level_only=True) for name, path in mods.items()
    }
    graph = {name: {t for t in targets if t in graph} for name, targets in graph.items()}
    loops, state = [], {}

    def walk(node: str, stack: list[str]) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                loops.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                walk(nxt, stack)
        stack.pop()
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            walk(name, [])
    # A package importing its own submodule from __init__ is how packages work, not a circle.
    return [loop for loop in loops if not _package_self_loop(loop)]


def _package_self_loop(loop: list[str]) -> bool:
    heads = {m for m in loop if any(o != m and o.startswith(m + ".") for o in loop)}
    return len(set(loop)) == 2 and bool(heads)


def test_no_module_imports_a_domain_above_its_own():
    new = sorted(violations())
    assert not new, "imports reaching up the layers:\n" + "\n".join(f"  {a} -> {b}" for a, b in new)


def test_no_import_circle():
    assert cycles() == []


@pytest.mark.parametrize("core", ["wiki.exports", "wiki.schedule.solver"])
def test_pure_cores_import_no_other_wiki_module(core):
    mods = modules()
    for name, path in mods.items():
        if name == core or name.startswith(core + "."):
            outside = {
                t
                for t in imports_of(name, path, set(mods), top_level_only=False)
                if not t.startswith(core)
            }
            assert not outside, f"{name} imports {sorted(outside)}"


def test_the_rules_catch_a_reach_upwards():
    assert breaks("wiki.accounts.erasure", "wiki.pitches.models")
    assert breaks("wiki.live.views", "wiki.events.models")
    assert breaks("wiki.bounds", "wiki.pages.models")
    assert breaks("wiki.events.views", "wiki.demo")
    assert breaks("wiki.schedule.solver.score", "wiki.bounds")
    assert breaks("wiki.exports.ical", "wiki.events.models")
    assert not breaks("wiki.pitches.voting", "wiki.accounts.models")
    assert not breaks("wiki.pitches.voting", "wiki.pitches.models")
    assert not breaks("wiki.schedule.views", "wiki.schedule.solver")
    assert not breaks("wiki.demo", "wiki.schedule.models")

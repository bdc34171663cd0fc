"""Import rules: live carries messages for every domain without knowing any; views stay leaves."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WIKI = ROOT / "wiki"
DOMAINS = {
    path.name
    for path in WIKI.iterdir()
    if path.is_dir() and (path / "__init__.py").exists() and path.name not in {"live"}
}


def imported(path: Path) -> list[str]:
    """Return every module ``path`` imports, at the top or inside a function."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_live_imports_no_domain():
    for path in (WIKI / "live").glob("*.py"):
        for name in imported(path):
            parts = name.split(".")
            assert not (parts[0] == "wiki" and len(parts) > 1 and parts[1] in DOMAINS), (
                path.name,
                name,
            )


def test_only_the_app_factory_imports_a_views_module():
    for path in WIKI.rglob("*.py"):
        if path == WIKI / "__init__.py":
            continue
        for name in imported(path):
            parts = name.split(".")
            assert not (parts[0] == "wiki" and "views" in parts[2:3]), (str(path), name)

"""The package's layers import one way (DESIGN.md, "Layout"): the pure models import no I/O, ingest
never prices, and the renderers take a finished document (no store, no pricing). Checked on the source's
import statements, so a new import that breaks a boundary fails here rather than in a review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "llm_tco"


def _imports(module: Path) -> set[str]:
    """Every module name imported by ``module``, at any depth (function-level imports count too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _violations(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for module in sorted((PACKAGE / layer).rglob("*.py")):
        for name in _imports(module):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{module.relative_to(PACKAGE)} imports {name}")
    return found


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        # pure models: arrays in, arrays out; no database, files, terminal or command line
        ("cost", ("duckdb", "llm_tco.store", "llm_tco.cli", "llm_tco.ingest", "llm_tco.report", "rich")),
        ("capacity", ("duckdb", "llm_tco.store", "llm_tco.cli", "llm_tco.ingest", "llm_tco.report", "rich")),
        ("plan", ("duckdb", "llm_tco.store", "llm_tco.cli", "llm_tco.ingest", "llm_tco.report", "rich")),
        # ingest produces canonical rows and never prices them
        ("ingest", ("llm_tco.pricing", "llm_tco.cli", "llm_tco.report", "llm_tco.plan")),
        # renderers take a document: they never query the store or price usage themselves
        ("report", ("duckdb", "llm_tco.store", "llm_tco.pricing", "llm_tco.ingest", "llm_tco.cli")),
    ],
)
def test_layer_imports_point_one_way(layer: str, forbidden: tuple[str, ...]) -> None:
    assert _violations(layer, forbidden) == []


def test_every_layer_checked_exists() -> None:
    """A renamed or moved package would make its row above pass vacuously."""
    for layer in ("cost", "capacity", "plan", "ingest", "report"):
        assert list((PACKAGE / layer).rglob("*.py")), layer


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The scan finds imports inside functions too (a lazy import is still a dependency)."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from llm_tco.pricing.query import prepare_pricing\n", encoding="utf-8")
    assert "llm_tco.pricing.query" in _imports(module)

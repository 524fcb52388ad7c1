"""Running ``llm-tco`` in a real subprocess, as the console script does (``python -m llm_tco.cli.main``):
for the tests about what only a whole process shows (pipes, signals, how it ends)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def cli_command(*args: str, python_args: tuple[str, ...] = ()) -> list[str]:
    """``llm-tco ARGS``; ``python_args`` go to the interpreter first (``-m cProfile -o FILE``)."""
    return [sys.executable, *python_args, "-m", "llm_tco.cli.main", *args]


def cli_env(**overrides: str) -> dict[str, str]:
    """This environment for the command, without what would change its output (a store, colours, the
    terminal's width), with the tests' clock, no updated price file and this checkout's source."""
    env = {k: v for k, v in os.environ.items() if k not in ("LLM_TCO_DB", "FORCE_COLOR", "COLUMNS")}
    env.update(
        LLM_TCO_NOW="2026-11-25T12:00:00Z",
        LLM_TCO_PRICES_FILE="/nonexistent/llm-tco-test-prices.json",
        PYTHONPATH=str(SRC),
    )
    env.update(overrides)
    return env

"""Shared test set-up: a fixed "now", no network, and a helper to run the CLI in-process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

FIXED_NOW = "2026-11-25T12:00:00Z"


@pytest.fixture(autouse=True)
def _fixed_now(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test sees the same "now" (future-timestamp checks), and no test can touch the user's store."""
    monkeypatch.setenv("LLM_TCO_NOW", FIXED_NOW)
    monkeypatch.delenv("LLM_TCO_DB", raising=False)
    monkeypatch.delenv("LLM_TCO_FAULT_AFTER_STEPS", raising=False)
    # Never pick up a price update the user saved: tests price with genai-prices' bundled data only.
    monkeypatch.setenv("LLM_TCO_PRICES_FILE", "/nonexistent/llm-tco-test-prices.json")
    yield


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code = code
        self.out = out
        self.err = err

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Any:
    """Run ``llm-tco ARGS...`` in-process; returns exit code, stdout and stderr."""
    from llm_tco.cli.main import run

    def invoke(*args: object) -> CliResult:
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke

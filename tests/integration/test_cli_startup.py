"""What an ``audit`` loads: none of the plan's modules (its document models, renderers and solvers),
which cost ~0.1 s of every audit's start-up when the audit's output pulled them in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from _formats import vendor_generator

_PROBE = """
import sys
from llm_tco.cli.main import run
code = run(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m == "llm_tco.plan" or m.startswith("llm_tco.plan."))
sys.stderr.write("PLAN MODULES " + repr(loaded) + "\\n")
raise SystemExit(code)
"""


@pytest.mark.parametrize("output", [["--json"], []])
def test_an_audit_loads_no_plan_module(tmp_path: Path, output: list[str]) -> None:
    usage = tmp_path / "usage.csv"
    usage.write_text(
        "timestamp,model,prompt_tokens,completion_tokens\n2026-09-01T10:00:00Z,gpt-4o-mini,100,1\n"
    )
    # and vendor exports as users have them: request ids, nested JSON, repeats and broken records
    gen = vendor_generator()
    exports = [
        str(gen.generate(fmt, tmp_path / f"{fmt}.jsonl", 300, duplicates=0.02, bad=0.02, seed=5))
        for fmt in ("litellm-json", "otel")
    ]
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "audit", str(usage), *exports, "--db", ":memory:", *output],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "PLAN MODULES []" in done.stderr
    assert "gpt-4o-mini" in done.stdout  # the audit was written

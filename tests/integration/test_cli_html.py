"""``audit --html`` and ``plan --html`` end to end on a real CSV and a real DuckDB store: the file is
written whole beside the normal output (``--json`` keeps stdout one JSON document), holds the sections of
its command, shows names from the log as text, and a path that cannot be written is one line, exit 2."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("plotly", reason="the HTML report embeds the plotly package's JavaScript")

IMG = "<img src=x onerror=alert(1)>"


@pytest.fixture
def usage(tmp_path: Path) -> Path:
    """Two workloads on gpt-4o-mini over September–October 2026: 3 + 2 requests, one hostile name; and one
    record with a bad timestamp (quarantined)."""
    path = tmp_path / "usage.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["request_id", "timestamp", "provider", "model", "prompt_tokens", "completion_tokens", "workload"]
        )
        for i in range(3):
            writer.writerow([f"a{i}", f"2026-09-0{i + 1}T10:00:00Z", "openai", "gpt-4o-mini", 1000, 100, IMG])
        for i in range(2):
            writer.writerow(
                [f"b{i}", f"2026-10-0{i + 1}T10:00:00Z", "openai", "gpt-4o-mini", 2000, 200, "plain"]
            )
        writer.writerow(["q", "not a time", "openai", "gpt-4o-mini", 1, 1, "plain"])
    return path


def _section_ids(page: str) -> list[str]:
    return [part.split('"', 1)[0] for part in page.split('<section id="')[1:]]


def test_audit_html_is_written_beside_the_json(tmp_path: Path, usage: Path, cli: Any) -> None:
    report = tmp_path / "audit.html"
    result = cli("audit", usage, "--db", tmp_path / "s.duckdb", "--html", report, "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["rows"]["quarantined"] == 1  # stdout is still exactly the JSON document
    assert "wrote the HTML report to" in result.err and str(report) in result.err
    page = report.read_text(encoding="utf-8")
    assert _section_ids(page) == ["summary", "audit", "quality"]
    assert IMG not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "not a time" in page  # the quarantined record's reason quotes the cell
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.html", "s.duckdb", "usage.csv"]


def test_plan_html_holds_the_plan_and_the_audit_of_its_store(tmp_path: Path, usage: Path, cli: Any) -> None:
    store = tmp_path / "s.duckdb"
    assert cli("audit", usage, "--db", store).code == 0
    report = tmp_path / "plan.html"
    result = cli("plan", "--db", store, "--html", report)
    assert result.code == 0, result.err
    assert "Compare" not in result.err
    page = report.read_text(encoding="utf-8")
    ids = _section_ids(page)
    for expected in ("summary", "spend", "audit", "per-million", "portfolio", "quality", "assumptions"):
        assert expected in ids
    assert "1 quarantined record(s) in the store" in page
    assert IMG not in page


@pytest.mark.parametrize("target", ["missing/report.html", "."])
def test_a_report_path_that_cannot_be_written_is_one_line_exit_2(
    tmp_path: Path, usage: Path, cli: Any, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("audit", usage, "--db", ":memory:", "--html", target)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"llm-tco: error: --html {target}: "), result.err
    assert "Traceback" not in result.err

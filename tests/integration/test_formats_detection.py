"""Detection by content (never by file name), ``--format`` to force an adapter, clear rejection of JSON
that is not usage, and every format in one ``llm-tco audit`` command."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from _formats import DATA, ingest

from llm_tco.errors import InputFileError, UnknownFormatError
from llm_tco.ingest.files import probe_file
from llm_tco.ingest.registry import detect_adapter, get_adapter

FIXTURES: dict[str, str] = {
    "openai_usage/pages/page_1.json": "openai-usage",
    "openai_usage/pages/page_2.json": "openai-usage",
    "openai_usage/completions_usage_2025-09-01_2025-09-03.csv": "openai-usage",
    "openai_usage/empty_export.csv": "openai-usage",
    "openai_costs/costs_page.json": "openai-costs",
    "openai_costs/cost_2025-09-01_2025-09-03.csv": "openai-costs",
    "anthropic_usage/messages_usage_report.json": "anthropic-usage",
    "anthropic_costs/cost_report.json": "anthropic-costs",
    "bedrock/invocations.jsonl.gz": "bedrock",
    "bedrock/cloudwatch_export.gz": "bedrock",
    "litellm/spendlogs_export.csv": "litellm",
    "langfuse/observations.json": "langfuse",
    "langfuse/generations_export.csv": "langfuse",
    "otel/traces.json": "otel",
    "otel/collector_export.jsonl": "otel",
    "helicone/requests_export.jsonl": "helicone",
    "helicone/requests_export.csv": "helicone",
    "focus/focus_1_2_export.csv": "focus",
}


@pytest.mark.parametrize(("fixture", "expected"), sorted(FIXTURES.items()))
def test_every_fixture_is_detected_by_its_content(fixture: str, expected: str, tmp_path: Path) -> None:
    assert detect_adapter(probe_file(DATA / fixture)).name == expected
    # The file name plays no part: the same bytes under a neutral name are detected the same way.
    renamed = tmp_path / "export.dat"
    shutil.copyfile(DATA / fixture, renamed)
    assert detect_adapter(probe_file(renamed)).name == expected


def test_every_fixture_directory_is_covered() -> None:
    formats = {p.name for p in DATA.iterdir() if p.is_dir()}
    assert {f.split("/")[0] for f in FIXTURES} == formats


def test_json_that_is_not_usage_is_rejected_with_a_clear_reason(tmp_path: Path) -> None:
    other = tmp_path / "package.json"
    other.write_text('{"name": "left-pad", "version": "1.3.0", "license": "WTFPL"}\n')
    with pytest.raises(UnknownFormatError) as err:
        detect_adapter(probe_file(other))
    assert "not a known usage format" in str(err.value)
    assert "name, version, license" in str(err.value)
    _, report = ingest(other)
    assert [r.reason for r in report.rejected] == [err.value.reason]


def test_format_forces_an_adapter_and_refuses_content_it_cannot_read(tmp_path: Path) -> None:
    # Forced on its own format: same result as detection.
    _, report = ingest(DATA / "litellm" / "spendlogs_export.csv", format="litellm")
    assert report.accepted == 4
    # Forced on content of another kind: a one-line reason, nothing loaded.
    _, report = ingest(DATA / "litellm" / "spendlogs_export.csv", format="otel")
    assert report.accepted == 0
    assert "format 'otel' reads json/jsonl content, but this file is csv" in report.rejected[0].reason
    with pytest.raises(Exception, match="did you mean"):
        get_adapter("open-ai-usage")


def test_all_formats_in_one_audit_command(tmp_path: Path, cli: Any) -> None:
    files = [str(DATA / f) for f in FIXTURES]
    doc = cli("audit", *files, "--db", str(tmp_path / "s.duckdb"), "--json").json()
    by_format: dict[str, int] = {}
    for f in doc["files"]:
        by_format[f["format"]] = by_format.get(f["format"], 0) + f["accepted"]
    assert {k for k, v in by_format.items() if v} == {
        "openai-usage",
        "anthropic-usage",
        "bedrock",
        "litellm",
        "langfuse",
        "otel",
        "helicone",
        "focus",
    }
    rows = doc["rows"]
    assert rows["read"] == rows["accepted"] + rows["quarantined"] + rows["duplicates"]
    # 3 pages rows + 2 CSV + 3 Anthropic + 5 Bedrock + 4 LiteLLM + 6 Langfuse + 4 OTel + 4 Helicone + 3 FOCUS
    assert rows["accepted"] == 3 + 2 + 3 + 5 + 4 + 6 + 4 + 4 + 3
    # Cost-only records: 2 + 1 OpenAI, 2 Anthropic, 1 FOCUS credit.
    assert doc["reported"]["records"] == 6


def test_unreadable_gzip_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "x.jsonl.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(InputFileError, match="corrupt gzip"):
        probe_file(bad)

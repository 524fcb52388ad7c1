"""``llm-tco report`` and the ``--md``/``--csv``/``--compare`` outputs end to end, on real files and a
real DuckDB store: a saved ``--json`` document re-renders exactly as the command printed and wrote it
when it computed it, and bad input is refused with exit 2 naming the file and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "formats"
FILES = [DATA / "litellm" / "spendlogs_export.csv", DATA / "helicone" / "requests_export.jsonl"]


@pytest.fixture
def store(cli: Any, tmp_path: Path) -> str:
    db = str(tmp_path / "s.duckdb")
    result = cli("audit", *FILES, "--db", db, "--json")
    assert result.code == 0, result.err
    return db


@pytest.mark.parametrize("command", ["audit", "plan"])
def test_saved_report_renders_as_computed(cli: Any, store: str, tmp_path: Path, command: str) -> None:
    md, csv_file, saved = tmp_path / "now.md", tmp_path / "now.csv", tmp_path / "saved.json"
    printed = cli(command, "--db", store, "--md", md, "--csv", csv_file)
    assert printed.code == 0, printed.err
    as_json = cli(command, "--db", store, "--json")
    assert as_json.code == 0, as_json.err
    saved.write_text(as_json.out, encoding="utf-8")

    table = cli("report", saved)
    assert table.code == 0, table.err
    assert table.out == printed.out  # the same tables, from the saved document alone
    for fmt, written in (("md", md), ("csv", csv_file)):
        again = cli("report", saved, "--format", fmt)
        assert again.code == 0, again.err
        assert again.out == written.read_bytes().decode("utf-8")
        to_file = tmp_path / f"again.{fmt}"
        assert cli("report", saved, "--format", fmt, "--output", to_file).code == 0
        assert to_file.read_bytes() == written.read_bytes()
    to_file = tmp_path / "again.txt"
    assert cli("report", saved, "--output", to_file).code == 0
    assert to_file.read_text(encoding="utf-8") == printed.out


def test_saved_audit_keeps_its_breakdown(cli: Any, store: str, tmp_path: Path) -> None:
    printed = cli("audit", "--db", store, "--by", "team")
    saved = tmp_path / "saved.json"
    saved.write_text(cli("audit", "--db", store, "--json").out, encoding="utf-8")
    again = cli("report", saved, "--by", "team")
    assert again.code == 0, again.err
    assert again.out == printed.out and "team" in again.out


def test_json_output_matches_the_committed_schema(cli: Any, store: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema_file = Path(__file__).resolve().parents[2] / "schema" / "report.schema.json"
    validator = jsonschema.Draft202012Validator(json.loads(schema_file.read_text(encoding="utf-8")))
    for command in ("audit", "plan"):
        doc = cli(command, "--db", store, "--json").json()
        assert [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)] == []


def test_json_documents_share_one_version_field(cli: Any, store: str) -> None:
    audit = cli("audit", "--db", store, "--json").json()
    plan = cli("plan", "--db", store, "--json").json()
    for doc, kind in ((audit, "llm-tco.audit"), (plan, "llm-tco.plan")):
        assert doc["schema_version"] == 2 and doc["kind"] == kind and "version" not in doc
        assert doc["tool_version"] and doc["price_data_version"] and doc["seed"] is None
        # both files, each with the sha256 of its bytes
        assert sorted(Path(f["path"]).name for f in doc["inputs"]) == sorted(f.name for f in FILES)
        assert all(len(f["fingerprint"]) == 64 for f in doc["inputs"])
        horizon = next(v for v in doc["config"]["values"] if v["key"] == "planning.horizon_months")
        assert horizon["origin"] == "default" and horizon["source"]
    for key in ("rows", "totals", "by_model", "by_workload", "unpriced", "quarantine"):
        assert key in audit and key in plan["audit"]
    assert plan["audit"]["totals"] == audit["totals"]  # the same usage, audited the same way
    assert "version" not in plan["audit"] and "schema_version" not in plan["audit"]


def test_config_values_name_the_file_that_set_them(cli: Any, store: str, tmp_path: Path) -> None:
    config = tmp_path / "llm-tco.toml"
    config.write_text("[planning]\nhorizon_months = 24\n", encoding="utf-8")
    doc = cli("plan", "--db", store, "--json", "--config", config).json()
    values = {v["key"]: v for v in doc["config"]["values"]}
    assert values["planning.horizon_months"] == {
        "key": "planning.horizon_months",
        "value": 24,
        "unit": values["planning.horizon_months"]["unit"],
        "origin": "config",
        "source": str(config),
    }
    assert values["planning.discount_rate_per_year"]["origin"] == "default"


def test_compare_with_a_previous_run(cli: Any, store: str, tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(cli("plan", "--db", store, "--json").out, encoding="utf-8")
    md = tmp_path / "pr.md"
    result = cli("plan", "--db", store, "--md", md, "--compare", old)
    assert result.code == 0, result.err
    text = md.read_text(encoding="utf-8")
    assert "## Changes since `old.json`" in text
    assert "No workload's spend, decision or break-even changed." in text


def _refused(result: Any, *needles: str) -> None:
    assert result.code == 2, (result.code, result.err)
    assert result.out == ""
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    for needle in needles:
        assert needle in result.err


def test_report_refuses_bad_and_foreign_documents(cli: Any, tmp_path: Path) -> None:
    foreign = tmp_path / "package.json"
    foreign.write_text(json.dumps({"name": "left-pad", "version": "1.3.0"}), encoding="utf-8")
    _refused(cli("report", foreign), str(foreign), "field kind")
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": "llm-tco.plan",', encoding="utf-8")
    _refused(cli("report", broken), str(broken), "line 1: not JSON")
    _refused(cli("report", tmp_path / "absent.json"), "absent.json", "cannot read")


def test_report_refuses_bad_options(cli: Any, store: str, tmp_path: Path) -> None:
    saved = tmp_path / "audit.json"
    saved.write_text(cli("audit", "--db", store, "--json").out, encoding="utf-8")
    _refused(cli("report", saved, "--format", "pdf"), "--format 'pdf'", "table, html, md, csv")
    _refused(cli("report", saved, "--compare", saved), "--compare applies to --format md")
    plan = tmp_path / "plan.json"
    plan.write_text(cli("plan", "--db", store, "--json").out, encoding="utf-8")
    _refused(cli("report", saved, "--format", "md", "--compare", plan), str(plan), "field kind: llm-tco.plan")
    _refused(cli("audit", "--db", store, "--compare", plan), "--compare needs --md FILE")
    # refused before the audit runs: nothing printed, no summary written
    summary = tmp_path / "pr.md"
    _refused(cli("audit", "--db", store, "--md", summary, "--compare", plan), str(plan), "field kind")
    assert not summary.exists()
    _refused(
        cli("audit", "--db", store, "--md", tmp_path / "no-such-dir" / "x.md"), "no-such-dir", "cannot write"
    )


def test_a_saved_report_renders_to_the_html_written_at_compute_time(
    cli: Any, store: str, tmp_path: Path
) -> None:
    direct = tmp_path / "direct.html"
    computed = cli("audit", "--db", store, "--json", "--html", direct)
    assert computed.code == 0, computed.err
    saved = tmp_path / "audit.json"
    saved.write_text(computed.out, encoding="utf-8")
    again = tmp_path / "again.html"
    rendered = cli("report", saved, "--format", "html", "--output", again)
    assert rendered.code == 0, rendered.err
    assert again.read_text(encoding="utf-8") == direct.read_text(encoding="utf-8")
    assert "<html" in again.read_text(encoding="utf-8")

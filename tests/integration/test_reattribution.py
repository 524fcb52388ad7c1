"""Changed attribution re-applied to what the store holds, without re-ingesting: ``[[attribution]]`` rules
and ``--workload-from`` changed between audits, the store keeping the last ones given, a one-shot audit,
and a store written before the raw inputs were kept. CLI end to end on real files and DuckDB stores.

Expected workloads are written out per record by hand from the files below, and the number of records
whose workload changed is counted from those two hand-written maps."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from llm_tco.store.migrations import MIGRATIONS

# Generic CSV: request_id -> (timestamp, model, input, output, team, project, workload column)
CSV_ROWS: dict[str, tuple[str, str, int, int, str, str, str]] = {
    "c1": ("2026-10-01T10:00:00Z", "gpt-4o-mini", 100, 10, "red", "p1", "chat"),
    "c2": ("2026-10-01T11:00:00Z", "gpt-4o-mini", 200, 20, "red", "p2", "chat"),
    "c3": ("2026-10-02T10:00:00Z", "gpt-4o", 300, 30, "blue", "p1", "search"),
    "c4": ("2026-10-02T11:00:00Z", "gpt-4o", 400, 40, "blue", "p2", ""),
}
# OpenTelemetry spans: span id -> (service.name, model, input, output, feature attribute)
SPANS: dict[str, tuple[str, str, int, int, str]] = {
    "00000000000000a1": ("svc-a", "gpt-4o-mini", 1000, 100, "faq"),
    "00000000000000a2": ("svc-a", "gpt-4o-mini", 2000, 200, "faq"),
    "00000000000000a3": ("svc-a", "gpt-4o-mini", 3000, 300, "docs"),
    "00000000000000b1": ("svc-b", "gpt-4o", 4000, 400, "faq"),
}
TRACE = "0123456789abcdef0123456789abcdef"
RULES = """
[[attribution]]
workload = "red-team"
team = "red"

[[attribution]]
workload = "search"
team = "blue"
project = "p1"

[[attribution]]
workload = "faq"
metadata = { feature = "faq" }
"""


def _write_csv(path: Path, rows: dict[str, tuple[str, str, int, int, str, str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "request_id",
                "timestamp",
                "model",
                "input_tokens",
                "output_tokens",
                "team",
                "project",
                "workload",
            ]
        )
        for rid, row in rows.items():
            out.writerow([rid, *row])
    return path


def _write_otel(path: Path, spans: dict[str, tuple[str, str, int, int, str]]) -> Path:
    """An OTLP/JSON trace export: one resource per service, one chat span per entry, each span with a
    per-request attribute (its response id) besides the ``feature`` one."""

    def attr(key: str, value: str | int) -> dict[str, Any]:
        kind = "intValue" if isinstance(value, int) else "stringValue"
        return {"key": key, "value": {kind: str(value) if kind == "intValue" else value}}

    resources: dict[str, list[dict[str, Any]]] = {}
    for n, (span_id, (service, model, tokens_in, tokens_out, feature)) in enumerate(spans.items()):
        start_ns = 1_790_000_000_000_000_000 + n * 60_000_000_000  # 2026-09-21 plus n minutes
        resources.setdefault(service, []).append(
            {
                "traceId": TRACE,
                "spanId": span_id,
                "name": f"chat {model}",
                "kind": 3,
                "startTimeUnixNano": str(start_ns),
                "endTimeUnixNano": str(start_ns + 1_000_000_000),
                "attributes": [
                    attr("gen_ai.operation.name", "chat"),
                    attr("gen_ai.provider.name", "openai"),
                    attr("gen_ai.request.model", model),
                    attr("gen_ai.usage.input_tokens", tokens_in),
                    attr("gen_ai.usage.output_tokens", tokens_out),
                    attr("gen_ai.response.id", f"resp-{span_id}"),
                    attr("feature", feature),
                ],
            }
        )
    document = {
        "resourceSpans": [
            {
                "resource": {"attributes": [attr("service.name", service)]},
                "scopeSpans": [{"scope": {"name": "test"}, "spans": spans_of}],
            }
            for service, spans_of in resources.items()
        ]
    }
    path.write_text(json.dumps(document))
    return path


def _record_workloads(store: Path) -> dict[str, str]:
    """Record id (request id or span id) -> stored workload, read from the store itself."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        rows = con.execute("SELECT source_record_id, workload FROM usage_rows").fetchall()
    finally:
        con.close()
    return {str(rid).removeprefix("id:").split(":")[-1]: str(w) for rid, w in rows}


def _requests_by_workload(doc: dict[str, Any]) -> dict[str, int]:
    return {row["workload"]: row["requests"] for row in doc["by_workload"]}


def _expected_requests(workloads: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for workload in workloads.values():
        out[workload] = out.get(workload, 0) + 1
    return out


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.chdir(tmp_path)  # ./llm-tco.toml is the test's own
    return _write_csv(tmp_path / "usage.csv", CSV_ROWS), _write_otel(tmp_path / "traces.json", SPANS)


# Natural keys (no rules): the CSV's workload column (the model when blank), the OTel service name.
NATURAL = {
    "c1": "chat",
    "c2": "chat",
    "c3": "search",
    "c4": "gpt-4o",
    "00000000000000a1": "svc-a",
    "00000000000000a2": "svc-a",
    "00000000000000a3": "svc-a",
    "00000000000000b1": "svc-b",
}
# RULES: team red; team blue AND project p1; metadata feature=faq; else unattributed.
BY_RULES = {
    "c1": "red-team",
    "c2": "red-team",
    "c3": "search",
    "c4": "unattributed",
    "00000000000000a1": "faq",
    "00000000000000a2": "faq",
    "00000000000000a3": "unattributed",
    "00000000000000b1": "faq",
}


def test_changed_rules_reattribute_the_stored_records_without_reingesting(
    cli: Any, files: tuple[Path, Path], tmp_path: Path
) -> None:
    store = tmp_path / "s.duckdb"
    first = cli("audit", *files, "--db", store, "--json")
    assert first.code == 0, first.err
    assert _requests_by_workload(first.json()) == _expected_requests(NATURAL)
    assert first.json()["attribution"]["changed_records"] == 0
    assert _record_workloads(store) == NATURAL

    (tmp_path / "llm-tco.toml").write_text(RULES)
    second = cli("audit", *files, "--db", store, "--json")
    assert second.code == 0, second.err
    doc = second.json()
    assert doc["rows"] == {"read": 8, "accepted": 0, "quarantined": 0, "duplicates": 8}
    assert doc["totals"] == first.json()["totals"]  # nothing added, nothing lost
    changed = sum(NATURAL[k] != BY_RULES[k] for k in NATURAL)
    assert changed == 7  # c3 is "search" either way
    info = doc["attribution"]
    assert info["changed_records"] == changed
    assert info["reattributed"] is True and info["source"] == "given" and len(info["rules"]) == 3
    assert info["kept_records"] == 0
    assert info["rules"][2] == {"workload": "faq", "metadata": {"feature": "faq"}}
    assert f"{changed} stored record(s)" in second.err
    assert _requests_by_workload(doc) == _expected_requests(BY_RULES)
    assert _record_workloads(store) == BY_RULES

    plan = cli("plan", "--db", store, "--json")
    assert plan.code == 0, plan.err
    planned = {w["workload"] for w in plan.json()["workloads"]}
    assert planned == set(BY_RULES.values())

    # the same rules again: nothing to re-attribute, same fingerprint
    third = cli("audit", "--db", store, "--json").json()["attribution"]
    assert third["changed_records"] == 0 and third["reattributed"] is False
    assert third["rules_fingerprint"] == info["rules_fingerprint"]


def test_an_audit_given_no_attribution_keeps_the_stores_and_applies_it_to_new_files(
    cli: Any, files: tuple[Path, Path], tmp_path: Path
) -> None:
    store = tmp_path / "s.duckdb"
    (tmp_path / "llm-tco.toml").write_text(RULES)
    given = cli("audit", *files, "--db", store, "--json").json()["attribution"]
    (tmp_path / "llm-tco.toml").unlink()
    later = _write_csv(
        tmp_path / "later.csv", {"c5": ("2026-10-03T09:00:00Z", "gpt-4o-mini", 50, 5, "red", "p9", "chat")}
    )
    result = cli("audit", later, "--db", store, "--json")
    assert result.code == 0, result.err
    info = result.json()["attribution"]
    assert info["source"] == "store" and len(info["rules"]) == 3
    assert info["rules_fingerprint"] == given["rules_fingerprint"]
    assert info["changed_records"] == 0
    assert _record_workloads(store) == {**BY_RULES, "c5": "red-team"}  # not its "chat" column

    # a config without rules is given too: back to the natural keys, for every stored record
    (tmp_path / "llm-tco.toml").write_text("[planning]\nhorizon_months = 24\n")
    reset = cli("audit", "--db", store, "--json").json()["attribution"]
    expected = {**NATURAL, "c5": "chat"}
    before = {**BY_RULES, "c5": "red-team"}
    assert reset["changed_records"] == sum(before[k] != expected[k] for k in expected)
    assert _record_workloads(store) == expected


def test_changed_workload_from_reattributes_and_is_kept(
    cli: Any, files: tuple[Path, Path], tmp_path: Path
) -> None:
    store = tmp_path / "s.duckdb"
    _, traces = files
    by_feature = {k: v[4] for k, v in SPANS.items()}
    by_service = {k: v[0] for k, v in SPANS.items()}
    first = cli("audit", traces, "--db", store, "--workload-from", "metadata.feature", "--json")
    assert first.code == 0, first.err
    assert _requests_by_workload(first.json()) == _expected_requests(by_feature)

    second = cli("audit", "--db", store, "--workload-from", "service_name", "--json")
    assert second.code == 0, second.err
    changed = sum(by_feature[k] != by_service[k] for k in SPANS)
    assert second.json()["attribution"]["changed_records"] == changed == 4
    assert second.json()["attribution"]["workload_from"] == "service_name"
    assert _requests_by_workload(second.json()) == _expected_requests(by_service)

    # re-ingesting gives duplicates only, and the workloads of the settings in force (kept by the store)
    third = cli("audit", traces, "--db", store, "--json")
    assert third.json()["rows"]["duplicates"] == len(SPANS)
    assert third.json()["attribution"]["source"] == "store"
    assert _record_workloads(store) == by_service


def test_a_generic_files_other_workload_column_cannot_be_rederived_and_says_so(
    cli: Any, files: tuple[Path, Path], tmp_path: Path
) -> None:
    """A generic file's ``--workload-from`` names a column that is read at ingest and not kept."""
    store = tmp_path / "s.duckdb"
    usage, _ = files
    cli("audit", usage, "--db", store, "--workload-from", "team")
    result = cli("audit", "--db", store, "--workload-from", "project", "--json")
    assert result.code == 0, result.err
    info = result.json()["attribution"]
    assert info["changed_records"] == 0 and info["kept_records"] == len(CSV_ROWS)
    assert f"{len(CSV_ROWS)} stored record(s) keep their earlier workload" in result.err
    assert _record_workloads(store) == {k: v[4] for k, v in CSV_ROWS.items()}


def test_a_generic_files_workload_column_is_kept_as_the_stores_setting(
    cli: Any, files: tuple[Path, Path], tmp_path: Path
) -> None:
    """``--workload-from`` naming a column that is no attribute (here the file's ``workload`` column, the
    model where blank) is accepted for generic files and kept by the store like any other setting."""
    store = tmp_path / "s.duckdb"
    usage, _ = files
    first = cli("audit", usage, "--db", store, "--workload-from", "workload", "--json")
    assert first.code == 0, first.err
    from_column = {k: v[6] or v[1] for k, v in CSV_ROWS.items()}
    assert _record_workloads(store) == from_column
    later = _write_csv(
        tmp_path / "later.csv", {"c5": ("2026-10-03T09:00:00Z", "gpt-4o-mini", 50, 5, "red", "p9", "batch")}
    )
    kept = cli("audit", later, "--db", store, "--json")
    assert kept.code == 0, kept.err
    assert kept.json()["attribution"]["workload_from"] == "workload"
    assert _record_workloads(store) == {**from_column, "c5": "batch"}


def test_a_one_shot_memory_audit_is_unaffected(cli: Any, files: tuple[Path, Path], tmp_path: Path) -> None:
    (tmp_path / "llm-tco.toml").write_text(RULES)
    one_shot = cli("audit", *files, "--db", ":memory:", "--json")
    assert one_shot.code == 0, one_shot.err
    doc = one_shot.json()
    assert _requests_by_workload(doc) == _expected_requests(BY_RULES)
    assert doc["attribution"]["changed_records"] == 0 and doc["attribution"]["reattributed"] is False
    assert "re-attributed" not in one_shot.err
    on_disk = cli("audit", *files, "--db", tmp_path / "fresh.duckdb", "--json").json()
    for key in ("rows", "totals", "by_workload", "by_model"):
        assert doc[key] == on_disk[key], key


def test_rules_read_later_apply_to_metadata_kept_from_many_spans_without_a_series_per_span(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each of 150 spans has its own response id (a per-request key, not kept); ``feature`` (2 values)
    is kept, so a rule on it written after the ingest still applies to every span."""
    monkeypatch.chdir(tmp_path)
    spans = {
        f"{n:016x}": ("svc-a", "gpt-4o-mini", 10 + n, 1, "faq" if n % 3 == 0 else "docs") for n in range(150)
    }
    traces = _write_otel(tmp_path / "many.json", spans)
    store = tmp_path / "s.duckdb"
    assert cli("audit", traces, "--db", store).code == 0
    con = duckdb.connect(str(store), read_only=True)
    series = con.execute("SELECT count(*) FROM usage_series").fetchone()
    con.close()
    assert series == (2,)  # one per feature value, not one per span

    (tmp_path / "llm-tco.toml").write_text(
        '[[attribution]]\nworkload = "faq"\nmetadata = { feature = "faq" }\n'
    )
    info = cli("audit", "--db", store, "--json").json()
    faq = sum(1 for s in spans.values() if s[4] == "faq")
    assert info["attribution"]["changed_records"] == len(spans)  # svc-a -> faq or unattributed
    assert _requests_by_workload(info) == {"faq": faq, "unattributed": len(spans) - faq}


def _downgrade_to_before_raw_inputs(store: Path) -> None:
    """Make ``store`` what a version without the raw inputs wrote: its series hold the attributes and a
    workload only, its cost records no natural workload, and no attribution is recorded."""
    version = next(m.version for m in MIGRATIONS if m.name.startswith("attribution per series"))
    con = duckdb.connect(str(store))
    for column in ("natural_workload", "service_name", "tags", "metadata", "workload_column", "raw_inputs"):
        con.execute(f"ALTER TABLE usage_series DROP COLUMN {column}")
    for column in ("natural_workload", "raw_inputs"):
        con.execute(f"ALTER TABLE reported_costs DROP COLUMN {column}")
    con.execute("DROP TABLE attribution_state")
    con.execute("DELETE FROM schema_migrations WHERE version >= ?", [version])
    con.close()


def test_a_store_written_before_raw_inputs_migrates_and_reattributes_what_it_can(
    cli: Any, files: tuple[Path, Path], tmp_path: Path
) -> None:
    store = tmp_path / "old.duckdb"
    assert cli("audit", *files, "--db", store).code == 0
    _downgrade_to_before_raw_inputs(store)

    # nothing given: the store is migrated, its workloads stay as they were, and nothing is reported kept
    plain = cli("audit", "--db", store, "--json")
    assert plain.code == 0, plain.err
    assert plain.json()["attribution"]["kept_records"] == 0 and "keep their earlier" not in plain.err
    assert _record_workloads(store) == NATURAL

    # rules on stored attributes only (team, project): every old series can be re-attributed
    (tmp_path / "llm-tco.toml").write_text(
        '[[attribution]]\nworkload = "red-team"\nteam = "red"\n\n'
        '[[attribution]]\nworkload = "blue-p1"\nteam = "blue"\nproject = "p1"\n'
    )
    by_team = {"c1": "red-team", "c2": "red-team", "c3": "blue-p1", "c4": "unattributed"}
    expected = {k: by_team.get(k, "unattributed") for k in NATURAL}
    first = cli("audit", "--db", store, "--json")
    assert first.code == 0, first.err
    assert first.json()["attribution"]["changed_records"] == sum(NATURAL[k] != expected[k] for k in NATURAL)
    assert first.json()["attribution"]["kept_records"] == 0
    assert _record_workloads(store) == expected

    # a rule on metadata: the old series did not keep it, so they keep their workload, with a warning
    (tmp_path / "llm-tco.toml").write_text(RULES)
    second = cli("audit", *files, "--db", store, "--json")
    assert second.code == 0, second.err
    assert second.json()["rows"]["duplicates"] == len(NATURAL)
    assert second.json()["attribution"]["kept_records"] == len(NATURAL)
    assert second.json()["attribution"]["changed_records"] == 0
    assert f"{len(NATURAL)} stored record(s) keep their earlier workload" in second.err
    assert _record_workloads(store) == expected


def test_cost_only_records_are_reattributed_too(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenAI Costs API records: their natural workload is the project; a rule on the project renames
    them, a config without rules gives the project back."""
    monkeypatch.chdir(tmp_path)
    projects = {"1.25": "proj_a", "0.50": "proj_a", "2.00": "proj_b"}
    results = [
        {
            "object": "organization.costs.result",
            "amount": {"value": amount, "currency": "usd"},
            "line_item": f"gpt-4o-2024-08-06, input {amount}",  # the record id includes it
            "project_id": project,
        }
        for amount, project in projects.items()
    ]
    page = {
        "object": "page",
        "data": [{"object": "bucket", "start_time": 1790000000, "end_time": 1790086400, "results": results}],
        "has_more": False,
        "next_page": None,
    }
    costs = tmp_path / "costs_page.json"
    costs.write_text(json.dumps(page))
    store = tmp_path / "s.duckdb"
    assert cli("audit", costs, "--db", store).code == 0

    def stored() -> dict[str, str]:
        con = duckdb.connect(str(store), read_only=True)
        rows = con.execute("SELECT CAST(amount_usd AS VARCHAR), workload FROM reported_costs").fetchall()
        con.close()
        return {f"{float(a):.2f}": str(w) for a, w in rows}

    assert stored() == projects
    (tmp_path / "llm-tco.toml").write_text('[[attribution]]\nworkload = "team-a"\nproject = "proj_a"\n')
    by_rule = {"1.25": "team-a", "0.50": "team-a", "2.00": "unattributed"}
    info = cli("audit", "--db", store, "--json").json()["attribution"]
    assert info["changed_cost_records"] == sum(projects[k] != by_rule[k] for k in projects) == 3
    assert stored() == by_rule

    (tmp_path / "llm-tco.toml").write_text("[planning]\nhorizon_months = 24\n")
    info = cli("audit", "--db", store, "--json").json()["attribution"]
    assert info["changed_cost_records"] == 3 and info["rules"] == []
    assert stored() == projects


def test_a_failure_while_reattributing_leaves_the_store_as_it_was(
    files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction: a fault after the series were updated (here, in the cost records' step) rolls the
    series back too, and the store keeps its earlier settings."""
    import llm_tco.ingest.reattribute as reattribute
    from llm_tco.config.attribution import load_attribution_rules
    from llm_tco.ingest.base import IngestOptions
    from llm_tco.ingest.pipeline import ingest_files
    from llm_tco.store import open_store

    store = tmp_path / "s.duckdb"
    con = open_store(str(store))
    ingest_files(con, [str(f) for f in files], IngestOptions())
    before = reattribute.stored_settings(con)
    (tmp_path / "rules.toml").write_text(RULES)
    rules = load_attribution_rules(tmp_path / "rules.toml")

    def fail(*_: object) -> tuple[int, int]:
        raise RuntimeError("fault after the series step")

    monkeypatch.setattr(reattribute, "_reattribute_costs", fail)
    with pytest.raises(RuntimeError, match="fault after the series step"):
        reattribute.settle_attribution(con, reattribute.AttributionSettings(rules))
    assert reattribute.stored_settings(con) == before
    con.close()
    assert _record_workloads(store) == NATURAL

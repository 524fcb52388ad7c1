"""A staged table written by the fast reader carries each record's series hash, computed as it is written
from kept metadata keys sampled from the staged query's head (``llm_tco.ingest.series_hash``), and, where
the metadata is key and value lists (OTel), only those keys' values. The hash must be the one the
validation computes itself from the table, record by record, and the table must make the same series
(ids, workloads, kept metadata) as a reading that lets the validation compute it and keeps every
attribute (the lenient one, taken for a file with a malformed line)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from _formats import ingest, vendor_generator

from llm_tco.ingest.base import IngestOptions, StagedSource
from llm_tco.ingest.files import probe_file
from llm_tco.ingest.registry import detect_adapter
from llm_tco.ingest.series_hash import SERIES_HASH_COLUMN, SeriesHash, materialize_hashed
from llm_tco.ingest.validate import ValidationSql, bind_fingerprint, validation_sql

GEN = vendor_generator()


def _export(tmp_path: Path, fmt: str) -> Path:
    suffix = "csv" if fmt == "litellm-csv" else "jsonl"
    return GEN.generate(fmt, tmp_path / f"export.{suffix}", 3000, duplicates=0.02, seed=3)


def _staged_table(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[StagedSource, SeriesHash]:
    """The file read into its staged table as the loader reads it: with its series hash, and its
    metadata reduced to the kept keys where the loader reduces it."""
    probe = probe_file(path)
    staged = detect_adapter(probe).stage(con, probe, IngestOptions())
    for statement in staged.setup_sql:
        con.execute(statement)
    assert staged.materialize
    table, series = materialize_hashed(con, staged, (), None)
    assert series is not None
    return table, series


def _validation(
    con: duckdb.DuckDBPyConnection,
    table: StagedSource,
    *,
    series: SeriesHash | None = None,
    staged_table: str | None = None,
) -> ValidationSql:
    return validation_sql(
        con,
        table.sql,
        table.params,
        input_includes_cache=table.input_includes_cache,
        max_tokens_per_request=10_000_000,
        now=datetime(2026, 11, 25),
        id_namespace=table.format,
        series=series,
        staged_table=staged_table,
    )


@pytest.mark.parametrize("fmt", GEN.FORMATS)
def test_the_hash_written_with_the_table_is_the_validations_own(tmp_path: Path, fmt: str) -> None:
    with duckdb.connect() as con:
        table, series = _staged_table(con, _export(tmp_path, fmt))
        if series.kept_metadata_sql is not None:
            # key and value lists (OTel): the table holds the kept keys only
            keys = con.execute(f"SELECT DISTINCT metadata.k FROM ({table.sql}) WHERE metadata IS NOT NULL")
            assert keys.fetchall() == [(list(series.kept_keys),)]
        # the validation of the table hashes each record itself when not told of the column
        usage = _validation(con, table)
        bind_fingerprint(con, "0" * 64)
        total, equal, distinct = con.execute(
            f"SELECT count(*), count(*) FILTER (v.attr_hash = t.{SERIES_HASH_COLUMN}),"
            f" count(DISTINCT v.attr_hash) FROM ({usage.sql}) v JOIN ({table.sql}) t USING (record_no)",
            usage.params,
        ).fetchone() or (0, 0, 0)
    assert total >= 3000
    assert equal == total
    assert distinct > 1


@pytest.mark.parametrize("fmt", [f for f in GEN.FORMATS if f != "litellm-csv"])
def test_the_fast_and_the_lenient_reading_make_the_same_series(tmp_path: Path, fmt: str) -> None:
    clean = _export(tmp_path, fmt)
    broken = tmp_path / "broken" / clean.name
    broken.parent.mkdir()
    broken.write_bytes(clean.read_bytes() + b'{"truncated": "rec\n')
    series = "SELECT series_id, workload, natural_workload, CAST(metadata AS VARCHAR) FROM usage_series"
    fast, fast_report = ingest(clean)
    lenient, lenient_report = ingest(broken)
    assert [f.counts.quarantined for f in lenient_report.files] == [
        f.counts.quarantined + 1 for f in fast_report.files
    ]
    assert sorted(fast.execute(series).fetchall()) == sorted(lenient.execute(series).fetchall())


def _hostile_spans(path: Path, rules_key: str) -> Path:
    """OTel JSON lines whose kept attributes have awkward keys and values: a quote, non-ASCII text, a
    dotted key, a key given twice (the first counts), a valueless attribute, numbers, booleans and an
    array; a per-request key too, which is not kept."""

    def attr(key: str, value: dict[str, object] | None) -> dict[str, object]:
        return {"key": key, "value": value} if value is not None else {"key": key}

    lines = []
    for n in range(300):
        team = ["équipe ✓", 'quo"te', "plain"][n % 3]
        attrs = [
            attr("gen_ai.provider.name", {"stringValue": "openai"}),
            attr("gen_ai.request.model", {"stringValue": "gpt-4o-mini"}),
            attr("gen_ai.usage.input_tokens", {"intValue": str(100 + n)}),
            attr("gen_ai.usage.output_tokens", {"intValue": "7"}),
            attr('team"name', {"stringValue": team}),
            attr("app.feature", {"stringValue": "faq" if n % 2 else "docs"}),
            attr(rules_key, {"stringValue": f"first-{n % 2}"}),
            attr(rules_key, {"stringValue": "second"}),
            attr("flag", {"boolValue": n % 2 == 0}),
            attr("ratio", {"doubleValue": 0.5}),
            attr("langs", {"arrayValue": {"values": [{"stringValue": "fr"}, {"stringValue": "日本"}]}}),
            attr("empty", None),
            attr("gen_ai.response.id", {"stringValue": f"resp-{n}"}),
        ]
        span = {
            "traceId": f"{n:032x}",
            "spanId": f"{n:016x}",
            "name": "chat",
            "startTimeUnixNano": str(1_790_000_000_000_000_000 + n * 1_000_000_000),
            "endTimeUnixNano": str(1_790_000_000_000_000_000 + n * 1_000_000_000 + 5),
            "attributes": attrs,
        }
        resource = {"attributes": [attr("service.name", {"stringValue": f"svc-{n % 2}"})]}
        document = {"resourceSpans": [{"resource": resource, "scopeSpans": [{"spans": [span]}]}]}
        lines.append(json.dumps(document, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_hostile_attributes_make_the_same_series_from_the_reduced_table(tmp_path: Path) -> None:
    """The fast reading keeps only the kept attributes in its table; with awkward keys and values, and a
    rule reading a key given twice, it must make the series of the lenient reading, which keeps them all."""
    clean = _hostile_spans(tmp_path / "spans.jsonl", "dup.key")
    broken = tmp_path / "broken" / clean.name
    broken.parent.mkdir()
    broken.write_bytes(clean.read_bytes() + b'{"truncated": "rec\n')
    series = "SELECT series_id, workload, natural_workload, CAST(metadata AS VARCHAR) FROM usage_series"
    fast, _ = ingest(clean, workload_from="metadata.dup.key")
    lenient, _ = ingest(broken, workload_from="metadata.dup.key")
    fast_series = sorted(fast.execute(series).fetchall())
    assert fast_series == sorted(lenient.execute(series).fetchall())
    kept = " ".join(str(row[3]) for row in fast_series)
    for text in ("équipe ✓", 'quo\\"te', "app.feature", "first-1", "日本", "flag"):
        assert text in kept
    assert "second" not in kept and "resp-" not in kept
    assert {row[1] for row in fast_series} == {"first-0", "first-1"}


@pytest.mark.parametrize("fmt", GEN.FORMATS)
def test_combinations_picked_by_rowid_are_those_of_the_aggregate(tmp_path: Path, fmt: str) -> None:
    """From a staged table the validation picks each combination's first record by its rowid; read as
    it streams, it carries the values through an aggregate. Both must give the same attribute rows."""
    with duckdb.connect() as con:
        table, series = _staged_table(con, _export(tmp_path, fmt))
        assert table.table is not None

        def combos(staged_table: str | None) -> list[tuple[object, ...]]:
            usage = _validation(con, table, series=series, staged_table=staged_table)
            rows = con.execute(
                f"SELECT * REPLACE (CAST(metadata AS VARCHAR) AS metadata) FROM ({usage.combos_sql})",
                usage.combos_params,
            ).fetchall()
            return sorted(rows, key=repr)

        by_rowid, by_aggregate = combos(table.table), combos(None)
    assert len(by_rowid) > 1
    assert by_rowid == by_aggregate

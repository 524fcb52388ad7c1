"""A staged table written by the fast reader carries each record's series hash, computed as it is written
from kept metadata keys sampled from the staged query's head (``llm_tco.ingest.series_hash``), and, where
the metadata is key and value lists (OTel), only those keys' values. The hash must be the one the
validation computes itself from the table, record by record, and the table must make the same series
(ids, workloads, kept metadata) as a reading that lets the validation compute it and keeps every
attribute (the lenient one, taken for a file with a malformed line)."""

from __future__ import annotations

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

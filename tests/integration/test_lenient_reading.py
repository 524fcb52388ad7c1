"""A JSON-lines export with lines that are not JSON is read by DuckDB's reader told to skip them, and the
rows it stages are the per-record reader's, row by row: every column, every record number, every reason.
Where the skipped lines and the reader's marked rows do not pair one to one, the lenient reading refuses
and the per-record reader is used (``llm_tco.ingest.lenient``).

The per-record reader is the reference here: the end-to-end tests check it against a plain Python reading
of the same generated exports (``test_vendor_fast_equivalence``).
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from _formats import vendor_generator

from llm_tco.ingest import files
from llm_tco.ingest.base import IngestOptions, StagedSource
from llm_tco.ingest.files import probe_file
from llm_tco.ingest.lenient import UNREAD_MARK, read_leniently
from llm_tco.ingest.registry import detect_adapter
from llm_tco.ingest.staging import materialize_staged

GEN = vendor_generator()
JSON_FORMATS = ("bedrock", "litellm-json", "langfuse", "helicone", "otel", "openai-usage", "anthropic-usage")


def _staging(con: duckdb.DuckDBPyConnection, path: Path) -> StagedSource:
    probe = probe_file(path)
    return detect_adapter(probe).stage(con, probe, IngestOptions())


def _rows(con: duckdb.DuckDBPyConnection, staged: StagedSource) -> list[tuple[Any, ...]]:
    table = materialize_staged(con, staged)
    return con.execute(f"SELECT * FROM ({table.sql}) ORDER BY record_no", table.params).fetchall()


def _both_ways(path: Path) -> tuple[bool, list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(whether the lenient reading applies, the staged rows as the audit reads them, the per-record
    reader's rows)."""
    with duckdb.connect() as con:
        staged = _staging(con, path)
        assert staged.lenient is not None and staged.fallback is not None
        applies = read_leniently(con, "lenient_probe", staged.lenient())
        con.execute("DROP TABLE IF EXISTS temp.lenient_probe")
        audited = _rows(con, staged)
        per_record = _rows(con, dataclasses.replace(staged.fallback(), materialize=True))
    return applies, audited, per_record


def _reasons(rows: list[tuple[Any, ...]], staged_reason_at: int) -> list[str]:
    return [str(r[staged_reason_at]) for r in rows if r[staged_reason_at] is not None]


def _reason_index(path: Path) -> int:
    with duckdb.connect() as con:
        staged = _staging(con, path)
        names = [
            d[0] for d in con.execute(f"DESCRIBE SELECT * FROM ({staged.sql})", staged.params).fetchall()
        ]
    return names.index("reject_reason")


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_an_export_with_malformed_lines_is_read_leniently_and_as_per_record(tmp_path: Path, fmt: str) -> None:
    path = GEN.generate(fmt, tmp_path / "export.jsonl", 500, duplicates=0.05, bad=0.1, seed=11)
    applies, audited, per_record = _both_ways(path)
    assert applies
    assert audited == per_record
    reasons = _reasons(audited, _reason_index(path))
    malformed = [r for r in reasons if r.startswith("malformed JSON line (")]
    # the generator breaks every fifth bad record by truncating its line
    assert len(malformed) >= 5
    assert not any(UNREAD_MARK in r for r in reasons)


@pytest.mark.parametrize("fmt", ["bedrock", "helicone", "otel"])
def test_a_gzipped_export_is_read_leniently_too(tmp_path: Path, fmt: str) -> None:
    """Bedrock delivers its logs to S3 gzipped: the lenient reader and the line pass read it compressed."""
    plain = GEN.generate(fmt, tmp_path / "export.jsonl", 300, duplicates=0.05, bad=0.1, seed=5)
    path = tmp_path / "export.jsonl.gz"
    with plain.open("rb") as src, gzip.open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    applies, audited, per_record = _both_ways(path)
    assert applies
    assert audited == per_record
    assert any(r.startswith("malformed JSON line (") for r in _reasons(audited, _reason_index(path)))


def _bedrock_line(request_id: str, **changes: Any) -> str:
    record: dict[str, Any] = {
        "schemaType": "ModelInvocationLog",
        "timestamp": "2026-09-01T10:00:00Z",
        "accountId": "111122223333",
        "region": "us-east-1",
        "requestId": request_id,
        "modelId": "anthropic.claude-3-5-haiku-20241022-v1:0",
        "input": {"inputTokenCount": 100},
        "output": {"outputTokenCount": 20},
    }
    record.update(changes)
    return json.dumps(record)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_records_the_fast_reader_refuses_but_can_read_are_read_as_per_record(tmp_path: Path) -> None:
    """A member of the wrong shape and a key given twice fail DuckDB's strict read as a malformed line
    does; leniently they are read as the per-record reader reads them (NULL, the first value)."""
    path = _write(
        tmp_path / "bedrock.jsonl",
        [
            _bedrock_line("r1"),
            _bedrock_line("r2", input=5),
            _bedrock_line("r3")[:-1] + ', "requestId": "r3-again"}',
            '{"schemaType": "ModelInvocationLog", "requestId": "r4", "inp',
            _bedrock_line("r5", output=[1]),
        ],
    )
    applies, audited, per_record = _both_ways(path)
    assert applies
    assert audited == per_record
    reasons = _reasons(audited, _reason_index(path))
    assert "malformed JSON line (" + '{"schemaType": "ModelInvocationLog", "re' + "...)" in reasons


def _helicone_line(request_id: str) -> str:
    return json.dumps(
        {
            "request_id": request_id,
            "request_created_at": "2026-09-01T10:00:00Z",
            "provider": "OPENAI",
            "request_model": "gpt-4o-mini",
            "prompt_tokens": 10,
            "completion_tokens": 2,
        }
    )


_BROKEN_HELICONE = '{"request_id": "h4", "note": "café, 東京, 🚀 naïve", "prom'


def test_a_flat_export_keeps_its_checks_of_each_record(tmp_path: Path) -> None:
    """The flat readers (Helicone, LiteLLM) quarantine a key given twice and a record that is not an
    object: leniently too, with the same reasons at the same record numbers (a malformed line with
    accents, CJK and an emoji is quoted by characters)."""
    path = _write(
        tmp_path / "helicone.jsonl",
        [
            _helicone_line("h1"),
            _helicone_line("h2")[:-1] + ', "prompt_tokens": 11}',
            "[1, 2]",
            _BROKEN_HELICONE,
            _helicone_line("h5"),
        ],
    )
    applies, audited, per_record = _both_ways(path)
    assert applies
    assert audited == per_record
    reasons = _reasons(audited, _reason_index(path))
    assert sorted(reasons) == sorted(
        [
            "duplicate key 'prompt_tokens'",
            "record is a JSON array, not an object",
            # the reason quotes the line's first 40 characters, not bytes
            "malformed JSON line (" + _BROKEN_HELICONE[:40] + "...)",
        ]
    )


def test_a_key_given_twice_is_found_outside_the_sampled_columns_and_with_nulls(tmp_path: Path) -> None:
    """Only a record with fewer valued columns than keys is checked for a key given twice: one with a key
    past the sampled head (not a column) or a null value is checked, and a repeated key found."""
    head = [_helicone_line(f"h{i}") for i in range(10_001)]  # past the 10,000 records the columns come from
    extra_twice = _helicone_line("x1")[:-1] + ', "extra": 1, "extra": 2}'
    again_null = _helicone_line("x2")[:-1] + ', "provider": null}'
    nulls_twice = _helicone_line("x3")[:-1] + ', "note": null, "note": null}'
    one_null = _helicone_line("x4")[:-1] + ', "status": null}'  # fewer values than keys, no key twice
    path = _write(
        tmp_path / "helicone.jsonl",
        [*head, extra_twice, again_null, nulls_twice, one_null, _BROKEN_HELICONE, _helicone_line("x6")],
    )
    applies, audited, per_record = _both_ways(path)
    assert applies
    assert audited == per_record
    reasons = _reasons(audited, _reason_index(path))
    assert sorted(reasons) == sorted(
        [
            "duplicate key 'extra'",
            "duplicate key 'provider'",
            "duplicate key 'note'",
            "malformed JSON line (" + _BROKEN_HELICONE[:40] + "...)",
        ]
    )


@pytest.mark.parametrize(
    "odd_line",
    [
        pytest.param("{}", id="a valid record with none of the fields"),
        pytest.param("\t", id="a line of a tab, which DuckDB skips and the per-record reader counts"),
        pytest.param("2026-09-01T10:00:00.000Z " + _bedrock_line("cw"), id="a CloudWatch line"),
    ],
)
def test_the_lenient_reading_refuses_where_marks_and_lines_do_not_pair(tmp_path: Path, odd_line: str) -> None:
    path = _write(
        tmp_path / "bedrock.jsonl",
        [_bedrock_line("r1"), odd_line, '{"schemaType": "Model', _bedrock_line("r4")],
    )
    applies, audited, per_record = _both_ways(path)
    assert not applies
    assert audited == per_record


def test_a_malformed_file_with_a_record_past_the_line_pass_size_is_read_per_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lenient reading's line pass splits the file into lines of up to ``FAST_READ_BYTES`` (lowered to
    1 MiB here, so the file stays small); a longer line fails it, and the file is read per record, which
    takes records up to ``MAX_RECORD_BYTES``: the long record is accepted, nothing is lost."""
    monkeypatch.setattr(files, "FAST_READ_BYTES", 1 << 20)
    lines = [
        _bedrock_line("r1"),
        _bedrock_line("long", requestMetadata={"note": "x" * (3 << 20)}),
        '{"schemaType": "ModelInvocationLog", "requestId": "r3", "inp',
        _bedrock_line("r4"),
    ]
    path = _write(tmp_path / "bedrock.jsonl", lines)
    applies, audited, per_record = _both_ways(path)
    assert not applies
    assert audited == per_record
    assert len(audited) == len(lines)
    assert len(_reasons(audited, _reason_index(path))) == 1


def test_a_record_past_the_fast_readers_size_sends_the_file_to_the_per_record_reader(tmp_path: Path) -> None:
    """DuckDB's JSON reader, given ``FAST_READ_BYTES``, reads records of up to about 32 MiB (it sizes its
    buffers at no less than 16 MiB); a longer one fails the fast read, and the per-record reader takes it."""
    lines = [_bedrock_line("r1"), _bedrock_line("long", requestMetadata={"note": "x" * (40 << 20)})]
    path = _write(tmp_path / "bedrock.jsonl", lines)
    with duckdb.connect() as con:
        staged = _staging(con, path)
        with pytest.raises(duckdb.Error, match="maximum_object_size"):
            con.execute(f"SELECT count(*) FROM ({staged.sql})", staged.params).fetchall()
        rows = _rows(con, staged)
    assert [r[1] for r in rows] == ["r1", "long"]
    assert _reasons(rows, _reason_index(path)) == []

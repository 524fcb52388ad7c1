"""The Spark fast lane against the validation query, record by record.

The fast lane (``llm_tco.spark.native``) reads in Spark's own expressions the records that plainly break no
rule; the DuckDB validation query (``llm_tco.ingest.validate``) is the definition of the rules. Each test
runs both over the same frame — every record through the query, and the fast lane alone — and requires
that every record the fast lane takes is one the query accepts, with every output column equal. The values
are drawn from each rule's edge cases (counts at and past the limits, whole numbers written as decimals,
times with offsets, zone names, impossible dates, surrounding spaces, empty text, relations between the
token columns), on a text source (CSV as Spark reads it) and on typed ones (Parquet's integers, doubles,
decimals, instants and dates).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

pytestmark = pytest.mark.slow

_NOW = datetime(2026, 11, 25, 12, 0, 0)

_TEXT_TIMES = [
    "2026-09-01T12:00:00Z",
    "2026-09-01 12:00:00",
    "2026-09-01T23:59:59.123456Z",
    "2026-09-01T12:00:00.1234567Z",
    "2026-02-30T10:00:00Z",
    "2026-09-01T12:00:00+02:00",
    "2026-09-01T12:00:00-05:00",
    "2026-09-01 12:00:00 PST",
    "2026-09-01 12:00:00 UTC",
    "2026-09-01T24:00:00Z",
    "2019-12-31T23:59:59Z",
    "2026-11-25T12:04:59Z",  # inside the 5-minute skew
    "2026-11-25T12:05:01Z",  # past it: in the future
    "2031-01-01T00:00:00Z",
    "1756728000",
    "1756728000000",
    " 2026-09-01T12:00:00Z",
    "2026-09-01",
    "yesterday",
    "",
    None,
]
_TEXT_COUNTS = [
    "0",
    "7",
    "007",
    "1500",
    "12.0",
    "12.5",
    "1e3",
    "-3",
    " 5",
    "5 ",
    "",
    None,
    "abc",
    "NaN",
    "999999999999999",
    "1000000000000000",
    "1000000000000001",
    "99999999999999999999",
    "0x10",
]
_TEXTS = ["gpt-4o", "claude-sonnet-4-5", " gpt-4o", "gpt-4o ", "", None, "a\tb", "Ünïcödé"]
_BATCH = ["true", "Yes", "0", "batch", " y", "", None, "no"]


def _text_row(rng: random.Random, i: int) -> dict[str, Any]:
    def pick(edges: list[Any], normal: Any) -> Any:
        return rng.choice(edges) if rng.random() < 0.1 else normal

    input_tokens = rng.randrange(0, 3_000)
    return {
        "_file_idx": i % 2,
        "record_no": i + 1,
        "_reject_reason": "malformed JSON record" if i % 97 == 0 else None,
        "request_id": pick(["", " r", None, "r-1"], f"r-{i}"),
        "timestamp": pick(_TEXT_TIMES, f"2026-10-{1 + i % 28:02d}T{i % 24:02d}:15:00Z"),
        "end_time": pick([None, "", "2026-08-01T00:00:00Z", "2026-12-01T00:00:00Z", "later"], None),
        "provider": pick(_TEXTS, "openai"),
        "model": pick(_TEXTS, "gpt-4o"),
        "team": pick(_TEXTS, f"team-{i % 3}"),
        "batch": pick(_BATCH, None),
        "requests": pick(_TEXT_COUNTS, "1"),
        "input_tokens": pick(_TEXT_COUNTS, str(input_tokens)),
        "cache_read_tokens": pick([*_TEXT_COUNTS, str(input_tokens + 1)], str(input_tokens // 3)),
        "cache_write_tokens": pick(_TEXT_COUNTS, "0"),
        "output_tokens": pick([*_TEXT_COUNTS, "5000"], str(rng.randrange(1, 900))),
        "reasoning_tokens": pick([*_TEXT_COUNTS, "100000"], None),
        "cost": pick(["0.25", "abc", "", None], None),
    }


_TEXT_MATCHED = {
    "source_record_id": "request_id",
    "ts_start": "timestamp",
    "ts_end": "end_time",
    "provider": "provider",
    "model_raw": "model",
    "team": "team",
    "batch": "batch",
    "requests": "requests",
    "input_tokens": "input_tokens",
    "cache_read_tokens": "cache_read_tokens",
    "cache_write_tokens": "cache_write_tokens",
    "output_tokens": "output_tokens",
    "reasoning_tokens": "reasoning_tokens",
    "reported_cost_usd": "cost",
}

_BIG = 2**63 - 1


def _typed_row(rng: random.Random, i: int) -> dict[str, Any]:
    def pick(edges: list[Any], normal: Any) -> Any:
        return rng.choice(edges) if rng.random() < 0.12 else normal

    input_tokens = rng.randrange(0, 3_000)
    return {
        "_file_idx": 0,
        "record_no": i + 1,
        "_reject_reason": None,
        "request_id": pick([None, -1, 0], 10_000 + i),
        "ts": pick(
            [
                None,
                datetime(2019, 6, 1, tzinfo=UTC),
                datetime(2026, 11, 25, 12, 6, tzinfo=UTC),
                datetime(2026, 9, 1, 23, 59, 59, 999_999, tzinfo=UTC),
            ],
            datetime(2026, 10, 1 + i % 28, i % 24, 30, tzinfo=UTC),
        ),
        "day": pick([None, date(2019, 1, 1), date(2026, 11, 26)], date(2026, 10, 2 + i % 28)),
        "model": pick(_TEXTS, "gpt-4o"),
        "context_window": pick([None, -5, 0], 128_000),
        "batch": pick([None, True], False),
        "requests": pick([None, 0, -1, 10**15, 10**15 + 1], rng.randrange(1, 4)),
        "input_tokens": pick([None, -1, 0, 10**15, 10**15 + 1, _BIG], input_tokens),
        "output_tokens": pick(
            [None, float("nan"), float("inf"), -0.0, 12.5, 1e300, 3.0, 1e15, 1e16],
            float(rng.randrange(1, 900)),
        ),
        "cache_read_tokens": pick(
            [None, Decimal("-1.00"), Decimal("2.50"), Decimal(str(input_tokens + 1))],
            Decimal(input_tokens // 4),
        ),
        "cache_write_1h_tokens": pick([None, 1, 7], 0),
    }


_TYPED_SCHEMA = (
    "_file_idx INT, record_no BIGINT, _reject_reason STRING, request_id BIGINT, ts TIMESTAMP, day DATE, "
    "model STRING, context_window INT, batch BOOLEAN, requests BIGINT, input_tokens BIGINT, "
    "output_tokens DOUBLE, cache_read_tokens DECIMAL(20,2), cache_write_1h_tokens SMALLINT"
)


def _settings(matched: dict[str, str], input_includes_cache: bool, max_tokens: int) -> Any:
    from llm_tco.spark.validate import ValidationSettings

    return ValidationSettings(matched, input_includes_cache, max_tokens, _NOW, "table")


def _compare(frame: Any, settings: Any) -> tuple[int, int, int]:
    """(records the fast lane took, records the query accepted, records it refused), after checking that
    the fast lane's records are accepted by the query with the same values, and that both lanes together
    give the query's output exactly."""
    from llm_tco.spark.native import fast_lane
    from llm_tco.spark.validate import _by_duckdb, fast_rows, validate_frame

    lane = fast_lane(frame.schema, settings)
    assert lane is not None
    key = ["_file_idx", "record_no"]
    reference = {tuple(r[k] for k in key): r.asDict() for r in _by_duckdb(frame, settings).collect()}
    fast = [r.asDict() for r in fast_rows(frame, lane).collect()]
    for row in fast:
        expected = reference[(row["_file_idx"], row["record_no"])]
        assert expected["reason"] is None, (row, expected["reason"])
        assert row == expected
    both_lanes = validate_frame(frame, settings, lane, doubtful=True).collect()
    both = {tuple(r[k] for k in key): r.asDict() for r in both_lanes}
    assert both == reference
    accepted = sum(1 for r in reference.values() if r["reason"] is None)
    return len(fast), accepted, len(reference) - accepted


@pytest.mark.parametrize(("includes_cache", "max_tokens"), [(True, 1_000_000), (False, 4_000)])
def test_the_fast_lane_takes_only_what_the_query_accepts_from_text(
    spark: Any, includes_cache: bool, max_tokens: int
) -> None:
    rng = random.Random(11)
    rows = [_text_row(rng, i) for i in range(1_500)]
    schema = ", ".join(
        f"`{c}` {'INT' if c == '_file_idx' else 'BIGINT' if c == 'record_no' else 'STRING'}" for c in rows[0]
    )
    frame = spark.createDataFrame([tuple(r.values()) for r in rows], schema)
    fast, accepted, refused = _compare(frame, _settings(_TEXT_MATCHED, includes_cache, max_tokens))
    # the data exercised both lanes: the query had reasons to give, and the fast lane took most of what
    # it accepted (an accepted record it leaves to the query is correct, only slower)
    assert refused > 500 and fast > 0.6 * accepted


def test_the_fast_lane_takes_only_what_the_query_accepts_from_typed_columns(spark: Any) -> None:
    rng = random.Random(12)
    rows = [_typed_row(rng, i) for i in range(1_500)]
    frame = spark.createDataFrame([tuple(r.values()) for r in rows], _TYPED_SCHEMA)
    matched = {
        "source_record_id": "request_id",
        "ts_start": "ts",
        "ts_end": "day",
        "model_raw": "model",
        "context_window": "context_window",
        "batch": "batch",
        "requests": "requests",
        "input_tokens": "input_tokens",
        "output_tokens": "output_tokens",
        "cache_read_tokens": "cache_read_tokens",
        "cache_write_1h_tokens": "cache_write_1h_tokens",
    }
    fast, accepted, refused = _compare(frame, _settings(matched, False, 1_000_000))
    assert refused > 300 and fast > 0.9 * accepted


def test_a_column_type_without_a_plain_reading_sends_every_record_to_the_query(spark: Any) -> None:
    from llm_tco.spark.native import fast_lane

    frame = spark.createDataFrame(
        [(0, 1, None, ["gpt-4o"], "2026-09-01T00:00:00Z", "1", "1")],
        "_file_idx INT, record_no BIGINT, _reject_reason STRING, model ARRAY<STRING>, ts STRING, i STRING, "
        "o STRING",
    )
    matched = {"model_raw": "model", "ts_start": "ts", "input_tokens": "i", "output_tokens": "o"}
    assert fast_lane(frame.schema, _settings(matched, True, 1_000_000)) is None


def test_ids_the_validation_trims_alike_count_as_shared(spark: Any) -> None:
    """The narrow id check reads ids as the validation cleans them: ``" r-1 "`` and ``"r-1"`` are one id
    (a record needing the DuckDB lane can still repeat one), an empty id is none, and distinct ids of a
    typed column are told apart."""
    from llm_tco.spark.census import shared_source_ids

    text = spark.createDataFrame(
        [(" r-1 ",), ("r-1",), ("r-2",), ("",), ("",), (None,), (None,)], "request_id STRING"
    )
    assert shared_source_ids(text, "request_id") == 1
    typed = spark.createDataFrame([(1,), (2,), (2,), (None,), (None,)], "request_id BIGINT")
    assert shared_source_ids(typed, "request_id") == 1

"""Counts given as text (CSV cells, JSON strings, OTel's ``intValue``): the exact whole number each
spelling stands for, whichever branch of ``count_sql`` reads it (the written-as-BIGINT shortcut or the
branches for every other spelling)."""

from __future__ import annotations

import duckdb
import pytest

from llm_tco.ingest.value_sql import count_sql

# (text, the whole number it is, None when it is none), derived from the rule: an integer in any sign,
# zero-padding or surrounding spaces; a decimal or exponent form only when it is whole; nothing else
CASES: list[tuple[str | None, int | None]] = [
    ("5307", 5307),
    ("-2", -2),
    ("0", 0),
    ("-0", 0),
    ("+5", 5),
    ("05", 5),
    (" 42 ", 42),
    ("1e3", 1000),
    ("1.5e1", 15),
    ("1.0", 1),
    ("12.5", None),
    ("abc", None),
    ("", None),
    (None, None),
    ("9223372036854775807", 2**63 - 1),
    ("-9223372036854775808", -(2**63)),
    ("9223372036854775808", 2**63),  # past BIGINT: read exactly, and reported as beyond 64 bits later
    ("99999999999999999999999", 99999999999999999999999),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_spelling_is_the_number_it_stands_for(text: str | None, expected: int | None) -> None:
    _, exact = count_sql("v", "text")
    got = duckdb.connect().execute(f"SELECT {exact} FROM (SELECT ?::VARCHAR AS v)", [text]).fetchone()
    assert got is not None
    assert got[0] == expected

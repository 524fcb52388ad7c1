"""genai-prices' match clauses flattened into rule rows (an OR of ANDs), and RE2-safe regexes."""

from __future__ import annotations

import re

from genai_prices.types import (
    ClauseAnd,
    ClauseContains,
    ClauseEndsWith,
    ClauseEquals,
    ClauseOr,
    ClauseRegex,
    ClauseStartsWith,
)

from llm_tco.warehouse.prices import _regex_conditions, flatten_match


def test_and_of_ors_becomes_every_combination() -> None:
    clause = ClauseAnd(
        and_=[
            ClauseOr(or_=[ClauseStartsWith(starts_with="gpt-4o"), ClauseEquals(equals="chatgpt-4o")]),
            ClauseOr(or_=[ClauseEndsWith(ends_with="-mini"), ClauseContains(contains="tiny")]),
        ]
    )
    # (a or b) and (c or d) = ac or ad or bc or bd, written out by hand
    assert flatten_match(clause) == [
        [("starts_with", "gpt-4o"), ("ends_with", "-mini")],
        [("starts_with", "gpt-4o"), ("contains", "tiny")],
        [("equals", "chatgpt-4o"), ("ends_with", "-mini")],
        [("equals", "chatgpt-4o"), ("contains", "tiny")],
    ]


def test_nested_or_is_flattened() -> None:
    clause = ClauseOr(or_=[ClauseEquals(equals="a"), ClauseOr(or_=[ClauseRegex(regex="^b\\d$")])])
    assert flatten_match(clause) == [[("equals", "a")], [("regex", "^b\\d$")]]


def test_leading_negative_lookahead_becomes_not_regex() -> None:
    pattern = "^(?![^/]+/)(?:labs-)?(?:mi|code)stral"
    conditions = _regex_conditions(pattern)
    assert conditions == [("not_regex", "^(?:[^/]+/)"), ("regex", "^(?:(?:labs-)?(?:mi|code)stral)")]
    # the rewrite decides like Python's look-ahead on names with and without a prefix
    for name in ("mistral-large", "labs-codestral", "openrouter/mistral-large", "mixtral"):
        rewritten = all(
            (re.search(value, name) is not None) == (kind == "regex") for kind, value in conditions
        )
        assert rewritten == (re.search(pattern, name) is not None), name


def test_lookahead_only_pattern_has_one_condition() -> None:
    assert _regex_conditions("^(?!.*-tts(?:$|-))") == [("not_regex", "^(?:.*-tts(?:$|-))")]
    assert _regex_conditions("^claude-\\d{8}$") == [("regex", "^claude-\\d{8}$")]

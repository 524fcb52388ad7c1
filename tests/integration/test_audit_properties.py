"""Properties of the audit (Hypothesis): tokens and cost are conserved from files to report, and do not
depend on how the rows are split over files or in which order they come.

The reference cost is genai-prices' own ``calc_price`` called row by row — an independent derivation,
not the SQL under test.
"""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from genai_prices import Usage, calc_price
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llm_tco.cli.main import run

MODELS = [("openai", "gpt-4o-mini"), ("anthropic", "claude-sonnet-4-5"), ("google", "gemini-2.5-flash")]
UNKNOWN = ("openai", "not-a-real-model-xyz")
START = datetime(2026, 8, 1, tzinfo=UTC)


@st.composite
def usage_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(min_value=1, max_value=25))
    rows = []
    for i in range(n):
        provider, model = draw(st.sampled_from([*MODELS, UNKNOWN]))
        input_tokens = draw(st.integers(min_value=0, max_value=300_000))
        cache_read = draw(st.integers(min_value=0, max_value=input_tokens))
        rows.append(
            {
                "request_id": f"q{i}",
                "timestamp": START
                + timedelta(minutes=draw(st.integers(min_value=0, max_value=90 * 24 * 60))),
                "provider": provider,
                "model": model,
                "workload": draw(st.sampled_from(["a", "b", "c"])),
                "prompt_tokens": input_tokens,
                "cached_tokens": cache_read,
                "completion_tokens": draw(st.integers(min_value=0, max_value=20_000)),
            }
        )
    return rows


def _write(path: Path, rows: list[dict[str, Any]], with_ids: bool = True) -> None:
    cols = [
        *(["request_id"] if with_ids else []),
        "timestamp",
        "provider",
        "model",
        "workload",
        "prompt_tokens",
        "cached_tokens",
        "completion_tokens",
    ]
    lines = [",".join(cols)]
    for r in rows:
        lines.append(",".join(r[c].isoformat() if isinstance(r[c], datetime) else str(r[c]) for c in cols))
    path.write_text("\n".join(lines) + "\n")


def _audit(paths: list[Path], capsys: Any, db: str = ":memory:") -> dict[str, Any]:
    import json

    capsys.readouterr()
    assert run(["audit", *map(str, paths), "--db", db, "--json"]) == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def _reference_cost(rows: list[dict[str, Any]]) -> Decimal:
    total = Decimal(0)
    for r in rows:
        if (r["provider"], r["model"]) == UNKNOWN:
            continue
        usage = Usage(
            input_tokens=r["prompt_tokens"],
            cache_read_tokens=r["cached_tokens"],
            output_tokens=r["completion_tokens"],
        )
        total += calc_price(
            usage, r["model"], provider_id=r["provider"], genai_request_timestamp=r["timestamp"]
        ).total_price
    return total


SETTINGS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


# The three ways usage is kept: records with request ids (held for de-duplication) in a one-shot store;
# records without ids streamed into an on-disk store (rows and day rollup); and streamed into a one-shot
# store that keeps only month-segment sums.
PATHS = pytest.mark.parametrize(
    ("with_ids", "on_disk"), [(True, False), (False, True), (False, False)], ids=["ids", "disk", "sums"]
)


@PATHS
@SETTINGS
@given(
    rows=usage_rows(),
    seed=st.integers(min_value=0, max_value=2**16),
    parts=st.integers(min_value=1, max_value=4),
)
def test_totals_are_conserved_and_independent_of_splitting_and_order(
    with_ids: bool, on_disk: bool, rows: list[dict[str, Any]], seed: int, parts: int, capsys: Any
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        whole = folder / "whole.csv"
        _write(whole, rows, with_ids)
        doc = _audit([whole], capsys, str(folder / "whole.duckdb") if on_disk else ":memory:")

        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        split_paths = []
        for k in range(parts):
            p = folder / f"part{k}.csv"
            _write(p, shuffled[k::parts], with_ids)
            split_paths.append(p)
        doc_split = _audit(split_paths, capsys, str(folder / "split.duckdb") if on_disk else ":memory:")

    totals = doc["totals"]
    assert totals["input_tokens"] == sum(r["prompt_tokens"] for r in rows)
    assert totals["cache_read_tokens"] == sum(r["cached_tokens"] for r in rows)
    assert totals["output_tokens"] == sum(r["completion_tokens"] for r in rows)
    assert totals["requests"] == len(rows)
    # Conservation across breakdowns.
    for key in ("input_tokens", "output_tokens", "requests"):
        assert sum(w[key] for w in doc["by_workload"]) == totals[key]
        assert sum(m[key] for m in doc["by_model"]) == totals[key]
        assert sum(m[key] for m in doc["by_month"]) == totals[key]
    priced = [r for r in rows if (r["provider"], r["model"]) != UNKNOWN]
    if priced:
        reference = _reference_cost(rows)
        assert abs(Decimal(str(totals["cost_usd"])) - reference) < Decimal("0.000001")
        assert abs(sum(Decimal(str(w["cost_usd"] or 0)) for w in doc["by_workload"]) - reference) < Decimal(
            "1e-6"
        )
    else:
        assert totals["cost_usd"] is None
    # Splitting over files and shuffling rows changes nothing.
    assert doc_split["totals"] == totals
    assert doc_split["rows"] == doc["rows"]

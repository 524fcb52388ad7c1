"""OpenAI Usage API pages, the dashboard usage CSV, the Costs API and the cost CSV (FORMATS.md 1-3).

Expected rows are derived by hand from the payloads in tests/data/formats/openai_* (written from the
spec's example row) and the convention: OpenAI's ``input_tokens`` already includes cache reads
(``input_cached_tokens``) and cache writes (``input_cache_write_tokens``), so it is kept as it is.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from _formats import DATA, assert_accounting, canonical_rows, ingest, one, quarantine, reported_costs, tokens

USAGE = DATA / "openai_usage"
COSTS = DATA / "openai_costs"
SEP_1, SEP_2, SEP_3, SEP_4 = (datetime(2025, 9, d) for d in (1, 2, 3, 4))


def test_a_folder_of_usage_pages_gives_one_row_per_result_with_the_bucket_bounds() -> None:
    con, report = ingest(USAGE / "pages")
    assert [f.format for f in report.files] == ["openai-usage", "openai-usage"]
    assert (report.read, report.accepted, report.quarantined) == (3, 3, 0)  # the empty bucket has no records
    rows = canonical_rows(con)
    spec = one(rows, model_raw="gpt-4o-mini-2024-07-18", ts_start=SEP_1)
    # Spec example: input 5000 = cached 1800 + cache-write 200 + uncached 3000 (inclusive, kept as is).
    assert tokens(spec) == (5000, 1800, 200, 0, 1000, 0)
    assert spec["requests"] == 5
    assert (spec["ts_start"], spec["ts_end"]) == (SEP_1, SEP_2)
    assert (spec["provider"], spec["project"], spec["user"], spec["api_key_id"]) == (
        "openai",
        "proj_abc",
        "user-abc",
        "key_abc",
    )
    assert (spec["service_tier"], spec["batch"], spec["workload"]) == ("default", False, "proj_abc")
    batch = one(rows, model_raw="gpt-4o-2024-08-06")
    assert tokens(batch) == (20000, 0, 0, 0, 3000, 0)
    assert (batch["requests"], batch["batch"], batch["user"]) == (40, True, None)
    older = one(rows, ts_start=SEP_3)  # older SDK fields only, plus an unknown api_source field
    assert tokens(older) == (1200, 1024, 0, 0, 300, 0)
    assert (older["requests"], older["ts_end"], older["workload"]) == (3, SEP_4, "proj_xyz")


def test_re_reading_the_pages_counts_every_bucket_once() -> None:
    con, _ = ingest(USAGE / "pages")
    from llm_tco.ingest.base import IngestOptions
    from llm_tco.ingest.pipeline import ingest_files

    again = ingest_files(con, [str(USAGE / "pages")], IngestOptions())
    assert (again.read, again.accepted, again.duplicates) == (3, 0, 3)


def test_dashboard_usage_csv_reads_by_header_and_skips_empty_buckets() -> None:
    con, report = ingest(USAGE / "completions_usage_2025-09-01_2025-09-03.csv")
    assert report.files[0].format == "openai-usage"
    assert (report.read, report.accepted) == (2, 2)  # the middle row is an empty 1-minute bucket
    rows = canonical_rows(con)
    first = one(rows, project="proj_abc")
    assert tokens(first) == (5000, 1800, 0, 0, 1000, 0)  # this export has no cache-write column
    assert (first["ts_start"], first["ts_end"], first["requests"]) == (SEP_1, datetime(2025, 9, 1, 0, 1), 5)
    second = one(rows, project="proj_xyz")
    assert tokens(second) == (800, 0, 0, 0, 90, 0)
    assert (second["batch"], second["requests"]) == (True, 2)


def test_an_export_with_only_the_time_columns_is_empty_not_an_error() -> None:
    _, report = ingest(USAGE / "empty_export.csv")
    assert not report.rejected
    assert report.read == 0
    assert any("empty" in w for w in report.warnings)


def test_malformed_usage_is_quarantined_or_rejected_with_reasons() -> None:
    con, report = ingest(USAGE / "malformed")
    assert_accounting(report)
    assert [r.file.rsplit("/", 1)[1] for r in report.rejected] == ["truncated_page.json"]
    assert "invalid JSON" in report.rejected[0].reason
    assert quarantine(con) == {
        1: "non-numeric input_tokens 'lots'",
        2: "missing output_tokens",
        3: "result names no model (export the Usage API with group_by=model to price it)",
        4: "input_cached_tokens + input_cache_write_tokens + input_uncached_tokens (90) "
        "differ from input_tokens (100)",
        5: "negative requests (-2)",
        7: "unparseable timestamp 'yesterday'",
    }
    assert report.accepted == 1


def test_costs_pages_and_cost_csv_are_reported_cost_records_not_usage() -> None:
    con, report = ingest(COSTS / "costs_page.json", COSTS / "cost_2025-09-01_2025-09-03.csv")
    assert_accounting(report)
    assert report.read == 0 and report.accepted == 0
    assert report.reported == 3  # 2 results + 1 CSV day with spend (the day without spend is no record)
    costs = reported_costs(con)
    assert [(c["amount_usd"], c["line_item"], c["model_raw"]) for c in costs] == [
        (Decimal("0.06"), "input_tokens", None),  # spec example: amount.value in dollars
        (Decimal("1.25"), "gpt-4o-2024-08-06, input", "gpt-4o-2024-08-06"),  # value given as a string
        (Decimal("0.5"), "gpt-4o-2024-08-06, output", "gpt-4o-2024-08-06"),
    ]
    assert {c["provider"] for c in costs} == {"openai"}
    assert {c["workload"] for c in costs} == {"proj_abc"}
    assert (costs[0]["ts_start"], costs[0]["ts_end"]) == (SEP_1, SEP_2)


def test_bad_cost_records_are_quarantined_with_reasons() -> None:
    con, report = ingest(COSTS / "malformed")
    assert_accounting(report)
    assert report.reported == 0
    assert quarantine(con) == {
        1: "reported cost: non-numeric amount 'a lot'",
        2: "reported cost: currency 'eur' is not USD (only US-dollar costs can be reconciled)",
        3: "reported cost: missing amount",
    }

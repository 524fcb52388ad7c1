"""Files without request ids are validated and loaded as they stream (``llm_tco.ingest.stream``); a
one-shot audit of a ``:memory:`` store keeps only the rollup sums. Both must give exactly what the
materialising path gives: the same accounting, quarantine, series and priced totals."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from _stores import store_at_version
from genai_prices import data_snapshot
from genai_prices.types import StartDateConstraint

import llm_tco.ingest.load as load
import llm_tco.ingest.stream as stream
from llm_tco.ingest.base import IngestOptions
from llm_tco.ingest.pipeline import ingest_files
from llm_tco.store.connection import open_store
from llm_tco.store.migrations import MIGRATIONS

# 8 records of which record 3 has a negative count and record 6 a model seen nowhere else and no
# timestamp: both quarantined, and the second's model must not be left behind as a series.
MODELS = [
    "gpt-4o-mini",
    "gpt-4o-mini",
    "gpt-4o",
    "claude-haiku-4-5",
    "gpt-4o",
    "only-on-a-bad-row",
    "o3",
    "o3",
]
TIMES = [
    "2026-09-01T00:00:00Z",
    "2026-09-01T13:00:00Z",
    "2026-09-02T08:00:00Z",
    "2026-09-30T23:59:59Z",
    "2026-10-01T00:00:00Z",
    None,
    "2026-10-02T10:00:00Z",
    "2026-10-15T10:00:00Z",
]
INPUT = [1_000, 2_000, -5, 4_000, 5_000, 6_000, 7_000, 8_000]
OUTPUT = [10, 20, 30, 40, 50, 60, 70, 80]
GOOD = [i for i in range(8) if i not in (2, 5)]


def _parquet(path: Path) -> Path:
    pq.write_table(
        pa.table(
            {
                "timestamp": TIMES,
                "model": MODELS,
                "workload": ["chat"] * 4 + ["batch-jobs"] * 4,
                "prompt_tokens": pa.array(INPUT, pa.int64()),
                "completion_tokens": pa.array(OUTPUT, pa.int64()),
            }
        ),
        path,
    )
    return path


def _csv(path: Path) -> Path:
    lines = ["timestamp,model,workload,prompt_tokens,completion_tokens"]
    for i in range(8):
        workload = "chat" if i < 4 else "batch-jobs"
        lines.append(f"{TIMES[i] or ''},{MODELS[i]},{workload},{INPUT[i]},{OUTPUT[i]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(params=["parquet", "csv"])
def usage_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return _parquet(tmp_path / "u.parquet") if request.param == "parquet" else _csv(tmp_path / "u.csv")


def _streamed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the files that take the streaming path (and prove the materialising one is not used)."""
    calls: list[int] = []
    real = stream.load_streaming

    def counting(*args: Any, **kwargs: Any) -> tuple[int, int, int]:
        calls.append(1)
        return real(*args, **kwargs)

    def refuse(*args: Any, **kwargs: Any) -> tuple[int, int, int]:
        raise AssertionError("a file without request ids should stream")

    monkeypatch.setattr(load, "load_streaming", counting)
    monkeypatch.setattr(load, "_load_usage", refuse)
    return calls


def test_streaming_load_accounts_for_every_record(
    usage_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _streamed(monkeypatch)
    con = open_store(str(tmp_path / "s.duckdb"))
    report = ingest_files(con, [str(usage_file)], IngestOptions())
    assert calls == [1]
    assert (report.read, report.accepted, report.quarantined, report.duplicates) == (8, 6, 2, 0)
    quarantine = con.execute("SELECT record_no, reason FROM quarantine ORDER BY record_no").fetchall()
    assert quarantine == [(3, "negative input_tokens (-5)"), (6, "missing timestamp")]
    stored = con.execute("SELECT record_no, input_tokens FROM usage ORDER BY record_no").fetchall()
    assert stored == [(i + 1, INPUT[i]) for i in GOOD]
    models = {r[0] for r in con.execute("SELECT model_raw FROM usage_series").fetchall()}
    assert models == {MODELS[i] for i in GOOD}  # no series left from the quarantined record's model
    rollup = con.execute(
        "SELECT sum(row_count), sum(input_tokens), sum(output_tokens) FROM usage_rollup"
    ).fetchone()
    assert rollup == (6, sum(INPUT[i] for i in GOOD), sum(OUTPUT[i] for i in GOOD))
    # the same bytes again, under the same name and under another: all duplicates, nothing added
    copy = usage_file.with_name("copy" + usage_file.suffix)
    copy.write_bytes(usage_file.read_bytes())
    for path in (usage_file, copy):
        again = ingest_files(con, [str(path)], IngestOptions())
        assert (again.read, again.accepted, again.duplicates) == (8, 0, 8)
    assert con.execute("SELECT sum(row_count) FROM usage_rollup").fetchone() == (6,)
    series = {(MODELS[i], "chat" if i < 4 else "batch-jobs") for i in GOOD}
    assert con.execute("SELECT count(*) FROM usage_series").fetchone() == (len(series),)
    # the copy is recorded under its own name, with no records of its own (it may be the log that grows)
    assert con.execute("SELECT count(*), sum(rows_accepted) FROM ingested_files").fetchone() == (2, 6)


def test_rows_not_kept_are_summed_by_month_segment(usage_file: Path) -> None:
    """Without its rows, a file's usage is kept as sums per series and month segment: the part of a month
    between two dates on which a price of the series' model starts."""
    con = open_store(":memory:")
    report = ingest_files(con, [str(usage_file)], IngestOptions(keep_rows=False))
    assert (report.read, report.accepted, report.quarantined) == (8, 6, 2)
    assert con.execute("SELECT count(*) FROM usage").fetchone() == (0,)

    def segment(model: str, ts: str) -> date:
        """The month's first day or the model's last price start date before the record, if later."""
        day = datetime.fromisoformat(ts).date()
        return max([day.replace(day=1), *(b for b in _start_dates(model) if b <= day)])

    expected: dict[tuple[str, str, date], tuple[int, int, int]] = {}
    for i in GOOD:
        time = TIMES[i]
        assert time is not None
        key = (MODELS[i], "chat" if i < 4 else "batch-jobs", segment(MODELS[i], time))
        rows, inp, out = expected.get(key, (0, 0, 0))
        expected[key] = (rows + 1, inp + INPUT[i], out + OUTPUT[i])
    got = con.execute(
        "SELECT s.model_raw, s.workload, r.day, r.row_count, r.input_tokens, r.output_tokens "
        "FROM usage_rollup r JOIN usage_series s USING (series_key)"
    ).fetchall()
    assert {(m, w, d): (int(n), int(i), int(o)) for m, w, d, n, i, o in got} == expected
    # o3 on 2026-10-15 falls after its 2026-10-14 price start; claude-haiku-4-5 on 2026-09-30 is cut by no
    # start date of its own, though the price data has some that month (e.g. 2026-09-28)
    assert ("o3", "batch-jobs", date(2026, 10, 14)) in expected
    assert ("claude-haiku-4-5", "chat", date(2026, 9, 1)) in expected


def _start_dates(model: str) -> set[date]:
    """Dates on which a price of the model (or of a variant of it) starts, read from genai-prices."""
    provider = "anthropic" if model.startswith("claude") else "openai"
    _, info = data_snapshot.get_snapshot().find_provider_model(model, None, provider, None)
    conditional = [p.constraint for p in info.prices] if isinstance(info.prices, list) else []
    variants = [v.constraint for v in info.price_variants or []]
    return {c.start_date for c in [*conditional, *variants] if isinstance(c, StartDateConstraint)}


@pytest.mark.parametrize("since", [None, "2026-09-01", "2026-09-01T12:00:00"])
def test_one_shot_audit_equals_an_on_disk_audit(
    usage_file: Path, tmp_path: Path, cli: Any, since: str | None
) -> None:
    """``--db :memory:`` streams into month-segment sums only (or, with a window, keeps the rows); either
    way its document is that of an on-disk store's audit."""
    window = ["--since", since] if since else []
    on_disk = cli("audit", usage_file, "--db", tmp_path / "s.duckdb", *window, "--json").json()
    one_shot = cli("audit", usage_file, "--db", ":memory:", *window, "--json").json()
    for key in ("rows", "totals", "by_model", "by_workload", "by_month", "quarantine", "unpriced"):
        assert one_shot[key] == on_disk[key], key
    expected_input = sum(INPUT[i] for i in GOOD if since != "2026-09-01T12:00:00" or i != 0)
    assert on_disk["totals"]["input_tokens"] == expected_input
    assert on_disk["totals"]["cost_usd"] is not None and on_disk["totals"]["cost_usd"] > 0


def test_read_only_open_migrates_an_older_store(tmp_path: Path) -> None:
    """A store written before the rollup existed (schema version 2) is migrated on a read-only open."""
    path = str(tmp_path / "old.duckdb")
    store_at_version(path, 2)
    ro = open_store(path, read_only=True)
    assert ro.execute("SELECT max(version) FROM schema_migrations").fetchone() == (MIGRATIONS[-1].version,)
    assert ro.execute("SELECT count(*) FROM usage_rollup").fetchone() == (0,)
    ro.close()


def test_reaudit_rebuilds_a_stale_rollup(tmp_path: Path, cli: Any) -> None:
    """A store whose rollup is missing (written before it existed) or was built with other price data is
    re-summed once by the next audit; the figures are the same before and after."""
    store = tmp_path / "s.duckdb"
    first = cli("audit", _parquet(tmp_path / "u.parquet"), "--db", store, "--json").json()
    con = open_store(str(store))
    con.execute("DELETE FROM usage_rollup")
    con.execute("DELETE FROM usage_rollup_layout")
    con.close()
    again = cli("audit", "--db", store, "--json").json()
    for key in ("totals", "by_model", "by_workload", "by_month"):
        assert again[key] == first[key], key
    con = open_store(str(store), read_only=True)
    assert con.execute("SELECT count(*) FROM usage_rollup_layout").fetchone() == (1,)
    summed = con.execute("SELECT sum(row_count), sum(input_tokens) FROM usage_rollup").fetchone()
    assert summed == (len(GOOD), sum(INPUT[i] for i in GOOD))
    con.close()

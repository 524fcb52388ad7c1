"""A realistic, seeded usage set for ``llm-tco demo``: five workloads with distinct shapes on three providers.

The data is anchored on a fixed date (``DEMO_END``) so the demo prints the same audit on every machine
and day. Shapes are chosen to exercise every part of the pipeline: a high-volume extraction job, a RAG
support chat, a code assistant with prompt caching, an agent with long contexts (some past the 200k-token
tier) and 5-minute and 1-hour cache writes, and a low-volume frontier-model workload. Each workload grows
month over month and follows daily and weekly seasonality. Rows are generated with vectorised NumPy and
written with Arrow — never a Python loop over rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

__all__ = ["DEMO_END", "DEMO_MONTHS", "DEMO_SEED", "WORKLOADS", "DemoWorkload", "write_demo_files"]

DEMO_END = datetime(2026, 11, 1, tzinfo=UTC)
"""Exclusive end of the demo data: three full months, August to October 2026."""
DEMO_MONTHS = 3
DEMO_SEED = 20261101


@dataclass(frozen=True)
class DemoWorkload:
    name: str
    team: str
    provider: str
    model: str
    file_format: str  # parquet | jsonl | csv
    requests_per_day: float  # mean over the first month
    growth_per_month: float  # relative, e.g. 0.15 = +15 %/month
    input_tokens_median: float
    input_sigma: float  # log-normal spread of the prompt length
    output_tokens_median: float
    cache_read_share: float  # share of input served from cache
    cache_write_share: float  # share of input written to cache
    cache_write_1h_share: float  # part of the writes with a 1-hour lifetime
    business_hours: bool  # True: traffic follows office hours; False: flat (batch, agents)
    weekend_factor: float
    max_input_tokens: int


WORKLOADS: tuple[DemoWorkload, ...] = (
    DemoWorkload(
        name="doc-extraction",
        team="ops",
        provider="openai",
        model="gpt-4o-mini",
        file_format="parquet",
        requests_per_day=1900,
        growth_per_month=0.06,
        input_tokens_median=1400,
        input_sigma=0.35,
        output_tokens_median=120,
        cache_read_share=0.0,
        cache_write_share=0.0,
        cache_write_1h_share=0.0,
        business_hours=False,
        weekend_factor=0.9,
        max_input_tokens=16_000,
    ),
    DemoWorkload(
        name="support-rag",
        team="customer-care",
        provider="google",
        model="gemini-2.5-flash",
        file_format="jsonl",
        requests_per_day=700,
        growth_per_month=0.15,
        input_tokens_median=3800,
        input_sigma=0.45,
        output_tokens_median=280,
        cache_read_share=0.25,
        cache_write_share=0.0,
        cache_write_1h_share=0.0,
        business_hours=True,
        weekend_factor=0.45,
        max_input_tokens=60_000,
    ),
    DemoWorkload(
        name="code-assistant",
        team="engineering",
        provider="anthropic",
        model="claude-sonnet-4-5",
        file_format="csv",
        requests_per_day=420,
        growth_per_month=0.10,
        input_tokens_median=9000,
        input_sigma=0.6,
        output_tokens_median=650,
        cache_read_share=0.55,
        cache_write_share=0.08,
        cache_write_1h_share=0.0,
        business_hours=True,
        weekend_factor=0.2,
        max_input_tokens=150_000,
    ),
    DemoWorkload(
        name="agent-research",
        team="research",
        provider="anthropic",
        model="claude-sonnet-4-5",
        file_format="csv",
        requests_per_day=90,
        growth_per_month=0.25,
        input_tokens_median=60000,
        input_sigma=0.9,
        output_tokens_median=2200,
        cache_read_share=0.70,
        cache_write_share=0.12,
        cache_write_1h_share=0.4,
        business_hours=False,
        weekend_factor=0.7,
        max_input_tokens=400_000,
    ),
    DemoWorkload(
        name="exec-summaries",
        team="office-of-ceo",
        provider="openai",
        model="gpt-5",
        file_format="csv",
        requests_per_day=22,
        growth_per_month=0.03,
        input_tokens_median=18000,
        input_sigma=0.5,
        output_tokens_median=1500,
        cache_read_share=0.0,
        cache_write_share=0.0,
        cache_write_1h_share=0.0,
        business_hours=True,
        weekend_factor=0.1,
        max_input_tokens=120_000,
    ),
)

# Relative traffic by UTC hour for office-hours workloads (peaks mid-morning and mid-afternoon).
_OFFICE_HOURS = np.array([
    0.15, 0.1, 0.1, 0.1, 0.15, 0.25, 0.5, 0.9, 1.4, 1.9, 2.1, 2.0,
    1.7, 1.9, 2.1, 2.0, 1.7, 1.3, 0.9, 0.6, 0.45, 0.35, 0.25, 0.2,
])  # fmt: skip


def _timestamps(w: DemoWorkload, rng: np.random.Generator) -> np.ndarray:
    """Request start times (epoch seconds) following growth, weekly and daily seasonality."""
    start = DEMO_END.timestamp() - DEMO_MONTHS * 30.4375 * 86400
    days = round((DEMO_END.timestamp() - start) / 86400)
    day_index = np.arange(days)
    day_start = start + day_index * 86400.0
    weekday = ((day_start // 86400).astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday (3)
    weekly = np.where(weekday >= 5, w.weekend_factor, 1.0)
    growth = (1 + w.growth_per_month) ** (day_index / 30.4375)
    counts = rng.poisson(w.requests_per_day * weekly * growth)
    day_of_req = np.repeat(day_start, counts)
    hour_weights = _OFFICE_HOURS if w.business_hours else np.ones(24)
    hours = rng.choice(24, size=day_of_req.size, p=hour_weights / hour_weights.sum())
    seconds = rng.uniform(0, 3600, size=day_of_req.size)
    ts: np.ndarray = np.sort(day_of_req + hours * 3600.0 + seconds)
    return ts


def _table(w: DemoWorkload, rng: np.random.Generator, id_prefix: str) -> pa.Table:
    ts = _timestamps(w, rng)
    n = ts.size
    input_tokens = np.minimum(
        np.maximum(np.round(rng.lognormal(np.log(w.input_tokens_median), w.input_sigma, n)), 16),
        w.max_input_tokens,
    ).astype(np.int64)
    output_tokens = np.maximum(np.round(rng.lognormal(np.log(w.output_tokens_median), 0.5, n)), 1).astype(
        np.int64
    )
    cache_read = np.floor(input_tokens * np.clip(rng.normal(w.cache_read_share, 0.1, n), 0, 0.95)).astype(
        np.int64
    )
    cache_read = np.where(w.cache_read_share > 0, cache_read, 0)
    writes_room = input_tokens - cache_read
    cache_write = np.minimum(
        np.floor(input_tokens * w.cache_write_share * rng.uniform(0.5, 1.5, n)).astype(np.int64), writes_room
    )
    cache_write_1h = np.where(rng.uniform(size=n) < w.cache_write_1h_share, cache_write, 0).astype(np.int64)
    reasoning = (
        np.floor(output_tokens * rng.uniform(0.2, 0.6, n)).astype(np.int64)
        if w.model.startswith("gpt-5")
        else np.zeros(n, dtype=np.int64)
    )
    request_ids = pc.binary_join_element_wise(
        pa.array([id_prefix] * n), pc.utf8_lpad(pc.cast(pa.array(np.arange(n)), pa.string()), 7, "0"), "-"
    )
    times = pa.array((ts * 1e6).astype("int64"), pa.timestamp("us", tz="UTC"))
    columns: dict[str, pa.Array] = {
        "request_id": request_ids,
        "timestamp": times,
        "provider": pa.array([w.provider] * n),
        "model": pa.array([w.model] * n),
        "workload": pa.array([w.name] * n),
        "team": pa.array([w.team] * n),
        "prompt_tokens": pa.array(input_tokens),
        "cached_tokens": pa.array(cache_read),
        "cache_creation_tokens": pa.array(cache_write),
        "cache_write_1h_tokens": pa.array(cache_write_1h),
        "completion_tokens": pa.array(output_tokens),
        "reasoning_tokens": pa.array(reasoning),
    }
    return pa.table(columns)


def write_demo_files(folder: Path, seed: int = DEMO_SEED) -> list[Path]:
    """Write one usage file per workload into ``folder`` (Parquet, JSON lines or CSV) and return them.

    Token convention of the files: OpenAI's (prompt tokens include cached and cache-creation tokens).
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    written: list[Path] = []
    for w in WORKLOADS:
        table = _table(w, rng, w.name[:4])
        if w.file_format == "parquet":
            path = folder / f"{w.name}.parquet"
            pq.write_table(table, path)
        elif w.file_format == "jsonl":
            path = folder / f"{w.name}.jsonl"
            _write_jsonl(table, path)
        else:
            path = folder / f"{w.name}.csv"
            pacsv.write_csv(table, path)
        written.append(path)
    return written


def _write_jsonl(table: pa.Table, path: Path) -> None:
    """JSON lines via DuckDB's writer (vectorised), timestamps as ISO 8601 UTC."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("t", table)
        con.execute(
            "COPY (SELECT * REPLACE (strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%fZ') AS timestamp) FROM t) "
            "TO ? (FORMAT json)",
            [str(path)],
        )
    finally:
        con.close()

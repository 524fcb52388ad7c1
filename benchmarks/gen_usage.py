"""Generate canonical usage as Parquet for the audit benchmarks (reproducible: fixed seed, fixed dates).

    python benchmarks/gen_usage.py --rows 10000000 --out benchmarks/_data/usage_10m.parquet
    python benchmarks/gen_usage.py --rows 10000000 --no-ids --out benchmarks/_data/usage_10m_noid.parquet

Rows are single requests over 2026-08-01 .. 2026-11-01 on 24 real models of three providers, 60 workloads
and 8 teams, with prompt caching on the Anthropic and OpenAI models and a few long-context requests past
the 200k-token tier. By default every row has a unique ``request_id`` (``req_`` + 26 hex digits: 64 random
bits, then the row number, so ids are unique whatever the seed), as per-request logs have (LiteLLM,
Langfuse, Helicone, Bedrock, OTel): the audit must then de-duplicate by id. ``--no-ids`` leaves the column
out: record ids are then the file fingerprint plus the position, the case of warehouse exports. Written in
row groups of 1M rows so memory stays flat whatever the size.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

MODELS = (
    [
        ("openai", m)
        for m in ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-5", "gpt-5-mini", "o3", "o4-mini")
    ]
    + [
        ("anthropic", m)
        for m in (
            "claude-sonnet-4-5",
            "claude-sonnet-4-20250514",
            "claude-3-5-haiku-latest",
            "claude-opus-4-1",
            "claude-haiku-4-5",
            "claude-3-7-sonnet-20250219",
            "claude-opus-4-5",
            "claude-sonnet-4-0",
        )
    ]
    + [
        ("google", m)
        for m in (
            "gemini-2.5-pro",
            "gemini-2.5-flash",
            "gemini-2.0-flash",
            "gemini-2.5-flash-lite",
            "gemini-1.5-pro",
            "gemini-1.5-flash",
            "gemini-2.0-flash-lite",
            "gemini-3-pro-preview",
        )
    ]
)
WORKLOADS = [f"workload-{i:02d}" for i in range(60)]
TEAMS = [f"team-{i}" for i in range(8)]
START_US = 1_785_542_400_000_000  # 2026-08-01T00:00:00Z
SPAN_US = 92 * 86_400 * 1_000_000
ROW_GROUP = 1_000_000
SEED = 42


def _request_ids(rng: np.random.Generator, first_row: int, n: int) -> pa.Array:
    """``req_`` + 16 hex digits of random bits + 10 hex digits of the row number: unique, random-looking."""
    random_part = np.char.mod("%016x", rng.integers(0, 2**63, n, dtype=np.int64))
    row_part = np.char.mod("%010x", np.arange(first_row, first_row + n, dtype=np.int64))
    return pa.array(np.char.add(np.char.add("req_", random_part), row_part).astype(object), pa.string())


def _chunk(rng: np.random.Generator, n: int) -> pa.Table:
    model_idx = rng.integers(0, len(MODELS), n)
    input_tokens = np.minimum(rng.lognormal(7.5, 1.2, n), 900_000).astype(np.int64)
    long_ctx = rng.random(n) < 0.002
    input_tokens = np.where(long_ctx, rng.integers(200_001, 400_000, n), input_tokens)
    cached = (input_tokens * rng.uniform(0, 0.8, n)).astype(np.int64)
    cached = np.where(model_idx < 16, cached, 0)
    writes = np.minimum((input_tokens * rng.uniform(0, 0.1, n)).astype(np.int64), input_tokens - cached)
    writes = np.where((model_idx >= 8) & (model_idx < 16), writes, 0)
    ts = np.sort(START_US + rng.integers(0, SPAN_US, n))
    provider = pa.DictionaryArray.from_arrays(
        pa.array(np.array([0] * 8 + [1] * 8 + [2] * 8, dtype=np.int32)[model_idx]),
        pa.array(["openai", "anthropic", "google"]),
    )
    return pa.table(
        {
            "ts_start": pa.array(ts, pa.timestamp("us", tz="UTC")),
            "provider": provider,
            "model": pa.DictionaryArray.from_arrays(
                pa.array(model_idx.astype(np.int32)), pa.array([m for _, m in MODELS])
            ),
            "workload": pa.DictionaryArray.from_arrays(
                pa.array(rng.integers(0, len(WORKLOADS), n).astype(np.int32)), pa.array(WORKLOADS)
            ),
            "team": pa.DictionaryArray.from_arrays(
                pa.array(rng.integers(0, len(TEAMS), n).astype(np.int32)), pa.array(TEAMS)
            ),
            "input_tokens": pa.array(input_tokens),
            "cache_read_tokens": pa.array(cached),
            "cache_write_tokens": pa.array(writes),
            "output_tokens": pa.array(rng.lognormal(5.5, 1.0, n).astype(np.int64)),
        }
    )


def generate(rows: int, out: Path, seed: int = SEED, *, with_ids: bool = True) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    id_rng = np.random.default_rng(seed + 1)  # apart, so that the usage is the same with ids and without
    writer: pq.ParquetWriter | None = None
    try:
        done = 0
        while done < rows:
            n = min(ROW_GROUP, rows - done)
            table = _chunk(rng, n)
            if with_ids:
                table = table.add_column(0, "request_id", _request_ids(id_rng, done, n))
            if writer is None:
                writer = pq.ParquetWriter(out, table.schema, compression="snappy")
            writer.write_table(table)
            done += n
    finally:
        if writer is not None:
            writer.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-ids", action="store_true", help="leave out the request_id column")
    args = parser.parse_args()
    generate(args.rows, args.out, args.seed, with_ids=not args.no_ids)


if __name__ == "__main__":
    main()

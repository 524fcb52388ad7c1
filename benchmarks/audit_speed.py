"""Audit speed benchmark: fresh ``llm-tco`` processes timed from start to exit, with peak memory.

    python benchmarks/audit_speed.py                   # 1M and 10M rows, and (a) at 100M
    python benchmarks/audit_speed.py --sizes 1e6 1e7 1e8 --replicated 0

For each size it generates canonical Parquet usage (``benchmarks/gen_usage.py``; cached under
``benchmarks/_data``, never committed), reads the file once so it sits in the OS cache, then measures:

(a) re-audit of an already-ingested on-disk store   (``llm-tco audit --db STORE --json``)
(b) one-shot audit of the file in memory             (``llm-tco audit FILE --db :memory: --json``)
(c) ingest into a new on-disk store (incl. its audit) (``llm-tco audit FILE --db NEW --json``)
(a') re-audit of a 100M-row store built from the 10M ingested rows copied ten times (``--replicated``)
(d) the same totals computed by genai-prices' ``calc_price`` row by row on a 20,000-row sample, and the
    speed ratio of (b) to it, after checking that both give the same total cost on that sample.

Results go to ``benchmarks/results/audit_speed.json`` with the machine's description. Targets (issue 2):
(a) 100M rows ≤ 5 s at ≤ 1 GB RSS; (b) 100M rows ≤ 20 s at ≤ 4 GB; (c) ≥ 2M rows/s; (d) ≥ 1,000×.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
RESULTS = HERE / "results" / "audit_speed.json"
SAMPLE_ROWS = 20_000
ONESHOT_MAX_ROWS = 20_000_000


def _run(args: list[str]) -> tuple[float, float, dict[str, object]]:
    """Run ``llm-tco ARGS`` in a fresh process: (wall seconds, its own peak RSS in MiB, parsed JSON output).

    ``os.wait4`` returns the resource usage of exactly that child, so each figure is its own."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "llm_tco.cli.main", *args], stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"llm-tco {' '.join(args)} failed ({proc.returncode}): {err.read().strip()}")
        return wall, usage.ru_maxrss / 1024.0, json.loads(out.read())


_COPY_ROWS = """
import sys, duckdb
store, rows, factor = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
con = duckdb.connect(store)
for k in range(1, factor):
    con.execute(
        "INSERT INTO usage SELECT series_key, file_id, record_no + ? * ?, record_key + ?, NULL, ts_start, "
        "ts_end, requests, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, "
        "output_tokens, reasoning_tokens, reported_cost_usd FROM usage WHERE record_no <= ?",
        [k, rows, k * rows, rows],
    )
con.execute("CHECKPOINT")
"""


def _generated(rows: int) -> Path:
    """The cached benchmark file for ``rows``, generated in a child process (see ``_COPY_ROWS``)."""
    parquet = DATA / f"usage_{rows}.parquet"
    if not parquet.exists():
        script = HERE / "gen_usage.py"
        subprocess.run([sys.executable, str(script), "--rows", str(rows), "--out", str(parquet)], check=True)
    return parquet


def _warm(path: Path) -> None:
    with path.open("rb") as fh:
        while fh.read(1 << 24):
            pass


def _calc_price_sample(parquet: Path) -> dict[str, object]:
    """Price a sample row by row with genai-prices and with llm-tco; compare totals and speed."""
    import pyarrow.parquet as pq
    from genai_prices import Usage, calc_price

    table = pq.ParquetFile(parquet).read_row_group(0).slice(0, SAMPLE_ROWS).to_pylist()
    sample = DATA / "sample.parquet"
    pq.write_table(pq.ParquetFile(parquet).read_row_group(0).slice(0, SAMPLE_ROWS), sample)
    start = time.perf_counter()
    total = Decimal(0)
    for row in table:
        usage = Usage(
            input_tokens=row["input_tokens"],
            cache_read_tokens=row["cache_read_tokens"],
            cache_write_tokens=row["cache_write_tokens"],
            output_tokens=row["output_tokens"],
        )
        total += calc_price(
            usage, row["model"], provider_id=row["provider"], genai_request_timestamp=row["ts_start"]
        ).total_price
    per_row_s = (time.perf_counter() - start) / len(table)
    _, _, doc = _run(["audit", str(sample), "--db", ":memory:", "--json"])
    totals = doc["totals"]
    assert isinstance(totals, dict)
    ours = Decimal(str(totals["cost_usd"]))
    return {
        "sample_rows": len(table),
        "calc_price_rows_per_s": 1.0 / per_row_s,
        "calc_price_total_usd": float(total),
        "llm_tco_total_usd": float(ours),
        "totals_equal_to_the_cent": abs(ours - total) < Decimal("0.005"),
    }


def bench(rows: int) -> dict[str, object]:
    DATA.mkdir(parents=True, exist_ok=True)
    parquet = _generated(rows)
    _warm(parquet)
    store = DATA / f"store_{rows}.duckdb"
    for stale in (store, Path(str(store) + ".wal")):
        stale.unlink(missing_ok=True)
    ingest_s, ingest_mib, doc = _run(["audit", str(parquet), "--db", str(store), "--json"])
    accepted = doc["rows"]["accepted"]  # type: ignore[index]
    reaudit_s, reaudit_mib, _ = _run(["audit", "--db", str(store), "--json"])
    store.unlink(missing_ok=True)
    result: dict[str, object] = {
        "rows": rows,
        "accepted": accepted,
        "a_reaudit_s": reaudit_s,
        "a_reaudit_rows_per_s": rows / reaudit_s,
        "a_reaudit_peak_rss_mib": reaudit_mib,
        "c_ingest_s": ingest_s,
        "c_ingest_rows_per_s": rows / ingest_s,
        "c_ingest_peak_rss_mib": ingest_mib,
    }
    if rows <= ONESHOT_MAX_ROWS:
        oneshot_s, oneshot_mib, _ = _run(["audit", str(parquet), "--db", ":memory:", "--json"])
        result |= {
            "b_oneshot_s": oneshot_s,
            "b_oneshot_rows_per_s": rows / oneshot_s,
            "b_oneshot_peak_rss_mib": oneshot_mib,
        }
    else:
        result["b_oneshot_skipped"] = (
            f"the one-shot path materialises the validated rows in memory (~0.5 GiB per 1M rows measured at "
            f"10M): above {ONESHOT_MAX_ROWS:,} rows it would not fit this machine's 24 GiB"
        )
    return result


def bench_replicated(rows: int, factor: int) -> dict[str, object]:
    """(a) at ``rows × factor``: ingest ``rows`` once, then copy the stored rows ``factor - 1`` times with
    new record numbers and keys (SQL inside DuckDB), and time a fresh re-audit of the large store.

    Used where ingesting one file of that size would not fit in memory (ingest validates a file in one
    transaction); the stored rows are the same kind either way."""
    parquet = _generated(rows)
    store = DATA / f"store_{rows}x{factor}.duckdb"
    for stale in (store, Path(str(store) + ".wal")):
        stale.unlink(missing_ok=True)
    _run(["audit", str(parquet), "--db", str(store), "--json"])
    # The copy runs in a child process: a child's peak RSS as the kernel reports it starts from its
    # parent's high-water mark, so this process must never hold DuckDB's buffers itself.
    subprocess.run([sys.executable, "-c", _COPY_ROWS, str(store), str(rows), str(factor)], check=True)
    seconds, peak_mib, doc = _run(["audit", "--db", str(store), "--json"])
    store.unlink(missing_ok=True)
    totals = doc["totals"]
    assert isinstance(totals, dict)
    assert totals["requests"] == rows * factor
    return {
        "rows": rows * factor,
        "built_from": f"{rows:,} ingested rows copied {factor}×",
        "a_reaudit_s": seconds,
        "a_reaudit_rows_per_s": rows * factor / seconds,
        "a_reaudit_peak_rss_mib": peak_mib,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="llm-tco audit speed benchmark")
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e6, 1e7])
    parser.add_argument(
        "--replicated",
        type=int,
        default=10,
        help="also time (a) on a store of the largest size × this factor (0: skip)",
    )
    args = parser.parse_args()
    results = [bench(int(n)) for n in sorted(args.sizes)]
    if args.replicated > 1:
        results.append(bench_replicated(int(max(args.sizes)), args.replicated))
    largest = DATA / f"usage_{int(max(args.sizes))}.parquet"
    sample = _calc_price_sample(largest)
    oneshot_rate = max(float(r["b_oneshot_rows_per_s"]) for r in results if "b_oneshot_rows_per_s" in r)  # type: ignore[arg-type]
    sample["speed_ratio_oneshot_vs_calc_price"] = oneshot_rate / float(sample["calc_price_rows_per_s"])  # type: ignore[arg-type]
    report = {
        "benchmark": "audit_speed",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "results": results,
        "calc_price_comparison": sample,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

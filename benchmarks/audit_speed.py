"""Audit speed benchmark: fresh ``llm-tco`` processes timed from start to exit, with peak memory.

    python benchmarks/audit_speed.py                   # 1M, 10M and 100M rows (~4 min on 2 cores)
    python benchmarks/audit_speed.py --sizes 1e6 1e7   # quicker

For each size it generates canonical Parquet usage (``benchmarks/gen_usage.py``; cached under
``benchmarks/_data``, never committed) with unique request ids (as per-request logs have: the audit must
de-duplicate by id) and, with ``--no-ids-too``, without (a warehouse export), reads the file once so it
sits in the OS cache, then measures:

(c) ingest into a new on-disk store (incl. its audit) (``llm-tco audit FILE --db NEW --json``)
(a) re-audit of that store                            (``llm-tco audit --db STORE --json``)
(b) one-shot audit of the file in memory             (``llm-tco audit FILE --db :memory: --json``)
(d) the same totals computed by genai-prices' ``calc_price`` row by row on a 20,000-row sample, and the
    speed ratio of (b) to it, after checking that both give the same total cost on that sample.

(a) and (b) are the best of ``--repeat`` runs (the machine is shared; its speed varies by tens of per cent
from minute to minute). Results go to ``benchmarks/results/audit_speed.json`` with the machine's
description. Targets (issue 2): (a) 100M rows ≤ 5 s at ≤ 1 GB RSS; (b) 100M rows ≤ 20 s at ≤ 4 GB;
(c) ≥ 2M rows/s; (d) ≥ 1,000×.
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


def _generated(rows: int, ids: bool = True) -> Path:
    """The cached benchmark file for ``rows``, generated in a child process (this process must never
    hold large buffers: a child's peak RSS as the kernel reports it starts from its parent's)."""
    parquet = DATA / (f"usage_{rows}.parquet" if ids else f"usage_{rows}_noid.parquet")
    if not parquet.exists():
        script = HERE / "gen_usage.py"
        flags = [] if ids else ["--no-ids"]
        subprocess.run(
            [sys.executable, str(script), "--rows", str(rows), "--out", str(parquet), *flags], check=True
        )
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


def _best(args: list[str], repeat: int) -> tuple[float, float]:
    """(fastest wall seconds, peak RSS MiB of that run) over ``repeat`` fresh processes."""
    return min(_run(args)[:2] for _ in range(repeat))


def bench(rows: int, repeat: int, ids: bool = True) -> dict[str, object]:
    DATA.mkdir(parents=True, exist_ok=True)
    parquet = _generated(rows, ids)
    _warm(parquet)
    store = DATA / f"store_{rows}.duckdb"
    for stale in (store, Path(str(store) + ".wal")):
        stale.unlink(missing_ok=True)
    ingest_s, ingest_mib, doc = _run(["audit", str(parquet), "--db", str(store), "--json"])
    accepted = doc["rows"]["accepted"]  # type: ignore[index]
    reaudit_s, reaudit_mib = _best(["audit", "--db", str(store), "--json"], repeat)
    store.unlink(missing_ok=True)
    oneshot_s, oneshot_mib = _best(["audit", str(parquet), "--db", ":memory:", "--json"], repeat)
    return {
        "rows": rows,
        "request_ids": ids,
        "load_average_1m": os.getloadavg()[0],
        "accepted": accepted,
        "a_reaudit_s": reaudit_s,
        "a_reaudit_rows_per_s": rows / reaudit_s,
        "a_reaudit_peak_rss_mib": reaudit_mib,
        "b_oneshot_s": oneshot_s,
        "b_oneshot_rows_per_s": rows / oneshot_s,
        "b_oneshot_peak_rss_mib": oneshot_mib,
        "c_ingest_s": ingest_s,
        "c_ingest_rows_per_s": rows / ingest_s,
        "c_ingest_peak_rss_mib": ingest_mib,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="llm-tco audit speed benchmark")
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e6, 1e7, 1e8])
    parser.add_argument("--repeat", type=int, default=2, help="runs of (a) and (b); the best is kept")
    parser.add_argument("--no-ids-too", action="store_true", help="also measure files without request ids")
    parser.add_argument("--skip-sample", action="store_true", help="leave out (d), the calc_price sample")
    args = parser.parse_args()
    variants = (True, False) if args.no_ids_too else (True,)
    results = [bench(int(n), args.repeat, ids) for n in sorted(args.sizes) for ids in variants]
    largest = DATA / f"usage_{int(max(args.sizes))}.parquet"
    sample: dict[str, object] = {}
    if not args.skip_sample:
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

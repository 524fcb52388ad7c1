"""Speed of ``llm-tco plan --json`` on a 50-workload store, timed start to exit in fresh processes.

Generates seeded canonical usage (``benchmarks/_data/plan_speed_s<seed>.parquet``, git-ignored): 50
workloads over 2026-08-01 .. 2026-11-01, each on one of 12 real API models, with its own prompt and
output length distributions (so the replica-shape search meets 50 different workloads rather than one
memoised answer) and a volume that differs by two orders of magnitude across workloads. The file is
ingested once into a new on-disk store (``audit FILE --db STORE``, not timed); then each ``plan --db STORE
--json`` runs in a fresh ``llm-tco`` process (Python start-up and imports included), its wall time, CPU
time and own peak RSS (``os.wait4``) recorded with the load average around it. The best and the median of
the runs are reported. Then, in process, the replica-shape search alone is timed (CPU seconds,
``shape_search_s``).

The package is byte-compiled first (``compileall``, into the git-ignored ``__pycache__`` folders), as
``pip install`` does: a source checkout run with ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile
some 160 modules at every start (about 0.25 s), which an installed ``llm-tco`` never does.

Run from the repository root::

    python benchmarks/plan_speed.py             # 3 runs
    python benchmarks/plan_speed.py --runs 5

It prints one JSON object and writes it to ``benchmarks/results/plan_speed.json``.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
RESULTS = HERE / "results" / "plan_speed.json"
WORKLOADS = 50
ROWS_PER_WORKLOAD = 4_000
SEED = 42
START_US = 1_785_542_400_000_000  # 2026-08-01T00:00:00Z
SPAN_US = 92 * 86_400 * 1_000_000
MODELS = (
    ("openai", "gpt-4o"),
    ("openai", "gpt-4o-mini"),
    ("openai", "gpt-4.1"),
    ("openai", "gpt-4.1-mini"),
    ("openai", "gpt-5-mini"),
    ("anthropic", "claude-sonnet-4-5"),
    ("anthropic", "claude-3-5-haiku-latest"),
    ("anthropic", "claude-haiku-4-5"),
    ("google", "gemini-2.5-pro"),
    ("google", "gemini-2.5-flash"),
    ("google", "gemini-2.0-flash"),
    ("google", "gemini-1.5-pro"),
)


def generate(out: Path, seed: int = SEED) -> Path:
    """Write the seeded usage file: ``ROWS_PER_WORKLOAD`` requests per workload, each request standing
    for ``scale`` real ones (an hour's bucket: its token counts multiplied), so volumes reach self-hosting
    territory while the mean lengths per request stay those drawn."""
    rng = np.random.default_rng(seed)
    tables = []
    for w in range(WORKLOADS):
        provider, model = MODELS[w % len(MODELS)]
        n = ROWS_PER_WORKLOAD
        scale = float(10 ** rng.uniform(2.0, 4.0))
        input_mu = rng.uniform(5.5, 9.5)
        output_mu = rng.uniform(4.0, 6.5)
        input_tokens = np.maximum(rng.lognormal(input_mu, 0.8, n), 1.0) * scale
        output_tokens = np.maximum(rng.lognormal(output_mu, 0.6, n), 1.0) * scale
        # Requests follow a daily cycle (more in working hours), so peaks differ from means.
        day = rng.integers(0, 92, n)
        hour = np.clip(rng.normal(rng.uniform(9, 17), 4.0, n), 0, 23.99)
        ts = START_US + (day * 86_400 + hour * 3_600).astype(np.int64) * 1_000_000
        tables.append(
            pa.table(
                {
                    "ts_start": pa.array(np.sort(ts), pa.timestamp("us", tz="UTC")),
                    "ts_end": pa.array(np.sort(ts) + 3_600_000_000, pa.timestamp("us", tz="UTC")),
                    "provider": pa.array([provider] * n),
                    "model": pa.array([model] * n),
                    "workload": pa.array([f"workload-{w:02d}"] * n),
                    "team": pa.array([f"team-{w % 8}"] * n),
                    "input_tokens": pa.array(input_tokens.astype(np.int64)),
                    "output_tokens": pa.array(output_tokens.astype(np.int64)),
                    "requests": pa.array(np.full(n, int(scale), dtype=np.int64)),
                }
            )
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.concat_tables(tables), out)
    return out


def _run(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one fresh ``llm-tco ARGS`` process
    (its stdout discarded). CPU time is reported beside wall time because it is far less sensitive to
    other work on a shared machine."""
    LOADS.append(round(os.getloadavg()[0], 2))
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "llm_tco.cli.main", *args], stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            raise SystemExit(f"llm-tco {' '.join(args)} failed ({code}): {err.read().strip()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


LOADS: list[float] = []
"""The 1-minute load average as each timed process started."""


def shape_search_s(store: Path, repeat: int = 3) -> float:
    """In process: seconds of the replica-shape search alone (``plan.shapes.best_shape``) for every
    workload of the store × every catalog open model × every catalog GPU, its memo cleared before each
    of ``repeat`` runs (the best is kept)."""
    from llm_tco.config import Config
    from llm_tco.plan import PlanInputs
    from llm_tco.plan.context import workload_context
    from llm_tco.plan.shapes import _capacity, best_shape
    from llm_tco.plan.workload import plan_start
    from llm_tco.profile import build_profiles
    from llm_tco.store import open_store

    config = Config()
    con = open_store(str(store), read_only=True)
    try:
        profiles = build_profiles(con, assumed_peak_to_mean_ratio=config.capacity.peak_to_mean_ratio)
    finally:
        con.close()
    inputs = PlanInputs.bundled()
    start = plan_start(profiles, config)
    contexts = [workload_context(p, config, start) for p in profiles]
    best = float("inf")
    for _ in range(repeat):
        _capacity.cache_clear()
        began = time.process_time()
        for context in contexts:
            for model in inputs.open_models:
                for gpu in inputs.gpus:
                    best_shape(context, inputs, model, gpu)
        best = min(best, time.process_time() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description="llm-tco plan speed benchmark")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--store", type=Path, help="keep the store here (default: a temporary folder)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave the results file")
    args = parser.parse_args()
    usage = DATA / f"plan_speed_s{args.seed}.parquet"
    if not usage.exists():
        generate(usage, args.seed)
    import llm_tco

    compileall.compile_dir(Path(llm_tco.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or Path(tmp) / "plan.duckdb"
        if not store.exists():
            _run(["audit", str(usage), "--db", str(store), "--json"])
        LOADS.clear()
        runs = [_run(["plan", "--db", str(store), "--json"]) for _ in range(args.runs)]
        shapes_s = shape_search_s(store)
    walls = [wall for wall, _, _ in runs]
    cpus = [cpu for _, cpu, _ in runs]
    result = {
        "benchmark": "plan_speed",
        "workloads": WORKLOADS,
        "seed": args.seed,
        "runs": len(runs),
        "wall_s": [round(w, 2) for w in walls],
        "best_wall_s": round(min(walls), 2),
        "median_wall_s": round(statistics.median(walls), 2),
        "cpu_s": [round(c, 2) for c in cpus],
        "best_cpu_s": round(min(cpus), 2),
        "peak_rss_mib": round(max(rss for _, _, rss in runs)),
        "load_average_at_start": LOADS,
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS") or "1 (the command's default)",
        "target_wall_s": 6.0,
        "shape_search_cpu_s": round(shapes_s, 2),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

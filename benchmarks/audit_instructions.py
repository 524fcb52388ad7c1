"""Instructions an audit executes, per vendor format, for this build and optionally another: a measure of
a code change that does not move with the machine's load.

    python benchmarks/audit_instructions.py                                   # 3 formats, 100k records
    python benchmarks/audit_instructions.py --base /tmp/base/src --formats litellm-csv --records 1000000
    python benchmarks/audit_instructions.py --base /tmp/base/src --duplicates 0.01 --bad 0.001

On this shared 2-core machine the wall time of one build's fresh audits varies by ±15 % within minutes
(benchmarks/README.md, the vendor rounds), which hides any change under ~10 %. Valgrind's ``cachegrind``
counts the instructions a process executes. With DuckDB's two threads the count moved with how they
split a statement that stops early (the head sample's ``LIMIT``): an OTel audit of 100k spans measured
12.1 G and 14.8 G instructions in two runs of one build. So the audits run on one thread: the same
work in every run, which is what a change to the code changes. (Every DuckDB connection is opened with
``threads = 1`` by a small launcher, not by ``LLM_TCO_THREADS``, so that a build from before that
variable is counted the same way.) Each build is counted ``--runs`` times, alternating, and every run is
kept in the results.

Each audit is ``llm-tco audit FILE --db :memory: --json`` (``LLM_TCO_NOW`` fixed), run under ``valgrind
--tool=cachegrind --cache-sim=no`` with the build's source directory first on ``PYTHONPATH`` and its
bytecode compiled (``fresh_process.compile_package``, which says why); a 100k-record audit takes ~45 s under
valgrind, a 1M-record one ~5 min. ``--base SRC`` (a ``src`` folder, e.g. of a ``git worktree add``) is
counted the same way and the change reported; every audit must agree on the rows and the cost. The
exports are ``gen_vendor.py``'s (request ids, nested JSON), clean unless ``--duplicates`` and ``--bad``
ask for repeats and broken records: a file with them takes other paths (a malformed line sends a JSON
export to the lenient reader; the quarantine and the repeats' accounting do work a clean one skips), so
a change is worth counting on both.

Instructions are not time: the single-threaded share of an audit (its start-up, statements bound one
after the other) weighs about twice as much in wall time as the same count spread over DuckDB's two
threads, and memory stalls cost time without instructions. Use it to compare builds, then time them.

Writes ``benchmarks/results/audit_instructions.json`` (``--out`` another file). Needs ``valgrind``
(``apt-get install valgrind``): without it the script says so and exits 2.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fresh_process import compile_package, require_agreement, write_builds_results  # noqa: E402
from gen_vendor import SLOWEST_FORMATS, cached_export, export_parser  # noqa: E402

RESULTS = HERE / "results" / "audit_instructions.json"
DATA = HERE / "_data"
SRC = HERE.parent / "src"
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")
NOW = "2026-11-25T00:00:00Z"
_ONE_THREAD_AUDIT = """
import sys
import duckdb
_connect = duckdb.connect
def _one_thread(*args, **kwargs):
    con = _connect(*args, **kwargs)
    con.execute("SET threads = 1")
    con.execute("SET enable_progress_bar = false")
    return con
duckdb.connect = _one_thread
from llm_tco.cli.main import main
main()
"""
"""``llm-tco ARGS`` with every DuckDB connection on one thread (see the module's description), through the
console script's entry point (``main``), so that how the process ends is counted too. DuckDB's own progress
bar is off as well: under valgrind a statement passes its two-second threshold, and a build from before the
store turned it off (``llm_tco.store.connection``, ``113e776``) drew it at the head of ``--json``."""


def count_instructions(src: Path, path: Path) -> dict[str, object]:
    """One audit of ``path`` by the build in ``src``, under cachegrind: its instructions, the document's
    rows and cost, and valgrind's wall seconds (for planning runs, not a measure)."""
    compile_package(src / "llm_tco")
    env = {**os.environ, "PYTHONPATH": str(src), "LLM_TCO_NOW": NOW}
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        "-c",
        _ONE_THREAD_AUDIT,
        "audit",
        str(path),
        "--db",
        ":memory:",
        "--json",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    found = _REFS.search(done.stderr)
    if done.returncode != 0 or found is None:
        tail = done.stderr.strip()[-2000:]
        raise SystemExit(f"audit of {path} by {src} failed ({done.returncode}): {tail}")
    try:
        doc = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        head = done.stdout.strip()[:200]
        message = f"audit of {path} by {src}: its output is not the audit's JSON ({exc}): {head!r}"
        raise SystemExit(message) from exc
    return {
        "instructions": int(found.group(1).replace(",", "")),
        "rows": doc["rows"],
        "cost_usd": (doc.get("totals") or {}).get("cost_usd"),
        "valgrind_wall_s": round(seconds, 1),
    }


def main() -> None:
    parser = export_parser(__doc__, records=100_000, formats=SLOWEST_FORMATS, results=RESULTS)
    parser.add_argument("--base", type=Path, help="another build's src folder, counted the same way")
    parser.add_argument("--runs", type=int, default=2, help="audits per build (the fewest count)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("audit_instructions: valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        raise SystemExit(2)
    if args.base is not None and not (args.base / "llm_tco").is_dir():
        print(f"audit_instructions: {args.base}: not a src folder holding llm_tco", file=sys.stderr)
        raise SystemExit(2)
    records = int(args.records)
    results: dict[str, dict[str, object]] = {}
    for fmt in args.formats:
        path = cached_export(DATA, fmt, records, duplicates=args.duplicates, bad=args.bad)
        builds = {"now": SRC} if args.base is None else {"base": args.base, "now": SRC}
        runs: dict[str, list[dict[str, object]]] = {name: [] for name in builds}
        for _ in range(args.runs):
            for name, src in builds.items():
                runs[name].append(count_instructions(src, path))
        require_agreement(fmt, [run for build in runs.values() for run in build])
        fewest = {name: min(int(str(r["instructions"])) for r in rs) for name, rs in runs.items()}
        entry: dict[str, object] = {"file_bytes": path.stat().st_size, "instructions": fewest, "runs": runs}
        if args.base is not None:
            entry["change"] = round(fewest["now"] / fewest["base"] - 1, 4)
        results[fmt] = entry
        print(fmt, json.dumps({k: v for k, v in entry.items() if k != "runs"}), flush=True)
    write_builds_results(
        args.out, results, src=SRC, base=args.base, records=records, duplicates=args.duplicates, bad=args.bad
    )


if __name__ == "__main__":
    main()

"""Two builds' fresh audits of the same vendor exports, alternating: the change in wall and CPU time
measured under the same machine load.

    git worktree add /tmp/base <commit>
    python benchmarks/vendor_ingest_ab.py --base /tmp/base/src                  # 3 formats, 1M records
    python benchmarks/vendor_ingest_ab.py --base /tmp/base/src --formats bedrock --pairs 6

This shared 2-core machine's speed moves by up to 1.6× over hours (the CPU seconds an audit takes move
with it: another guest's load on the same cores, not time stolen from this one), and by ±15 % within
minutes. A full run of ``vendor_ingest_speed.py`` therefore records the machine as much as the code, and
two runs taken hours apart cannot be compared. Here each pair runs both builds back to back, in the
order base-now then now-base on alternate pairs, so that the load drifts over both alike; the change is
the median of the pairs' ratios (``now / base − 1``, wall and CPU). Applied to a full run of the base
build taken on a faster minute, it estimates what this build would have measured then — an estimate,
which the results file keeps apart from measured figures.

Each audit is ``llm-tco audit FILE --db :memory: --json`` in a fresh process (``fresh_process.run_cli``;
the base build from its ``src`` folder first on ``PYTHONPATH``, both builds' bytecode written first).
Every audit must agree on the rows and the cost: a change that moved a total fails the benchmark.
``instructions`` (``audit_instructions.py``) measures a change in work without the machine's noise; this
script measures it in time, which is what the target is about.

Writes ``benchmarks/results/vendor_ingest_ab.json`` (``--out`` another file).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fresh_process import require_agreement, run_cli, write_builds_results  # noqa: E402
from gen_vendor import SLOWEST_FORMATS, cached_export, export_parser  # noqa: E402

RESULTS = HERE / "results" / "vendor_ingest_ab.json"
DATA = HERE / "_data"
SRC = HERE.parent / "src"


def _pairs(path: Path, base: Path, pairs: int) -> dict[str, list[dict[str, object]]]:
    """``pairs`` pairs of fresh audits of ``path`` by the base build and this one, alternating which runs
    first."""
    runs: dict[str, list[dict[str, object]]] = {"base": [], "now": []}
    args = ["audit", str(path), "--db", ":memory:", "--json"]
    for pair in range(pairs):
        order = ("base", "now") if pair % 2 == 0 else ("now", "base")
        for build in order:
            load = round(os.getloadavg()[0], 2)
            run = run_cli(args, src=base if build == "base" else None)
            runs[build].append({**run, "load_average_1m": load})
    return runs


def _summary(runs: dict[str, list[dict[str, object]]], records: int) -> dict[str, object]:
    """Medians per build and the median of the pairs' ratios, wall and CPU."""

    def values(build: str, key: str) -> list[float]:
        return [float(str(r[key])) for r in runs[build]]

    out: dict[str, object] = {}
    for key, name in (("wall_s", "wall"), ("cpu_s", "cpu")):
        base, now = values("base", key), values("now", key)
        medians = {"base": round(statistics.median(base), 3), "now": round(statistics.median(now), 3)}
        out[f"{name}_s_median"] = medians
        changes = [n / b - 1 for n, b in zip(now, base, strict=True)]
        out[f"{name}_change"] = round(statistics.median(changes), 4)
        out[f"{name}_change_pairs"] = [round(c, 3) for c in changes]
        if name == "wall":
            out["records_per_s_median"] = {build: round(records / s) for build, s in medians.items()}
    return out


def main() -> None:
    parser = export_parser(__doc__, records=1_000_000, formats=SLOWEST_FORMATS, results=RESULTS)
    parser.add_argument("--base", type=Path, required=True, help="the other build's src folder")
    parser.add_argument("--pairs", type=int, default=4, help="pairs of audits per format")
    args = parser.parse_args()
    if not (args.base / "llm_tco").is_dir():
        print(f"vendor_ingest_ab: {args.base}: not a src folder holding llm_tco", file=sys.stderr)
        raise SystemExit(2)
    if args.pairs < 1:
        print("vendor_ingest_ab: --pairs must be at least 1", file=sys.stderr)
        raise SystemExit(2)
    os.environ.setdefault("LLM_TCO_NOW", "2026-11-25T00:00:00Z")
    records = int(args.records)
    results: dict[str, dict[str, object]] = {}
    for fmt in args.formats:
        path = cached_export(DATA, fmt, records, duplicates=args.duplicates, bad=args.bad)
        path.read_bytes()  # into the OS cache
        runs = _pairs(path, args.base, args.pairs)
        require_agreement(fmt, [run for build in runs.values() for run in build])
        results[fmt] = {"file_bytes": path.stat().st_size, **_summary(runs, records), "runs": runs}
        print(fmt, json.dumps({k: v for k, v in results[fmt].items() if k != "runs"}), flush=True)
    write_builds_results(
        args.out, results, src=SRC, base=args.base, records=records, duplicates=args.duplicates, bad=args.bad
    )


if __name__ == "__main__":
    main()

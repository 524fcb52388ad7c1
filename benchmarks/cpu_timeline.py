"""How many cores a fresh audit keeps busy, moment by moment: where a 2-core machine waits on one core.

    python benchmarks/cpu_timeline.py                                     # LiteLLM CSV, JSON lines, OTel, 1M
    python benchmarks/cpu_timeline.py --formats bedrock --records 100000 --interval 0.05
    python benchmarks/cpu_timeline.py --duplicates 0.01 --bad 0.001     # repeats and broken records

An audit's time is not its CPU time halved: start-up (imports), the head samples, the id pass and the
document's assembly run on one core while the other waits. A CPU-time cut in a two-core phase saves half
its size in wall time; a one-core phase shortened saves all of it, and work moved into its idle core
saves it too. This samples the audit process's CPU seconds (all its threads, ``/proc/PID/stat``) every
``--interval`` seconds and reports the cores in use per interval, as a strip (one character an interval,
`` `` idle to ``@`` both cores) and as seconds spent near two cores (≥ 1.6) and below 1.2.

Each audit is ``llm-tco audit FILE --db :memory: --json`` on ``gen_vendor.py``'s export (cached under
``benchmarks/_data/``, read once into the OS cache; the package's bytecode written first). Linux only.
``--duplicates``/``--bad`` sample an export with repeats and broken records (their own paths). Writes
``benchmarks/results/cpu_timeline.json`` (``--out`` another file): every interval's cores, the load average
as each audit starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fresh_process import compile_package, write_builds_results  # noqa: E402
from gen_vendor import SLOWEST_FORMATS, cached_export, export_parser  # noqa: E402

RESULTS = HERE / "results" / "cpu_timeline.json"
DATA = HERE / "_data"
SRC = HERE.parent / "src"
_SHADES = " .:-=+*#%@"
"""Ten shades from idle to both cores busy."""


def _cpu_s(pid: int) -> float | None:
    """The process's user + system CPU seconds so far (all threads); None once it has ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sample_audit(path: Path, interval_s: float) -> dict[str, object]:
    """One fresh audit of ``path``, its cores in use per ``interval_s``, and its wall and CPU seconds."""
    command = [sys.executable, "-m", "llm_tco.cli.main", "audit", str(path), "--db", ":memory:", "--json"]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    cores: list[float] = []
    last_t, last_cpu = start, 0.0
    while proc.poll() is None:
        time.sleep(interval_s)
        cpu, now = _cpu_s(proc.pid), time.perf_counter()
        if cpu is None:
            break
        cores.append(round((cpu - last_cpu) / (now - last_t), 2))
        last_t, last_cpu = now, cpu
    code = proc.wait()
    wall_s = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"audit of {path} failed ({code})")
    n_cores = os.cpu_count() or 1
    return {
        "wall_s": round(wall_s, 2),
        "cpu_s_sampled": round(last_cpu, 2),
        "interval_s": interval_s,
        "near_all_cores_s": round(interval_s * sum(c >= 0.8 * n_cores for c in cores), 2),
        "below_1_2_cores_s": round(interval_s * sum(c < 1.2 for c in cores), 2),
        "strip": "".join(_SHADES[min(9, round(c / n_cores * 9))] for c in cores),
        "cores": cores,
    }


def main() -> None:
    parser = export_parser(__doc__, records=1_000_000, formats=SLOWEST_FORMATS, results=RESULTS)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between samples")
    args = parser.parse_args()
    if not Path("/proc/self/stat").exists():
        print("cpu_timeline: needs Linux's /proc", file=sys.stderr)
        raise SystemExit(2)
    os.environ.setdefault("LLM_TCO_NOW", "2026-11-25T00:00:00Z")
    compile_package()
    records = int(args.records)
    results: dict[str, dict[str, object]] = {}
    for fmt in args.formats:
        path = cached_export(DATA, fmt, records, duplicates=args.duplicates, bad=args.bad)
        path.read_bytes()  # into the OS cache
        load = round(os.getloadavg()[0], 2)
        results[fmt] = {**sample_audit(path, args.interval), "load_average_1m": load}
        run = results[fmt]
        print(
            f"{fmt}: {run['wall_s']} s, near all cores {run['near_all_cores_s']} s, below 1.2 cores "
            f"{run['below_1_2_cores_s']} s\n  {run['strip']}",
            flush=True,
        )
    write_builds_results(
        args.out, results, src=SRC, base=None, records=records, duplicates=args.duplicates, bad=args.bad
    )


if __name__ == "__main__":
    main()

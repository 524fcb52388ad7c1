"""Running one ``llm-tco`` command in a fresh process, as a user would, and measuring it: wall seconds, and
the child's own peak RSS and CPU seconds (``os.wait4``, so the benchmark's parent process does not
count). On a shared machine the wall time moves with the other processes' load; the CPU seconds
(user + system, all threads) much less."""

from __future__ import annotations

import compileall
import functools
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path


@functools.cache
def compile_package(package: Path | None = None) -> str:
    """Write the bytecode of every ``llm_tco`` module (of the importable package, or of the ``package``
    folder given) before the first timed run, as ``pip install`` does for an installed package (and as
    the first run of an editable install does), and return how the runs found it, for the results file.
    Once per package and process.

    Without it, on a machine that sets ``PYTHONDONTWRITEBYTECODE`` (this one does) an editable install
    is compiled anew by every process: ~0.15 s of each audit's start-up that no user's installed copy
    pays (``python -c "import llm_tco.cli.main, llm_tco.cli.audit"``: 0.66–0.74 s compiled, 0.82–1.06 s
    from source, 2026-12-06)."""
    if package is None:
        spec = importlib.util.find_spec("llm_tco")
        if spec is None or spec.origin is None:
            raise SystemExit("llm_tco is not importable: install the project first (pip install -e .)")
        package = Path(spec.origin).parent
    compileall.compile_dir(package, quiet=1)
    return "compiled before the runs, as an installed package's is"


def run_cli(
    args: list[str], ok_codes: tuple[int, ...] = (0,), *, src: Path | None = None
) -> dict[str, object]:
    """Run ``llm-tco ARGS --json``-style commands: wall seconds, CPU seconds (``cpu_s``: the child's user +
    system time), peak RSS (MiB), the document's ``rows`` and its total cost (``cost_usd``, None for a
    document without totals).
    An exit code outside ``ok_codes`` stops the benchmark with the command's last stderr. ``src``: the
    ``src`` folder of another build (e.g. a ``git worktree add`` of an older commit), run from there
    (first on ``PYTHONPATH``) instead of the installed package."""
    compile_package(None if src is None else src / "llm_tco")
    env = None if src is None else {**os.environ, "PYTHONPATH": str(src)}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "llm_tco.cli.main", *args], stdout=out, stderr=err, env=env
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code not in ok_codes:
            raise SystemExit(f"llm-tco {' '.join(args)} failed ({code}): {err.read().strip()[-2000:]}")
        doc = json.loads(out.read())
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024.0),
        "rows": doc["rows"],
        "cost_usd": (doc.get("totals") or {}).get("cost_usd"),
    }


def build_commit(src: Path) -> str | None:
    """The commit checked out where ``src`` is, ``-dirty`` when a file under ``src`` differs from it (a
    change elsewhere in the work tree, a benchmark script, is not the build's); None outside a git work
    tree. Names the build a results file measured."""
    described = _git(src, "describe", "--always", "--abbrev=7")
    if described is None:
        return None
    return described + ("-dirty" if _git(src, "status", "--porcelain", "--", ".") else "")


def _git(folder: Path, *args: str) -> str | None:
    """``git -C folder ARGS``'s output, stripped; None when git fails there."""
    done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def require_agreement(fmt: str, runs: Iterable[Mapping[str, object]]) -> None:
    """Stop the benchmark when ``runs`` (audits of one file, by one build or two) differ in their rows or
    their cost: a comparison of builds is only worth its times when they compute the same audit."""
    outcomes = {json.dumps([run["rows"], run["cost_usd"]], sort_keys=True) for run in runs}
    if len(outcomes) != 1:
        raise SystemExit(f"{fmt}: the audits disagree on the rows or the cost: {sorted(outcomes)}")


def write_builds_results(
    out: Path,
    formats: Mapping[str, object],
    *,
    src: Path,
    base: Path | None,
    records: int,
    duplicates: float,
    bad: float,
) -> None:
    """Write the results file of a comparison of the build in ``src`` with the one in ``base`` (None: one
    build): when, on what machine, which exports, which commits, and ``formats``' figures."""
    doc = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine()},
        "records": records,
        "duplicates_share": duplicates,
        "bad_share": bad,
        "commit": build_commit(src),
        "base_commit": build_commit(base) if base is not None else None,
        "formats": formats,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {out}")

"""Ingest speed of a folder of many tiny usage files: the per-file cost of an audit.

Generates ``N`` tiny files (seeded) under ``benchmarks/_data/tiny_files/`` (git-ignored): two thirds JSONL
request logs with request ids (``request_id``), one third CSV exports without ids, 1-5 records each, a
realistic mix of models and days. Each audit runs in a fresh ``llm-tco`` process (``audit DIR --db STORE
--json``: Python start-up and imports included) and its own peak RSS is read from ``os.wait4``. It measures
the first audit into a new on-disk store and the re-audit of the same unchanged folder.

Run from the repository root::

    python benchmarks/tiny_files.py                 # 10,000 files
    python benchmarks/tiny_files.py --files 1000    # quicker
    python benchmarks/tiny_files.py --files 1000 --out /tmp/before.json   # e.g. another checkout's code

It prints one JSON object and writes it to ``benchmarks/results/tiny_files.json`` (or ``--out``), with
the machine's load average before and after each audit (the machine it was written for is shared: a
figure means little without it). The code measured is whichever ``llm_tco`` the child process imports
(``PYTHONPATH=src`` for a checkout's own).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
from pathlib import Path

from fresh_process import run_cli

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data" / "tiny_files"
RESULTS = HERE / "results" / "tiny_files.json"
MODELS = ("gpt-4o-mini", "gpt-4o", "claude-3-5-sonnet-20241022", "gemini-1.5-flash")
CSV_HEADER = "timestamp,model,prompt_tokens,completion_tokens,team\n"


def _folder(count: int, seed: int) -> Path:
    """A folder of ``count`` tiny files (generated once per count and seed)."""
    folder = DATA / f"n{count}_s{seed}"
    if folder.exists():
        return folder
    rng = random.Random(seed)
    tmp = folder.with_name(folder.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        records = rng.randint(1, 5)
        day = 1 + rng.randrange(28)
        if k % 3 == 2:
            rows = "".join(
                f"2026-09-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z,"
                f"{rng.choice(MODELS)},{rng.randint(50, 4000)},{rng.randint(5, 800)},t{rng.randrange(8)}\n"
                for _ in range(records)
            )
            (tmp / f"export_{k:05d}.csv").write_text(CSV_HEADER + rows)
        else:
            lines = "".join(
                json.dumps(
                    {
                        "request_id": f"req-{k:05d}-{i}",
                        "timestamp": f"2026-09-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
                        "model": rng.choice(MODELS),
                        "prompt_tokens": rng.randint(50, 4000),
                        "completion_tokens": rng.randint(5, 800),
                    }
                )
                + "\n"
                for i in range(records)
            )
            (tmp / f"requests_{k:05d}.jsonl").write_text(lines)
    tmp.rename(folder)
    return folder


def _per_file(run: dict[str, object], files: int) -> dict[str, object]:
    wall_s = run["wall_s"]
    assert isinstance(wall_s, float)
    return {**run, "ms_per_file": round(wall_s * 1000 / files, 2)}


def _load_average() -> float:
    """The 1-minute load average (how many processes competed for the machine's cores)."""
    return round(os.getloadavg()[0], 2)


def _measured(args: list[str], files: int) -> dict[str, object]:
    before = _load_average()
    run = _per_file(run_cli(args), files)
    return {**run, "load_average": {"before": before, "after": _load_average()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="number of tiny files")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the result")
    args = parser.parse_args()
    folder = _folder(args.files, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "store.duckdb")
        first = _measured(["audit", str(folder), "--db", store, "--json"], args.files)
        again = _measured(["audit", str(folder), "--db", store, "--json"], args.files)
    result = {
        "files": args.files,
        "seed": args.seed,
        "cpu_count": os.cpu_count(),
        "first_audit": first,
        "re_audit": again,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

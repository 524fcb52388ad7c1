"""Peak memory of one-shot audits of hostile file sets: a small gzip CSV that expands to gigabytes, and
a folder of many CSV files.

Each audit runs in a fresh ``llm-tco`` process (``audit DIR --db :memory: --json``) and its own peak RSS
is read from ``os.wait4``. Inputs are generated under ``benchmarks/_data/files_memory/`` (git-ignored).

Run from the repository root::

    python benchmarks/files_memory.py                     # 2 GB gzip CSV, 2,000 small CSVs
    python benchmarks/files_memory.py --gzip-mb 500 --files 500   # quicker

It prints one JSON object and writes it to ``benchmarks/results/files_memory.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from fresh_process import run_cli

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data" / "files_memory"
RESULTS = HERE / "results" / "files_memory.json"
HEADER = "timestamp,model,prompt_tokens,completion_tokens,note\n"


def _big_gzip(megabytes: int) -> Path:
    """A gzip CSV whose content is ``megabytes`` MB of near-identical rows (it compresses ~300×)."""
    path = DATA / f"big_{megabytes}mb.csv.gz"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    pad = "x" * 200
    block = "".join(
        f"2026-09-{1 + i % 28:02d}T10:00:00Z,gpt-4o-mini,{1000 + i % 7},{10 + i % 5},{pad}\n"
        for i in range(10_000)
    ).encode()
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wb", compresslevel=6) as gz:
        gz.write(HEADER.encode())
        written = 0
        while written < megabytes * 1_000_000:
            gz.write(block)
            written += len(block)
    tmp.rename(path)
    return path


def _many_csvs(count: int) -> Path:
    """A folder of ``count`` CSV files of 100 rows each."""
    folder = DATA / f"many_{count}"
    if folder.exists():
        return folder
    tmp = folder.with_name(folder.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        rows = "".join(
            f"2026-09-{1 + (k + i) % 28:02d}T10:00:00Z,gpt-4o-mini,{1000 + i},{10 + k},n\n"
            for i in range(100)
        )
        (tmp / f"u{k:05d}.csv").write_text(HEADER + rows)
    tmp.rename(folder)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gzip-mb", type=int, default=2000, help="uncompressed size of the gzip CSV (MB)")
    parser.add_argument("--files", type=int, default=2000, help="number of small CSV files")
    args = parser.parse_args()
    big = _big_gzip(args.gzip_mb)
    many = _many_csvs(args.files)
    result = {
        "gzip_csv": {
            "compressed_mb": round(big.stat().st_size / 1e6, 1),
            "uncompressed_mb": args.gzip_mb,
            **run_cli(["audit", str(big), "--db", ":memory:", "--json"], (0, 2)),
        },
        "many_csvs": {
            "files": args.files,
            **run_cli(["audit", str(many), "--db", ":memory:", "--json"], (0, 2)),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

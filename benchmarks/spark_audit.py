"""Spark audit speed: ``llm-tco audit FILE --db :memory: --engine spark`` beside the DuckDB path.

Fresh processes, start to exit (the Spark session's start included: about 4.5 s of a ``local[2]`` run on
an idle 2-core machine), with the child's peak RSS (``os.wait4``: the Python process and, once it has
reaped it, the JVM it started). Input: canonical Parquet from ``gen_usage.py`` with unique request ids
(cached under ``benchmarks/_data/``). Writes ``benchmarks/results/spark_audit.json``, keeping the sizes it
did not measure this time.

Run from the repository root with the ``spark`` extra installed and Java on the PATH::

    python benchmarks/spark_audit.py                  # 10M rows
    python benchmarks/spark_audit.py --sizes 1e6 1e7 1e8
    python benchmarks/spark_audit.py --sizes 1e8 --spark-conf spark.driver.memory=12g
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from fresh_process import run_cli
from gen_usage import generate

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
RESULTS = HERE / "results" / "spark_audit.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e7])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--files", type=int, default=1, help="split the input into this many files")
    parser.add_argument(
        "--broken", type=float, default=0.0, help="share of records made invalid (a negative token count)"
    )
    parser.add_argument(
        "--spark-conf", action="append", default=[], help="KEY=VALUE passed to the audit (repeatable)"
    )
    args = parser.parse_args()
    results = []
    for size in (int(s) for s in args.sizes):
        path = DATA / f"usage_{size}.parquet"  # the name audit_speed.py caches it under
        if not path.exists():
            DATA.mkdir(parents=True, exist_ok=True)
            generate(size, path)
        if args.files > 1 or args.broken:
            path = _split(path, args.files, args.broken)
        for part in [path] if path.is_file() else sorted(path.iterdir()):
            part.read_bytes()  # into the OS cache
        load_before = os.getloadavg()[0]
        duck = run_cli(["audit", str(path), "--db", ":memory:", "--json"])
        spark = run_cli(
            [
                "audit",
                str(path),
                "--db",
                ":memory:",
                "--json",
                "--engine",
                "spark",
                "--spark-master",
                args.master,
                *(option for pair in args.spark_conf for option in ("--spark-conf", pair)),
            ]
        )
        assert duck["rows"] == spark["rows"], (duck["rows"], spark["rows"])
        entry = {
            "rows": size,
            "files": args.files,
            "broken": args.broken,
            "duckdb": {k: duck[k] for k in ("wall_s", "peak_rss_mib")},
            "spark": {k: spark[k] for k in ("wall_s", "peak_rss_mib")},
            "spark_rows_per_s": round(size / float(spark["wall_s"])),  # type: ignore[arg-type]
            "spark_conf": args.spark_conf,
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "load_average_before": round(load_before, 2),
            "load_average_after": round(os.getloadavg()[0], 2),
        }
        print(json.dumps(entry))
        results.append(entry)
    RESULTS.parent.mkdir(exist_ok=True)
    # sizes measured before (with the same master) are kept; a size measured again is replaced
    earlier = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    kept = [
        r
        for r in (earlier.get("results", []) if earlier.get("master") == args.master else [])
        if _shape(r) not in {_shape(e) for e in results}
    ]
    RESULTS.write_text(
        json.dumps(
            {
                "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
                "master": args.master,
                "results": sorted(kept + results, key=lambda r: int(r["rows"])),
            },
            indent=2,
        )
        + "\n"
    )


def _shape(entry: dict[str, object]) -> tuple[object, ...]:
    return (entry["rows"], entry.get("files", 1), entry.get("broken", 0.0))


def _split(path: Path, files: int, broken: float) -> Path:
    """The cached input as ``files`` Parquet files in a folder, every ``1/broken``-th record given a
    negative input token count (quarantined by the validation: the DuckDB lane's share), as a lake
    partitioned by day holds a log with a few bad rows. Cached beside the input."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    folder = path.with_name(f"{path.stem}_f{files}_b{broken:g}")
    if folder.exists():
        return folder
    source = pq.ParquetFile(path)
    per_file = -(-source.metadata.num_rows // files)
    every = round(1 / broken) if broken else 0
    tmp = folder.with_suffix(".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    writers: list[pq.ParquetWriter] = []
    done = 0
    for batch in source.iter_batches(batch_size=250_000):
        table = pa.Table.from_batches([batch])
        if every:
            bad = pa.array(np.arange(done, done + table.num_rows) % every == every // 2)
            column = table.schema.get_field_index("input_tokens")
            tokens = pc.if_else(bad, pa.scalar(-1, pa.int64()), table["input_tokens"])
            table = table.set_column(column, "input_tokens", tokens)
        offset = 0
        while offset < table.num_rows:  # a batch may straddle two files
            part = (done + offset) // per_file
            if part == len(writers):
                writers.append(pq.ParquetWriter(tmp / f"part-{part:04d}.parquet", table.schema))
            take = min(table.num_rows - offset, (part + 1) * per_file - done - offset)
            writers[part].write_table(table.slice(offset, take))
            offset += take
        done += table.num_rows
    for writer in writers:
        writer.close()
    tmp.rename(folder)
    return folder


if __name__ == "__main__":
    main()

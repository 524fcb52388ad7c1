"""Generate vendor usage exports of any size, in the shapes the format adapters read (reproducible: seeded).

    python benchmarks/gen_vendor.py bedrock --records 1000000 --out benchmarks/_data/bedrock_1m.jsonl
    python benchmarks/gen_vendor.py litellm-csv --records 100000 --duplicates 0.01 --bad 0.01 --out x.csv

Formats: ``bedrock`` (model-invocation logs, nested JSON lines), ``litellm-csv`` and ``litellm-json``
(``LiteLLM_SpendLogs`` with its JSON ``metadata`` column), ``langfuse`` (observations, JSON lines),
``helicone`` (request export, JSON lines), ``otel`` (OTLP/JSON ``ExportTraceServiceRequest`` lines),
``openai-usage`` (Usage API completions pages, one page a line) and ``anthropic-usage`` (usage-report
pages, one page a line).

``--records`` counts usage records (Bedrock invocations, spend-log rows, generations, GenAI spans with
usage, usage-API results): what an audit reports as read. Lines that are not usage records (Langfuse
spans, OTel tool spans) come on top. ``--duplicates`` is the share of records that repeat an earlier
valid record exactly (same id, same content: the de-duplication must drop them); ``--bad`` the share of
records broken in one of these ways, in turn: a missing input count, a negative output count, an
unparseable timestamp, a token count of the wrong type (a word where a number belongs) and, for the JSON
formats, a malformed line. For the usage-API pages, whose timestamps belong to the bucket, a record with
a bad timestamp or a malformed line comes as a page of its own, so that it breaks only itself.

The writer streams: memory stays flat whatever ``--records``. The records themselves are built by
``vendor_records.py``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from vendor_records import (
    PAGE_RESULTS,
    Gen,
    anthropic_page,
    anthropic_result,
    bedrock,
    helicone,
    langfuse,
    langfuse_span,
    litellm,
    openai_page,
    openai_result,
    otel_page,
    otel_span,
)

FORMATS = (
    "bedrock",
    "litellm-csv",
    "litellm-json",
    "langfuse",
    "helicone",
    "otel",
    "openai-usage",
    "anthropic-usage",
)
SLOWEST_FORMATS = ("litellm-csv", "litellm-json", "otel")
"""The formats furthest from the 300k records/s target (the last full run, 2026-12-06): what the build
comparisons and the cores timeline measure unless told otherwise."""
BAD_KINDS = ("missing", "negative", "timestamp", "type", "malformed")
"""The ways a bad record is broken, used in turn (``malformed`` only for the JSON formats)."""


@dataclass(frozen=True)
class Plan:
    """What the ``index``-th record of a file is: valid, a duplicate of an earlier one, or bad."""

    records: int
    duplicates: float
    bad: float
    json_format: bool
    seed: int
    malformed: bool = True

    def kinds(self) -> Iterator[str]:
        """``good``, ``duplicate`` or one of ``BAD_KINDS`` per record, spread evenly through the file."""
        bad_kinds = BAD_KINDS if self.json_format and self.malformed else BAD_KINDS[:-1]
        rng = random.Random(self.seed ^ 0x5EED)
        n_bad = 0
        for i in range(self.records):
            u = rng.random()
            if i > 0 and u < self.duplicates:
                yield "duplicate"
            elif u < self.duplicates + self.bad:
                yield bad_kinds[n_bad % len(bad_kinds)]
                n_bad += 1
            else:
                yield "good"


# --- writers --------------------------------------------------------------------------------------------

_MALFORMED = '{"truncated": "record'
_KEPT = 1000
"""Earlier valid records a duplicate is drawn from (a sample refreshed along the file: bounded memory)."""


def _remember(earlier: list[Any], item: object, rng: random.Random) -> None:
    if len(earlier) < _KEPT:
        earlier.append(item)
    elif rng.random() < 0.01:
        earlier[rng.randrange(_KEPT)] = item


def _write_lines(
    out: TextIO,
    plan: Plan,
    make: Callable[[Gen, int, str], dict[str, Any]],
    extra_every: int = 0,
    extra: Callable[[int], dict[str, Any]] | None = None,
) -> None:
    g = Gen(plan.seed)
    earlier: list[str] = []
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    for i, kind in enumerate(plan.kinds()):
        if extra is not None and extra_every and i % extra_every == extra_every - 1:
            out.write(dumps(extra(i)) + "\n")
        if kind == "duplicate" and earlier:
            line = earlier[g.rng.randrange(len(earlier))]
        elif kind == "malformed":
            line = _MALFORMED
        else:
            line = dumps(make(g, i, kind if kind != "duplicate" else "good"))
            if kind in ("good", "duplicate"):
                _remember(earlier, line, g.rng)
        out.write(line + "\n")


def _write_pages(
    out: TextIO,
    plan: Plan,
    make: Callable[[Gen, int, str], dict[str, Any]],
    page: Callable[[list[dict[str, Any]], int, bool], dict[str, Any]],
    ts_in_bucket: bool,
) -> None:
    """Records grouped ``PAGE_RESULTS`` to a page, one page a line; a duplicate repeats a record of its own
    page (the id of a usage-API result includes its bucket); a record with a bucket-level fault (bad
    timestamp, malformed line) is a page of its own."""
    g = Gen(plan.seed)
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    pending: list[dict[str, Any]] = []
    pages = 0

    good: list[dict[str, Any]] = []

    def flush(bad_ts: bool = False) -> None:
        nonlocal pages, pending, good
        if pending:
            out.write(dumps(page(pending, pages, bad_ts)) + "\n")
            pages += 1
            pending, good = [], []

    for i, kind in enumerate(plan.kinds()):
        if kind == "malformed":
            flush()
            out.write(_MALFORMED + "\n")
            pages += 1
        elif kind == "timestamp" and ts_in_bucket:
            flush()
            pending.append(make(g, i, "good"))
            flush(bad_ts=True)
        elif kind == "duplicate" and good:
            pending.append(good[g.rng.randrange(len(good))])
        else:
            record = make(g, i, "good" if kind == "duplicate" else kind)
            pending.append(record)
            if kind in ("good", "duplicate"):
                good.append(record)
        if len(pending) >= PAGE_RESULTS:
            flush()
    flush()


def _write_csv(out: TextIO, plan: Plan) -> None:
    g = Gen(plan.seed)
    writer: csv.DictWriter[str] | None = None
    earlier: list[dict[str, Any]] = []
    for i, kind in enumerate(plan.kinds()):
        if kind == "duplicate" and earlier:
            row = earlier[g.rng.randrange(len(earlier))]
        else:
            row = litellm(g, i, "good" if kind == "duplicate" else kind)
            if kind in ("good", "duplicate"):
                _remember(earlier, row, g.rng)
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
            writer.writeheader()
        writer.writerow(row)


def generate(
    fmt: str,
    path: Path,
    records: int,
    *,
    duplicates: float = 0.0,
    bad: float = 0.0,
    seed: int = 42,
    malformed: bool = True,
) -> Path:
    """Write ``records`` usage records of format ``fmt`` to ``path`` (see the module's description)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    plan = Plan(records, duplicates, bad, json_format=fmt != "litellm-csv", seed=seed, malformed=malformed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        if fmt == "bedrock":
            _write_lines(out, plan, bedrock)
        elif fmt == "litellm-csv":
            _write_csv(out, plan)
        elif fmt == "litellm-json":
            _write_lines(out, plan, litellm)
        elif fmt == "langfuse":
            _write_lines(out, plan, langfuse, extra_every=10, extra=langfuse_span)
        elif fmt == "helicone":
            _write_lines(out, plan, helicone)
        elif fmt == "otel":
            _write_pages(out, plan, otel_span, lambda spans, n, _: otel_page(spans, n), ts_in_bucket=False)
        elif fmt == "openai-usage":
            _write_pages(out, plan, openai_result, openai_page, ts_in_bucket=True)
        else:
            _write_pages(out, plan, anthropic_result, anthropic_page, ts_in_bucket=True)
    return path


def mix_suffix(duplicates: float, bad: float) -> str:
    """How a file name says its mix of repeats and broken records (empty for a clean export)."""
    return f"_dup{duplicates:g}_bad{bad:g}" if duplicates or bad else ""


def cached_export(folder: Path, fmt: str, records: int, *, duplicates: float = 0.0, bad: float = 0.0) -> Path:
    """The benchmarks' export of ``records`` records of ``fmt`` in ``folder`` (seed 42), generated the
    first time it is asked for and reused after: one file per format, size and mix of repeats and broken
    records, named so that every benchmark reading that shape reads the same file."""
    suffix = "csv" if fmt == "litellm-csv" else "jsonl"
    path = folder / f"{fmt}_{records}{mix_suffix(duplicates, bad)}.{suffix}"
    if not path.exists():
        generate(fmt, path, records, duplicates=duplicates, bad=bad)
    return path


def export_parser(
    description: str | None, *, records: int, formats: Sequence[str], results: Path | None
) -> argparse.ArgumentParser:
    """The command line the vendor benchmarks share: which exports (``--records``, ``--formats``) in which
    shape (``--duplicates``, ``--bad``: repeats and broken records, as users' logs have), and where the
    results go (``--out``, ``results`` by default; None: the benchmark names the file from the other
    options); each benchmark adds its own options."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=float, default=records)
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(formats))
    parser.add_argument("--duplicates", type=float, default=0.0, help="share of exact repeats (0..1)")
    parser.add_argument("--bad", type=float, default=0.0, help="share of broken records (0..1)")
    parser.add_argument("--out", type=Path, default=results, help="results file (JSON)")
    return parser


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("format", choices=FORMATS)
    parser.add_argument("--records", type=float, default=1_000_000, help="usage records (1e6 works)")
    parser.add_argument("--duplicates", type=float, default=0.0, help="share of exact repeats (0..1)")
    parser.add_argument("--bad", type=float, default=0.0, help="share of broken records (0..1)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--no-malformed", action="store_true", help="bad records without malformed lines (JSON formats)"
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(
        args.format,
        args.out,
        int(args.records),
        duplicates=args.duplicates,
        bad=args.bad,
        seed=args.seed,
        malformed=not args.no_malformed,
    )


if __name__ == "__main__":
    main()

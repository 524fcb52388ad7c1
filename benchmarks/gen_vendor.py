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

The writer streams: memory stays flat whatever ``--records``.
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
START_S = 1_788_220_800  # 2026-09-01T00:00:00Z
SPAN_S = 60 * 86_400
PAGE_RESULTS = 50
"""Usage-API results per page (one bucket per page) and OTel spans per export line."""
BUCKET_S = 60
"""Usage-API bucket width (``bucket_width=1m``): each page its own bucket, so that the ids (bucket and
group) of the results of different pages differ, up to ``SPAN_S / BUCKET_S`` pages (4.3M records)."""

OPENAI_MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1")
ANTHROPIC_MODELS = ("claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001")
BEDROCK_MODELS = (
    "anthropic.claude-sonnet-4-20250514-v1:0",
    "us.anthropic.claude-sonnet-4-20250514-v1:0",
    "anthropic.claude-3-5-haiku-20241022-v1:0",
    "meta.llama3-3-70b-instruct-v1:0",
)
TEAMS = ("support", "research", "search", "billing", "growth", "platform")


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


def _iso(seconds: int, millis: int = 0) -> str:
    """ISO 8601 UTC text of a unix time (hand-rolled: datetime per record costs more than the rest)."""
    days, rest = divmod(seconds - START_S, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    month, day = (9, days + 1) if days < 30 else (10, days - 29)
    return f"2026-{month:02d}-{day:02d}T{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}Z"


class Gen:
    """Random values shared by the formats (one ``random.Random`` per file: the same seed, the same file)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def ts(self) -> int:
        return START_S + self.rng.randrange(SPAN_S - 3600)

    def tokens(self) -> tuple[int, int, int, int]:
        """(uncached input, cache read, cache write, output)."""
        r = self.rng
        uncached = r.randrange(20, 20_000)
        cache_read = r.choice((0, 0, r.randrange(0, 50_000)))
        cache_write = r.choice((0, 0, 0, r.randrange(0, 5_000)))
        return uncached, cache_read, cache_write, r.randrange(1, 4_000)

    def pick(self, values: tuple[str, ...]) -> str:
        return values[self.rng.randrange(len(values))]


def _broken_count(kind: str, value: int) -> object:
    """A token count broken as ``kind`` says (``negative``/``type``), else the value."""
    if kind == "negative":
        return -value - 1
    if kind == "type":
        return "many"
    return value


_BAD_TS = "2026-13-45 25:61"


# --- one record per line (or row) ----------------------------------------------------------------------


def _bedrock(g: Gen, i: int, kind: str) -> dict[str, Any]:
    uncached, read, write, out = g.tokens()
    ts = g.ts()
    inp: dict[str, Any] = {"inputContentType": "application/json"}
    if kind != "missing":
        inp["inputTokenCount"] = _broken_count(kind, uncached) if kind == "type" else uncached
    inp["inputBodyJson"] = {"messages": [{"role": "user", "content": [{"text": f"question {i % 997}"}]}]}
    if read:
        inp["cacheReadInputTokenCount"] = read
    if write:
        inp["cacheWriteInputTokenCount"] = write
    model = g.pick(BEDROCK_MODELS)
    record: dict[str, Any] = {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": _BAD_TS if kind == "timestamp" else _iso(ts),
        "accountId": "123456789012",
        "region": "us-east-1",
        "requestId": f"req-{i:09d}-{g.rng.randrange(16**8):08x}",
        "operation": "Converse",
        "modelId": model,
        "identity": {"arn": f"arn:aws:sts::123456789012:assumed-role/{g.pick(TEAMS)}-app/session"},
        "requestMetadata": {"team": g.pick(TEAMS), "workload": f"wl-{g.rng.randrange(12)}"},
        "input": inp,
        "output": {
            "outputContentType": "application/json",
            "outputTokenCount": _broken_count(kind, out) if kind == "negative" else out,
            "outputBodyJson": {"output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}}},
        },
    }
    if model.startswith("us."):
        record["inferenceRegion"] = "us-east-2"
    return record


def _litellm(g: Gen, i: int, kind: str) -> dict[str, Any]:
    uncached, read, write, out = g.tokens()
    model = g.pick((*OPENAI_MODELS, *ANTHROPIC_MODELS))
    anthropic = model.startswith("claude")
    prompt = uncached + read + write
    aux: dict[str, Any] = {"prompt_tokens_details": {"cached_tokens": read}}
    if anthropic:
        aux = {"cache_read_input_tokens": read, "cache_creation_input_tokens": write, **aux}
    else:
        prompt -= write  # OpenAI reports no cache writes
    ts = g.ts()
    # a customer belongs to one team's application, tagged with its workload: the attributes go together,
    # as in a proxy's logs (drawn apart, a million requests made 600,000 series)
    customer = g.rng.randrange(500)
    team = TEAMS[customer % len(TEAMS)]
    metadata = {
        "user_api_key_alias": f"{team}-key",
        "user_api_key_team_id": f"team-{team}",
        "user_api_key_team_alias": team,
        "status": "success",
        "additional_usage_values": aux,
    }
    return {
        "request_id": f"chatcmpl-{i:09d}",
        "call_type": "acompletion",
        # the hashed virtual key: a few per team (a key per request would make every request its own series)
        "api_key": f"{(TEAMS.index(team) * 4 + g.rng.randrange(4)) * 2_654_435_761 % 16**12:012x}",
        "spend": round(g.rng.random() / 100, 8),
        "total_tokens": prompt + out,
        "prompt_tokens": ""
        if kind == "missing"
        else _broken_count(kind, prompt)
        if kind == "type"
        else prompt,
        "completion_tokens": _broken_count(kind, out) if kind == "negative" else out,
        "startTime": _BAD_TS if kind == "timestamp" else _iso(ts, i % 1000).replace("T", " ")[:-1],
        "endTime": _iso(ts + 2, i % 1000).replace("T", " ")[:-1],
        "model": model,
        "model_group": model,
        "custom_llm_provider": "anthropic" if anthropic else "openai",
        "user": "",
        "metadata": json.dumps(metadata),
        "request_tags": json.dumps([f"wl-{customer % 12}", "prod"]),
        "team_id": f"team-{team}",
        "end_user": f"customer-{customer}",
        "status": "success",
    }


def _langfuse(g: Gen, i: int, kind: str) -> dict[str, Any]:
    uncached, read, _, out = g.tokens()
    model = g.pick(OPENAI_MODELS)
    usage: dict[str, Any] = {"input_cached_tokens": read, "output": out}
    if kind != "missing":
        usage["input"] = _broken_count(kind, uncached + read) if kind == "type" else uncached + read
    if kind == "negative":
        usage["output"] = _broken_count(kind, out)
    elif kind == "good" and i % 2:
        usage["total"] = uncached + read + out
    ts = g.ts()
    return {
        "id": f"obs-{i:09d}",
        "projectId": "proj-1",
        "traceId": f"trace-{i // 3:09d}",
        "traceName": f"wl-{g.rng.randrange(12)}",
        "type": "GENERATION",
        "name": "chat",
        "startTime": _BAD_TS if kind == "timestamp" else _iso(ts),
        "endTime": _iso(ts + 3),
        "model": model,
        "userId": f"user-{g.rng.randrange(500)}",
        "usageDetails": usage,
        "costDetails": {"total": round(g.rng.random() / 100, 8)},
        "metadata": {"feature": g.pick(("faq", "chat", "rag"))},
        "level": "DEFAULT",
    }


def _langfuse_span(i: int) -> dict[str, Any]:
    """A Langfuse observation that is not usage (skipped by the adapter, not a record)."""
    return {
        "id": f"span-{i:09d}",
        "traceId": f"trace-{i // 3:09d}",
        "type": "SPAN",
        "name": "retrieve",
        "startTime": _iso(START_S + i % SPAN_S),
        "model": None,
        "usageDetails": {},
    }


def _helicone(g: Gen, i: int, kind: str) -> dict[str, Any]:
    uncached, read, write, out = g.tokens()
    model = g.pick((*OPENAI_MODELS, *ANTHROPIC_MODELS))
    anthropic = model.startswith("claude")
    prompt = uncached if anthropic else uncached + read  # each provider's own convention
    ts = g.ts()
    return {
        "request_id": f"hc-{i:09d}",
        "request_created_at": _BAD_TS if kind == "timestamp" else _iso(ts),
        "request_user_id": f"user-{g.rng.randrange(500)}",
        "request_properties": {"Workload": f"wl-{g.rng.randrange(12)}", "Environment": "prod"},
        "provider": "ANTHROPIC" if anthropic else "OPENAI",
        "request_model": model,
        "response_created_at": _iso(ts + 1),
        "response_status": 200,
        "prompt_tokens": None
        if kind == "missing"
        else _broken_count(kind, prompt)
        if kind == "type"
        else prompt,
        "completion_tokens": _broken_count(kind, out) if kind == "negative" else out,
        "total_tokens": prompt + out,
        "prompt_cache_read_tokens": read,
        "prompt_cache_write_tokens": write if anthropic else 0,
        "cost": round(g.rng.random() / 100, 8),
        "country_code": "DE",
    }


# --- nested formats: records inside pages ------------------------------------------------------------


def _attr(key: str, value: object) -> dict[str, Any]:
    if isinstance(value, int) and not isinstance(value, bool):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": str(value)}}


def _otel_span(g: Gen, i: int, kind: str) -> dict[str, Any]:
    uncached, read, _, out = g.tokens()
    model = g.pick(OPENAI_MODELS)
    attrs = [_attr("gen_ai.provider.name", "openai"), _attr("gen_ai.request.model", model)]
    if kind != "missing":
        value = _broken_count(kind, uncached + read) if kind == "type" else uncached + read
        attrs.append(_attr("gen_ai.usage.input_tokens", value))
    attrs.append(_attr("gen_ai.usage.output_tokens", _broken_count(kind, out) if kind == "negative" else out))
    if read:
        attrs.append(_attr("gen_ai.usage.cache_read.input_tokens", read))
    ts = g.ts()
    start = "yesterday" if kind == "timestamp" else str(ts * 1_000_000_000 + i % 1000)
    return {
        "traceId": f"{i // 4:032x}",
        "spanId": f"{i:016x}",
        "name": f"chat {model}",
        "startTimeUnixNano": start,
        "endTimeUnixNano": str((ts + 2) * 1_000_000_000),
        "attributes": attrs,
    }


def _otel_page(spans: list[dict[str, Any]], page_no: int) -> dict[str, Any]:
    tool = {
        "traceId": f"{page_no:032x}",
        "spanId": f"t{page_no:015x}",
        "name": "execute_tool",
        "startTimeUnixNano": str(START_S * 1_000_000_000),
        "attributes": [_attr("gen_ai.operation.name", "execute_tool")],
    }
    service = {"key": "service.name", "value": {"stringValue": f"svc-{page_no % 5}"}}
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [service]},
                "scopeSpans": [{"scope": {"name": "gen"}, "spans": [*spans, tool]}],
            }
        ]
    }


def _openai_result(g: Gen, i: int, kind: str) -> dict[str, Any]:
    uncached, read, write, out = g.tokens()
    requests = g.rng.randrange(1, 50)
    inp = (uncached + read + write) * requests
    result: dict[str, Any] = {
        "object": "organization.usage.completions.result",
        "input_cached_tokens": read * requests,
        "input_cache_write_tokens": write * requests,
        "output_tokens": _broken_count(kind, out * requests) if kind == "negative" else out * requests,
        "num_model_requests": requests,
        "project_id": f"proj-{g.rng.randrange(8)}",
        # unique within a page (its consecutive records): each result of a bucket its own group, and the
        # same groups in every bucket, as in an export grouped by user
        "user_id": f"user-{i % PAGE_RESULTS:03d}",
        "api_key_id": None,
        "model": g.pick(OPENAI_MODELS),
        "batch": False,
        "service_tier": "default",
    }
    if kind != "missing":
        result["input_tokens"] = _broken_count(kind, inp) if kind == "type" else inp
    return result


def _openai_page(results: list[dict[str, Any]], page_no: int, bad_ts: bool) -> dict[str, Any]:
    start = START_S + (page_no * BUCKET_S) % SPAN_S
    bucket = {
        "object": "bucket",
        "start_time": "noon" if bad_ts else start,
        "end_time": start + BUCKET_S,
        "results": results,
    }
    return {"object": "page", "data": [bucket], "has_more": False, "next_page": None}


def _anthropic_result(g: Gen, i: int, kind: str) -> dict[str, Any]:
    uncached, read, write, out = g.tokens()
    # one or two requests' worth: a result stays within the 200k-token tier its context_window names
    scale = g.rng.randrange(1, 3)
    one_hour = write * scale // 3
    result: dict[str, Any] = {
        "cache_creation": {
            "ephemeral_5m_input_tokens": write * scale - one_hour,
            "ephemeral_1h_input_tokens": one_hour,
        },
        "cache_read_input_tokens": read * scale,
        "output_tokens": _broken_count(kind, out * scale) if kind == "negative" else out * scale,
        "api_key_id": f"apikey_{i % PAGE_RESULTS:03d}",  # unique within a page (see _openai_result)
        "workspace_id": f"wrkspc_{g.rng.randrange(6)}",
        "model": g.pick(ANTHROPIC_MODELS),
        "service_tier": "standard",
        "context_window": "0-200k",
        "inference_geo": None,
    }
    if kind != "missing":
        result["uncached_input_tokens"] = (
            _broken_count(kind, uncached * scale) if kind == "type" else (uncached * scale)
        )
    return result


def _anthropic_page(results: list[dict[str, Any]], page_no: int, bad_ts: bool) -> dict[str, Any]:
    start = START_S + (page_no * BUCKET_S) % SPAN_S
    bucket = {
        "starting_at": "noon" if bad_ts else _iso(start)[:-5] + "Z",
        "ending_at": _iso(start + BUCKET_S)[:-5] + "Z",
        "results": results,
    }
    return {"data": [bucket], "has_more": False, "next_page": None}


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
            row = _litellm(g, i, "good" if kind == "duplicate" else kind)
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
            _write_lines(out, plan, _bedrock)
        elif fmt == "litellm-csv":
            _write_csv(out, plan)
        elif fmt == "litellm-json":
            _write_lines(out, plan, _litellm)
        elif fmt == "langfuse":
            _write_lines(out, plan, _langfuse, extra_every=10, extra=_langfuse_span)
        elif fmt == "helicone":
            _write_lines(out, plan, _helicone)
        elif fmt == "otel":
            _write_pages(out, plan, _otel_span, lambda spans, n, _: _otel_page(spans, n), ts_in_bucket=False)
        elif fmt == "openai-usage":
            _write_pages(out, plan, _openai_result, _openai_page, ts_in_bucket=True)
        else:
            _write_pages(out, plan, _anthropic_result, _anthropic_page, ts_in_bucket=True)
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
    description: str | None, *, records: int, formats: Sequence[str]
) -> argparse.ArgumentParser:
    """The command line the vendor benchmarks share: which exports (``--records``, ``--formats``) in which
    shape (``--duplicates``, ``--bad``: repeats and broken records, as users' logs have); each benchmark
    adds its own options."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=float, default=records)
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(formats))
    parser.add_argument("--duplicates", type=float, default=0.0, help="share of exact repeats (0..1)")
    parser.add_argument("--bad", type=float, default=0.0, help="share of broken records (0..1)")
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

"""Every vendor format's fast ingest path against a plain reference, on generated exports with ids,
duplicates and bad records.

The reference reads the generated file with Python's own ``json`` / ``csv``, applies each format's
documented token convention (which counts include the cache, which ids key a record) and decides each
record's fate by hand: malformed, unparseable timestamp, missing / non-numeric / negative count, a
repeat of an earlier id, or accepted. Costs are genai-prices' own ``calc_price`` per accepted record.
The audit runs end to end (``llm-tco audit FILE --db STORE --json``, a real process and a real DuckDB
store), and its totals, row accounting and quarantine reasons (read from the store) must match.

The JSON formats are run twice: with malformed lines, which DuckDB's reader refuses (the audit then reads
the file leniently, ``llm_tco.ingest.lenient``, whose rows ``test_lenient_reading`` compares with the
per-record reader's), and without, which lets DuckDB's reader take the whole file (asserted: the
adapter's fast staging reads the file without malformed lines, refuses the one with them, and offers the
per-record fallback).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from _formats import vendor_generator
from genai_prices import Usage, calc_price

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-25T00:00:00Z"
RECORDS = 600


GEN = vendor_generator()


@dataclass
class Expected:
    """What the reference makes of a file."""

    read: int = 0
    duplicates: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)
    cost_usd: Decimal = Decimal(0)
    seen: dict[str, str] = field(default_factory=dict)

    def bad(self, reason: str) -> None:
        self.read += 1
        self.reasons[reason] += 1

    def good(self, key: str, content: str, rec: Record) -> None:
        """An accepted record unless its key was seen (then a duplicate: the generator repeats exactly)."""
        self.read += 1
        if key in self.seen:
            assert self.seen[key] == content, "the generator repeats records exactly"
            self.duplicates += 1
            return
        self.seen[key] = content
        self.totals["requests"] += rec.requests
        self.totals["input_tokens"] += rec.input
        self.totals["cache_read_tokens"] += rec.cache_read
        self.totals["cache_write_tokens"] += rec.cache_write
        self.totals["cache_write_1h_tokens"] += rec.cache_write_1h
        self.totals["output_tokens"] += rec.output
        usage = Usage(
            input_tokens=rec.input,
            cache_read_tokens=rec.cache_read,
            cache_write_tokens=rec.cache_write,
            output_tokens=rec.output,
        )
        if rec.cache_write_1h:
            usage = Usage(
                input_tokens=rec.input,
                cache_read_tokens=rec.cache_read,
                cache_write_tokens=rec.cache_write,
                cache_write_5m_tokens=rec.cache_write - rec.cache_write_1h,
                cache_write_1h_tokens=rec.cache_write_1h,
                output_tokens=rec.output,
            )
        price = calc_price(usage, rec.model, provider_id=rec.provider, genai_request_timestamp=rec.ts)
        self.cost_usd += price.total_price

    @property
    def quarantined(self) -> int:
        return sum(self.reasons.values())


@dataclass(frozen=True)
class Record:
    """A valid record in canonical terms: input includes cache reads and writes."""

    model: str
    provider: str | None
    ts: datetime
    input: int
    output: int
    cache_read: int = 0
    cache_write: int = 0
    cache_write_1h: int = 0
    requests: int = 1


class BadRecordError(Exception):
    """A record the audit must quarantine, with the reason it must give."""


def _count(value: object, name: str, *, required: bool = False) -> int:
    """A token count as the validation reads it (absent optional counts are 0)."""
    if value is None or value == "":
        if required:
            raise BadRecordError(f"missing {name}")
        return 0
    if isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit()):
        number = int(value)
        if number < 0:
            raise BadRecordError(f"negative {name} ({number})")
        return number
    raise BadRecordError(f"non-numeric {name} '{value}'")


def _iso(text: str) -> datetime:
    try:
        ts = datetime.fromisoformat(text)
    except ValueError:
        raise BadRecordError(f"unparseable timestamp '{text[:40]}'") from None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _nanos(text: str) -> datetime:
    if not text.isdigit():
        raise BadRecordError(f"unparseable timestamp '{text[:40]}'")
    return datetime.fromtimestamp(int(text) // 1_000_000_000, UTC)


def _unix(value: object) -> datetime:
    if not isinstance(value, int):
        raise BadRecordError(f"unparseable timestamp '{value}'")
    return datetime.fromtimestamp(value, UTC)


def _lines(path: Path, exp: Expected) -> list[tuple[str, dict[str, Any]]]:
    """(line, record) of each well-formed line; a malformed one is a quarantined record."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append((line, json.loads(line)))
        except json.JSONDecodeError:
            exp.bad(f"malformed JSON line ({line[:40]}...)")
    return out


# --- per-format references (FORMATS.md conventions) ----------------------------------------------------


def _bedrock(doc: dict[str, Any]) -> Record:
    inp, out = doc["input"], doc["output"]
    ts = _iso(doc["timestamp"])
    uncached = _count(inp.get("inputTokenCount"), "input_tokens", required=True)
    read = _count(inp.get("cacheReadInputTokenCount"), "cache_read_tokens")
    write = _count(inp.get("cacheWriteInputTokenCount"), "cache_write_tokens")
    output = _count(out.get("outputTokenCount"), "output_tokens", required=True)
    # inputTokenCount is uncached input: the canonical input adds the cache parts back
    return Record(doc["modelId"], "aws", ts, uncached + read + write, output, read, write)


def _litellm(row: dict[str, Any]) -> Record:
    ts = _iso(str(row["startTime"]))
    prompt = _count(row["prompt_tokens"], "input_tokens", required=True)
    output = _count(row["completion_tokens"], "output_tokens", required=True)
    aux = json.loads(row["metadata"])["additional_usage_values"]
    read = aux["prompt_tokens_details"]["cached_tokens"]
    write = aux.get("cache_creation_input_tokens", 0)
    # prompt_tokens includes cache reads and writes (OpenAI semantics, LiteLLM adds Anthropic's)
    return Record(row["model"], row["custom_llm_provider"], ts, prompt, output, read, write)


def _langfuse(obs: dict[str, Any]) -> Record:
    usage = obs["usageDetails"]
    ts = _iso(obs["startTime"])
    inp = _count(usage.get("input"), "input_tokens", required=True)
    output = _count(usage.get("output"), "output_tokens", required=True)
    read = _count(usage.get("input_cached_tokens"), "cache_read_tokens")
    # total = input + output: input includes the cached part (no total: cache <= input, inclusive too)
    return Record(obs["model"], None, ts, inp, output, read)


def _helicone(row: dict[str, Any]) -> Record:
    ts = _iso(row["request_created_at"])
    prompt = _count(row["prompt_tokens"], "input_tokens", required=True)
    output = _count(row["completion_tokens"], "output_tokens", required=True)
    read, write = row["prompt_cache_read_tokens"], row["prompt_cache_write_tokens"]
    provider = row["provider"].lower()
    # each provider's own convention: Anthropic's prompt excludes the cache, OpenAI's includes it
    inp = prompt + read + write if provider == "anthropic" else prompt
    return Record(row["request_model"], provider, ts, inp, output, read, write)


def _otel(span: dict[str, Any]) -> Record:
    attrs = {a["key"]: next(iter(a["value"].values())) for a in span["attributes"]}
    ts = _nanos(span["startTimeUnixNano"])

    def attr(key: str) -> object:
        value = attrs.get(key)
        return int(value) if isinstance(value, str) and value.lstrip("-").isdigit() else value

    inp = _count(attr("gen_ai.usage.input_tokens"), "input_tokens", required=True)
    output = _count(attr("gen_ai.usage.output_tokens"), "output_tokens", required=True)
    read = _count(attr("gen_ai.usage.cache_read.input_tokens"), "cache_read_tokens")
    model = str(attrs["gen_ai.request.model"])
    return Record(model, str(attrs["gen_ai.provider.name"]), ts, inp, output, read)


def _openai(bucket: dict[str, Any], result: dict[str, Any]) -> Record:
    ts = _unix(bucket["start_time"])
    inp = _count(result.get("input_tokens"), "input_tokens", required=True)
    output = _count(result.get("output_tokens"), "output_tokens", required=True)
    read, write = result["input_cached_tokens"], result["input_cache_write_tokens"]
    return Record(result["model"], "openai", ts, inp, output, read, write, 0, result["num_model_requests"])


def _anthropic(bucket: dict[str, Any], result: dict[str, Any]) -> Record:
    ts = _iso(bucket["starting_at"])
    uncached = _count(result.get("uncached_input_tokens"), "input_tokens", required=True)
    output = _count(result.get("output_tokens"), "output_tokens", required=True)
    five = result["cache_creation"]["ephemeral_5m_input_tokens"]
    hour = result["cache_creation"]["ephemeral_1h_input_tokens"]
    read = result["cache_read_input_tokens"]
    # uncached input: the canonical input adds reads and both cache-write durations
    return Record(
        result["model"], "anthropic", ts, uncached + read + five + hour, output, read, five + hour, hour, 0
    )


def reference(fmt: str, path: Path) -> Expected:
    exp = Expected()

    def one(key: str, content: str, build: Any, *args: Any) -> None:
        try:
            rec = build(*args)
        except BadRecordError as why:
            exp.bad(str(why))
            return
        exp.good(key, content, rec)

    if fmt == "litellm-csv":
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                one(row["request_id"], json.dumps(row), _litellm, row)
        return exp
    for line, doc in _lines(path, exp):
        if fmt == "bedrock":
            one(f"{doc['accountId']}:{doc['requestId']}", line, _bedrock, doc)
        elif fmt == "litellm-json":
            one(doc["request_id"], line, _litellm, doc)
        elif fmt == "langfuse":
            if doc["type"] == "GENERATION":  # spans are not usage records
                one(doc["id"], line, _langfuse, doc)
        elif fmt == "helicone":
            one(doc["request_id"], line, _helicone, doc)
        elif fmt == "otel":
            for rs in doc["resourceSpans"]:
                for ss in rs["scopeSpans"]:
                    for span in ss["spans"]:
                        if any(a["key"] == "gen_ai.usage.output_tokens" for a in span["attributes"]):
                            key = f"{span['traceId']}:{span['spanId']}"
                            one(key, json.dumps(span, sort_keys=True), _otel, span)
        else:
            build = _openai if fmt == "openai-usage" else _anthropic
            start = "start_time" if fmt == "openai-usage" else "starting_at"
            for bucket in doc["data"]:
                for result in bucket["results"]:
                    group = {
                        k: v for k, v in result.items() if not k.endswith("tokens") and k != "cache_creation"
                    }
                    key = json.dumps([bucket[start], group], sort_keys=True)
                    one(key, json.dumps(result, sort_keys=True), build, bucket, result)
    return exp


# --- the audit, end to end ---------------------------------------------------------------------------


def audit(path: Path, store: Path) -> dict[str, Any]:
    env = {**os.environ, "LLM_TCO_NOW": NOW, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, "-m", "llm_tco.cli.main", "audit", str(path), "--db", str(store), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    doc: dict[str, Any] = json.loads(run.stdout)
    return doc


def fast_reader_takes(path: Path) -> bool | None:
    """Whether the adapter's first staging reads the whole file (None: it has no per-record fallback)."""
    from llm_tco.ingest.base import IngestOptions
    from llm_tco.ingest.files import probe_file
    from llm_tco.ingest.registry import detect_adapter

    with duckdb.connect() as con:
        probe = probe_file(path)
        staged = detect_adapter(probe).stage(con, probe, IngestOptions())
        if staged.fallback is None:
            return None
        assert staged.materialize
        for statement in staged.setup_sql:
            con.execute(statement)
        try:
            con.execute(f"CREATE TEMP TABLE t AS {staged.sql}", staged.params)
        except duckdb.Error:
            return False
        return True


def stored_reasons(store: Path) -> Counter[str]:
    with duckdb.connect(str(store), read_only=True) as con:
        return Counter(str(r[0]) for r in con.execute("SELECT reason FROM quarantine").fetchall())


CASES = [
    ("bedrock", True),
    ("bedrock", False),
    ("litellm-csv", False),
    ("litellm-json", True),
    ("litellm-json", False),
    ("langfuse", True),
    ("langfuse", False),
    ("helicone", True),
    ("helicone", False),
    ("otel", True),
    ("otel", False),
    ("openai-usage", True),
    ("openai-usage", False),
    ("anthropic-usage", True),
    ("anthropic-usage", False),
]


@pytest.mark.parametrize(
    ("fmt", "malformed"), CASES, ids=[f"{f}{'-malformed' if m else ''}" for f, m in CASES]
)
def test_audit_matches_the_plain_reference(tmp_path: Path, fmt: str, malformed: bool) -> None:
    suffix = "csv" if fmt == "litellm-csv" else "jsonl"
    path = GEN.generate(
        fmt, tmp_path / f"export.{suffix}", RECORDS, duplicates=0.05, bad=0.08, seed=7, malformed=malformed
    )
    exp = reference(fmt, path)
    # the file really holds what the test is about
    assert exp.read == RECORDS
    assert exp.duplicates > 5
    assert len(exp.reasons) >= 4
    assert any(r.startswith("malformed JSON line") for r in exp.reasons) == malformed
    # which reader the audit goes through: DuckDB's (fast) unless a line is malformed (the CSV's bad
    # records are bad values, not unreadable lines: its fast read takes them)
    assert fast_reader_takes(path) is (not malformed)

    store = tmp_path / "store.duckdb"
    doc = audit(path, store)
    rows = doc["rows"]
    accepted = exp.read - exp.quarantined - exp.duplicates
    assert (rows["read"], rows["accepted"], rows["quarantined"], rows["duplicates"]) == (
        exp.read,
        accepted,
        exp.quarantined,
        exp.duplicates,
    )
    assert rows["read"] == rows["accepted"] + rows["quarantined"] + rows["duplicates"]
    assert stored_reasons(store) == exp.reasons
    totals = doc["totals"]
    for column in (
        "input_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "cache_write_1h_tokens",
        "output_tokens",
    ):
        assert totals[column] == exp.totals[column], column
    assert totals["reasoning_tokens"] == 0
    # the Anthropic usage report gives no request counts; every other format counts them
    assert totals["requests"] == (None if fmt == "anthropic-usage" else exp.totals["requests"])
    assert abs(Decimal(str(totals["cost_usd"])) - exp.cost_usd) < Decimal("0.005")
    assert doc["unpriced"] == []

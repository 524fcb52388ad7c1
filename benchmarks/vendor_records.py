"""One usage record of each vendor format, built from seeded random values, in the shapes the format
adapters read (``llm_tco.ingest.formats``): what ``gen_vendor.py`` writes, line by line or page by page.

A builder takes the file's ``Gen``, the record's index and its kind (``good`` or one of
``gen_vendor.BAD_KINDS``: the record broken that way) and returns the record as a dict, ready to be written
as a JSON line or a CSV row. The values are drawn in a fixed order from the one ``random.Random``: the
same seed gives the same file byte for byte.
"""

from __future__ import annotations

import json
import random
from typing import Any

START_S = 1_788_220_800  # 2026-09-01T00:00:00Z
SPAN_S = 60 * 86_400
PAGE_RESULTS = 50
"""Usage-API results per page (one bucket per page) and OTel spans per export line."""
BUCKET_S = 60
"""Usage-API bucket width (``bucket_width=1m``): each page its own bucket, so that the ids (bucket and
group) of the results of different pages differ. The buckets cycle through ``SPAN_S`` (``SPAN_S /
BUCKET_S`` pages, 4.3M records); a later cycle's pages name their groups apart (:func:`_bucket`)."""

OPENAI_MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1")
ANTHROPIC_MODELS = ("claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001")
BEDROCK_MODELS = (
    "anthropic.claude-sonnet-4-20250514-v1:0",
    "us.anthropic.claude-sonnet-4-20250514-v1:0",
    "anthropic.claude-3-5-haiku-20241022-v1:0",
    "meta.llama3-3-70b-instruct-v1:0",
)
TEAMS = ("support", "research", "search", "billing", "growth", "platform")


def iso(seconds: int, millis: int = 0) -> str:
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


def broken_count(kind: str, value: int) -> object:
    """A token count broken as ``kind`` says (``negative``/``type``), else the value."""
    if kind == "negative":
        return -value - 1
    if kind == "type":
        return "many"
    return value


BAD_TS = "2026-13-45 25:61"


# --- one record per line (or row) ----------------------------------------------------------------------


def bedrock(g: Gen, i: int, kind: str) -> dict[str, Any]:
    uncached, read, write, out = g.tokens()
    ts = g.ts()
    inp: dict[str, Any] = {"inputContentType": "application/json"}
    if kind != "missing":
        inp["inputTokenCount"] = broken_count(kind, uncached) if kind == "type" else uncached
    inp["inputBodyJson"] = {"messages": [{"role": "user", "content": [{"text": f"question {i % 997}"}]}]}
    if read:
        inp["cacheReadInputTokenCount"] = read
    if write:
        inp["cacheWriteInputTokenCount"] = write
    model = g.pick(BEDROCK_MODELS)
    record: dict[str, Any] = {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": BAD_TS if kind == "timestamp" else iso(ts),
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
            "outputTokenCount": broken_count(kind, out) if kind == "negative" else out,
            "outputBodyJson": {"output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}}},
        },
    }
    if model.startswith("us."):
        record["inferenceRegion"] = "us-east-2"
    return record


def litellm(g: Gen, i: int, kind: str) -> dict[str, Any]:
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
        else broken_count(kind, prompt)
        if kind == "type"
        else prompt,
        "completion_tokens": broken_count(kind, out) if kind == "negative" else out,
        "startTime": BAD_TS if kind == "timestamp" else iso(ts, i % 1000).replace("T", " ")[:-1],
        "endTime": iso(ts + 2, i % 1000).replace("T", " ")[:-1],
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


def langfuse(g: Gen, i: int, kind: str) -> dict[str, Any]:
    uncached, read, _, out = g.tokens()
    model = g.pick(OPENAI_MODELS)
    usage: dict[str, Any] = {"input_cached_tokens": read, "output": out}
    if kind != "missing":
        usage["input"] = broken_count(kind, uncached + read) if kind == "type" else uncached + read
    if kind == "negative":
        usage["output"] = broken_count(kind, out)
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
        "startTime": BAD_TS if kind == "timestamp" else iso(ts),
        "endTime": iso(ts + 3),
        "model": model,
        "userId": f"user-{g.rng.randrange(500)}",
        "usageDetails": usage,
        "costDetails": {"total": round(g.rng.random() / 100, 8)},
        "metadata": {"feature": g.pick(("faq", "chat", "rag"))},
        "level": "DEFAULT",
    }


def langfuse_span(i: int) -> dict[str, Any]:
    """A Langfuse observation that is not usage (skipped by the adapter, not a record)."""
    return {
        "id": f"span-{i:09d}",
        "traceId": f"trace-{i // 3:09d}",
        "type": "SPAN",
        "name": "retrieve",
        "startTime": iso(START_S + i % SPAN_S),
        "model": None,
        "usageDetails": {},
    }


def helicone(g: Gen, i: int, kind: str) -> dict[str, Any]:
    uncached, read, write, out = g.tokens()
    model = g.pick((*OPENAI_MODELS, *ANTHROPIC_MODELS))
    anthropic = model.startswith("claude")
    prompt = uncached if anthropic else uncached + read  # each provider's own convention
    ts = g.ts()
    return {
        "request_id": f"hc-{i:09d}",
        "request_created_at": BAD_TS if kind == "timestamp" else iso(ts),
        "request_user_id": f"user-{g.rng.randrange(500)}",
        "request_properties": {"Workload": f"wl-{g.rng.randrange(12)}", "Environment": "prod"},
        "provider": "ANTHROPIC" if anthropic else "OPENAI",
        "request_model": model,
        "response_created_at": iso(ts + 1),
        "response_status": 200,
        "prompt_tokens": None
        if kind == "missing"
        else broken_count(kind, prompt)
        if kind == "type"
        else prompt,
        "completion_tokens": broken_count(kind, out) if kind == "negative" else out,
        "total_tokens": prompt + out,
        "prompt_cache_read_tokens": read,
        "prompt_cache_write_tokens": write if anthropic else 0,
        "cost": round(g.rng.random() / 100, 8),
        "country_code": "DE",
    }


# --- nested formats: records inside pages ------------------------------------------------------------


def attr(key: str, value: object) -> dict[str, Any]:
    if isinstance(value, int) and not isinstance(value, bool):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": str(value)}}


def otel_span(g: Gen, i: int, kind: str) -> dict[str, Any]:
    uncached, read, _, out = g.tokens()
    model = g.pick(OPENAI_MODELS)
    attrs = [attr("gen_ai.provider.name", "openai"), attr("gen_ai.request.model", model)]
    if kind != "missing":
        value = broken_count(kind, uncached + read) if kind == "type" else uncached + read
        attrs.append(attr("gen_ai.usage.input_tokens", value))
    attrs.append(attr("gen_ai.usage.output_tokens", broken_count(kind, out) if kind == "negative" else out))
    if read:
        attrs.append(attr("gen_ai.usage.cache_read.input_tokens", read))
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


def otel_page(spans: list[dict[str, Any]], page_no: int) -> dict[str, Any]:
    tool = {
        "traceId": f"{page_no:032x}",
        "spanId": f"t{page_no:015x}",
        "name": "execute_tool",
        "startTimeUnixNano": str(START_S * 1_000_000_000),
        "attributes": [attr("gen_ai.operation.name", "execute_tool")],
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


def openai_result(g: Gen, i: int, kind: str) -> dict[str, Any]:
    uncached, read, write, out = g.tokens()
    requests = g.rng.randrange(1, 50)
    inp = (uncached + read + write) * requests
    result: dict[str, Any] = {
        "object": "organization.usage.completions.result",
        "input_cached_tokens": read * requests,
        "input_cache_write_tokens": write * requests,
        "output_tokens": broken_count(kind, out * requests) if kind == "negative" else out * requests,
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
        result["input_tokens"] = broken_count(kind, inp) if kind == "type" else inp
    return result


def _bucket(results: list[dict[str, Any]], page_no: int, group_key: str) -> tuple[int, list[dict[str, Any]]]:
    """A usage-API page's bucket start and its results. Past ``SPAN_S`` the buckets start over, and a
    result of a later cycle would take the id (bucket and group) of the earlier cycle's result of the same
    group, with other counts: an id conflict that no export has. So a later cycle's results name their
    group (``group_key``) with the cycle's number; the first cycle's results, every file of up to 4.3M
    records, stay as they were. Copies: a repeat in the page is the same object as its original."""
    cycle, offset_s = divmod(page_no * BUCKET_S, SPAN_S)
    if cycle:
        results = [{**r, group_key: f"{r[group_key]}-c{cycle}"} for r in results]
    return START_S + offset_s, results


def openai_page(results: list[dict[str, Any]], page_no: int, bad_ts: bool) -> dict[str, Any]:
    start, results = _bucket(results, page_no, "user_id")
    bucket = {
        "object": "bucket",
        "start_time": "noon" if bad_ts else start,
        "end_time": start + BUCKET_S,
        "results": results,
    }
    return {"object": "page", "data": [bucket], "has_more": False, "next_page": None}


def anthropic_result(g: Gen, i: int, kind: str) -> dict[str, Any]:
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
        "output_tokens": broken_count(kind, out * scale) if kind == "negative" else out * scale,
        "api_key_id": f"apikey_{i % PAGE_RESULTS:03d}",  # unique within a page (see openai_result)
        "workspace_id": f"wrkspc_{g.rng.randrange(6)}",
        "model": g.pick(ANTHROPIC_MODELS),
        "service_tier": "standard",
        "context_window": "0-200k",
        "inference_geo": None,
    }
    if kind != "missing":
        result["uncached_input_tokens"] = (
            broken_count(kind, uncached * scale) if kind == "type" else (uncached * scale)
        )
    return result


def anthropic_page(results: list[dict[str, Any]], page_no: int, bad_ts: bool) -> dict[str, Any]:
    start, results = _bucket(results, page_no, "api_key_id")
    bucket = {
        "starting_at": "noon" if bad_ts else iso(start)[:-5] + "Z",
        "ending_at": iso(start + BUCKET_S)[:-5] + "Z",
        "results": results,
    }
    return {"data": [bucket], "has_more": False, "next_page": None}

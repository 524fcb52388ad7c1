"""OpenTelemetry GenAI spans in OTLP/JSON (FORMATS.md 11).

Convention: gen_ai.usage.input_tokens includes cache reads/writes (SHOULD); a span whose cache parts
exceed its input (an instrumentation passing Anthropic's exclusive count) is read as exclusive.
Non-GenAI spans and GenAI spans without usage are skipped and not counted as read.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from _formats import DATA, assert_accounting, canonical_rows, ingest, quarantine, tokens

OTEL = DATA / "otel"


def test_genai_spans_become_rows_and_other_spans_are_not_records() -> None:
    con, report = ingest(OTEL / "traces.json")
    assert report.files[0].format == "otel"
    assert (report.read, report.accepted) == (3, 3)  # the agent span and the HTTP span are not usage
    rows = canonical_rows(con)
    chat = rows["id:otel:5b8efff798038103d269b633813fc60c:eee19b7ec3c1b174"]
    assert tokens(chat) == (1200, 1000, 0, 0, 300, 0)  # input 1200 includes the 1000 cache reads
    assert (chat["provider"], chat["model_raw"]) == ("openai", "gpt-4o-2024-08-06")  # the response model
    assert (chat["workload"], chat["service_tier"], chat["requests"]) == ("support-bot", "default", 1)
    assert chat["ts_start"] == datetime(2025, 9, 5, 10, 0)  # startTimeUnixNano 1757066400000000000
    legacy = rows["id:otel:6c8efff798038103d269b633813fc60d:bbb19b7ec3c1b101"]
    # gen_ai.system + prompt/completion_tokens; cache read 5000 > prompt 50: exclusive, 50 + 5000 = 5050
    assert tokens(legacy) == (5050, 5000, 0, 0, 20, 0)
    assert (legacy["provider"], legacy["model_raw"]) == ("anthropic", "claude-3-5-haiku-20241022")
    bedrock = rows["id:otel:7d8efff798038103d269b633813fc60e:ccc19b7ec3c1b102"]
    assert tokens(bedrock) == (400, 0, 100, 0, 40, 0)  # cache_creation is a part of the 400
    assert (bedrock["provider"], bedrock["workload"], bedrock["region"]) == (
        "aws",
        "search-api",
        "eu-central-1",
    )


def test_collector_file_export_one_request_per_line() -> None:
    con, report = ingest(OTEL / "collector_export.jsonl")
    assert (report.read, report.accepted) == (1, 1)  # the execute_tool span is skipped
    assert tokens(canonical_rows(con)["id:otel:8e:01"]) == (10, 0, 0, 0, 5, 0)


def test_malformed_spans_are_quarantined_with_reasons() -> None:
    con, report = ingest(OTEL / "malformed" / "bad_spans.jsonl")
    assert_accounting(report)
    reasons = quarantine(con)
    assert reasons[1] == "non-numeric input_tokens 'lots'"
    assert reasons[2] == "missing output_tokens"
    assert reasons[3] == "missing model"
    assert reasons[4].startswith("malformed JSON line (")


def test_embedding_spans_are_requests_with_no_output_priced_at_the_input_price(cli: Any) -> None:
    """A RAG trace as the OpenAI instrumentations export it: embeddings spans carry input tokens only
    (current names, deprecated names, OpenLLMetry's ``llm.request.type``, or just an embedding model);
    their output is 0, not missing. A chat span without an output count is still quarantined."""
    path = OTEL / "rag_trace_embeddings.json"
    con, report = ingest(path)
    assert_accounting(report)
    assert (report.read, report.accepted, report.quarantined) == (6, 5, 1)  # agent/retrieval: not usage
    assert set(quarantine(con).values()) == {"missing output_tokens"}  # the chat span without output
    rows = canonical_rows(con)
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    embeddings = {
        "a1b2c3d4e5f60701": (1234, "text-embedding-3-small"),  # gen_ai.operation.name = embeddings
        "a1b2c3d4e5f60702": (56, "text-embedding-3-small"),  # deprecated gen_ai.system/prompt_tokens
        "a1b2c3d4e5f60703": (2000, "text-embedding-3-large"),  # llm.request.type = embedding
        "a1b2c3d4e5f60704": (10, "text-embedding-3-small"),  # no operation: the model is an embedding model
    }
    for span_id, (input_tokens, model) in embeddings.items():
        row = rows[f"id:otel:{trace}:{span_id}"]
        assert tokens(row) == (input_tokens, 0, 0, 0, 0, 0)
        assert (row["model_raw"], row["requests"], row["workload"]) == (model, 1, "docs-assistant")

    # Published prices per million tokens: text-embedding-3-small $0.02 and -3-large $0.13 input (no
    # output price); gpt-4o-mini $0.15 input, $0.60 output.
    mtok = Decimal(1_000_000)
    small = (1234 + 56 + 10) * Decimal("0.02") / mtok
    large = 2000 * Decimal("0.13") / mtok
    chat = 500 * Decimal("0.15") / mtok + 100 * Decimal("0.60") / mtok
    doc = cli("audit", path, "--db", ":memory:", "--json").json()
    assert doc["rows"]["quarantined"] == 1
    costs = {m["model_raw"]: Decimal(str(m["cost_usd"])) for m in doc["by_model"]}
    assert costs == {
        "text-embedding-3-small": small,
        "text-embedding-3-large": large,
        "gpt-4o-mini-2024-07-18": chat,
    }
    assert Decimal(str(doc["totals"]["cost_usd"])) == small + large + chat == Decimal("0.000421")
    assert doc["unpriced"] == []


def test_an_attribute_given_twice_counts_once_the_first_time(tmp_path: Any) -> None:
    """A span attribute given twice, or given by the span and by its resource: the span's first value
    is the one read, for the model and for the metadata attribution rules see."""
    import json

    def attr(key: str, value: str) -> dict[str, Any]:
        return {"key": key, "value": {"stringValue": value}}

    span = {
        "traceId": "ab",
        "spanId": "01",
        "startTimeUnixNano": "1757066400000000000",
        "attributes": [
            attr("gen_ai.request.model", "gpt-4o"),
            attr("gen_ai.request.model", "gpt-4o-mini"),
            attr("team", "search"),
            {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "10"}},
            {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "5"}},
        ],
    }
    resource = {"attributes": [attr("service.name", "svc"), attr("team", "billing")]}
    doc = {"resourceSpans": [{"resource": resource, "scopeSpans": [{"spans": [span]}]}]}
    path = tmp_path / "twice.jsonl"
    path.write_text(json.dumps(doc) + "\n")
    con, report = ingest(path, workload_from="metadata.team")
    assert (report.read, report.accepted) == (1, 1)
    row = canonical_rows(con)["id:otel:ab:01"]
    assert (row["model_raw"], row["workload"]) == ("gpt-4o", "search")


def test_an_attribute_without_a_key_is_ignored(tmp_path: Any) -> None:
    """An attribute with no ``key`` names nothing a rule could read: the span is still a record (the
    attributes used to be turned into a map, which refused a missing key and with it the whole file)."""
    import json

    span = {
        "traceId": "ab",
        "spanId": "02",
        "startTimeUnixNano": "1757066400000000000",
        "attributes": [
            {"value": {"stringValue": "no key"}},
            {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
            {"key": "team", "value": {"stringValue": "search"}},
            {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "10"}},
            {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "5"}},
        ],
    }
    doc = {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": [span]}]}]}
    path = tmp_path / "keyless.jsonl"
    path.write_text(json.dumps(doc) + "\n")
    con, report = ingest(path, workload_from="metadata.team")
    assert (report.read, report.accepted) == (1, 1)
    row = canonical_rows(con)["id:otel:ab:02"]
    assert (row["model_raw"], row["workload"]) == ("gpt-4o", "search")


def test_span_times_are_exact_at_every_size_of_nanosecond_count(tmp_path: Any) -> None:
    """A span's time is its nanosecond count truncated to microseconds, read as a 64-bit integer when it
    fits and as a 128-bit one past 2262 (then it is in the future, and quarantined); a count written
    with a fraction or an exponent is read as DuckDB reads an integer; text that is not a number is
    quarantined as an unreadable time."""
    import json
    from datetime import timedelta

    def span(span_id: str, start: Any) -> dict[str, Any]:
        return {
            "traceId": "cd",
            "spanId": span_id,
            "startTimeUnixNano": start,
            "attributes": [
                {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
                {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "10"}},
                {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "5"}},
            ],
        }

    starts = {
        "01": "1757066400123456789",  # 2025-09-05 10:00:00.123456789
        "02": 1757066400123456789,  # the same as a JSON number
        "03": "1.7570664e18",  # an exponent: 1757066400000000000, 2025-09-05 10:00:00
        "04": "9223372036854775807",  # the largest BIGINT: 2262-04-11, in the future
        "05": "9223372036854775808",  # one past it: read as HUGEINT, also in the future
        "06": "soon",
    }
    doc = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]},
                "scopeSpans": [{"spans": [span(k, v) for k, v in starts.items()]}],
            }
        ]
    }
    path = tmp_path / "times.jsonl"
    path.write_text(json.dumps(doc) + "\n")
    con, report = ingest(path)
    assert_accounting(report)
    epoch = datetime(1970, 1, 1)
    rows = canonical_rows(con)
    exact = epoch + timedelta(microseconds=1757066400123456789 // 1000)
    assert rows["id:otel:cd:01"]["ts_start"] == exact == datetime(2025, 9, 5, 10, 0, 0, 123456)
    assert rows["id:otel:cd:02"]["ts_start"] == exact
    assert rows["id:otel:cd:03"]["ts_start"] == epoch + timedelta(microseconds=1757066400 * 10**6)
    reasons = quarantine(con)
    assert set(reasons) == {4, 5, 6}
    assert "future" in reasons[4] and "future" in reasons[5]
    assert "soon" in reasons[6]

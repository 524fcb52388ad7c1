"""AWS Bedrock model-invocation logs (FORMATS.md 6): gzip JSON lines and a CloudWatch Logs export.

Convention: ``inputTokenCount`` is uncached input, so canonical input = inputTokenCount +
cacheReadInputTokenCount + cacheWriteInputTokenCount. Pricing is by the modelId as logged, profile
prefix included.
"""

from __future__ import annotations

from datetime import datetime

from _formats import DATA, assert_accounting, canonical_rows, ingest, quarantine, tokens

BEDROCK = DATA / "bedrock"


def test_invocation_log_records_convert_with_profiles_regions_and_metadata() -> None:
    con, report = ingest(BEDROCK / "invocations.jsonl.gz", BEDROCK / "cloudwatch_export.gz")
    assert [f.format for f in report.files] == ["bedrock", "bedrock"]
    assert (report.read, report.accepted) == (5, 5)
    rows = canonical_rows(con)
    documented = rows["id:bedrock@123456789012:abcd1234-0001"]  # FORMATS.md's example record
    assert tokens(documented) == (1500, 0, 0, 0, 500, 0)
    assert (documented["provider"], documented["model_raw"]) == (
        "aws",
        "anthropic.claude-sonnet-4-20250514-v1:0",
    )
    assert (documented["region"], documented["team"], documented["requests"]) == (
        "ap-southeast-2",
        "engineering",
        1,
    )
    assert documented["ts_start"] == datetime(2024, 1, 15, 12, 0)
    assert documented["workload"] == "anthropic.claude-sonnet-4-20250514-v1:0"  # no workload tag: the model
    cached = rows["id:bedrock@123456789012:abcd1234-0002"]
    # input = inputTokenCount 2 + cacheRead 95500 + cacheWrite 0 = 95502 (the documented 2-vs-95,500 case)
    assert tokens(cached) == (95502, 95500, 0, 0, 320, 0)
    assert cached["model_raw"] == "us.anthropic.claude-sonnet-4-20250514-v1:0"  # cross-region profile kept
    assert (cached["region"], cached["workload"], cached["team"]) == ("us-east-2", "support-chat", "support")
    assert cached["user"] == "arn:aws:sts::123456789012:assumed-role/support-bot/session"
    llama = rows["id:bedrock@123456789012:abcd1234-0003"]
    assert tokens(llama) == (800, 0, 0, 0, 200, 0)
    assert llama["model_raw"] == "meta.llama3-3-70b-instruct-v1:0"
    profile_arn = rows["id:bedrock@123456789012:abcd1234-0004"]
    # An inference-profile ARN is reduced to the profile id; input = 100 + 0 + 2048
    assert profile_arn["model_raw"] == "eu.anthropic.claude-3-7-sonnet-20250219-v1:0"
    assert tokens(profile_arn) == (2148, 0, 2048, 0, 50, 0)
    cloudwatch = rows["id:bedrock@123456789012:cw-0001"]  # "<timestamp> <json>" line of a CloudWatch export
    assert cloudwatch["model_raw"] == "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert tokens(cloudwatch) == (1010, 1000, 0, 0, 5, 0)


def test_truncated_and_wrong_records_are_quarantined_line_by_line() -> None:
    con, report = ingest(BEDROCK / "malformed" / "truncated.jsonl")
    assert_accounting(report)
    assert (report.read, report.accepted) == (5, 1)
    reasons = quarantine(con)
    assert reasons[1] == "non-numeric input_tokens 'many'"
    assert reasons[2] == "missing output_tokens"
    assert reasons[3] == "missing timestamp"
    assert reasons[5].startswith("malformed JSON line (")

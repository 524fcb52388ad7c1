"""The benchmarks' usage-API exports past one cycle of buckets: no id conflicts.

A usage-API result is keyed by its bucket and its group (``openai_usage``: project, user, key, model,
batch, tier; ``anthropic_usage``: key, workspace, model, tier, context window, geography). The generator
gives each page its own one-minute bucket and cycles through ``SPAN_S`` of them (4.3M records); a
10M-record benchmark file once held 2–6 % of results that took an earlier cycle's id with other counts,
which the audit rightly quarantined as id conflicts, so a "clean" file was not clean. Here the cycle is
shortened (``SPAN_S`` patched to 3,000 s: 50 buckets, 2,500 results) and the file's ids are checked in
Python, apart from the tool: every id is either new or an exact repeat (the generator's duplicates).
The file has broken records too, as users' exports do: a malformed line or a bad bucket timestamp is a
page of its own, which moves every later page's bucket, so the cycles do not fall on round record counts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from _formats import vendor_generator

GEN = vendor_generator()
SHORT_SPAN_S = 3_000
RECORDS = 6_000  # two cycles and a part of a third

OPENAI_GROUP = ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier")
ANTHROPIC_GROUP = ("api_key_id", "workspace_id", "model", "service_tier", "context_window", "inference_geo")


def _results(path: Path, start_key: str) -> tuple[list[tuple[str, dict[str, Any]]], int]:
    """(bucket start, result) of every result of a page with a usable bucket, and the number of broken
    pages (a malformed line, a bucket timestamp that is not one: ``noon``), each one record."""
    out = []
    broken = 0
    for line in path.read_text().splitlines():
        try:
            page = json.loads(line)
        except json.JSONDecodeError:
            broken += 1
            continue
        for bucket in page["data"]:
            if bucket[start_key] == "noon":
                broken += len(bucket["results"])
                continue
            out.extend((str(bucket[start_key]), result) for result in bucket["results"])
    return out, broken


@pytest.mark.parametrize(
    ("fmt", "start_key", "group"),
    [("openai-usage", "start_time", OPENAI_GROUP), ("anthropic-usage", "starting_at", ANTHROPIC_GROUP)],
)
def test_ids_stay_unique_past_a_cycle_of_buckets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, start_key: str, group: tuple[str, ...]
) -> None:
    monkeypatch.setattr(sys.modules["vendor_records"], "SPAN_S", SHORT_SPAN_S)
    path = GEN.generate(fmt, tmp_path / "pages.jsonl", RECORDS, duplicates=0.02, bad=0.02)
    results, broken = _results(path, start_key)
    starts = {start for start, _ in results}
    assert broken > 0
    assert len(results) + broken == RECORDS
    assert len(starts) == SHORT_SPAN_S // 60  # the buckets did cycle: a start is shared by several pages

    seen: dict[tuple[Any, ...], str] = {}
    repeats = 0
    for start, result in results:
        key = (start, *(result.get(name) for name in group))
        content = json.dumps(result, sort_keys=True)
        if key in seen:
            assert seen[key] == content, f"id conflict: {key}"
            repeats += 1
        seen[key] = content
    assert 0 < repeats < RECORDS * 0.05  # the generator's exact repeats, and only those

"""Property (Hypothesis): however a set of records is split into files, in whatever order and however
often the files are audited, and with records appended to files between audits, the store ends with the
totals of one clean ingest of the whole set — every record counted once, none lost.

The reference is the same records in one file, ingested once into a fresh store; the token and request
totals are also checked against sums computed here from the records themselves.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llm_tco.audit.compute import build_audit
from llm_tco.ingest.base import IngestOptions
from llm_tco.ingest.pipeline import ingest_files
from llm_tco.store import open_store

pytestmark = pytest.mark.slow

MODELS = ("gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5")
KINDS = ("csv", "jsonl", "jsonl.gz")


@dataclass(frozen=True)
class Record:
    request_id: str | None
    day: int
    model: str
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class Scenario:
    records: list[Record]
    files: list[tuple[str, list[int], int]]
    """Per file: its kind, the indexes of its records, and how many are written before the append."""
    audits: list[tuple[bool, list[int]]]
    """Per audit: whether the appends are written just before it, and the files it reads, in order."""


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    n = draw(st.integers(min_value=1, max_value=10))
    records = [
        Record(
            request_id=f"req-{i}" if draw(st.booleans()) else None,
            day=draw(st.integers(min_value=1, max_value=28)),
            model=draw(st.sampled_from(MODELS)),
            prompt_tokens=1000 * i + draw(st.integers(min_value=0, max_value=999)),  # no two alike
            completion_tokens=draw(st.integers(min_value=0, max_value=500)),
        )
        for i in range(n)
    ]
    n_files = draw(st.integers(min_value=1, max_value=min(4, n)))
    owner = [draw(st.integers(min_value=0, max_value=n_files - 1)) for _ in records]
    files = []
    for f in range(n_files):
        members = [i for i, o in enumerate(owner) if o == f]
        if not members:
            continue
        kind = draw(st.sampled_from(KINDS))
        before = draw(st.integers(min_value=0, max_value=len(members)))
        files.append((kind, members, before))
    n_audits = draw(st.integers(min_value=1, max_value=4))
    append_at = draw(st.integers(min_value=0, max_value=n_audits))  # n_audits: after the last one
    audits = []
    for a in range(n_audits):
        order = draw(st.permutations(range(len(files))))
        chosen = order[: draw(st.integers(min_value=0, max_value=len(files)))]
        audits.append((a == append_at, list(chosen)))
    # Finally every file, complete, is audited once more (twice: again is a no-op).
    audits.append((append_at == n_audits, list(range(len(files)))))
    audits.append((False, list(reversed(range(len(files))))))
    return Scenario(records, files, audits)


def _content(kind: str, records: list[Record]) -> bytes:
    if kind == "csv":
        lines = ["request_id,timestamp,model,prompt_tokens,completion_tokens\n"]
        lines += [
            f"{r.request_id or ''},2026-09-{r.day:02d}T10:00:00Z,{r.model},"
            f"{r.prompt_tokens},{r.completion_tokens}\n"
            for r in records
        ]
        return "".join(lines).encode() if records else b""
    text = "".join(
        json.dumps(
            {
                "request_id": r.request_id,
                "timestamp": f"2026-09-{r.day:02d}T10:00:00Z",
                "model": r.model,
                "prompt_tokens": r.prompt_tokens,
                "completion_tokens": r.completion_tokens,
            }
        )
        + "\n"
        for r in records
    ).encode()
    return gzip.compress(text, mtime=0) if kind.endswith(".gz") and text else text


def _totals(db: str) -> dict[str, object]:
    con = open_store(db, read_only=True)
    try:
        return build_audit(con, store_label=db, since=None, until=None).totals.model_dump()
    finally:
        con.close()


def _ingest(db: str, paths: list[Path]) -> None:
    con = open_store(db)
    try:
        report = ingest_files(con, [str(p) for p in paths], IngestOptions())
        assert not report.rejected and not report.changed, (report.rejected, report.changed)
        for f in report.files:
            c = f.counts
            assert c.read == c.accepted + c.quarantined + c.duplicates and c.quarantined == 0
    finally:
        con.close()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_any_split_order_repetition_and_appends_give_the_totals_of_one_clean_ingest(s: Scenario) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = [root / f"part-{i}.{kind}" for i, (kind, _, _) in enumerate(s.files)]
        for path, (kind, members, before) in zip(paths, s.files, strict=True):
            path.write_bytes(_content(kind, [s.records[i] for i in members[:before]]))
        db = str(root / "store.duckdb")
        for append, chosen in s.audits:
            if append:
                for path, (kind, members, _) in zip(paths, s.files, strict=True):
                    path.write_bytes(_content(kind, [s.records[i] for i in members]))
            _ingest(db, [paths[i] for i in chosen])
        whole = root / "whole.csv"
        whole.write_bytes(_content("csv", s.records))
        clean = str(root / "clean.duckdb")
        _ingest(clean, [whole])
        got, expected = _totals(db), _totals(clean)
        assert got == expected
        assert got["requests"] == len(s.records)
        assert got["input_tokens"] == sum(r.prompt_tokens for r in s.records)
        assert got["output_tokens"] == sum(r.completion_tokens for r in s.records)

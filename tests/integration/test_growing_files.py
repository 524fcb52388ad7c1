"""Growing and replaced files: a log audited every night as it grows counts each record once; a file that
changed in any other way is reported and left as it was, unless replaced."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

import llm_tco.ingest.pipeline as pipeline


def _jsonl_lines(start: int, n: int) -> bytes:
    return "".join(
        json.dumps(
            {
                "timestamp": f"2026-09-{1 + i % 28:02d}T10:00:00Z",
                "model": "gpt-4o-mini",
                "prompt_tokens": 1000 + i,
                "completion_tokens": 10 + i,
            }
        )
        + "\n"
        for i in range(start, start + n)
    ).encode()


def _csv_lines(start: int, n: int) -> bytes:
    return "".join(
        f"2026-09-{1 + i % 28:02d}T10:00:00Z,gpt-4o-mini,{1000 + i},{10 + i}\n"
        for i in range(start, start + n)
    ).encode()


CSV_HEADER = b"timestamp,model,prompt_tokens,completion_tokens\n"


def _plain(path: Path, content: bytes) -> None:
    path.write_bytes(content)


def _recompressed(path: Path, content: bytes) -> None:
    """The whole log compressed again (``gzip`` of the grown file): no byte of the old file need remain."""
    path.write_bytes(gzip.compress(content, mtime=0, compresslevel=1 + len(content) % 9))


def _gzip_appended(path: Path, content: bytes) -> None:
    """The new lines appended as another gzip member (``gzip -c new >> log.gz``)."""
    old = gzip.decompress(path.read_bytes()) if path.exists() else b""
    with path.open("ab") as fh:
        fh.write(gzip.compress(content[len(old) :], mtime=0))


@pytest.mark.parametrize(
    ("name", "first", "lines", "write"),
    [
        ("usage.jsonl", b"", _jsonl_lines, _plain),
        ("usage.csv", CSV_HEADER, _csv_lines, _plain),
        ("usage.jsonl.gz", b"", _jsonl_lines, _recompressed),
        ("usage.jsonl.gz", b"", _jsonl_lines, _gzip_appended),
    ],
    ids=["jsonl", "csv", "gzip-recompressed", "gzip-member-appended"],
)
def test_a_log_audited_after_each_append_counts_every_record_once(
    tmp_path: Path,
    cli: Any,
    name: str,
    first: bytes,
    lines: Callable[[int, int], bytes],
    write: Callable[[Path, bytes], None],
) -> None:
    path = tmp_path / name
    db = str(tmp_path / "s.duckdb")
    content = first
    reads = []
    for start, n in ((0, 3), (3, 2), (5, 4)):
        content += lines(start, n)
        write(path, content)
        doc = cli("audit", path, "--db", db, "--json").json()
        reads.append(doc["rows"])
    # Each audit reads only the records appended since the one before.
    assert reads == [
        {"read": 3, "accepted": 3, "quarantined": 0, "duplicates": 0},
        {"read": 2, "accepted": 2, "quarantined": 0, "duplicates": 0},
        {"read": 4, "accepted": 4, "quarantined": 0, "duplicates": 0},
    ]
    assert any(f"{path}: grew since it was read on" in n and "5 records read then" in n for n in doc["notes"])
    # An unchanged grown file: nothing new, every record a duplicate.
    again = cli("audit", path, "--db", db, "--json").json()
    assert again["rows"] == {"read": 9, "accepted": 0, "quarantined": 0, "duplicates": 9}
    # The totals of the nightly audits are those of one audit of the final file.
    fresh = tmp_path / "fresh" / name
    fresh.parent.mkdir()
    fresh.write_bytes(path.read_bytes())
    once = cli("audit", fresh, "--db", str(tmp_path / "once.duckdb"), "--json").json()
    assert again["totals"] == once["totals"]
    assert once["totals"]["input_tokens"] == sum(1000 + i for i in range(9))
    assert once["totals"]["requests"] == 9


def test_records_without_ids_keep_the_keys_of_the_first_version(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "usage.jsonl"
    db = str(tmp_path / "s.duckdb")
    path.write_bytes(_jsonl_lines(0, 2))
    first_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    cli("audit", path, "--db", db, "--json")
    path.write_bytes(_jsonl_lines(0, 3))
    cli("audit", path, "--db", db, "--json")
    con = duckdb.connect(db, read_only=True)
    ids = [r[0] for r in con.execute("SELECT source_record_id FROM usage_rows ORDER BY record_no").fetchall()]
    assert ids == [f"fp:{first_sha}:1", f"fp:{first_sha}:2", f"fp:{first_sha}:3"]


def test_a_changed_file_is_reported_and_kept_until_replaced(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "usage.csv"
    db = str(tmp_path / "s.duckdb")
    bad = b"2026-09-02T10:00:00Z,gpt-4o-mini,not-a-number,1\n"
    path.write_bytes(CSV_HEADER + _csv_lines(0, 3) + bad)
    before = cli("audit", path, "--db", db, "--json").json()
    assert before["rows"] == {"read": 4, "accepted": 3, "quarantined": 1, "duplicates": 0}
    # Rewritten, not appended to: an edited first record and a new one.
    path.write_bytes(CSV_HEADER + _csv_lines(10, 2) + _csv_lines(3, 1))
    changed = cli("audit", path, "--db", db, "--json")
    assert changed.code == 0
    assert re.search(
        rf"{re.escape(str(path))} changed since it was ingested on \d{{4}}-\d\d-\d\d \d\d:\d\d UTC",
        changed.err,
    ), changed.err
    doc = changed.json()
    assert doc["rows"] == {"read": 0, "accepted": 0, "quarantined": 0, "duplicates": 0}
    [entry] = doc["changed_files"]
    assert entry["path"] == str(path) and entry["records_kept"] == 4
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", entry["ingested_at"])
    assert "--replace" in entry["hint"]
    assert doc["totals"] == before["totals"]  # the earlier records stay
    # Replaced: the store holds exactly what one audit of the new content gives.
    replaced = cli("audit", path, "--db", db, "--replace", "--json")
    assert replaced.code == 0 and "changed since" not in replaced.err
    assert replaced.json()["rows"] == {"read": 3, "accepted": 3, "quarantined": 0, "duplicates": 0}
    once = tmp_path / "once" / "usage.csv"
    once.parent.mkdir()
    once.write_bytes(path.read_bytes())
    clean = cli("audit", once, "--db", str(tmp_path / "clean.duckdb"), "--json").json()
    assert replaced.json()["totals"] == clean["totals"]
    assert clean["totals"]["input_tokens"] == 1010 + 1011 + 1003
    con = duckdb.connect(db, read_only=True)
    tables = ("usage", "quarantine", "ingested_files", "usage_rollup")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in tables}
    assert counts["quarantine"] == (0,)  # the old file's quarantined record went with it
    assert counts["usage"] == (3,) and counts["ingested_files"] == (1,)


def test_a_changed_file_with_ids_stays_out_too(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "requests.csv"
    db = str(tmp_path / "s.duckdb")
    header = "request_id,timestamp,model,prompt_tokens,completion_tokens\n"
    path.write_text(header + "a,2026-09-01T00:00:00Z,gpt-4o-mini,100,1\n")
    cli("audit", path, "--db", db, "--json")
    path.write_text(header + "b,2026-09-01T00:00:00Z,gpt-4o-mini,200,1\n")
    doc = cli("audit", path, "--db", db, "--json").json()
    assert [c["path"] for c in doc["changed_files"]] == [str(path)]
    assert doc["totals"]["input_tokens"] == 100


def test_rows_appended_while_a_file_is_read_are_loaded_by_the_next_audit(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "usage.csv"
    db = str(tmp_path / "s.duckdb")
    path.write_bytes(CSV_HEADER + _csv_lines(0, 3))
    real = pipeline.probe_file
    appended: list[bool] = []

    def probe_then_append(probed: Path) -> Any:
        probe = real(probed)
        if not appended:  # the application writes two more lines while the audit reads the file
            appended.append(True)
            with path.open("ab") as fh:
                fh.write(_csv_lines(3, 2))
        return probe

    monkeypatch.setattr(pipeline, "probe_file", probe_then_append)
    first = cli("audit", path, "--db", db, "--json").json()
    assert first["rows"]["read"] == 3  # what there was when the audit began
    con = duckdb.connect(db, read_only=True)
    size, sha = con.execute("SELECT size_bytes, fingerprint FROM ingested_files").fetchone() or (0, "")
    con.close()
    original = CSV_HEADER + _csv_lines(0, 3)
    assert (size, sha) == (len(original), hashlib.sha256(original).hexdigest())  # exactly what was read
    second = cli("audit", path, "--db", db, "--json").json()
    assert second["rows"] == {"read": 2, "accepted": 2, "quarantined": 0, "duplicates": 0}
    assert second["totals"]["requests"] == 5
    assert second["totals"]["input_tokens"] == sum(1000 + i for i in range(5))


def test_a_file_is_recognised_however_its_path_is_spelt(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Audited once by a relative path and then through its folder, a grown log is still the same file."""
    logs = tmp_path / "logs"
    logs.mkdir()
    path = logs / "usage.jsonl"
    path.write_bytes(_jsonl_lines(0, 2))
    db = str(tmp_path / "s.duckdb")
    monkeypatch.chdir(tmp_path)
    cli("audit", "./logs/usage.jsonl", "--db", db, "--json")
    path.write_bytes(_jsonl_lines(0, 3))
    doc = cli("audit", logs, "--db", db, "--json").json()
    assert doc["rows"] == {"read": 1, "accepted": 1, "quarantined": 0, "duplicates": 0}
    assert doc["totals"]["requests"] == 3


def test_a_copy_audited_first_does_not_hide_the_log_it_was_copied_from(tmp_path: Path, cli: Any) -> None:
    """A backup copy of the log is read first (its folder sorts first); the live log, the same bytes then,
    is all duplicates — and when it grows, only its new records are read."""
    backup, live = tmp_path / "a-backup" / "usage.jsonl", tmp_path / "b-live" / "usage.jsonl"
    for path in (backup, live):
        path.parent.mkdir()
        path.write_bytes(_jsonl_lines(0, 3))
    db = str(tmp_path / "s.duckdb")
    first = cli("audit", tmp_path, "--db", db, "--json").json()
    assert first["rows"] == {"read": 6, "accepted": 3, "quarantined": 0, "duplicates": 3}
    live.write_bytes(_jsonl_lines(0, 5))
    doc = cli("audit", tmp_path, "--db", db, "--json").json()
    assert doc["rows"] == {"read": 5, "accepted": 2, "quarantined": 0, "duplicates": 3}
    assert doc["totals"]["requests"] == 5
    assert doc["totals"]["input_tokens"] == sum(1000 + i for i in range(5))


@pytest.fixture(autouse=True)
def _inputs_hashed_early(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every input of these audits is hashed while the command starts, whatever its size
    (``llm_tco.ingest.early_digest``): a grown or changed file must still be recognised as such."""
    from llm_tco.ingest import early_digest

    monkeypatch.setattr(early_digest, "MIN_EARLY_BYTES", 0)


@pytest.mark.parametrize("store", ["file", "memory"])
def test_records_appended_to_a_log_with_ids_are_compared_with_those_read_before(
    tmp_path: Path, cli: Any, store: str
) -> None:
    """The appended part of a log with request ids repeats an id of the part read before: an exact repeat
    is a duplicate, the same id with other usage a conflict (quarantined), and the part is compared with
    itself too. In a kept store the earlier records are stored; in a one-shot audit of two inputs (the
    log, then a copy grown by the same lines) the first input's keys are kept for the second."""

    def line(request_id: str, prompt: int) -> str:
        record = {"request_id": request_id, "timestamp": "2026-09-01T10:00:00Z", "model": "gpt-4o-mini"}
        return json.dumps({**record, "prompt_tokens": prompt, "completion_tokens": 5}) + "\n"

    first = line("a", 100) + line("b", 200) + line("c", 300)
    appended = line("a", 100) + line("b", 999) + line("d", 400) + line("d", 400)
    path = tmp_path / "usage.jsonl"
    path.write_text(first)
    if store == "file":
        db = str(tmp_path / "s.duckdb")
        assert cli("audit", path, "--db", db, "--json").json()["rows"]["accepted"] == 3
        path.write_text(first + appended)
        rows = cli("audit", path, "--db", db, "--json").json()["rows"]
        # only the appended part is read: a duplicate of a, a conflict on b, d once and its repeat
        assert rows == {"read": 4, "accepted": 1, "quarantined": 1, "duplicates": 2}
    else:
        grown = tmp_path / "grown.jsonl"
        grown.write_text(first + appended)
        rows = cli("audit", path, grown, "--db", ":memory:", "--json").json()["rows"]
        # the copy is a file of its own, read whole: a, b (first version), c are repeats of the log's
        assert rows == {"read": 10, "accepted": 4, "quarantined": 1, "duplicates": 5}

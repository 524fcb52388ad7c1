"""End to end on hostile input files: records longer than the probed head, per-record faults in JSON and
CSV, other delimiters and encodings, ambiguous columns, glob characters in names, and entries that are
not regular files. Each file is written by the test; expected counts and sums are worked out here."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from _formats import ingest

HEADER = ["timestamp", "model", "prompt_tokens", "completion_tokens"]


def _record(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "timestamp": f"2026-09-{1 + i % 28:02d}T10:00:00Z",
        "model": "gpt-4o-mini",
        "prompt_tokens": 1000 + i,
        "completion_tokens": 10 + i,
        **extra,
    }


def _audit(cli: Any, *paths: Path | str) -> tuple[int, dict[str, Any], str]:
    result = cli("audit", *[str(p) for p in paths], "--db", ":memory:", "--json")
    return result.code, result.json(), result.err


# --- records longer than the probed head (64 KiB) ------------------------------------------------


def test_a_json_array_over_the_probed_head_is_read_whole(tmp_path: Path, cli: Any) -> None:
    f = tmp_path / "usage.json"
    f.write_text(json.dumps([_record(i, note="x" * 100) for i in range(1000)]))
    assert f.stat().st_size > 64 * 1024
    code, doc, err = _audit(cli, f)
    assert code == 0, err
    assert doc["rows"] == {"read": 1000, "accepted": 1000, "quarantined": 0, "duplicates": 0}
    assert doc["totals"]["input_tokens"] == sum(1000 + i for i in range(1000))


def test_json_lines_whose_first_line_is_over_the_probed_head_are_read(tmp_path: Path, cli: Any) -> None:
    f = tmp_path / "usage.jsonl"
    lines = [json.dumps(_record(0, prompt_text="p" * 100_000))] + [
        json.dumps(_record(i)) for i in range(1, 4)
    ]
    f.write_text("\n".join(lines) + "\n")
    code, doc, err = _audit(cli, f)
    assert code == 0, err
    assert doc["rows"] == {"read": 4, "accepted": 4, "quarantined": 0, "duplicates": 0}
    assert doc["totals"]["input_tokens"] == 1000 + 1001 + 1002 + 1003


def test_json_nested_10000_deep_in_the_first_record_is_a_one_line_rejection(tmp_path: Path, cli: Any) -> None:
    f = tmp_path / "deep.jsonl"
    rec = json.dumps(_record(0))[:-1] + ', "x": ' + "[" * 10_000 + "]" * 10_000 + "}"
    f.write_text(rec + "\n" + json.dumps(_record(1)) + "\n")
    result = cli("audit", str(f), "--db", ":memory:")
    assert result.code == 2
    assert "Traceback" not in result.err and "RecursionError" not in result.err
    lines = [line for line in result.err.splitlines() if "deep.jsonl" in line]
    assert len(lines) == 1 and "nested too deeply" in lines[0]


# --- one bad record is one quarantined record --------------------------------------------------


def test_a_duplicate_key_on_one_json_line_quarantines_that_line_only(tmp_path: Path, cli: Any) -> None:
    lines = [json.dumps(_record(i)) for i in range(1000)]
    lines[499] = lines[499][:-1] + ', "prompt_tokens": 7}'  # line 500 states prompt_tokens twice
    f = tmp_path / "usage.jsonl"
    f.write_text("\n".join(lines) + "\n")
    code, doc, err = _audit(cli, f)
    assert code == 0, err
    assert doc["rows"] == {"read": 1000, "accepted": 999, "quarantined": 1, "duplicates": 0}
    assert doc["quarantine"] == [{"file": str(f), "record": 500, "reason": "duplicate key 'prompt_tokens'"}]
    assert doc["totals"]["input_tokens"] == sum(1000 + i for i in range(1000)) - (1000 + 499)


def test_a_malformed_json_line_and_a_non_object_are_quarantined_with_the_rest_loaded(
    tmp_path: Path, cli: Any
) -> None:
    f = tmp_path / "usage.jsonl"
    f.write_text(
        json.dumps(_record(0))
        + "\n"
        + '{"timestamp": "2026-09-01", "mod\n'
        + "[1, 2]\n"
        + json.dumps(_record(3))
        + "\n"
    )
    code, doc, err = _audit(cli, f)
    assert code == 0, err
    assert doc["rows"] == {"read": 4, "accepted": 2, "quarantined": 2, "duplicates": 0}
    reasons = {q["record"]: q["reason"] for q in doc["quarantine"]}
    assert reasons[2].startswith("malformed JSON line")
    assert reasons[3] == "record is a JSON array, not an object"


def test_a_3_mb_csv_field_is_read_with_its_record(tmp_path: Path, cli: Any) -> None:
    rows = [f"2026-09-01T10:00:00Z,gpt-4o-mini,{1000 + i},10,short" for i in range(1000)]
    rows[500] = f"2026-09-01T10:00:00Z,gpt-4o-mini,{1000 + 500},10,{'y' * 3_000_000}"
    f = tmp_path / "usage.csv"
    f.write_text(",".join([*HEADER, "note"]) + "\n" + "\n".join(rows) + "\n")
    code, doc, err = _audit(cli, f)
    assert code == 0, err
    assert doc["rows"] == {"read": 1000, "accepted": 1000, "quarantined": 0, "duplicates": 0}
    assert doc["totals"]["input_tokens"] == sum(1000 + i for i in range(1000))


def test_a_csv_line_over_the_record_limit_is_named_by_its_line(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llm_tco.ingest import readers

    monkeypatch.setattr(readers, "MAX_RECORD_BYTES", 1 << 20)  # 1 MiB, so the test file stays small
    rows = [f"2026-09-01T10:00:00Z,gpt-4o-mini,{1000 + i},10,short" for i in range(1000)]
    rows[500] = f"2026-09-01T10:00:00Z,gpt-4o-mini,1500,10,{'y' * 3_000_000}"
    f = tmp_path / "usage.csv"
    f.write_text(",".join([*HEADER, "note"]) + "\n" + "\n".join(rows) + "\n")
    code, doc, _ = _audit(cli, f)
    assert code == 2
    # the header is line 1, so the 501st data row is line 502 (DuckDB itself says "Line: 1")
    assert doc["rejected_files"] == [
        {"file": str(f), "reason": "line 502 is longer than 1 MiB, the longest record read"}
    ]


# --- delimiters and encodings ----------------------------------------------------------------


@pytest.mark.parametrize(("name", "sep"), [("semicolon.csv", ";"), ("tab.tsv", "\t"), ("pipe.csv", "|")])
def test_other_delimiters_are_detected(tmp_path: Path, cli: Any, name: str, sep: str) -> None:
    f = tmp_path / name
    f.write_text(sep.join(HEADER) + "\n" + f"2026-09-01T10:00:00Z{sep}gpt-4o-mini{sep}1234{sep}56\n")
    code, doc, err = _audit(cli, f)
    assert code == 0, err
    assert doc["rows"]["accepted"] == 1
    assert (doc["totals"]["input_tokens"], doc["totals"]["output_tokens"]) == (1234, 56)


def test_a_utf16_csv_with_a_byte_order_mark_is_read(tmp_path: Path, cli: Any) -> None:
    f = tmp_path / "excel.csv"
    text = ",".join(HEADER) + "\r\n" + "2026-09-01T10:00:00Z,gpt-4o-mini,1234,56\r\n"
    f.write_bytes(text.encode("utf-16"))  # Python writes a byte-order mark, little-endian here
    assert f.read_bytes()[:2] == b"\xff\xfe"
    code, doc, err = _audit(cli, f)
    assert code == 0, err
    assert (doc["totals"]["input_tokens"], doc["totals"]["output_tokens"]) == (1234, 56)


def test_utf16_big_endian_is_rejected_naming_the_encoding(tmp_path: Path, cli: Any) -> None:
    f = tmp_path / "be.csv"
    text = ",".join(HEADER) + "\n" + "2026-09-01T10:00:00Z,gpt-4o-mini,1234,56\n"
    f.write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    code, doc, _ = _audit(cli, f)
    assert code == 2
    assert doc["rejected_files"] == [
        {"file": str(f), "reason": "text encoded as UTF-16 big-endian; convert it to UTF-8"}
    ]


# --- ambiguous columns -------------------------------------------------------------------------


def test_two_columns_for_the_same_field_reject_the_file_naming_both(tmp_path: Path, cli: Any) -> None:
    f = tmp_path / "twice.csv"
    f.write_text(
        "timestamp,model,prompt_tokens,completion_tokens,user,team,prompt_tokens\n"
        "2026-09-01T10:00:00Z,gpt-4o-mini,100,10,u,t,200\n"
    )
    code, doc, _ = _audit(cli, f)
    assert code == 2
    assert doc["rows"]["read"] == 0
    [rejected] = doc["rejected_files"]
    assert rejected["reason"].startswith("columns 3 and 7 are both 'prompt_tokens' (input_tokens)")


def test_names_that_match_the_same_way_are_ambiguous_too(tmp_path: Path, cli: Any) -> None:
    f = tmp_path / "twice.csv"
    f.write_text("timestamp,model,promptTokens,completion_tokens,prompt_tokens\n2026-09-01,gpt-4o,1,1,2\n")
    code, doc, _ = _audit(cli, f)
    assert code == 2
    assert doc["rejected_files"][0]["reason"].startswith(
        "columns 3 and 5 are both 'promptTokens' (input_tokens)"
    )


# --- names are literal ---------------------------------------------------------------------------


def test_glob_characters_in_file_names_are_literal(tmp_path: Path, cli: Any) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    tokens = {"j1.jsonl": 100, "j?.jsonl": 200, "k[1].jsonl": 300, "k1.jsonl": 400, "a*.jsonl": 500}
    for name, n in tokens.items():
        (folder / name).write_text(json.dumps(_record(0) | {"prompt_tokens": n}) + "\n")
    for name, n in {"c*.csv": 600, "cx.csv": 700}.items():  # the CSV reader has its own path
        (folder / name).write_text(",".join(HEADER) + f"\n2026-09-01T10:00:00Z,gpt-4o-mini,{n},1\n")
    code, doc, err = _audit(cli, folder)
    assert code == 0, err
    assert doc["rows"] == {"read": 7, "accepted": 7, "quarantined": 0, "duplicates": 0}
    assert doc["totals"]["input_tokens"] == 100 + 200 + 300 + 400 + 500 + 600 + 700
    # named one by one, each is itself only
    code, doc, err = _audit(cli, folder / "j?.jsonl")
    assert code == 0, err
    assert doc["totals"]["input_tokens"] == 200


# --- entries that are not regular files ----------------------------------------------------------


def test_fifos_symlink_loops_and_broken_links_are_rejected_by_what_they_are(tmp_path: Path, cli: Any) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "good.jsonl").write_text(json.dumps(_record(0)) + "\n")
    os.mkfifo(folder / "pipe.jsonl")
    (folder / "loop_a").symlink_to(folder / "loop_b")
    (folder / "loop_b").symlink_to(folder / "loop_a")
    (folder / "gone.csv").symlink_to(folder / "nowhere.csv")
    code, doc, _ = _audit(cli, folder)
    assert code == 2
    assert doc["rows"]["accepted"] == 1
    reasons = {Path(r["file"]).name: r["reason"] for r in doc["rejected_files"]}
    assert reasons == {
        "pipe.jsonl": "not a regular file (FIFO)",
        "loop_a": "symlink loop",
        "loop_b": "symlink loop",
        "gone.csv": "broken symlink (its target does not exist)",
    }


def test_a_device_named_on_the_command_line_is_rejected_as_a_device(tmp_path: Path, cli: Any) -> None:
    code, doc, _ = _audit(cli, "/dev/null")
    assert code == 2
    assert doc["rejected_files"] == [{"file": "/dev/null", "reason": "not a regular file (character device)"}]


# --- memory: a CSV's temporary copy does not outlive the next file -------------------------------


def test_csv_temporary_tables_are_dropped_as_files_go(tmp_path: Path) -> None:
    paths = []
    for k in range(5):
        f = tmp_path / f"u{k}.csv"
        f.write_text(",".join(HEADER) + "\n" + f"2026-09-01T10:00:00Z,gpt-4o-mini,{100 + k},1\n")
        paths.append(f)
    con, report = ingest(*paths)
    assert report.accepted == 5
    left = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name LIKE '%csv%'"
    ).fetchone()
    # only the last file's tables remain (its copy, its rejects and its rejects scan), not 5 files' worth
    assert left is not None and left[0] <= 3


def test_utf16_json_is_rejected_naming_the_encoding(tmp_path: Path, cli: Any) -> None:
    f = tmp_path / "u16.jsonl"
    f.write_bytes((json.dumps(_record(0)) + "\n").encode("utf-16"))
    code, doc, _ = _audit(cli, f)
    assert code == 2
    assert doc["rejected_files"] == [
        {
            "file": str(f),
            "reason": "jsonl content encoded as utf-16: only CSV is read in UTF-16; convert to UTF-8",
        }
    ]

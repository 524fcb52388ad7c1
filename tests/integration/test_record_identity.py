"""Record identity: a source id names a record only within its namespace, and a repeated id is a duplicate
only when the usage is the same too; otherwise it is an id conflict, quarantined with the record it
conflicts with — never silently dropped as a duplicate."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

HEADER = "request_id,timestamp,model,prompt_tokens,completion_tokens\n"


def _csv(path: Path, rows: list[tuple[str, int, int]], header: str = HEADER) -> Path:
    """Rows of (id, prompt tokens, completion tokens), all on 2026-09-01 with gpt-4o-mini."""
    path.write_text(header + "".join(f"{i},2026-09-01T10:00:00Z,gpt-4o-mini,{p},{c}\n" for i, p, c in rows))
    return path


TEAM_A = [("1", 100, 10), ("2", 200, 20), ("3", 300, 30)]
TEAM_B = [("1", 1000, 1), ("2", 2000, 2), ("3", 3000, 3)]


def test_two_sources_with_the_same_ids_and_other_usage_are_conflicts_never_duplicates(
    tmp_path: Path, cli: Any
) -> None:
    db = str(tmp_path / "s.duckdb")
    a = _csv(tmp_path / "team-a.csv", TEAM_A)
    b = _csv(tmp_path / "team-b.csv", TEAM_B)
    cli("audit", a, "--db", db, "--json")
    doc = cli("audit", b, "--db", db, "--json").json()
    assert doc["rows"] == {"read": 3, "accepted": 0, "quarantined": 3, "duplicates": 0}
    assert [(q["record"], q["reason"]) for q in doc["quarantine"]] == [
        (1, f"id conflict with {a}:1"),
        (2, f"id conflict with {a}:2"),
        (3, f"id conflict with {a}:3"),
    ]
    assert doc["id_conflicts"] == 3
    hint = [n for n in doc["notes"] if "id conflict" in n]
    assert len(hint) == 1 and "--id-namespace" in hint[0]
    # Only team A's tokens are counted so far: team B's are quarantined, not lost as duplicates.
    assert doc["totals"]["input_tokens"] == 600
    # The hint works: team B read again in its own namespace replaces its quarantined records.
    kept = cli("audit", b, "--db", db, "--replace", "--id-namespace", "team-b", "--json").json()
    assert kept["rows"] == {"read": 3, "accepted": 3, "quarantined": 0, "duplicates": 0}
    assert kept["totals"]["input_tokens"] == 600 + 6000
    assert kept["totals"]["requests"] == 6
    con = duckdb.connect(db, read_only=True)
    ids = sorted(r[0] for r in con.execute("SELECT source_record_id FROM usage_rows").fetchall())
    assert ids == ["id:table:1", "id:table:2", "id:table:3", "id:team-b:1", "id:team-b:2", "id:team-b:3"]
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)


def test_the_terminal_summary_says_how_to_keep_both(tmp_path: Path, cli: Any) -> None:
    db = str(tmp_path / "s.duckdb")
    cli("audit", _csv(tmp_path / "a.csv", TEAM_A), "--db", db, "--json")
    result = cli("audit", _csv(tmp_path / "b.csv", TEAM_B), "--db", db)
    assert result.code == 0
    text = " ".join(result.out.split())
    assert "3 record(s) quarantined as id conflicts" in text
    assert "--id-namespace" in text


def test_a_changed_value_under_an_existing_id_within_one_file_is_a_conflict(tmp_path: Path, cli: Any) -> None:
    f = _csv(tmp_path / "a.csv", [("x", 10, 1), ("y", 20, 2), ("x", 10, 1), ("x", 11, 1)])
    doc = cli("audit", f, "--db", ":memory:", "--json").json()
    # record 3 repeats record 1 exactly (a duplicate); record 4 has other usage under the same id.
    assert doc["rows"] == {"read": 4, "accepted": 2, "quarantined": 1, "duplicates": 1}
    assert doc["quarantine"] == [{"file": str(f), "record": 4, "reason": f"id conflict with {f}:1"}]
    assert doc["totals"]["input_tokens"] == 30


def test_the_same_export_under_two_names_is_all_true_duplicates(tmp_path: Path, cli: Any) -> None:
    db = str(tmp_path / "s.duckdb")
    body = [("1", 100, 10), ("2", 200, 20)]
    first = cli("audit", _csv(tmp_path / "export.csv", body), "--db", db, "--json").json()
    copy = cli("audit", _csv(tmp_path / "export-copy.csv", body), "--db", db, "--json").json()
    assert copy["rows"] == {"read": 2, "accepted": 0, "quarantined": 0, "duplicates": 2}
    assert copy["totals"] == first["totals"]
    # Overlapping exports of the same requests (not the same bytes): the shared ones are duplicates.
    overlap = cli(
        "audit", _csv(tmp_path / "later.csv", [("2", 200, 20), ("4", 400, 40)]), "--db", db, "--json"
    ).json()
    assert overlap["rows"] == {"read": 2, "accepted": 1, "quarantined": 0, "duplicates": 1}
    assert overlap["totals"]["input_tokens"] == 100 + 200 + 400


def test_a_bare_id_column_is_a_row_number_unless_mapped(tmp_path: Path, cli: Any) -> None:
    header = "id,timestamp,model,prompt_tokens,completion_tokens\n"
    db = str(tmp_path / "s.duckdb")
    a = _csv(tmp_path / "a.csv", TEAM_A, header)
    b = _csv(tmp_path / "b.csv", TEAM_B, header)
    cli("audit", a, "--db", db, "--json")
    doc = cli("audit", b, "--db", db, "--json").json()
    # Two files numbering their rows 1..3 are six records.
    assert doc["rows"] == {"read": 3, "accepted": 3, "quarantined": 0, "duplicates": 0}
    assert doc["totals"]["input_tokens"] == 600 + 6000
    # Mapped, the column is a request id: the same ids with other usage conflict.
    mapped = str(tmp_path / "m.duckdb")
    cli("audit", a, "--db", mapped, "--map", "source_record_id=id", "--json")
    doc = cli("audit", b, "--db", mapped, "--map", "source_record_id=id", "--json").json()
    assert doc["rows"] == {"read": 3, "accepted": 0, "quarantined": 3, "duplicates": 0}


def test_an_id_namespace_with_a_colon_or_empty_is_a_usage_error(tmp_path: Path, cli: Any) -> None:
    f = _csv(tmp_path / "a.csv", TEAM_A)
    for bad in ("a:b", " "):
        result = cli("audit", f, "--db", ":memory:", "--id-namespace", bad)
        assert result.code == 2
        assert "--id-namespace" in result.err and result.err.strip().count("\n") == 0


def test_provider_formats_key_ids_by_format_and_the_exports_own_scope(tmp_path: Path, cli: Any) -> None:
    """A Bedrock request id is its account's: the account is part of the namespace."""
    line = (
        '{{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-09-01T10:00:00Z",'
        '"accountId":"{account}","region":"us-east-1","requestId":"req-1","operation":"Converse",'
        '"modelId":"anthropic.claude-3-haiku-20240307-v1:0","input":{{"inputTokenCount":{tokens}}},'
        '"output":{{"outputTokenCount":5}}}}\n'
    )
    db = str(tmp_path / "s.duckdb")
    (tmp_path / "a.jsonl").write_text(line.format(account="111111111111", tokens=100))
    (tmp_path / "b.jsonl").write_text(line.format(account="222222222222", tokens=700))
    cli("audit", tmp_path / "a.jsonl", "--db", db, "--json")
    doc = cli("audit", tmp_path / "b.jsonl", "--db", db, "--json").json()
    assert doc["rows"] == {"read": 1, "accepted": 1, "quarantined": 0, "duplicates": 0}
    assert doc["totals"]["input_tokens"] == 800
    con = duckdb.connect(db, read_only=True)
    ids = sorted(r[0] for r in con.execute("SELECT source_record_id FROM usage_rows").fetchall())
    assert ids == ["id:bedrock@111111111111:req-1", "id:bedrock@222222222222:req-1"]


def test_a_cost_record_whose_figure_changed_under_its_id_is_a_conflict(tmp_path: Path, cli: Any) -> None:
    """A provider's figure for a day that was not final yet: the same bucket, another amount."""
    data = Path(__file__).resolve().parents[1] / "data" / "formats" / "openai_costs" / "costs_page.json"
    db = str(tmp_path / "s.duckdb")
    first = tmp_path / "costs-monday.json"
    first.write_text(data.read_text())
    later = tmp_path / "costs-tuesday.json"
    later.write_text(data.read_text().replace('"value":"1.25"', '"value":"1.75"'))
    cli("audit", first, "--db", db, "--json")
    doc = cli("audit", later, "--db", db, "--json").json()
    [result] = doc["files"]
    assert result["reported_records"] == 0
    [q] = doc["quarantine"]
    assert q["reason"].startswith(f"reported cost: id conflict with {first}:")
    # The unchanged record of the same export is a true duplicate.
    con = duckdb.connect(db, read_only=True)
    assert con.execute("SELECT count(*), sum(amount_usd) FROM reported_costs").fetchone() == (
        2,
        Decimal("1.31"),
    )
    row = con.execute(
        "SELECT reported_read, reported_quarantined, reported_duplicate FROM ingested_files WHERE path = ?",
        [str(later)],
    ).fetchone()
    assert row == (2, 1, 1)

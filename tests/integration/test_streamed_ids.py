"""Files with request ids stream through de-duplication without being held, and count exactly as the
plain path that holds every record: the same totals to the cent, the same quarantine reasons, duplicates and
id conflicts found earlier in the file, in the store, or in an earlier input of the same one-shot run — also
under a memory limit smaller than the file's de-duplication keys."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from genai_prices import Usage, calc_price

from llm_tco.ingest import keyed
from llm_tco.ingest.hash_repeats import repeated_hashes

MODELS = ("gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5")
PROVIDERS = {"gpt-4o-mini": "openai", "gpt-4o": "openai", "claude-sonnet-4-5": "anthropic"}
START_S = 1_788_220_800  # 2026-09-01T00:00:00Z


@dataclass
class Records:
    """Generated records (columns of equal length) and what an exact audit must find in them."""

    request_id: list[str]
    ts_s: list[int]
    model: list[str]
    prompt_tokens: list[int]
    completion_tokens: list[int]
    duplicates: int
    conflicts: dict[int, int]
    """Record number of each id conflict -> record number of the record it conflicts with."""
    bad: set[int]
    accepted: list[int]
    """Record numbers (1-based) of the records an exact audit accepts."""

    def table(self) -> pa.Table:
        return pa.table(
            {
                "request_id": self.request_id,
                "timestamp": pa.array([s * 1_000_000 for s in self.ts_s], pa.timestamp("us", tz="UTC")),
                "model": self.model,
                "prompt_tokens": pa.array(self.prompt_tokens, pa.int64()),
                "completion_tokens": pa.array(self.completion_tokens, pa.int64()),
            }
        )

    def sums(self) -> dict[str, int]:
        return {
            "input_tokens": sum(self.prompt_tokens[n - 1] for n in self.accepted),
            "output_tokens": sum(self.completion_tokens[n - 1] for n in self.accepted),
            "requests": len(self.accepted),
        }

    def cost_usd(self) -> Decimal:
        """The accepted records priced at genai-prices' per-token rates of each model. Every prompt is
        under 200k tokens, so each request is priced at the base tier: the rates are read from a
        100k-token request (dividing is exact) and applied to the token sums."""
        total = Decimal(0)
        per = 100_000
        for model in MODELS:
            rows = [n for n in self.accepted if self.model[n - 1] == model]
            provider = PROVIDERS[model]
            in_rate = calc_price(Usage(input_tokens=per), model, provider_id=provider).total_price / per
            out_rate = calc_price(Usage(output_tokens=per), model, provider_id=provider).total_price / per
            total += in_rate * sum(self.prompt_tokens[n - 1] for n in rows)
            total += out_rate * sum(self.completion_tokens[n - 1] for n in rows)
        return total


def _records(base: int, duplicates: int, conflicts: int, bad: int, seed: int = 7) -> Records:
    """``base`` distinct valid records, then (shuffled) exact copies of ``duplicates`` of them, changed
    copies of ``conflicts`` others (one more completion token: the same id, other usage) and ``bad``
    records with a negative token count, each under an id of its own."""
    rng = random.Random(seed)
    ids = [f"req-{i:07d}" for i in range(base)]
    ts = [START_S + rng.randrange(0, 28 * 86_400) for _ in range(base)]
    model = [MODELS[rng.randrange(3)] for _ in range(base)]
    prompt = [rng.randrange(100, 50_000) for _ in range(base)]
    completion = [rng.randrange(1, 2_000) for _ in range(base)]
    originals = rng.sample(range(base), duplicates + conflicts)
    extra = [("dup", i) for i in originals[:duplicates]] + [("conflict", i) for i in originals[duplicates:]]
    extra += [("bad", base + k) for k in range(bad)]
    rng.shuffle(extra)
    found_conflicts: dict[int, int] = {}
    bad_numbers: set[int] = set()
    for kind, i in extra:
        number = len(ids) + 1
        if kind == "bad":
            ids.append(f"bad-{i}")
            ts.append(START_S)
            model.append(MODELS[0])
            prompt.append(10)
            completion.append(-5)
            bad_numbers.add(number)
            continue
        ids.append(ids[i])
        ts.append(ts[i])
        model.append(model[i])
        prompt.append(prompt[i])
        completion.append(completion[i] + (1 if kind == "conflict" else 0))
        if kind == "conflict":
            found_conflicts[number] = i + 1
    return Records(
        ids, ts, model, prompt, completion, duplicates, found_conflicts, bad_numbers, list(range(1, base + 1))
    )


def _write(records: Records, path: Path) -> Path:
    table = records.table()
    if path.suffix == ".parquet":
        pq.write_table(table, path, row_group_size=20_000)
    elif path.suffix == ".csv":
        pacsv.write_csv(table, path)
    else:  # JSON lines: the reader numbers no record, so the file is held whole (the plain path)
        with path.open("w") as out:
            for i, rid in enumerate(records.request_id):
                ts = np.datetime64(records.ts_s[i], "s").astype(str) + "Z"
                out.write(
                    json.dumps(
                        {
                            "request_id": rid,
                            "timestamp": ts,
                            "model": records.model[i],
                            "prompt_tokens": records.prompt_tokens[i],
                            "completion_tokens": records.completion_tokens[i],
                        }
                    )
                    + "\n"
                )
    return path


def _reasons(doc: dict[str, Any], path: Path) -> list[tuple[int, str]]:
    return sorted((q["record"], q["reason"].replace(str(path), "FILE")) for q in doc["quarantine"])


def _stored_quarantine(db: Path) -> list[tuple[int, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT source_file, record_no, reason FROM quarantine").fetchall()
    return sorted((int(n), str(r).replace(str(f), "FILE")) for f, n, r in rows)


def _check(doc: dict[str, Any], records: Records) -> None:
    read = len(records.request_id)
    quarantined = len(records.conflicts) + len(records.bad)
    assert doc["rows"] == {
        "read": read,
        "accepted": len(records.accepted),
        "quarantined": quarantined,
        "duplicates": records.duplicates,
    }
    totals = doc["totals"]
    for key, value in records.sums().items():
        assert totals[key] == value, key
    assert abs(Decimal(str(totals["cost_usd"])) - records.cost_usd()) < Decimal("0.005")
    assert doc["id_conflicts"] == len(records.conflicts)
    assert doc["quarantine_total"] == quarantined


@pytest.fixture(scope="module")
def records() -> Records:
    return _records(base=30_000, duplicates=400, conflicts=250, bad=150)


def test_streamed_parquet_and_csv_count_like_the_held_path_and_the_hand_count(
    tmp_path: Path, cli: Any, records: Records
) -> None:
    docs = {}
    for suffix in (".parquet", ".csv", ".jsonl"):
        path = _write(records, tmp_path / f"usage{suffix}")
        doc = cli("audit", path, "--db", ":memory:", "--json").json()
        _check(doc, records)
        docs[suffix] = (doc, _reasons(doc, path))
    held, held_reasons = docs[".jsonl"]
    for suffix in (".parquet", ".csv"):
        doc, reasons = docs[suffix]
        assert doc["totals"] == held["totals"], suffix
        assert doc["by_model"] == held["by_model"], suffix
        assert reasons == held_reasons, suffix


def test_ids_whose_text_hashes_collide_are_told_apart_by_the_uniform_hash(
    tmp_path: Path, cli: Any, records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text hash chooses the ids to hash again; here it is made as bad as possible (equal for ids of
    equal length: nearly every record is chosen), and the audit must still count exactly and hold only
    the records whose id truly repeats: each duplicate and conflict with its original, 2 × (400 + 250)."""
    held: list[int] = []
    classify = keyed.classify_repeats

    def counting(con: duckdb.DuckDBPyConnection, source_file: str) -> None:
        held.append(int(con.execute("SELECT count(*) FROM _validated").fetchall()[0][0]))
        classify(con, source_file)

    monkeypatch.setattr(keyed, "ID_TEXT_HASH", "hash(length(record_id))")
    monkeypatch.setattr(keyed, "classify_repeats", counting)
    path = _write(records, tmp_path / "usage.parquet")
    doc = cli("audit", path, "--db", ":memory:", "--json").json()
    _check(doc, records)
    assert held == [2 * (records.duplicates + len(records.conflicts))]


def test_records_without_an_id_among_ids_count_as_themselves_and_are_not_held(
    tmp_path: Path, cli: Any, records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty records of the file lose their id (they are then keyed by their position: never repeats).
    Their text hashes are all hash(NULL), which repeats: the second pass reads ids only, so none of them
    is held or counted as a duplicate, and the counts are those of the file with ids."""
    counts = Counter(records.request_id)
    lone = [n for n in records.accepted if counts[records.request_id[n - 1]] == 1][:20]
    without = Records(**{**records.__dict__, "request_id": list(records.request_id)})
    for n in lone:
        without.request_id[n - 1] = None  # type: ignore[call-overload]
    held: list[int] = []
    classify = keyed.classify_repeats

    def counting(con: duckdb.DuckDBPyConnection, source_file: str) -> None:
        held.append(int(con.execute("SELECT count(*) FROM _validated").fetchall()[0][0]))
        classify(con, source_file)

    monkeypatch.setattr(keyed, "classify_repeats", counting)
    path = _write(without, tmp_path / "usage.parquet")
    doc = cli("audit", path, "--db", ":memory:", "--json").json()
    _check(doc, without)
    assert held == [2 * (records.duplicates + len(records.conflicts))]


def test_every_conflict_names_the_record_it_conflicts_with_in_an_on_disk_store(
    tmp_path: Path, cli: Any, records: Records
) -> None:
    stored = {}
    for suffix in (".parquet", ".jsonl"):
        path = _write(records, tmp_path / f"usage{suffix}")
        db = tmp_path / f"s{suffix}.duckdb"
        _check(cli("audit", path, "--db", db, "--json").json(), records)
        stored[suffix] = _stored_quarantine(db)
    reasons = {n: r for n, r in stored[".parquet"] if r.startswith("id conflict")}
    assert reasons == {n: f"id conflict with FILE:{first}" for n, first in records.conflicts.items()}
    assert {n for n, r in stored[".parquet"] if not r.startswith("id conflict")} == records.bad
    assert stored[".parquet"] == stored[".jsonl"]


def _second_file(records: Records) -> tuple[Records, int, dict[int, int]]:
    """A later export overlapping the first: 100 records copied unchanged, 60 changed (one more
    completion token) and 500 new ones; returns it, its duplicates and its conflicts (record -> the
    first file's record)."""
    later = _records(base=500, duplicates=0, conflicts=0, bad=0, seed=11)
    for i in range(len(later.request_id)):
        later.request_id[i] = f"new-{i}"
    conflicts: dict[int, int] = {}
    for k, n in enumerate(range(1, 161)):
        later.request_id.append(records.request_id[n - 1])
        later.ts_s.append(records.ts_s[n - 1])
        later.model.append(records.model[n - 1])
        later.prompt_tokens.append(records.prompt_tokens[n - 1])
        changed = k >= 100
        later.completion_tokens.append(records.completion_tokens[n - 1] + (1 if changed else 0))
        if changed:
            conflicts[len(later.request_id)] = n
    return later, 100, conflicts


@pytest.mark.parametrize("one_shot", [True, False], ids=["one-shot", "on-disk"])
def test_a_later_file_repeating_ids_is_checked_against_the_first(
    tmp_path: Path, cli: Any, records: Records, one_shot: bool
) -> None:
    first = _write(records, tmp_path / "a.parquet")
    later, duplicates, conflicts = _second_file(records)
    second = _write(later, tmp_path / "b.parquet")
    db = ":memory:" if one_shot else str(tmp_path / "s.duckdb")
    if one_shot:
        doc = cli("audit", first, second, "--db", db, "--json").json()
    else:
        cli("audit", first, "--db", db, "--json")
        doc = cli("audit", second, "--db", db, "--json").json()
    by_file = {f["file"]: f for f in doc["files"]}
    counts = by_file[str(second)]
    assert (counts["read"], counts["accepted"], counts["quarantined"], counts["duplicates"]) == (
        660,
        500,
        60,
        duplicates,
    )
    expected = {n: f"id conflict with {first}:{was}" for n, was in conflicts.items()}
    assert doc["id_conflicts"] == 60 + (len(records.conflicts) if one_shot else 0)  # this run's
    # (the quarantine the audit shows is cut at 100 records: the first file's fill it)
    if not one_shot:
        with duckdb.connect(db, read_only=True) as con:
            rows = con.execute(
                "SELECT record_no, reason FROM quarantine WHERE source_file = ?", [str(second)]
            ).fetchall()
        assert {int(n): r for n, r in rows} == expected


def test_repeated_hashes_are_the_same_in_one_pass_or_many() -> None:
    con = duckdb.connect()
    rng = np.random.default_rng(3)
    values = rng.integers(0, 2**63, 50_000, dtype=np.int64).view(np.uint64)
    values = np.concatenate([values, values[:700], values[:30], rng.integers(0, 5, 50).astype(np.uint64)])
    rng.shuffle(values)
    con.register("v", pa.table({"h": values}))
    expected = sorted(int(v) for v, n in Counter(values.tolist()).items() if n > 1)
    for per_pass in (None, 10_000, 999):
        found = repeated_hashes(con, "SELECT h FROM v", [], len(values), per_pass)
        assert sorted(int(v) for v in found.hashes) == expected, per_pass


@pytest.mark.slow
def test_a_file_whose_keys_exceed_the_memory_limit_completes_exactly(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """64 MB (the smallest limit taken) lets about 2M keys be held at once (a quarter of the limit, 8
    bytes a key): the 2.4M ids of this file are read in two passes, and the validated records (~180 bytes
    each, 430 MB) are never held. The first and last records share an id (a duplicate), so do the second
    and the second-to-last with other usage (a conflict)."""
    n = 2_400_000
    rng = np.random.default_rng(5)
    prompt = rng.integers(1, 10_000, n)
    completion = rng.integers(1, 1_000, n)
    ids = np.char.add("r", np.arange(n).astype(str)).astype(object)
    ids[-1], ids[-2] = ids[0], ids[1]
    prompt[-1], completion[-1] = prompt[0], completion[0]
    prompt[-2] = prompt[1] + 1
    path = tmp_path / "big.parquet"
    pq.write_table(
        pa.table(
            {
                "request_id": pa.array(ids, pa.string()),
                "timestamp": pa.array(np.full(n, START_S * 1_000_000), pa.timestamp("us", tz="UTC")),
                "model": pa.array(np.full(n, "gpt-4o-mini").astype(object), pa.string()),
                "prompt_tokens": prompt,
                "completion_tokens": completion,
            }
        ),
        path,
        row_group_size=200_000,
    )
    monkeypatch.setenv("LLM_TCO_MEMORY_LIMIT", "64MB")
    doc = cli("audit", path, "--db", ":memory:", "--json").json()
    assert doc["rows"] == {"read": n, "accepted": n - 2, "quarantined": 1, "duplicates": 1}
    assert doc["totals"]["input_tokens"] == int(prompt[:-2].sum())
    assert doc["totals"]["output_tokens"] == int(completion[:-2].sum())
    assert [(q["record"], q["reason"]) for q in doc["quarantine"]] == [(n - 1, f"id conflict with {path}:2")]

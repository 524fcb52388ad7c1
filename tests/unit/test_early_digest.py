"""The audit's input files hashed while the program starts (``llm_tco.ingest.early_digest``): which
arguments are hashed, and that the loader takes an early hash only for the bytes it would hash itself."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llm_tco.ingest import digest, early_digest


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every file ``early_digest`` hashes (early or not), by name; any size is worth an early hash."""
    names: list[str] = []
    lock = threading.Lock()

    def recording(path: Path, size_bytes: int, **kwargs: Any) -> digest.ContentDigest:
        with lock:
            names.append(Path(path).name)
        return digest.digest_file(path, size_bytes, **kwargs)

    monkeypatch.setattr(early_digest, "MIN_EARLY_BYTES", 0)
    monkeypatch.setattr(early_digest, "digest_file", recording)
    yield names
    early_digest.discard_all()


def _files(tmp_path: Path, *names: str) -> dict[str, Path]:
    paths = {}
    for name in names:
        paths[name] = tmp_path / name
        paths[name].write_bytes(name.encode() * 1000)
    return paths


def _claim_all(paths: dict[str, Path]) -> None:
    for path in paths.values():
        early_digest.digest_of(path, path.stat().st_size)


def test_only_words_that_are_certainly_inputs_are_hashed_early(
    tmp_path: Path, hashed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    paths = _files(tmp_path, "a.csv", "store.duckdb", "b.csv", "c.csv", "d.csv", "-e.csv")
    args = ["a.csv", "--db", "store.duckdb", "b.csv", "--json", "c.csv", "--top=5", "d.csv"]
    early_digest.start([*args, "--", "-e.csv", "missing.csv", str(tmp_path)])
    assert set(early_digest._started) == {
        str(paths[n].resolve()) for n in ("a.csv", "b.csv", "d.csv", "-e.csv")
    }
    _claim_all(paths)
    # each file hashed once: early, or (the value of --db, an input after a flag) when claimed
    assert sorted(hashed) == sorted(["a.csv", "b.csv", "d.csv", "-e.csv", "store.duckdb", "c.csv"])


def test_the_early_hash_is_taken_for_an_unchanged_file_and_redone_for_a_grown_one(
    tmp_path: Path, hashed: list[str]
) -> None:
    paths = _files(tmp_path, "same.jsonl", "grown.jsonl")
    early_digest.start([str(p) for p in paths.values()])
    for name in paths:  # let both finish before one of the files grows
        early_digest._started[str(paths[name].resolve())].done.wait()
    with paths["grown.jsonl"].open("ab") as fh:
        fh.write(b"appended\n")
    got = {n: early_digest.digest_of(p, p.stat().st_size) for n, p in paths.items()}
    for name, path in paths.items():
        assert got[name].fingerprint == hashlib.sha256(path.read_bytes()).hexdigest()
        assert got[name].size_bytes == path.stat().st_size
    assert sorted(hashed) == ["grown.jsonl", "grown.jsonl", "same.jsonl"]  # the grown file twice


def test_a_discarded_hash_stops_and_is_not_taken(tmp_path: Path, hashed: list[str]) -> None:
    path = _files(tmp_path, "prior.jsonl")["prior.jsonl"]
    early_digest.start([str(path)])
    job = early_digest._started[str(path.resolve())]
    early_digest.discard(path)
    assert job.stop.is_set()
    job.done.wait()  # the early thread has recorded its call (and stopped) before the count below
    assert (
        early_digest.digest_of(path, path.stat().st_size).fingerprint
        == hashlib.sha256(path.read_bytes()).hexdigest()
    )
    assert hashed == ["prior.jsonl", "prior.jsonl"]


def test_a_stopped_hash_ends_before_the_file_does(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (3 << 20))
    stop = threading.Event()
    stop.set()
    with pytest.raises(digest.DigestStoppedError):
        digest.digest_file(path, path.stat().st_size, stop=stop)

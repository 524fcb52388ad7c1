"""What is read of a file and how a new version relates to it: digests over exactly the bytes counted,
gzip content across members, the verdicts unchanged / grown / changed, and the copy read when a file
changes during an audit."""

from __future__ import annotations

import gzip
import hashlib
from datetime import datetime
from pathlib import Path

from llm_tco.ingest.digest import digest_file
from llm_tco.ingest.history import PriorVersion, compare_with_prior, snapshot


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _prior(raw: bytes, content: bytes | None) -> PriorVersion:
    return PriorVersion(
        file_ids=(1,),
        ingested_at=datetime(2026, 10, 1),
        fingerprint=_sha(raw),
        size_bytes=len(raw),
        content_bytes=None if content is None else len(content),
        content_fingerprint=None if content is None else _sha(content),
        key_fingerprint=_sha(raw),
        usage_records=2,
        reported_records=0,
    )


def test_a_digest_covers_exactly_the_bytes_counted(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"a\nb\nc\n")
    digest = digest_file(path, 4, raw_prefix_bytes=2, content_prefix_bytes=2)
    assert (digest.size_bytes, digest.fingerprint) == (4, _sha(b"a\nb\n"))
    assert (digest.content_bytes, digest.content_fingerprint) == (4, _sha(b"a\nb\n"))
    assert digest.raw_prefix == digest.content_prefix == _sha(b"a\n")
    assert digest_file(path, 6, content_prefix_bytes=7).content_prefix is None  # the file is shorter


def test_gzip_content_is_read_across_members(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl.gz"
    first, second = gzip.compress(b"one\n", mtime=0), gzip.compress(b"two\n", mtime=0)
    path.write_bytes(first + second)
    digest = digest_file(path, len(first + second), raw_prefix_bytes=len(first), content_prefix_bytes=4)
    assert digest.fingerprint == _sha(first + second)
    assert (digest.content_bytes, digest.content_fingerprint) == (8, _sha(b"one\ntwo\n"))
    assert digest.raw_prefix == _sha(first) and digest.content_prefix == _sha(b"one\n")


def test_verdicts(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl.gz"
    old = b"r1\nr2\n"
    old_raw = gzip.compress(old, mtime=0, compresslevel=9)
    prior = _prior(old_raw, old)
    # The same content compressed otherwise is the same file.
    path.write_bytes(gzip.compress(old, mtime=0, compresslevel=1))
    assert compare_with_prior(path, path.stat().st_size, prior)[0] == "unchanged"
    # Grown and compressed again: nothing of the old bytes remains, the content extends the old.
    path.write_bytes(gzip.compress(old + b"r3\n", mtime=0))
    assert compare_with_prior(path, path.stat().st_size, prior)[0] == "grown"
    # Edited, or cut short: changed.
    path.write_bytes(gzip.compress(b"r1\nR2\nr3\n", mtime=0))
    assert compare_with_prior(path, path.stat().st_size, prior)[0] == "changed"
    path.write_bytes(gzip.compress(b"r1\n", mtime=0))
    assert compare_with_prior(path, path.stat().st_size, prior)[0] == "changed"
    # A store that did not hash the content (before it did): a member appended to the raw bytes.
    path.write_bytes(old_raw + gzip.compress(b"r3\n", mtime=0))
    assert compare_with_prior(path, path.stat().st_size, _prior(old_raw, None))[0] == "grown"


def test_the_copy_read_after_a_change_ends_at_the_last_complete_line(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(b"h\nr1\nr2\nr3-half")
    with snapshot(path, path.stat().st_size) as copy:
        assert copy.name == "log.csv" and copy.read_bytes() == b"h\nr1\nr2\n"
    with snapshot(path, 5) as copy:  # only the bytes there were at the start
        assert copy.read_bytes() == b"h\nr1\n"
    packed = tmp_path / "log.csv.gz"
    packed.write_bytes(gzip.compress(b"h\nr1\n", mtime=0))
    with snapshot(packed, packed.stat().st_size) as copy:  # compressed bytes are never cut
        assert copy.read_bytes() == packed.read_bytes()

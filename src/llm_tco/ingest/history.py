"""A path's earlier versions: unchanged, grown by appending, or changed in some other way.

Re-auditing a folder every night is the normal way to use the tool, and logs grow: a path ingested before
is compared with what was read of it then (``ingested_files``: the raw bytes and the content — the
decompressed bytes of a gzip file — each as a length and a sha256 over exactly the bytes read).

- **unchanged** — the same bytes, or the same content recompressed: every record is a duplicate.
- **grown** — the content starts with everything read before (an append-only log, plain or gzip, even
  recompressed; or raw bytes appended, such as a ``gzip >>`` member): only the records after the ones read
  then are loaded, and records without a source id keep the keys of the first version (its fingerprint
  plus a record number that continues), so no key changes as the file grows.
- **changed** — anything else: not read again (the earlier records stay), unless the user asks to replace
  the file (``audit --replace``), which swaps its earlier records for the new ones in one transaction.
  Replacing works on any file ingested before, changed or not: it is also how a file is read again with
  other options (an ``--id-namespace`` after an id conflict).

A file under a new name (a rotated log) has no history and is a new file; the same bytes under another
name are still recognised as a whole by their fingerprint (``llm_tco.ingest.load``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import duckdb

from llm_tco.ingest.digest import ContentDigest, digest_file

__all__ = [
    "ChangedWhileReadError",
    "Continuation",
    "KnownPaths",
    "PriorVersion",
    "Verdict",
    "compare_with_prior",
    "continuation",
    "prior_version",
    "snapshot",
    "unchanged_since",
]

Verdict = Literal["unchanged", "grown", "changed"]


@dataclass(frozen=True)
class Continuation:
    """How a file continues the earlier versions of its path (the default: it does not)."""

    replace_file_ids: tuple[int, ...] = ()
    """Earlier versions whose records the file replaces (``audit --replace``)."""
    usage_after: int = 0
    """Usage records read from earlier versions: only the ones after this position are loaded."""
    reported_after: int = 0
    """The same for cost-only records."""
    key_fingerprint: str | None = None
    """The fingerprint keying records without a source id (the first version's); None: the file's own."""
    resolved_path: str | None = None
    """The file's absolute path, recorded to recognise it later; None for a database."""


@dataclass(frozen=True)
class PriorVersion:
    """The latest ingested version of a path, with every file id recorded under the path."""

    file_ids: tuple[int, ...]
    ingested_at: datetime
    fingerprint: str
    size_bytes: int
    content_bytes: int | None
    content_fingerprint: str | None
    key_fingerprint: str
    usage_records: int
    reported_records: int


class KnownPaths:
    """The paths the store holds versions of, read once per run: a file at a path the store never saw
    (every file of a first audit) needs no look-up of its earlier versions — one query saved per file,
    which is much of the cost of a tiny file. Paths ingested during the run are added as they are."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._resolved: set[str] = set()
        self._bare: set[str] = set()  # versions recorded without a resolved path (an older store)
        for path, resolved in con.execute("SELECT path, resolved_path FROM ingested_files").fetchall():
            if resolved is None:
                self._bare.add(str(path))
            else:
                self._resolved.add(str(resolved))

    def may_hold(self, path: str, resolved: str) -> bool:
        """False only when the store certainly holds no version of the file (see :func:`prior_version`)."""
        return resolved in self._resolved or path in self._bare

    def add(self, resolved: str) -> None:
        self._resolved.add(resolved)


def prior_version(con: duckdb.DuckDBPyConnection, path: str, resolved: str) -> PriorVersion | None:
    """The latest version of the file in the store, or None when it was never ingested. The file is
    recognised by its ``resolved`` absolute path however it was spelt (``./logs/a.jsonl`` or a folder's
    listing); a version recorded without one (an older store) by the ``path`` as given."""
    rows = con.execute(
        "SELECT file_id, ingested_at, fingerprint, size_bytes, content_bytes, content_fingerprint, "
        "coalesce(key_fingerprint, fingerprint), coalesce(usage_records, rows_read), "
        "coalesce(reported_records, reported_read, 0) FROM ingested_files "
        "WHERE resolved_path = ? OR (resolved_path IS NULL AND path = ?) ORDER BY file_id",
        [resolved, path],
    ).fetchall()
    if not rows:
        return None
    last = rows[-1]
    return PriorVersion(
        file_ids=tuple(int(r[0]) for r in rows),
        ingested_at=last[1],
        fingerprint=str(last[2]),
        size_bytes=int(last[3]),
        content_bytes=None if last[4] is None else int(last[4]),
        content_fingerprint=last[5],
        key_fingerprint=str(last[6]),
        usage_records=int(last[7]),
        reported_records=int(last[8]),
    )


def compare_with_prior(path: Path, size_bytes: int, prior: PriorVersion) -> tuple[Verdict, ContentDigest]:
    """Hash the first ``size_bytes`` of ``path`` and say how they relate to ``prior``."""
    digest = digest_file(
        path, size_bytes, raw_prefix_bytes=prior.size_bytes, content_prefix_bytes=prior.content_bytes
    )
    same_content = (digest.content_fingerprint, digest.content_bytes) == (
        prior.content_fingerprint,
        prior.content_bytes,
    )
    if digest.fingerprint == prior.fingerprint or same_content:
        return "unchanged", digest
    content_grew = (
        prior.content_bytes is not None
        and digest.content_bytes > prior.content_bytes
        and digest.content_prefix == prior.content_fingerprint
    )
    bytes_grew = digest.size_bytes > prior.size_bytes and digest.raw_prefix == prior.fingerprint
    return ("grown" if content_grew or bytes_grew else "changed"), digest


def continuation(prior: PriorVersion, verdict: Verdict, replace: bool, resolved: str) -> Continuation | None:
    """What loading the new version means: replace the earlier versions (when asked: also an unchanged
    file, read again with other options such as ``--id-namespace``), continue a grown file, or — None —
    nothing to load (unchanged, or changed and not to be replaced)."""
    if replace:
        return Continuation(replace_file_ids=prior.file_ids, resolved_path=resolved)
    if verdict == "grown":
        return Continuation(
            usage_after=prior.usage_records,
            reported_after=prior.reported_records,
            key_fingerprint=prior.key_fingerprint,
            resolved_path=resolved,
        )
    return None


class ChangedWhileReadError(Exception):
    """The file's size or modification time changed while it was being loaded: what the readers saw may
    go beyond the bytes hashed, so the file's transaction is abandoned and the file read from a copy."""


def unchanged_since(path: Path, stat: os.stat_result) -> Callable[[], None]:
    """A check, run just before a file's transaction commits, that raises :class:`ChangedWhileReadError`
    when ``path`` is no longer as ``stat`` found it (rows appended by the application meanwhile)."""

    def check() -> None:
        try:
            now = path.stat()
        except OSError as exc:
            raise ChangedWhileReadError from exc
        if (now.st_size, now.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            raise ChangedWhileReadError

    return check


@contextmanager
def snapshot(path: Path, size_bytes: int) -> Iterator[Path]:
    """A temporary copy of the first ``size_bytes`` of ``path`` under the same file name (readers may
    go by its extension). A plain text file is cut after its last complete line, so that a line being
    written is read whole by the next audit instead of half by this one."""
    with tempfile.TemporaryDirectory(prefix="llm-tco-snapshot-") as folder:
        copy = Path(folder) / path.name
        with path.open("rb") as src, copy.open("wb") as dst:
            remaining = size_bytes
            head = tail = b""
            while remaining > 0:
                chunk = src.read(min(1 << 20, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                dst.write(chunk)
                head, tail = head or chunk, chunk
            written = dst.tell()
        if not head.startswith(b"\x1f\x8b") and b"\n" in tail and not tail.endswith(b"\n"):
            with copy.open("r+b") as fh:
                fh.truncate(written - (len(tail) - tail.rindex(b"\n") - 1))
        yield copy

"""Which files may be loaded together with others: small, plain CSV or JSON-lines usage files whose
content the one shared read is certain to take exactly as the file's own read would.

Loading a file costs a few dozen SQL statements whatever its size, so a folder of thousands of files of
a few records each is dominated by that fixed cost. Consecutive small files of one *shape* (the same
kind, separator and columns, so one staged query serves them all) are read by one reader over the list
of files and loaded in one transaction (``llm_tco.ingest.batch``). Only files the shared read cannot
treat differently from a file's own are admitted; everything unusual — compressed, UTF-16, quoted CSV
fields, blank or malformed lines, a JSON key given twice, a path seen before — goes the per-file way,
which handles it with its reasons. The screen reads each file once, in Python: a small file's bytes
are also what its fingerprint is computed from.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from llm_tco.ingest.digest import ContentDigest

__all__ = [
    "MAX_BATCH_FILES",
    "SMALL_FILE_BYTES",
    "Shape",
    "SmallFile",
    "read_small_file",
    "screen_content",
]

SMALL_FILE_BYTES = 256 * 1024
"""A file at most this large may be loaded together with others (a few thousand records at most)."""
MAX_BATCH_FILES = 2_000
"""Files loaded in one transaction at most: the shared read's work tables stay small (≤ 500 MiB of
input), and a file that fails the shared read sends at most this many files the per-file way."""
_MAX_RECORDS = 10_000
"""The per-file JSON reader finds a file's keys in its first 10,000 records; a file with more records is
never admitted, so that both ways see the same keys."""
_FILENAME_COLUMN = "filename"
"""The column the shared read adds with each row's file: a file with a column of that name goes the
per-file way."""


@dataclass(frozen=True)
class Shape:
    """What one staged query over several files needs them to share."""

    kind: str
    """``csv`` or ``jsonl``."""
    delimiter: str
    columns: tuple[str, ...]
    """A CSV file's header; the keys of a JSON-lines file's records, in the per-file reader's order."""


@dataclass(frozen=True)
class SmallFile:
    """A file admitted to be loaded together with others of its shape."""

    path: Path
    name: str
    """The path as given (what the store and the output name the file by)."""
    resolved: str
    stat: os.stat_result
    digest: ContentDigest
    shape: Shape
    records: int
    """Records the screen counted (the shared read must find as many, or the batch is not used)."""


def read_small_file(path: Path, stat: os.stat_result) -> tuple[bytes, ContentDigest] | None:
    """The bytes of a small regular file and its digest (plain content: the raw bytes are the content),
    or None when it is large, compressed, or changed size since ``stat``."""
    if not (0 < stat.st_size <= SMALL_FILE_BYTES):
        return None
    try:
        with path.open("rb") as fh:
            raw = fh.read(stat.st_size + 1)
    except OSError:
        return None
    if len(raw) != stat.st_size or raw.startswith(b"\x1f\x8b"):
        return None
    digest = hashlib.sha256(raw).hexdigest()
    return raw, ContentDigest(len(raw), digest, len(raw), digest)


def screen_content(
    kind: str, raw: bytes, delimiter: str, first_keys: tuple[str, ...]
) -> tuple[tuple[str, ...], int] | None:
    """(columns, records) of a file the shared read takes exactly as the file's own read would, or None.

    ``first_keys``: the keys of the first JSON record as the probe found them (they order the columns
    as the per-file reader orders them)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff") or "\r" in text or "\x00" in text:
        return None
    if kind == "csv":
        return _screen_csv(text, delimiter)
    if kind == "jsonl":
        return _screen_jsonl(text, first_keys)
    return None


def _plain_names(names: list[str]) -> bool:
    """Column names both readers spell alike, distinct even to DuckDB (which ignores case)."""
    folded = [n.lower() for n in names]
    return (
        all(n and n == n.strip() for n in names)
        and len(set(folded)) == len(folded)
        and _FILENAME_COLUMN not in folded
    )


def _screen_csv(text: str, delimiter: str) -> tuple[tuple[str, ...], int] | None:
    """A CSV without quotes (no quoting rules for two readers to disagree on), comments or blank lines,
    every line with the header's number of fields."""
    if '"' in text or "'" in text:
        return None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) < 2 or len(lines) - 1 > _MAX_RECORDS:
        return None
    header = lines[0].split(delimiter)
    if not _plain_names(header):
        return None
    width = len(header)
    for line in lines[1:]:
        if not line.strip() or line.startswith("#") or line.count(delimiter) != width - 1:
            return None
    return tuple(header), len(lines) - 1


class _NotPlainError(ValueError):
    """A JSON record the screen does not admit (a key given twice, NaN or Infinity)."""


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _NotPlainError
    return dict(pairs)


def _constant(name: str) -> object:
    raise _NotPlainError(name)


def _screen_jsonl(text: str, first_keys: tuple[str, ...]) -> tuple[tuple[str, ...], int] | None:
    """JSON lines whose every line is one object with distinct keys (no blank line between records): the
    per-file reader would read them with its fast path, and the keys are their union."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or len(lines) > _MAX_RECORDS:
        return None
    keys: dict[str, None] = {}
    for line in lines:
        if not line.strip():
            return None
        try:
            record = json.loads(line, object_pairs_hook=_pairs, parse_constant=_constant)
        except (ValueError, RecursionError):
            return None
        if not isinstance(record, dict):
            return None
        keys.update(dict.fromkeys(record))
    names = list(keys)
    if not _plain_names(names):
        return None
    order = {k: i for i, k in enumerate(first_keys)}
    return tuple(sorted(names, key=lambda k: (order.get(k, len(order)), k))), len(lines)

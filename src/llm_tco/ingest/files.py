"""Finding the files to ingest, fingerprinting them and probing their content."""

from __future__ import annotations

import glob
import gzip
import hashlib
import json
import zlib
from dataclasses import dataclass
from pathlib import Path

from llm_tco.errors import InputFileError
from llm_tco.ingest.base import FileKind, Probe

__all__ = ["ContentDigest", "digest_file", "expand_inputs", "fingerprint", "probe_file"]

_HEAD_BYTES = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"


def expand_inputs(inputs: list[str]) -> list[Path]:
    """Expand globs and directories (recursively, sorted) into files; a pattern matching nothing is an
    error naming it, because a silent empty audit is worse than a typo reported."""
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
        elif path.is_file():
            files.append(path)
        elif any(ch in item for ch in "*?["):
            # glob.glob, not Path.glob: the pattern may be absolute or start with "..".
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True) if Path(m).is_file())  # noqa: PTH207
            if not matches:
                raise InputFileError(item, "no file matches this pattern")
            files.extend(matches)
        else:
            raise InputFileError(item, "no such file or directory")
    seen: set[Path] = set()
    unique: list[Path] = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def fingerprint(path: Path) -> str:
    """sha256 of the file's bytes: the identity of its content, used for record ids and re-ingest."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class ContentDigest:
    """What was read of a file, for recognising it later: its raw bytes and its content (the decompressed
    bytes of a gzip file, else the raw bytes again), each with a sha256 over exactly the bytes counted."""

    size_bytes: int
    fingerprint: str
    """sha256 of the first ``size_bytes`` raw bytes: the identity of the file's bytes."""
    content_bytes: int
    content_fingerprint: str
    raw_prefix: str | None = None
    """sha256 of the first ``raw_prefix_bytes`` raw bytes, when asked for and the file has that many."""
    content_prefix: str | None = None
    """sha256 of the first ``content_prefix_bytes`` content bytes, when asked for and there are as many."""


def digest_file(
    path: Path,
    size_bytes: int,
    *,
    raw_prefix_bytes: int | None = None,
    content_prefix_bytes: int | None = None,
) -> ContentDigest:
    """Hash exactly the first ``size_bytes`` raw bytes of ``path`` (bytes appended meanwhile are not
    counted) and their content, in one pass; with the prefix hashes that tell whether the file extends
    an earlier version of it (``llm_tco.ingest.history``). A gzip stream of several members (appended
    with ``gzip >>``) is decompressed member after member; a truncated or corrupt tail ends the content."""
    # For a plain file the content is the raw bytes: one hash serves both (the prefix lengths agree).
    raw = _PrefixHash(content_prefix_bytes if content_prefix_bytes is not None else raw_prefix_bytes)
    content = _PrefixHash(content_prefix_bytes)
    is_gzip = False
    inflater: zlib._Decompress | None = None
    remaining = size_bytes
    with path.open("rb") as fh:
        while remaining > 0:
            chunk = fh.read(min(1 << 20, remaining))
            if not chunk:
                break
            if raw.count == 0 and chunk.startswith(_GZIP_MAGIC):
                is_gzip = True
                raw = _PrefixHash(raw_prefix_bytes)
                inflater = zlib.decompressobj(wbits=31)
            remaining -= len(chunk)
            raw.update(chunk)
            if is_gzip:
                inflater = _inflate(inflater, chunk, content)
    if not is_gzip:
        same = raw.prefix if raw_prefix_bytes == raw.limit else None
        return ContentDigest(
            raw.count,
            raw.hexdigest(),
            raw.count,
            raw.hexdigest(),
            raw_prefix=same,
            content_prefix=raw.prefix if content_prefix_bytes == raw.limit else None,
        )
    return ContentDigest(
        raw.count,
        raw.hexdigest(),
        content.count,
        content.hexdigest(),
        raw_prefix=raw.prefix,
        content_prefix=content.prefix,
    )


def _inflate(
    inflater: zlib._Decompress | None, chunk: bytes, content: _PrefixHash
) -> zlib._Decompress | None:
    """Feed ``chunk`` to the gzip decompressor, starting a new one at each member boundary."""
    data = chunk
    while data and inflater is not None:
        try:
            content.update(inflater.decompress(data))
        except zlib.error:
            return None  # corrupt data: the content ends here (the reader rejects the file)
        if not inflater.eof:
            return inflater
        data = inflater.unused_data
        inflater = zlib.decompressobj(wbits=31)
    return inflater


class _PrefixHash:
    """sha256 of a byte stream and, on the way, of its first ``prefix_bytes`` bytes."""

    def __init__(self, prefix_bytes: int | None) -> None:
        self._all = hashlib.sha256()
        self._pre = hashlib.sha256() if prefix_bytes is not None else None
        self.limit = prefix_bytes
        self._limit = prefix_bytes or 0
        self.count = 0
        self.prefix: str | None = None
        if self._pre is not None and self._limit == 0:
            self.prefix = self._pre.hexdigest()

    def update(self, data: bytes) -> None:
        if self._pre is not None and self.prefix is None:
            take = data[: self._limit - self.count]
            self._pre.update(take)
            if self.count + len(take) >= self._limit:
                self.prefix = self._pre.hexdigest()
        self._all.update(data)
        self.count += len(data)

    def hexdigest(self) -> str:
        return self._all.hexdigest()


def probe_file(path: Path) -> Probe:
    """Read the first bytes and classify the content: CSV, JSON document, JSON lines or Parquet."""
    with path.open("rb") as fh:
        raw = fh.read(_HEAD_BYTES)
    is_gzip = raw.startswith(_GZIP_MAGIC)
    if is_gzip:
        try:
            with gzip.open(path, "rb") as gz:
                raw = gz.read(_HEAD_BYTES)
        except (OSError, EOFError) as exc:
            raise InputFileError(str(path), f"corrupt gzip data ({exc})") from exc
    if raw.startswith(_PARQUET_MAGIC):
        return Probe(path, "parquet", is_gzip, "", _parquet_columns(path))
    head = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    kind = _classify_text(head)
    columns: tuple[str, ...] = ()
    if kind == "csv":
        columns = tuple(c.strip().strip('"') for c in head.splitlines()[0].split(","))
    elif kind in ("jsonl", "json"):
        columns = _first_json_keys(head, kind)
    return Probe(path, kind, is_gzip, head, columns)


def _classify_text(head: str) -> FileKind:
    stripped = head.strip()
    if not stripped:
        return "empty"
    first_line = stripped.splitlines()[0].strip()
    if first_line.startswith("{"):
        # One complete JSON object on the first line (and more lines after it) means JSON lines.
        try:
            json.loads(first_line)
        except json.JSONDecodeError:
            return "json"
        return "jsonl" if len(stripped.splitlines()) > 1 or stripped == first_line else "json"
    if stripped.startswith("["):
        return "json"
    if "," in first_line or "\t" in first_line or ";" in first_line:
        return "csv"
    return "unknown"


def _first_json_keys(head: str, kind: FileKind) -> tuple[str, ...]:
    text = head.strip()
    try:
        obj = json.loads(text.splitlines()[0]) if kind == "jsonl" else json.loads(text)
    except json.JSONDecodeError:
        return ()
    if isinstance(obj, list) and obj and isinstance(obj[0], dict):
        obj = obj[0]
    return tuple(obj.keys()) if isinstance(obj, dict) else ()


def _parquet_columns(path: Path) -> tuple[str, ...]:
    import pyarrow.parquet as pq

    try:
        return tuple(pq.read_schema(path).names)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise InputFileError(str(path), f"unreadable Parquet file ({exc})") from exc

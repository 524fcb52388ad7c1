"""A file's fingerprint: the sha256 of exactly the bytes read, and of their content when gzipped.

Kept apart from the rest of ``llm_tco.ingest.files`` so that it imports nothing but the standard library:
``llm_tco.ingest.early_digest`` starts hashing before the command's own modules are imported.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GZIP_MAGIC", "ContentDigest", "DigestStoppedError", "digest_file"]

GZIP_MAGIC = b"\x1f\x8b"


class DigestStoppedError(Exception):
    """The hashing of a file was stopped before its end (its hash was no longer wanted)."""


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
    stop: threading.Event | None = None,
) -> ContentDigest:
    """Hash exactly the first ``size_bytes`` raw bytes of ``path`` (bytes appended meanwhile are not
    counted) and their content, in one pass; with the prefix hashes that tell whether the file extends
    an earlier version of it (``llm_tco.ingest.history``). A gzip stream of several members (appended
    with ``gzip >>``) is decompressed member after member; a truncated or corrupt tail ends the content.
    ``stop``, once set, ends the hashing early (:class:`DigestStoppedError`): a hash no one will read."""
    # For a plain file the content is the raw bytes: one hash serves both (the prefix lengths agree).
    raw = _PrefixHash(content_prefix_bytes if content_prefix_bytes is not None else raw_prefix_bytes)
    content = _PrefixHash(content_prefix_bytes)
    is_gzip = False
    inflater: zlib._Decompress | None = None
    remaining = size_bytes
    with path.open("rb") as fh:
        while remaining > 0:
            if stop is not None and stop.is_set():
                raise DigestStoppedError(str(path))
            chunk = fh.read(min(1 << 20, remaining))
            if not chunk:
                break
            if raw.count == 0 and chunk.startswith(GZIP_MAGIC):
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

"""Finding the files to ingest, fingerprinting them and probing their content."""

from __future__ import annotations

import csv
import errno
import glob
import gzip
import io
import json
import re
import stat
from pathlib import Path

from llm_tco.errors import InputFileError
from llm_tco.ingest.base import FileKind, Probe
from llm_tco.ingest.digest import GZIP_MAGIC

__all__ = [
    "FAST_READ_BYTES",
    "MAX_RECORD_BYTES",
    "expand_inputs",
    "fast_read_bytes",
    "not_a_file_reason",
    "probe_file",
    "resolve_file",
]

_HEAD_BYTES = 64 * 1024
MAX_RECORD_BYTES = 64 * 1024 * 1024
"""The longest single record read (a JSON record, a CSV line): the readers' limit, and how far the probe
reads for the first JSON record."""
FAST_READ_BYTES = 8 * 1024 * 1024
"""The record size DuckDB's readers are given on a JSON-lines file's fast paths (its JSON reader, the split
into documents, the split into lines). DuckDB sizes its read buffers by it: at :data:`MAX_RECORD_BYTES`
its JSON reader took 0.1-0.15 s more for a million records, and the split into lines 0.65 s instead of
0.25 s. A longer record can fail such a read (the JSON reader sizes its buffers at no less than 16 MiB and
reads records of up to about 32 MiB; the split into lines fails past this size); the file is then read
record by record, which takes records up to :data:`MAX_RECORD_BYTES` (``llm_tco.ingest.staging``):
slower, never different."""


def fast_read_bytes(kind: FileKind) -> int:
    """The record size for a fast read of a file of ``kind``: :data:`FAST_READ_BYTES` for JSON lines. A
    JSON document (an array of records) is one object to DuckDB's reader: it keeps the full limit."""
    return FAST_READ_BYTES if kind == "jsonl" else MAX_RECORD_BYTES


_PARQUET_MAGIC = b"PAR1"
_UTF16_LE_BOM = b"\xff\xfe"
_UTF16_BE_BOM = b"\xfe\xff"
_DELIMITERS = (",", ";", "\t", "|")


def expand_inputs(inputs: list[str]) -> list[Path]:
    """Expand globs and directories (recursively, sorted) into files; a pattern matching nothing is an
    error naming it, because a silent empty audit is worse than a typo reported.

    An entry that exists but is not a regular file (a FIFO, a device, a socket, a symlink loop or a broken
    symlink) is returned like a file, inside a folder too: :func:`probe_file` rejects it with what it is,
    so it is listed among the rejected files instead of vanishing. A name that exists as given is taken
    literally even when it holds ``*``, ``?`` or ``[``."""
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if not p.name.startswith(".") and not _is_folder(p))
            )
        elif _exists(path):
            files.append(path)
        elif any(ch in item for ch in "*?["):
            # glob.glob, not Path.glob: the pattern may be absolute or start with "..".
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True) if not _is_folder(Path(m)))  # noqa: PTH207
            if not matches:
                raise InputFileError(item, "no file matches this pattern")
            files.extend(matches)
        else:
            raise InputFileError(item, "no such file or directory")
    seen: set[Path] = set()
    unique: list[Path] = []
    folders: dict[Path, Path] = {}
    for f in files:
        key = _identity(f, folders)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a symlink loop: not a folder, rejected as what it is by the probe
        return False


def _exists(path: Path) -> bool:
    """The name exists, whatever it is (``lstat``: a broken symlink or a loop exists too)."""
    try:
        path.lstat()
    except OSError:
        return False
    return True


def _identity(path: Path, folders: dict[Path, Path] | None = None) -> Path:
    try:
        return resolve_file(path, folders)
    except (OSError, RuntimeError):  # a loop or a broken link: its own name identifies it
        return path.absolute()


def resolve_file(path: Path, folders: dict[Path, Path] | None = None) -> Path:
    """``path.resolve(strict=True)``, the folder's own resolution taken from ``folders`` (and added to
    it) when the file itself is not a symbolic link: resolving a path costs a system call per component,
    paid once per folder instead of once per file of a folder of many files."""
    if folders is None or path.name in ("", ".", ".."):
        return path.resolve(strict=True)
    if stat.S_ISLNK(path.lstat().st_mode):
        return path.resolve(strict=True)
    parent = path.parent
    folder = folders.get(parent)
    if folder is None:
        folder = folders[parent] = parent.resolve(strict=True)
    return folder / path.name


def not_a_file_reason(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file (a symlink loop, a broken symlink, a FIFO, a device, a
    socket, a folder), or None for a regular file. Checked before opening: opening a FIFO blocks."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        if exc.errno == errno.ENOENT and _exists(path):
            return "broken symlink (its target does not exist)"
        if exc.errno == errno.EACCES:
            return "permission denied"
        return f"cannot be read ({exc.strerror or exc})"
    for test, what in (
        (stat.S_ISFIFO, "not a regular file (FIFO)"),
        (stat.S_ISCHR, "not a regular file (character device)"),
        (stat.S_ISBLK, "not a regular file (block device)"),
        (stat.S_ISSOCK, "not a regular file (socket)"),
        (stat.S_ISDIR, "a folder, not a file"),
    ):
        if test(mode):
            return what
    return None


def probe_file(path: Path) -> Probe:
    """Read the first bytes and classify the content: CSV, JSON document, JSON lines or Parquet.

    The head is 64 KiB; when the first JSON record does not end within it (a record with a long text
    field), reading goes on until it does, up to the readers' 64 MiB record limit, so the record's keys
    are known."""
    reason = not_a_file_reason(path)
    if reason is not None:
        raise InputFileError(str(path), reason)
    raw, is_gzip, complete = _read_head(path, _HEAD_BYTES)
    if raw.startswith(_PARQUET_MAGIC):
        return Probe(path, "parquet", is_gzip, "", _parquet_columns(path))
    encoding, text = _decode(path, raw)
    kind = _classify_text(text)
    size = _HEAD_BYTES
    while not complete and size < MAX_RECORD_BYTES and _first_record_cut(path, text):
        size *= 4
        raw, is_gzip, complete = _read_head(path, size)
        encoding, text = _decode(path, raw)
        kind = _classify_text(text)
    columns: tuple[str, ...] = ()
    delimiter = ","
    if kind == "csv":
        delimiter = _delimiter(text.splitlines()[0])
        columns = _csv_header(text, delimiter)
    elif kind in ("jsonl", "json"):
        first = _first_record(path, text)
        columns = tuple(first.keys()) if isinstance(first, dict) else ()
    if encoding != "utf-8" and kind != "csv":
        raise InputFileError(
            str(path), f"{kind} content encoded as {encoding}: only CSV is read in UTF-16; convert to UTF-8"
        )
    return Probe(path, kind, is_gzip, text, columns, encoding=encoding, delimiter=delimiter)


def _read_head(path: Path, size: int) -> tuple[bytes, bool, bool]:
    """(first ``size`` bytes of the content, gzip?, whether that is the whole content)."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(size + 1)
    except OSError as exc:
        raise InputFileError(str(path), f"cannot be read ({exc.strerror or exc})") from exc
    is_gzip = raw.startswith(GZIP_MAGIC)
    if is_gzip:
        try:
            with gzip.open(path, "rb") as gz:
                raw = gz.read(size + 1)
        except (OSError, EOFError) as exc:
            raise InputFileError(str(path), f"corrupt gzip data ({exc})") from exc
    return raw[:size], is_gzip, len(raw) <= size


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    """(encoding, text) of the head: UTF-16 is recognised by its byte-order mark; UTF-8 otherwise (a
    UTF-8 byte-order mark is dropped). UTF-16 big-endian is refused naming it: DuckDB reads only the
    little-endian byte order."""
    if raw.startswith(_UTF16_BE_BOM):
        raise InputFileError(str(path), "text encoded as UTF-16 big-endian; convert it to UTF-8")
    if raw.startswith(_UTF16_LE_BOM):
        return "utf-16", raw[2 : len(raw) - len(raw) % 2].decode("utf-16-le", errors="replace")
    first_line = raw.split(b"\n", 1)[0]
    if b"\x00" in first_line:
        raise InputFileError(
            str(path), "NUL bytes in the first line: binary content, or UTF-16 without a byte-order mark"
        )
    return "utf-8", raw.decode("utf-8", errors="replace").lstrip("\ufeff")


def _delimiter(header: str) -> str:
    """The separator used most often in the header line, outside quotes (``,`` on a tie)."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _csv_header(text: str, delimiter: str) -> tuple[str, ...]:
    row = next(csv.reader(io.StringIO(text.splitlines()[0]), delimiter=delimiter), [])
    return tuple(c.strip() for c in row)


def _first_record_cut(path: Path, text: str) -> bool:
    """Whether the head ends inside the first record of JSON lines (a first line that starts an object
    and has no end) or inside the first element of a top-level array. A JSON document that is one object
    is detected from its head, however long it is."""
    stripped = text.lstrip()
    if stripped.startswith("{") and "\n" not in stripped:
        return True
    return stripped.startswith("[") and _first_record(path, stripped) is None


def _first_record(path: Path, text: str) -> object:
    """The first JSON value of JSON lines, or the first element of a top-level array (the document
    itself otherwise); None when it does not end within ``text``."""
    stripped = text.lstrip()
    start = 0
    if stripped.startswith("["):
        start = 1
        while start < len(stripped) and stripped[start] in " \t\r\n":
            start += 1
    try:
        value, _ = json.JSONDecoder().raw_decode(stripped, start)
    except json.JSONDecodeError:
        return None
    except RecursionError as exc:
        raise InputFileError(str(path), "the first JSON record is nested too deeply to be usage") from exc
    return value


def _classify_text(head: str) -> FileKind:
    stripped = head.strip()
    if not stripped:
        return "empty"
    first_line = stripped.splitlines()[0].strip()
    if first_line.startswith("{"):
        # One complete JSON object on the first line (and more lines after it) means JSON lines.
        try:
            json.loads(first_line)
        except (json.JSONDecodeError, RecursionError):
            return "json"
        return "jsonl" if len(stripped.splitlines()) > 1 or stripped == first_line else "json"
    if stripped.startswith("["):
        return "json"
    if any(d in first_line for d in _DELIMITERS):
        return "csv"
    return "unknown"


def _parquet_columns(path: Path) -> tuple[str, ...]:
    import pyarrow.parquet as pq

    try:
        return tuple(pq.read_schema(path).names)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise InputFileError(str(path), f"unreadable Parquet file ({exc})") from exc

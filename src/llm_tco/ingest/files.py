"""Finding the files to ingest, fingerprinting them and probing their content."""

from __future__ import annotations

import glob
import gzip
import hashlib
import json
from pathlib import Path

from llm_tco.errors import InputFileError
from llm_tco.ingest.base import FileKind, Probe

__all__ = ["expand_inputs", "fingerprint", "probe_file"]

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

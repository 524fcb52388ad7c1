"""An audit's input files hashed while the program starts, on the core it leaves idle.

A file's fingerprint (``llm_tco.ingest.digest``: the sha256 of every byte, about 0.3 CPU-seconds per
500 MB on the reference machine) is needed once the file is loaded, and the loader computes it on a
thread beside DuckDB's own, which it slows. But ``llm-tco audit`` spends its first half-second importing
its modules on one core while the other is idle. So the command line starts hashing the audit's large
input files at once (:func:`start`), and the loader takes that hash (:func:`digest_of`) when the file is
still the one that was hashed — same size, modification time, inode and device — and otherwise hashes the
file itself, as it always did. The hash is the same function over the same bytes either way.

A file whose earlier version is stored is hashed together with that version's prefix
(``llm_tco.ingest.history``): its early hash is stopped unused (:func:`discard`), as are the ones no input
claimed once the inputs are loaded (:func:`discard_all`).

Only arguments that are certainly inputs are hashed: a word after the command or after another input,
never one after an option (which may be the option's value: a store, a configuration file). An input
written after a flag is hashed by the loader, as before.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from llm_tco.ingest.digest import ContentDigest, digest_file

__all__ = ["MIN_EARLY_BYTES", "digest_of", "discard", "discard_all", "start"]

MIN_EARLY_BYTES = 16 << 20
"""Smaller files hash in a few milliseconds: not worth a thread."""


@dataclass
class _Hashing:
    file_key: tuple[int, int, int, int]
    """Size, modification time (ns), inode and device when the hashing started."""
    stop: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    digest: ContentDigest | None = None


_started: dict[str, _Hashing] = {}


def _file_key(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def start(args: Sequence[str]) -> None:
    """Start hashing the large regular files among ``args`` (the words after ``audit``) that are inputs."""
    after_option = False
    positional_only = False
    for arg in args:
        if arg == "--" and not positional_only:
            positional_only = True
            continue
        is_option = not positional_only and arg.startswith("-") and arg != "-"
        if not is_option and not after_option:
            _start_one(arg)
        after_option = is_option and "=" not in arg


def _start_one(arg: str) -> None:
    try:
        resolved = os.path.realpath(arg)
        st = Path(resolved).stat()
    except (OSError, ValueError):
        return  # not a file (a glob, a folder, a URL…): the loader reads it as before
    if not stat.S_ISREG(st.st_mode) or st.st_size < MIN_EARLY_BYTES or resolved in _started:
        return
    job = _Hashing(_file_key(st))
    _started[resolved] = job
    worker = threading.Thread(
        target=_hash, args=(job, Path(resolved), st.st_size), name="llm-tco-early-digest", daemon=True
    )
    worker.start()


def _hash(job: _Hashing, path: Path, size_bytes: int) -> None:
    try:
        job.digest = digest_file(path, size_bytes, stop=job.stop)
    except Exception:  # stopped, or unreadable: the loader hashes it (and reports why) itself
        job.digest = None
    finally:
        job.done.set()


def digest_of(path: Path, size_bytes: int) -> ContentDigest:
    """``digest_file(path, size_bytes)``: the early hash of ``path`` when one was started and the file is
    unchanged since (waiting for it to finish), else hashed now."""
    job = _started.pop(os.path.realpath(path), None)
    if job is not None:
        try:
            unchanged = _file_key(path.stat()) == job.file_key and job.file_key[0] == size_bytes
        except OSError:
            unchanged = False
        if unchanged:
            job.done.wait()
            if job.digest is not None:
                return job.digest
        job.stop.set()
    return digest_file(path, size_bytes)


def discard(path: Path) -> None:
    """Stop the early hash of ``path``, if any: the file is hashed another way."""
    job = _started.pop(os.path.realpath(path), None)
    if job is not None:
        job.stop.set()


def discard_all() -> None:
    """Stop the early hashes no input claimed."""
    while _started:
        _started.popitem()[1].stop.set()

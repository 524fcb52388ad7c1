"""Where a one-shot (``:memory:``) store spills to disk, and cleaning up after processes that were killed.

DuckDB spills an in-memory database that outgrows its memory limit to ``.tmp`` in the working directory.
llm-tco points it at a private folder under the system's temporary directory instead, removed when the
process ends. A process killed with ``kill -9`` (or by the out-of-memory killer) cannot remove its folder,
and the folder can hold gigabytes: so each new one-shot run first removes the folders whose owner is no
longer running. The owner's host name and process id are part of the folder's name; a folder whose process
is alive — another llm-tco running now — is never touched, nor one made on another host (a temporary
directory shared between containers, whose process ids mean nothing here).
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import socket
import sys
import tempfile
from pathlib import Path

__all__ = ["SPILL_PREFIX", "remove_stale_spill_folders", "spill_directory"]

SPILL_PREFIX = "llm-tco-spill-"
_OWNED = re.compile(re.escape(SPILL_PREFIX) + r"(?P<host>[A-Za-z0-9.-]+)-(?P<pid>\d+)-[^-]*$")


def _host() -> str:
    """This machine's name, reduced to the characters a folder name can always hold."""
    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname()) or "localhost"


@functools.cache
def spill_directory() -> str:
    """This process's private spill folder (created once), quoted for a DuckDB ``SET`` statement."""
    remove_stale_spill_folders()
    path = tempfile.mkdtemp(prefix=f"{SPILL_PREFIX}{_host()}-{os.getpid()}-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path.replace("'", "''")


def remove_stale_spill_folders(parent: Path | None = None) -> list[Path]:
    """Remove the spill folders under ``parent`` (default: the temporary directory) whose process has
    ended; returns what was removed."""
    if sys.platform == "win32":
        return []  # no cheap liveness check that cannot also signal the process
    folder = Path(parent or tempfile.gettempdir())
    host = _host()
    removed: list[Path] = []
    try:
        candidates = [p for p in folder.iterdir() if p.name.startswith(SPILL_PREFIX)]
    except OSError:
        return removed
    for candidate in candidates:
        match = _OWNED.match(candidate.name)
        if match is None or match["host"] != host or not candidate.is_dir() or candidate.is_symlink():
            continue
        if _alive(int(match["pid"])):
            continue
        shutil.rmtree(candidate, ignore_errors=True)
        if not candidate.exists():
            removed.append(candidate)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (signal 0 checks without sending anything)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process (or an id we cannot judge): leave its folder alone
    return True

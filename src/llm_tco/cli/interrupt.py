"""Ctrl-C: remembered when it arrives, so that the run ends with one line ``interrupted`` and exit 130.

DuckDB notices a pending SIGINT while it runs a query, stops the query and raises its own exception
(``duckdb.InterruptException``, or a ``RuntimeError: Query interrupted`` from the Python client) instead
of ``KeyboardInterrupt``. Code that turns a failed query into a one-line reason ("unreadable ...") would
then report the interrupt as a fault of the file being read, and an ingest would go on to the next file.

So the CLI's SIGINT handler records the interrupt before raising ``KeyboardInterrupt`` as Python's own
handler does: ``cli.main`` answers any outcome of an interrupted run with exit 130, and the ingest checks
:func:`raise_if_interrupted` before each file so that it stops at the first file boundary. Stopping is
safe at any point: each file is loaded in one transaction, and an uncommitted one is discarded.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["INTERRUPTED_EXIT_CODE", "interrupt_flag", "raise_if_interrupted", "was_interrupted"]

INTERRUPTED_EXIT_CODE = 130
"""The shell's convention for a command ended by SIGINT (128 + 2)."""

_interrupted = threading.Event()


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _interrupted.set()
    raise KeyboardInterrupt


@contextmanager
def interrupt_flag() -> Iterator[None]:
    """Within the block, Ctrl-C sets the flag :func:`was_interrupted` reads, then interrupts as usual.

    The previous handler is restored afterwards (the CLI also runs in-process, inside tests). Outside the
    main thread, where handlers cannot be installed, the block runs unchanged.
    """
    _interrupted.clear()
    try:
        previous = signal.signal(signal.SIGINT, _on_sigint)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def was_interrupted() -> bool:
    """Whether Ctrl-C arrived since the current :func:`interrupt_flag` block began."""
    return _interrupted.is_set()


def raise_if_interrupted() -> None:
    """Stop here if Ctrl-C arrived earlier and was turned into another error that something handled."""
    if _interrupted.is_set():
        raise KeyboardInterrupt

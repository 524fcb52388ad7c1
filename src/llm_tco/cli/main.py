"""The ``llm-tco`` command: one Typer app, one module per command, errors translated in one place.

Exit codes (DESIGN.md): 0 success; 1 a ``--fail-on`` policy tripped; 2 bad input or usage, with a one-line
reason naming the file, line or field; 3 an internal error (a bug: set ``LLM_TCO_DEBUG=1`` for the
traceback); 130 interrupted by Ctrl-C.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import NoReturn

import typer

from llm_tco import __version__
from llm_tco.cli import commands
from llm_tco.cli.common import OutputClosed
from llm_tco.cli.interrupt import INTERRUPTED_EXIT_CODE, interrupt_flag, was_interrupted
from llm_tco.errors import LlmTcoError
from llm_tco.report.text import literal

__all__ = ["build_app", "run"]


def build_app(argv: Sequence[str] | None = None) -> typer.Typer:
    """The Typer app with the commands ``argv`` needs (all of them when it names none)."""
    app = typer.Typer(
        name="llm-tco",
        help="Audit LLM token spend and decide, per workload, between closed APIs, hosted open-weight APIs "
        "and self-hosting — with the full total cost of ownership.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        # help text names config keys such as [[attribution]]: shown as written, not read as markup
        rich_markup_mode=None,
    )

    @app.callback()
    def _main(
        version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True),
    ) -> None:
        """llm-tco."""

    commands.register_all(app, argv)
    return app


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"llm-tco {__version__}")
        raise typer.Exit()


def run(argv: list[str] | None = None) -> int:
    """Entry point: run the app and map every outcome to the documented exit codes.

    Typer itself reports bad usage (unknown option, missing argument) with exit code 2; library errors
    are translated here, and anything else is an internal error (exit 3), never a bare traceback. Two
    outcomes are not errors of the run: Ctrl-C ends it with one line ``interrupted`` and exit 130, and a
    reader that closed stdout early (``llm-tco audit | head``) ends it quietly with exit 0.
    """
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["audit"]:
        # the input files' fingerprints are hashed while the command's modules are imported
        from llm_tco.ingest import early_digest

        early_digest.start(args[1:])
    with interrupt_flag():
        try:
            code, message = _dispatch(args)
        except KeyboardInterrupt:
            code, message = INTERRUPTED_EXIT_CODE, None
        if was_interrupted() or code == INTERRUPTED_EXIT_CODE:
            # whatever the interrupted query turned into (a "Query interrupted" error, a file reported
            # unreadable), the run was stopped by the user: say so, once
            code, message = INTERRUPTED_EXIT_CODE, "llm-tco: interrupted"
        if message:
            sys.stderr.write(message + "\n")
    return code


def _dispatch(args: list[str]) -> tuple[int, str | None]:
    """Run the command: its exit code, and the one line for stderr (None when the command printed its
    own output)."""
    try:
        build_app(args)(args=args, prog_name="llm-tco")
    except SystemExit as exc:
        code = exc.code
        return (code if isinstance(code, int) else (0 if code is None else 2)), None
    except LlmTcoError as exc:
        return exc.exit_code, f"llm-tco: error: {literal(exc)}"
    except (OutputClosed, BrokenPipeError):
        _discard_stdout()
        return 0, None
    except Exception as exc:
        if was_interrupted():
            return INTERRUPTED_EXIT_CODE, None
        store_error = _store_fault(exc)
        if store_error is not None:
            return store_error.exit_code, f"llm-tco: error: {literal(store_error)}"
        if os.environ.get("LLM_TCO_DEBUG"):
            traceback.print_exc()
        return 3, f"llm-tco: internal error: {type(exc).__name__}: {literal(exc)}"
    return 0, None


def _store_fault(exc: Exception) -> LlmTcoError | None:
    """A failure that is the store's, not a bug: a full disk, a damaged store (exit 2)."""
    if "duckdb" not in sys.modules:
        return None  # nothing touched a store
    from llm_tco.store.health import diagnose_failure

    try:
        return diagnose_failure(exc)
    except Exception:  # the diagnosis must never hide the original failure
        return None


def _discard_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's last flush of what is still buffered
    does not fail again (the Python documentation's recipe for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # stdout is not a file descriptor (captured in-process): nothing will flush it at exit


def main() -> None:  # pragma: no cover - console script shim
    code = run()
    if _watched():
        sys.exit(code)  # the tracer or profiler writes its results when this returns: let it
    _end_process(code)


def _watched() -> bool:
    """Whether a tracer, profiler or coverage tool watches this process (``pyinstrument``, ``python -m
    cProfile``, ``coverage run``): one that writes what it gathered after ``main`` returns."""
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+: how coverage watches there
    return monitoring is not None and any(monitoring.get_tool(tool) is not None for tool in range(6))


def _end_process(code: int) -> NoReturn:
    """End the process with ``code`` once everything it owes the outside is done, without the
    interpreter's teardown.

    The teardown frees every object of every imported module one by one (pydantic models, the price
    data, numpy, DuckDB's bindings): 0.1–0.2 s of each run that nothing needs, since the operating system
    reclaims the memory at once. What the teardown would also do is done here first: the output is
    flushed, threads that are not daemons are waited for, and the exit handlers run (the spill folder's
    removal, logging's flush, library clean-ups)."""
    for stream in (sys.stdout, sys.stderr):
        # a reader that closed the pipe early: run() already chose the exit code
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()

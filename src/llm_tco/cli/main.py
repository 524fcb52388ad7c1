"""The ``llm-tco`` command: one Typer app, one module per command, errors translated in one place.

Exit codes (DESIGN.md): 0 success; 1 a ``--fail-on`` policy tripped; 2 bad input or usage, with a one-line
reason naming the file, line or field; 3 an internal error (a bug: set ``LLM_TCO_DEBUG=1`` for the
traceback).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

import typer

from llm_tco import __version__
from llm_tco.cli import commands
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
    are translated here, and anything else is an internal error (exit 3), never a bare traceback.
    """
    args = sys.argv[1:] if argv is None else argv
    try:
        build_app(args)(args=args, prog_name="llm-tco")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except LlmTcoError as exc:
        sys.stderr.write(f"llm-tco: error: {literal(exc)}\n")
        return exc.exit_code
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if os.environ.get("LLM_TCO_DEBUG"):
            traceback.print_exc()
        sys.stderr.write(f"llm-tco: internal error: {type(exc).__name__}: {literal(exc)}\n")
        return 3
    return 0


def main() -> None:  # pragma: no cover - console script shim
    sys.exit(run())


if __name__ == "__main__":  # pragma: no cover
    main()

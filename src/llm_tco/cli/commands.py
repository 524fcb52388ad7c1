"""Which command lives in which module. Each module exposes ``register(app)``."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import typer

__all__ = ["COMMAND_MODULES", "register_all"]

COMMAND_MODULES: dict[str, str] = {
    "audit": "llm_tco.cli.audit",
    "demo": "llm_tco.cli.demo",
    "capacity": "llm_tco.cli.capacity",
    "init": "llm_tco.cli.init",
    "plan": "llm_tco.cli.plan",
    "catalog": "llm_tco.cli.catalog",
    "report": "llm_tco.cli.report",
    "warehouse-sql": "llm_tco.cli.warehouse",
}


def register_all(app: typer.Typer, argv: Sequence[str] | None = None) -> None:
    """Register the command modules: only the one ``argv`` names, when it names one.

    Start-up time is part of every command's run time (a re-audit should take seconds), and the modules
    behind other commands import heavy libraries (SciPy for the capacity fit, the plan engine); help and
    unknown commands still see every command.
    """
    if argv and "--version" in argv:
        return  # answered by the app's own callback
    wanted = _command_named(argv)
    for command, name in COMMAND_MODULES.items():
        if wanted is None or command == wanted:
            importlib.import_module(name).register(app)


def _command_named(argv: Sequence[str] | None) -> str | None:
    for arg in argv or ():
        if arg.startswith("-"):
            continue
        return arg if arg in COMMAND_MODULES else None
    return None

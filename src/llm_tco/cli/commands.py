"""Which command lives in which module. Each module exposes ``register(app)``."""

from __future__ import annotations

import importlib

import typer

__all__ = ["COMMAND_MODULES", "register_all"]

COMMAND_MODULES: tuple[str, ...] = (
    "llm_tco.cli.audit",
    "llm_tco.cli.demo",
    "llm_tco.cli.capacity",
    "llm_tco.cli.init",
    "llm_tco.cli.plan",
    "llm_tco.cli.catalog",
)


def register_all(app: typer.Typer) -> None:
    """Register every command module that exists in this build."""
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # command not part of this build yet
            raise
        module.register(app)

"""Reading ``llm-tco.toml``: TOML through ``tomllib``, validation through the pydantic model.

Every failure is a one-line ``ConfigError`` naming the file and the key path, e.g.
``llm-tco.toml: workloads.support-chat.sovereignty: 'eu' is not one of any, region:<code>, ...``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llm_tco.config.model import Config
from llm_tco.errors import ConfigError

__all__ = ["DEFAULT_CONFIG_FILE", "load_config", "parse_config", "validation_message"]

DEFAULT_CONFIG_FILE = "llm-tco.toml"
"""Read from the working directory when present and no ``--config`` is given."""


def load_config(path: str | Path | None = None) -> tuple[Config, Path | None]:
    """The configuration and the file it came from.

    ``path`` None: ``./llm-tco.toml`` if it exists, else the defaults (and None for the file).
    """
    if path is None:
        default = Path(DEFAULT_CONFIG_FILE)
        if not default.is_file():
            return Config(), None
        path = default
    file = Path(path)
    try:
        # utf-8-sig: a byte-order mark (as some Windows editors write) is not part of the document
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such configuration file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{file}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
            "save the configuration as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror or exc}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{file}: invalid TOML: nested too deeply") from None
    return parse_config(raw, str(file)), file


def parse_config(raw: dict[str, Any], source: str = DEFAULT_CONFIG_FILE) -> Config:
    """Validate an already-parsed TOML document."""
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {validation_message(exc)}") from None


def validation_message(exc: ValidationError) -> str:
    """``key.path: reason`` for the first error, and how many more there are."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    key_path = ".".join(str(part) for part in first["loc"]) or "<document>"
    if first["type"] == "extra_forbidden":
        reason = "unknown key (not a setting of llm-tco; check the spelling)"
    else:
        reason = str(first["msg"]).removeprefix("Value error, ")
        if "input" in first and first["type"] not in ("missing",):
            reason += f" (got {first['input']!r})"
    more = f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"{key_path}: {reason}{more}"

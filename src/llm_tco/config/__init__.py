"""The user's configuration file, ``llm-tco.toml``: model, loading and the commented template."""

from __future__ import annotations

from llm_tco.config.load import DEFAULT_CONFIG_FILE, load_config, parse_config
from llm_tco.config.model import Config, WorkloadConfig
from llm_tco.config.template import render_template

__all__ = [
    "DEFAULT_CONFIG_FILE",
    "Config",
    "WorkloadConfig",
    "load_config",
    "parse_config",
    "render_template",
]

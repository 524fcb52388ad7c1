"""The adapters llm-tco knows, in detection order (most specific first; the generic table reader last)."""

from __future__ import annotations

import difflib
import importlib

from llm_tco.errors import LookupFailedError, UnknownFormatError
from llm_tco.ingest.base import Adapter, Probe
from llm_tco.ingest.generic import GenericTableAdapter

__all__ = ["ADAPTER_MODULES", "adapters", "detect_adapter", "get_adapter"]

ADAPTER_MODULES: tuple[str, ...] = (
    "llm_tco.ingest.formats.otel",
    "llm_tco.ingest.formats.bedrock",
    "llm_tco.ingest.formats.openai_costs",
    "llm_tco.ingest.formats.openai_usage",
    "llm_tco.ingest.formats.anthropic_costs",
    "llm_tco.ingest.formats.anthropic_usage",
    "llm_tco.ingest.formats.litellm",
    "llm_tco.ingest.formats.langfuse",
    "llm_tco.ingest.formats.helicone",
    "llm_tco.ingest.formats.focus",
)
"""Modules (``llm_tco.ingest.formats.*``) each exposing ``ADAPTER``; tried before the generic reader."""


def adapters() -> list[Adapter]:
    found: list[Adapter] = [importlib.import_module(m).ADAPTER for m in ADAPTER_MODULES]
    found.append(GenericTableAdapter())
    return found


def get_adapter(name: str) -> Adapter:
    """The adapter forced by ``--format NAME``."""
    known = {a.name: a for a in adapters()}
    if name in known:
        return known[name]
    raise LookupFailedError(
        "format", name, difflib.get_close_matches(name, list(known), n=3) or sorted(known)
    )


def detect_adapter(probe: Probe) -> Adapter:
    """The first adapter that recognises the content; a clear rejection when none does."""
    for adapter in adapters():
        if adapter.detect(probe):
            return adapter
    if probe.kind in ("json", "jsonl"):
        keys = ", ".join(probe.columns[:8]) or "no keys"
        raise UnknownFormatError(
            str(probe.path),
            f"JSON is not a known usage format (top-level keys: {keys}); use --format or --map",
        )
    if probe.kind in ("csv", "parquet"):
        from llm_tco.ingest.columns import REQUIRED_FIELDS, match_columns

        matched = match_columns(probe.columns, {})
        missing = [f for f in REQUIRED_FIELDS if f not in matched]
        raise UnknownFormatError(
            str(probe.path),
            f"missing required column {', '.join(repr(m) for m in missing)} (use --map FIELD=COLUMN)",
        )
    raise UnknownFormatError(str(probe.path), f"not a usage file (content looks like {probe.kind})")

"""``[[attribution]]`` rules: map usage records to workloads, the same way across every source format.

A rule names a ``workload`` and one or more match keys; a record matches when **every** key given matches
(AND), and the **first** matching rule wins. When any rule exists, a record no rule matches goes to the
``unattributed`` workload (so a missing rule shows up instead of hiding under a model name); with no rules,
each format's natural key applies (OpenTelemetry ``service.name``, OpenAI ``project_id``, ...).

Values are glob patterns (``*``, ``?``, ``[abc]``; case-sensitive); a value without wildcards is an exact
match. Match keys, and what they compare with:

- ``tag`` — any of the request's tags (LiteLLM ``request_tags``);
- ``metadata`` — ``{ key = "value" }`` (or ``"key=value"``): every pair must match the record's metadata
  (LiteLLM ``metadata``, Bedrock ``requestMetadata``, OpenTelemetry span/resource attributes, Helicone
  properties, Langfuse metadata); a dotted key also reaches into nested objects (``spend_logs_metadata.app``);
- ``project`` / ``workspace`` — the OpenAI project id / the Anthropic workspace id (both stored as project);
- ``api_key_id``, ``user``, ``team``, ``service_name`` (OpenTelemetry ``service.name``), ``model`` (logged).

Example::

    [[attribution]]
    workload = "support-chat"
    tag = "support*"

    [[attribution]]
    workload = "search"
    metadata = { feature = "search" }
    model = "gpt-4o*"

The rules are compiled to one SQL ``CASE`` at ingest (``llm_tco.ingest.attribution``), never looped over
rows in Python.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from llm_tco.errors import ConfigError

__all__ = [
    "MATCH_KEYS",
    "UNATTRIBUTED",
    "AttributionRule",
    "load_attribution_rules",
    "parse_attribution_rules",
]

UNATTRIBUTED = "unattributed"
"""Workload of a record that no rule matches, when rules exist."""

MATCH_KEYS: tuple[str, ...] = (
    "tag",
    "metadata",
    "project",
    "workspace",
    "api_key_id",
    "service_name",
    "user",
    "team",
    "model",
)


class AttributionRule(BaseModel):
    """One ``[[attribution]]`` table: the workload and the conditions (all must hold) that select it."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    workload: str
    """The workload name records matching this rule get."""
    tag: str | None = None
    metadata: dict[str, str] | None = None
    project: str | None = None
    workspace: str | None = None
    api_key_id: str | None = None
    service_name: str | None = None
    user: str | None = None
    team: str | None = None
    model: str | None = None

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata_pairs(cls, value: Any) -> Any:
        """Accept ``"key=value"`` (one pair) as well as a table of pairs."""
        if isinstance(value, str):
            key, sep, wanted = value.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"expected 'key=value' or a table {{ key = \"value\" }}, got {value!r}")
            return {key.strip(): wanted.strip()}
        return value

    @field_validator("workload")
    @classmethod
    def _workload_named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @field_validator("tag", "project", "workspace", "api_key_id", "service_name", "user", "team", "model")
    @classmethod
    def _pattern_not_empty(cls, value: str | None) -> str | None:
        if value is not None and not value:
            raise ValueError("must not be empty (leave the key out to match anything)")
        return value

    @model_validator(mode="after")
    def _has_condition(self) -> AttributionRule:
        if not any(getattr(self, key) for key in MATCH_KEYS):
            raise ValueError(f"a rule needs at least one match key ({', '.join(MATCH_KEYS)})")
        if self.metadata is not None and any(not k for k in self.metadata):
            raise ValueError("metadata keys must not be empty")
        return self


def parse_attribution_rules(raw: Any, source: str = "llm-tco.toml") -> tuple[AttributionRule, ...]:
    """Validate the ``attribution`` array of an already-parsed TOML document (None = no rules)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{source}: attribution: expected an array of tables ([[attribution]])")
    rules: list[AttributionRule] = []
    for i, item in enumerate(raw):
        try:
            rules.append(AttributionRule.model_validate(item))
        except ValidationError as exc:
            raise ConfigError(f"{source}: {_message(exc, f'attribution[{i}]')}") from None
    return tuple(rules)


def load_attribution_rules(path: str | Path) -> tuple[AttributionRule, ...]:
    """The ``[[attribution]]`` rules of a config file, ignoring every other table of it."""
    file = Path(path)
    try:
        document = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    return parse_attribution_rules(document.get("attribution"), str(file))


def _message(exc: ValidationError, prefix: str) -> str:
    first = exc.errors(include_url=False)[0]
    key_path = ".".join([prefix, *(str(p) for p in first["loc"])])
    if first["type"] == "extra_forbidden":
        reason = f"unknown key (match keys: {', '.join(MATCH_KEYS)})"
    else:
        reason = str(first["msg"]).removeprefix("Value error, ")
    return f"{key_path}: {reason}"

"""The report document: one versioned JSON shape behind every output (terminal, Markdown, CSV, HTML).

Two kinds share one header and one ``schema_version``: ``llm-tco.audit`` (what ``audit --json`` prints:
the audit's keys at the top level) and ``llm-tco.plan`` (what ``plan --json`` prints: the plan's keys at
the top level and the audit of the same usage under ``audit``). A saved document is re-rendered by
``llm-tco report`` without recomputing anything, so everything a renderer shows must be in it.

``schema_version`` changes when a field is removed or changes meaning; new optional fields keep it. The
JSON Schema of both kinds is committed (``schema/report.schema.json``) and regenerated from this module
(``python scripts/write_schema.py``): a test fails when the two differ.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from llm_tco.errors import InputFileError
from llm_tco.plan.doc import PlanDocument
from llm_tco.report.audit_doc import AuditDocument

__all__ = [
    "SCHEMA_VERSION",
    "AuditReport",
    "ConfigSnapshot",
    "ConfigValue",
    "DocumentHeader",
    "InputFile",
    "PlanReport",
    "ReportDocument",
    "load_document",
    "parse_document",
    "report_json_schema",
    "schema_text",
]

SCHEMA_VERSION: Final = 2
"""Version of the document's shape (the audit's "1.0" and the plan's "1" were the first, separate ones)."""


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConfigValue(_Doc):
    """One assumption in force: its value and where that value comes from."""

    key: str = Field(description="Dotted key path in llm-tco.toml, e.g. planning.horizon_months")
    value: float | int | str | bool | None
    unit: str = Field(default="", description="Unit of the value (empty when it has none)")
    origin: Literal["config", "default"] = Field(
        description="config: set in the configuration file; default: the built-in default"
    )
    source: str = Field(description="The configuration file for a set value, else the default's source")


class ConfigSnapshot(_Doc):
    """The configuration the run used (the per-workload tables are reported with each workload)."""

    file: str | None = Field(description="The configuration file read, or null for the built-in defaults")
    values: list[ConfigValue]


class InputFile(_Doc):
    """A file whose usage is in the store the document was computed from."""

    path: str
    fingerprint: str = Field(
        description="The store's fingerprint of the version ingested (sha256 of a file's bytes)"
    )
    format: str
    size_bytes: int
    ingested_at: str = Field(description="When it was ingested (ISO 8601, UTC)")
    records_accepted: int


class DocumentHeader(_Doc):
    """What every document says about how it was made, so that a saved one can be trusted and compared."""

    schema_version: Literal[2] = Field(default=SCHEMA_VERSION, description="Version of this JSON shape")
    tool_version: str = Field(description="The llm-tco version that computed the document")
    price_data_version: str = Field(description="The genai-prices release whose price data was in force")
    price_data_date: str | None = Field(
        default=None,
        description="UTC date of the explicit price update in force (null: the release's bundled data)",
    )
    seed: int | None = Field(
        default=None, description="Seed of the random draws behind uncertain figures (null: none drawn)"
    )
    config: ConfigSnapshot | None = Field(default=None, description="The configuration in force")
    inputs: list[InputFile] = Field(
        default_factory=list, description="The files behind the store's usage, with their fingerprints"
    )


class AuditReport(AuditDocument, DocumentHeader):
    """``audit --json``: spend by workload, model, provider, team and month, with the data's quality."""

    kind: Literal["llm-tco.audit"] = "llm-tco.audit"


class PlanReport(PlanDocument, DocumentHeader):
    """``plan --json``: per workload, every placement costed over the horizon and the recommendation."""

    audit: AuditDocument | None = Field(
        default=None, description="The audit of the usage the plan is built on"
    )


ReportDocument = Annotated[AuditReport | PlanReport, Field(discriminator="kind")]
_ADAPTER: TypeAdapter[AuditReport | PlanReport] = TypeAdapter(ReportDocument)
_KINDS = ("llm-tco.audit", "llm-tco.plan")


class _NumbersAsWritten(GenerateJsonSchema):
    """The schema of the JSON the CLI writes: money (``Decimal``) is a JSON number there, not a string."""

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> JsonSchemaValue:
        return {"type": "number"}


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of a report document (either kind), as committed in ``schema/report.schema.json``."""
    schema = _ADAPTER.json_schema(schema_generator=_NumbersAsWritten, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "llm-tco report document",
        "description": (
            f"schema_version {SCHEMA_VERSION}. kind llm-tco.audit is `llm-tco audit --json`; kind "
            "llm-tco.plan is `llm-tco plan --json`. Money is US dollars; key names carry their units."
        ),
        **schema,
    }


def schema_text() -> str:
    """The committed schema file's exact text: stable key order and a final newline, so that a diff of
    ``schema/report.schema.json`` shows only real changes."""
    return json.dumps(report_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def parse_document(data: Any, origin: str) -> AuditReport | PlanReport:
    """Validate a decoded JSON value as a report document; ``origin`` names it in the error (exit 2)."""
    if not isinstance(data, dict):
        raise InputFileError(origin, "not an llm-tco report document (expected a JSON object)")
    kind = data.get("kind")
    if kind not in _KINDS:
        raise InputFileError(
            origin,
            f"field kind: {kind!r} is not an llm-tco report (expected {' or '.join(_KINDS)}); "
            "write one with `llm-tco audit --json` or `llm-tco plan --json`",
        )
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        found = "missing" if version is None else repr(version)
        raise InputFileError(
            origin,
            f"field schema_version: {found}, this llm-tco reads version {SCHEMA_VERSION}; "
            "recompute it with this version's `--json`",
        )
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or "(document)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InputFileError(origin, f"field {where}: {first['msg']}{more}") from exc


def load_document(path: Path) -> AuditReport | PlanReport:
    """Read a saved report document; a missing file, bad JSON or a foreign document is an
    ``InputFileError`` naming the file (and the field or line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise InputFileError(str(path), f"cannot read: {reason}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(str(path), f"line {exc.lineno}: not JSON ({exc.msg})") from exc
    return parse_document(data, str(path))

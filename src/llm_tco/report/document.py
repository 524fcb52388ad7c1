"""The report document: one versioned JSON shape behind every output (terminal, Markdown, CSV, HTML).

Two kinds share one header (``llm_tco.report.header``) and one ``schema_version``: ``llm-tco.audit``
(what ``audit --json`` prints: the audit's keys at the top level; ``llm_tco.report.audit_report``) and
``llm-tco.plan`` (what ``plan --json`` prints: the plan's keys at the top level and the audit of the same
usage under ``audit``). A saved document is re-rendered by ``llm-tco report`` without recomputing
anything, so everything a renderer shows must be in it.

``schema_version`` changes when a field is removed or changes meaning; new optional fields keep it. The
JSON Schema of both kinds is committed (``schema/report.schema.json``) and regenerated from this module
(``python scripts/write_schema.py``): a test fails when the two differ.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from llm_tco.errors import InputFileError
from llm_tco.plan.doc import PlanDocument
from llm_tco.report.audit_doc import AuditDocument
from llm_tco.report.audit_report import AuditReport
from llm_tco.report.header import (
    SCHEMA_VERSION,
    ConfigSnapshot,
    ConfigValue,
    DocumentHeader,
    InputFile,
)

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

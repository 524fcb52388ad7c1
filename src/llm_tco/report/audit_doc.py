"""The audit part of the report document: what the terminal, ``--json`` and the other reports render.

Conventions (DESIGN.md): token and request totals cover all accepted usage; cost totals cover priced usage
only and an unpriced entry's cost is ``None`` (JSON ``null``), never 0. Money is ``Decimal`` here and a
JSON number at the boundary. ``input_tokens`` includes cache reads and writes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AuditDocument",
    "ChangedFileRow",
    "Counters",
    "ExplainedPartRow",
    "FileRow",
    "FocusExportInfo",
    "GroupRow",
    "ModelRow",
    "MonthRow",
    "QuarantineRow",
    "ReconciliationEntry",
    "RejectedFileRow",
    "RowAccounting",
    "UnpricedRow",
    "WorkloadRow",
]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Counters(_Doc):
    requests: int | None = Field(description="Sum of known request counts (None if no row has one)")
    input_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    cache_write_1h_tokens: int
    output_tokens: int
    reasoning_tokens: int
    cost_usd: Decimal | None = Field(description="Cost of the priced part; None when nothing is priced")


class ModelRow(Counters):
    provider: str | None
    model: str
    model_raw: str
    priced: bool


class WorkloadRow(Counters):
    workload: str
    unpriced_requests: int = 0


class GroupRow(Counters):
    key: str | None


class MonthRow(Counters):
    month: str
    cost_growth_pct: float | None = Field(description="Month-over-month change of priced cost, percent")
    token_growth_pct: float | None = Field(
        description="Month-over-month change of input+output tokens, percent"
    )


class UnpricedRow(_Doc):
    provider: str | None
    model_raw: str
    requests: int | None
    input_tokens: int
    output_tokens: int
    suggestions: list[str]


class RejectedFileRow(_Doc):
    file: str
    reason: str


class ChangedFileRow(_Doc):
    path: str
    ingested_at: str = Field(description="When the version the store keeps was ingested (ISO 8601, UTC)")
    records_kept: int = Field(description="Usage and cost-only records the store keeps from that version")
    hint: str = Field(description="How to load the new content instead")


class QuarantineRow(_Doc):
    file: str
    record: int
    reason: str


class FileRow(_Doc):
    file: str
    format: str
    read: int
    accepted: int
    quarantined: int
    duplicates: int
    reported_records: int = 0


class ExplainedPartRow(_Doc):
    part: str
    amount_usd: Decimal


class ReconciliationEntry(_Doc):
    provider: str | None
    month: str
    model: str | None = Field(description="None on the provider × month row")
    computed_cost_usd: Decimal
    reported_cost_usd: Decimal
    difference_usd: Decimal = Field(description="reported − computed; the explained parts sum to it")
    explained: list[ExplainedPartRow]
    reported_records: int


class FocusExportInfo(_Doc):
    path: str
    rows: int
    unpriced_groups: int = Field(description="Groups left out of the export because they have no price")


class RowAccounting(_Doc):
    read: int
    accepted: int
    quarantined: int
    duplicates: int


class AttributionInfo(_Doc):
    """The attribution in force for this audit, and what re-applying it to the stored records changed."""

    rules_fingerprint: str = Field(description="sha256 of the canonical JSON of the rules and workload_from")
    rules: list[dict[str, Any]] = Field(description="The [[attribution]] rules in force, in order")
    workload_from: str | None
    source: str = Field(description="given (config or --workload-from), store (kept) or default (none)")
    reattributed: bool = Field(
        description="The settings differed from the store's: stored records re-attributed"
    )
    changed_records: int = Field(description="Stored usage records whose workload changed")
    changed_series: int = Field(description="Stored usage series whose workload changed")
    changed_cost_records: int = Field(description="Stored cost-only records whose workload changed")
    kept_records: int = Field(
        description="Stored records that could not be re-attributed (inputs not kept) and keep their workload"
    )


class AuditDocument(_Doc):
    """The audit's figures (``llm_tco.report.document.AuditReport`` adds the versioned header)."""

    store: str
    since: str | None
    until: str | None
    price_data: str
    rows: RowAccounting
    files: list[FileRow]
    reported: dict[str, int]
    totals: Counters
    cache_hit_rate: float | None = Field(description="cache_read_tokens / input_tokens over the window")
    by_model: list[ModelRow]
    by_workload: list[WorkloadRow]
    by_provider: list[GroupRow]
    by_team: list[GroupRow]
    by_month: list[MonthRow]
    unpriced: list[UnpricedRow]
    rejected_files: list[RejectedFileRow]
    quarantine: list[QuarantineRow]
    quarantine_total: int
    id_conflicts: int = Field(
        default=0,
        description="Quarantined records whose id is stored (or earlier in the file) with other usage",
    )
    changed_files: list[ChangedFileRow] = Field(
        default_factory=list,
        description="Files at a path ingested before whose content changed other than by growing: not read",
    )
    reconciliation: list[ReconciliationEntry] | None = Field(
        default=None, description="With --reconcile: computed vs reported cost by provider × month (× model)"
    )
    focus_export: FocusExportInfo | None = None
    notes: list[str]
    attribution: AttributionInfo | None = Field(
        default=None, description="The attribution settings in force and the re-attribution they caused"
    )

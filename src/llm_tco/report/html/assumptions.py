"""The assumptions behind a plan, with the unit and source of each: the plan document lists the values in
force (``section.key``); the configuration model declares each field's unit and the source of its default.

A value that differs from the default was set by the user, so its source is their configuration, not the
published figure behind the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from llm_tco.catalog.sources import cited_text
from llm_tco.config import Config

__all__ = ["COST_LINE_DRIVERS", "AssumptionRow", "assumption_rows", "format_value"]

COST_LINE_DRIVERS: dict[str, tuple[str, ...]] = {
    "tokens_usd": ("prices.closed_api_decline_per_year", "prices.open_api_decline_per_year"),
    "gpus_usd": (
        "capacity.target_utilisation",
        "capacity.peak_to_mean_ratio",
        "gpu.reserved_1y_discount",
        "gpu.reserved_3y_discount",
        "gpu.spot_discount",
        "owned.useful_life_years",
    ),
    "power_and_hosting_usd": (
        "owned.electricity_usd_per_kwh",
        "owned.pue",
        "owned.hosting_usd_per_kw_month",
    ),
    "staff_usd": ("staffing.platform_fte", "staffing.loaded_cost_usd_per_fte_year"),
    "on_call_usd": ("staffing.on_call_fte", "staffing.loaded_cost_usd_per_fte_year"),
    "monitoring_usd": ("operations.monitoring_usd_per_month",),
    "governance_usd": ("operations.governance_hours_per_month",),
    "fine_tuning_usd": ("fine_tuning.one_off_usd", "fine_tuning.periodic_usd"),
    "migration_usd": (
        "migration.prompts_to_port",
        "migration.hours_per_prompt",
        "migration.evaluation_hours",
    ),
    "residual_credit_usd": ("owned.residual_value_fraction", "owned.useful_life_years"),
}
"""The assumptions each cost line scales with: named as the drivers of a decision whose cost is mostly
that line (only those the plan lists are named)."""


@dataclass(frozen=True)
class AssumptionRow:
    key: str
    value: Any
    unit: str
    source: str
    description: str


def _field_meta(key: str) -> tuple[str, str, str, Any, bool]:
    """(unit, source, description, default, found) of the configuration field ``section.key``."""
    section_name, _, name = key.partition(".")
    section_field = Config.model_fields.get(section_name)
    section_type = section_field.annotation if section_field else None
    if not (isinstance(section_type, type) and issubclass(section_type, BaseModel)):
        return "", "", "", None, False
    field = section_type.model_fields.get(name)
    if field is None:
        return "", "", "", None, False
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return (
        str(extra.get("unit", "")),
        str(extra.get("source", "")),
        field.description or "",
        field.default,
        True,
    )


def assumption_rows(assumptions: dict[str, Any], config_file: str | None) -> list[AssumptionRow]:
    """Every assumption of the plan with its value, unit and source, in the document's order."""
    rows = []
    for key, value in assumptions.items():
        unit, source, description, default, found = _field_meta(key)
        if not found:
            source = "not documented"
        elif value != default:
            source = f"set in {config_file}" if config_file else "set in the configuration"
        rows.append(
            AssumptionRow(key=key, value=value, unit=unit, source=cited_text(source), description=description)
        )
    return rows


def format_value(value: Any, unit: str = "") -> str:
    """A value with its unit for a sentence or a cell (``0.36 fraction``, ``unset``)."""
    if value is None:
        return "unset"
    text = f"{value:,.6g}" if isinstance(value, float) else str(value)
    spoken = unit and "'" not in unit and not unit.startswith(("path", "YYYY", "region", "provider"))
    return f"{text} {unit}" if spoken else text

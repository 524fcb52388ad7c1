"""Field declarations for the configuration model: every field carries its unit and its default's source.

``unit`` and ``source`` live in the field's JSON-schema extras, from which ``llm_tco.config.template``
writes the commented ``llm-tco.toml``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ASSUMPTION", "Strict", "assumption", "cite", "field"]

ASSUMPTION = "llm-tco assumption, no published figure found: set your own"


def assumption(why: str) -> str:
    """The source text of a default no published figure backs, with the reason for the value chosen."""
    return f"llm-tco assumption ({why}), no published figure found: set your own"


def cite(*source_ids: str, says: str) -> str:
    """The source text of a default taken from published figures: the ids of the entries in the bundled
    ``sources.yaml`` (where the user finds the URL, date and wording), then what was taken from them."""
    return f"{' + '.join(source_ids)}: {says}"


def field(
    default: Any,
    *,
    unit: str,
    source: str,
    description: str,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> Any:
    """A documented field: the description, unit and source travel to the generated template."""
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
        ge=ge,
        gt=gt,
        le=le,
        lt=lt,
    )


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

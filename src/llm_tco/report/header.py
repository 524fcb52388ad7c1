"""The header every report document carries (how it was made: versions, seed, configuration, input
files), apart from the documents themselves so that a command that writes one kind (``audit``) loads
neither the other kind's models nor the union that reads both (``llm_tco.report.document``)."""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SCHEMA_VERSION", "ConfigSnapshot", "ConfigValue", "DocumentHeader", "InputFile"]

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

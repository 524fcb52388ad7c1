"""The document header: which tool, price data and configuration a report was computed with.

The inputs' fingerprints come from the store (``llm_tco.audit.inputs``); everything else here is known
without it, so the renderers' package stays free of store and pricing imports.
"""

from __future__ import annotations

from pydantic import BaseModel

from llm_tco import __version__
from llm_tco.catalog.price_data import price_data_version
from llm_tco.config import Config
from llm_tco.report.header import ConfigSnapshot, ConfigValue, DocumentHeader, InputFile

__all__ = ["config_snapshot", "document_header"]


def config_snapshot(config: Config, config_file: str | None) -> ConfigSnapshot:
    """Every scalar assumption in force as ``section.key``, with its unit and where its value comes from:
    the configuration file when the file sets it, else the default's cited source."""
    values: list[ConfigValue] = []
    for section_name in type(config).model_fields:
        section = getattr(config, section_name)
        if not isinstance(section, BaseModel):
            continue
        set_in_file = section_name in config.model_fields_set
        for key, info in type(section).model_fields.items():
            value = getattr(section, key)
            if not (value is None or isinstance(value, bool | int | float | str)):
                continue
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            given = set_in_file and key in section.model_fields_set and config_file is not None
            values.append(
                ConfigValue(
                    key=f"{section_name}.{key}",
                    value=value,
                    unit=str(extra.get("unit", "")),
                    origin="config" if given else "default",
                    source=str(config_file) if given else str(extra.get("source", "")),
                )
            )
    return ConfigSnapshot(file=config_file, values=values)


def document_header(config: Config, config_file: str | None, inputs: list[InputFile]) -> dict[str, object]:
    """The header fields of a document computed now (to pass to ``AuditReport``/``PlanReport``)."""
    prices = price_data_version()
    header = DocumentHeader(
        tool_version=__version__,
        price_data_version=prices.genai_prices_version,
        price_data_date=f"{prices.fetched_at:%Y-%m-%d}" if prices.fetched_at else None,
        config=config_snapshot(config, config_file),
        inputs=inputs,
    )
    return dict(header)

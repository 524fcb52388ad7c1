"""User price file: negotiated discounts and private prices that override or add to genai-prices.

A YAML or TOML file with a list ``prices``; each entry applies to one model over a date range::

    prices:
      - provider: openai            # optional: any provider when absent
        model: gpt-4o               # genai-prices model id, or the model name as logged (case-insensitive)
        valid_from: 2025-01-01      # optional, inclusive (UTC date)
        valid_to: 2026-01-01        # optional, exclusive
        discount_pct: 15            # percent off every genai-prices rate of the model ...
        source: "MSA 2025, §4"
      - model: acme-private-70b     # ... or explicit prices in USD per 1M tokens (adds unknown models)
        input_mtok: 0.40
        output_mtok: 1.20
        cache_read_mtok: 0.10       # optional; partitions left out fall back as genai-prices does
        batch: false                # optional: only rows with this batch flag
        service_tier: priority      # optional: only rows of this service tier

(TOML: the same keys under ``[[prices]]`` tables.) When several entries apply to a row, the last one in
the file wins, as with genai-prices' own conditional prices. Explicit prices are flat (no long-context
tier); partitions without a price fall back the way genai-prices falls back (a cache read without
``cache_read_mtok`` costs ``input_mtok``, a 1-hour write without ``cache_write_1h_mtok`` costs
``cache_write_mtok``, reasoning without ``output_reasoning_mtok`` costs ``output_mtok``). A discount on a
model genai-prices cannot price has nothing to discount, and the model stays unpriced. A price is a finite
number from 0 to $10,000 per million tokens ($1,000,000 per 1,000 requests); the file is UTF-8 (a
byte-order mark is allowed).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Final

import yaml
from genai_prices.types import ModelPrice
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from llm_tco.catalog.providers import normalize_provider
from llm_tco.errors import ConfigError
from llm_tco.pricing.rates import PartitionRates, partition_rates, price_context_for

__all__ = ["PriceOverride", "PriceOverrides", "load_price_overrides", "parse_price_overrides"]

MAX_PRICE_USD_PER_MTOK: Final = Decimal(10_000)
"""The largest token price an entry may give, in USD per million tokens: a cent a token, over ten times the
dearest published price, so that a typo or a corrupt file (``1e300``) is refused rather than priced and
the rates and costs stay exact in the price tables."""
MAX_PRICE_USD_PER_KREQUESTS: Final = Decimal(1_000_000)
"""The largest per-request price, in USD per 1,000 requests ($1,000 a request)."""
_TokenPrice = Annotated[Decimal | None, Field(ge=0, le=MAX_PRICE_USD_PER_MTOK, allow_inf_nan=False)]
_RequestPrice = Annotated[Decimal | None, Field(ge=0, le=MAX_PRICE_USD_PER_KREQUESTS, allow_inf_nan=False)]
_EXPLICIT_KEYS = (
    "input_mtok",
    "output_mtok",
    "cache_read_mtok",
    "cache_write_mtok",
    "cache_write_1h_mtok",
    "output_reasoning_mtok",
    "requests_kcount",
)


class PriceOverride(BaseModel):
    """One entry of the user price file (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str | None = None
    model: str = Field(min_length=1)
    valid_from: date | None = None
    """First UTC date the entry applies to (inclusive); None = since always."""
    valid_to: date | None = None
    """First UTC date it no longer applies to (exclusive); None = for ever."""
    batch: bool | None = None
    service_tier: str | None = None
    discount_pct: Decimal | None = Field(default=None, ge=0, le=100)
    input_mtok: _TokenPrice = None
    output_mtok: _TokenPrice = None
    cache_read_mtok: _TokenPrice = None
    cache_write_mtok: _TokenPrice = None
    cache_write_1h_mtok: _TokenPrice = None
    output_reasoning_mtok: _TokenPrice = None
    requests_kcount: _RequestPrice = None
    """USD per 1,000 requests."""
    source: str | None = None
    """Where the price comes from (contract, quote, invoice): shown with the price."""

    @model_validator(mode="after")
    def _one_kind(self) -> PriceOverride:
        explicit = [k for k in _EXPLICIT_KEYS if getattr(self, k) is not None]
        if self.discount_pct is not None and explicit:
            raise ValueError(
                f"give either discount_pct or explicit prices, not both (found {', '.join(explicit)})"
            )
        if self.discount_pct is None:
            missing = [k for k in ("input_mtok", "output_mtok") if getattr(self, k) is None]
            if missing:
                raise ValueError(f"give discount_pct, or explicit prices including {' and '.join(missing)}")
            if self.cache_write_1h_mtok is not None and self.cache_write_mtok is None:
                raise ValueError("cache_write_1h_mtok needs cache_write_mtok (the 5-minute write price)")
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValueError(f"valid_to ({self.valid_to}) must be after valid_from ({self.valid_from})")
        return self

    def explicit_rates(self) -> PartitionRates | None:
        """The entry's explicit prices as partition rates (None for a discount entry)."""
        if self.discount_pct is not None:
            return None
        prices = {k: getattr(self, k) for k in _EXPLICIT_KEYS if getattr(self, k) is not None}
        return partition_rates(ModelPrice(**prices))

    def applies_to(
        self,
        *,
        provider: str | None,
        model_raw: str,
        model: str | None,
        batch: bool,
        service_tier: str | None,
    ) -> bool:
        """Whether the entry matches a usage series (its dates are checked separately)."""
        if self.provider is not None and normalize_provider(self.provider) != provider:
            return False
        wanted = self.model.strip().lower()
        if wanted not in (model_raw.strip().lower(), (model or "").lower()):
            return False
        if self.batch is not None and self.batch != batch:
            return False
        if self.service_tier is not None:
            own = price_context_for(False, self.service_tier) or {}
            theirs = price_context_for(False, service_tier) or {}
            if own.get("service_tier") != theirs.get("service_tier"):
                return False
        return True

    def active_on(self, day: date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_to is None or day < self.valid_to
        )


class _PriceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prices: list[PriceOverride] = Field(default_factory=list)


@dataclass(frozen=True)
class PriceOverrides:
    """The validated entries of one user price file, in file order (later entries win)."""

    entries: tuple[PriceOverride, ...]
    path: str | None = None

    def label(self, index: int) -> str:
        """``file#prices[i]`` with the entry's ``source`` note: names where a price came from."""
        where = f"{self.path or 'overrides'}#prices[{index}]"
        note = self.entries[index].source
        return f"{where} ({note})" if note else where


def load_price_overrides(path: str | Path) -> PriceOverrides:
    """Read and validate a price file; ``.toml`` is TOML, anything else YAML. Errors name file and key."""
    file = Path(path)
    kind = "TOML" if file.suffix.lower() == ".toml" else "YAML"
    try:
        # utf-8-sig: a byte-order mark (as some Windows editors write) is not part of the document
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read price file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{file}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
            f"save the price file as UTF-8"
        ) from None
    try:
        raw: Any = tomllib.loads(text) if kind == "TOML" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{file}: not valid {kind}: {first}") from exc
    except RecursionError:
        raise ConfigError(f"{file}: not valid {kind}: nested too deeply") from None
    return parse_price_overrides(raw if raw is not None else {}, str(file))


def parse_price_overrides(raw: Any, path: str = "<price file>") -> PriceOverrides:
    """Validate an already-parsed price file document (a mapping with a ``prices`` list)."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'prices' list at the top level")
    try:
        parsed = _PriceFile.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        where = _key_path(first["loc"])
        more = (
            f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
            if len(errors) > 1
            else ""
        )
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{path}: {where}: {message}{more}") from exc
    return PriceOverrides(tuple(parsed.prices), path)


def _key_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"

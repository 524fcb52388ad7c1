"""Everything the plan reads besides the workload profiles and the configuration, as plain values.

``build_plan`` is pure: it takes a :class:`PlanInputs`. :meth:`PlanInputs.bundled` assembles one from the
catalogs (GPUs, open models, capacity calibration, quality scores, hosted offers, API regions) and the
genai-prices data in force; tests build their own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from llm_tco.capacity.measured import Measurement
from llm_tco.capacity.specs import EfficiencyParams, GpuSpec, ModelSpec
from llm_tco.catalog.gpus import Gpu, gpu_spec
from llm_tco.catalog.providers import normalize_provider
from llm_tco.catalog.quality import QualityIndex
from llm_tco.config.model import Config
from llm_tco.errors import ConfigError, DataFileError
from llm_tco.pricing.overrides import PriceOverrides
from llm_tco.pricing.rates import PartitionRates

__all__ = [
    "ApiPricer",
    "CloudPrice",
    "GpuOffer",
    "OpenModelFacts",
    "PlanInputs",
    "ResolvedApiModel",
    "gpu_offer",
    "with_price_overrides",
    "with_user_files",
]


@dataclass(frozen=True)
class CloudPrice:
    """One published cloud price per GPU-hour (``regions`` None: the catalog has no region data)."""

    provider: str
    usd_per_gpu_hour: float
    regions: tuple[str, ...] | None


@dataclass(frozen=True, eq=False)
class GpuOffer:
    """A GPU as the plan needs it: spec for the capacity model, power, purchase and cloud prices."""

    id: str
    spec: GpuSpec
    tdp_w: float | None
    purchase_price_usd: float | None
    cloud_prices: dict[str, tuple[CloudPrice, ...]]
    """Deployment mode → published prices (modes without a published price are derived by the plan)."""


@dataclass(frozen=True)
class ResolvedApiModel:
    """An API model genai-prices can price: its provider, model id and rates for a request shape."""

    provider: str
    model: str
    rates: PartitionRates
    context_tokens: int | None = None
    """The model's context window (prompt + output tokens), None when the price data does not say."""
    batch_rates: PartitionRates | None = None
    """The provider's Batch API rates for the same model, where the price data has them (else None)."""


@dataclass(frozen=True)
class OpenModelFacts:
    """What the feasibility rules need about an open-weight model (beyond its architecture)."""

    context_tokens: int
    base_model: bool = False
    deprecated_on: str | None = None
    """ISO date."""
    superseded_by: str | None = None


ApiPricer = Callable[[str | None, str, datetime, int], ResolvedApiModel | None]
"""(provider or None, model, instant, mean input tokens per request) → rates, or None when unpriced."""


@dataclass(frozen=True, eq=False)
class PlanInputs:
    """Catalog values for :func:`llm_tco.plan.build_plan` (compared and hashed by identity, so that the
    capacity look-ups can be memoised per inputs)."""

    gpus: tuple[GpuOffer, ...]
    open_models: dict[str, ModelSpec]
    efficiency: EfficiencyParams
    quality: QualityIndex
    hosted: tuple[tuple[str, str, str], ...]
    """(provider, genai-prices model id, open-model slug) of every hosted open-weight offer."""
    api_regions: dict[str, tuple[str, ...] | None]
    """Provider → regions (None: unknown)."""
    pricer: ApiPricer
    price_data: str = "genai-prices"
    engine: str = "vllm"
    notes: tuple[str, ...] = field(default=())
    open_model_facts: dict[str, OpenModelFacts] = field(default_factory=dict)
    """Open-model catalog id → context window and lifecycle (empty: not checked)."""
    region_areas: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Sovereignty code → cloud region names inside it that its name does not show (``europe-west4`` in
    ``eu``), from the API-region catalog."""
    price_change_days: tuple[date, ...] = ()
    """Days the user's price file starts or ends an entry (``valid_from``/``valid_to``), sorted: an API
    option is repriced in the months from each (see :mod:`llm_tco.plan.api_options`)."""
    measurements: tuple[Measurement, ...] = ()
    """The user's throughput measurements (``[capacity] measured``): they replace the capacity model's
    figures for the configurations they cover."""

    @classmethod
    def bundled(cls) -> PlanInputs:
        """The catalogs shipped with llm-tco and the genai-prices data in force (built once per process)."""
        return _bundled()

    @classmethod
    def _load_bundled(cls) -> PlanInputs:
        from llm_tco.catalog.calibration import calibration_params
        from llm_tco.catalog.gpus import list_gpus
        from llm_tco.catalog.hosted import api_regions, hosted_offers
        from llm_tco.catalog.open_models import list_open_models, model_spec
        from llm_tco.catalog.price_data import price_data_version
        from llm_tco.catalog.quality import quality_index

        gpus = [gpu_offer(gpu) for gpu in list_gpus()]
        regions = api_regions()
        providers = {entry.provider for entry in regions.providers}
        return cls(
            gpus=tuple(gpus),
            open_models={m.id: model_spec(m) for m in list_open_models()},
            efficiency=calibration_params(),
            quality=quality_index(),
            hosted=tuple((o.provider, o.model, o.open_model) for o in hosted_offers()),
            api_regions={p: regions.regions(p) for p in providers},
            region_areas={code: tuple(names) for code, names in regions.areas.items()},
            pricer=genai_prices_pricer,
            price_data=price_data_version().label,
            open_model_facts={
                m.id: OpenModelFacts(
                    context_tokens=m.context_length,
                    base_model=m.base_model,
                    deprecated_on=m.deprecated_on.isoformat() if m.deprecated_on else None,
                    superseded_by=m.superseded_by,
                )
                for m in list_open_models()
            },
        )


def with_price_overrides(inputs: PlanInputs, overrides: PriceOverrides) -> PlanInputs:
    """``inputs`` pricing API models as the audit does with the same price file (``--prices``): the last
        entry that matches the provider and model and is in force on the day asked wins; an explicit entry
        prices the model itself (a private model becomes priced), a discount lowers every genai-prices rate of
        it. Prices are those in force at the instant asked; the days entries start or end are kept so that the
    plan reprices an API option from the month an entry starts or expires."""
    base = inputs.pricer

    def pricer(
        provider: str | None, model: str, at: datetime, mean_input_tokens: int
    ) -> ResolvedApiModel | None:
        resolved = base(provider, model, at, mean_input_tokens)
        own = normalize_provider(provider) if provider else None
        entry = None
        for candidate in overrides.entries:
            if candidate.active_on(at.date()) and candidate.applies_to(
                provider=own if own is not None else (resolved.provider if resolved else None),
                model_raw=model,
                model=resolved.model if resolved else None,
                batch=False,
                service_tier=None,
            ):
                entry = candidate
        if entry is None:
            return resolved
        explicit = entry.explicit_rates()
        if explicit is not None:
            name = resolved.provider if resolved else (own or entry.provider or "unknown")
            return ResolvedApiModel(name, resolved.model if resolved else model, explicit)
        if resolved is None or entry.discount_pct is None:
            return resolved
        return replace(resolved, rates=resolved.rates.scaled(1 - entry.discount_pct / 100))

    label = f"{inputs.price_data} + {overrides.path or 'price file'}"
    days = {d for e in overrides.entries for d in (e.valid_from, e.valid_to) if d is not None}
    return replace(inputs, pricer=pricer, price_data=label, price_change_days=tuple(sorted(days)))


def with_user_files(inputs: PlanInputs, config: Config, base_dir: Path | None) -> PlanInputs:
    """``inputs`` with the files the configuration names (``[catalog] gpus_file`` and ``models_file``,
    ``[capacity] measured``), read relative to ``base_dir`` (the configuration file's folder; the working
    directory when None)."""
    from llm_tco.catalog.measurements import load_measurements

    inputs = _with_catalog_files(inputs, config, base_dir)
    if config.capacity.measured is None:
        return inputs
    path = _user_path(config.capacity.measured, base_dir, "capacity.measured")
    known = (frozenset(inputs.open_models), frozenset(gpu.id for gpu in inputs.gpus))
    return replace(inputs, measurements=tuple(load_measurements(path, known_ids=known)))


def gpu_offer(gpu: Gpu) -> GpuOffer:
    """A GPU catalog entry as the plan needs it."""
    prices: dict[str, list[CloudPrice]] = {}
    for price in gpu.cloud_prices:
        listed = tuple(price.regions) if price.regions is not None else None
        prices.setdefault(price.deployment, []).append(
            CloudPrice(price.provider, price.usd_per_gpu_hour, listed)
        )
    return GpuOffer(
        id=gpu.id,
        spec=gpu_spec(gpu),
        tdp_w=gpu.tdp_w,
        purchase_price_usd=gpu.purchase_price_usd.value,
        cloud_prices={mode: tuple(p) for mode, p in prices.items()},
    )


def _user_path(value: str, base_dir: Path | None, key: str) -> Path:
    path = Path(value)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.is_file():
        raise ConfigError(f"{key}: no such file {path}")
    return path


def _with_catalog_files(inputs: PlanInputs, config: Config, base_dir: Path | None) -> PlanInputs:
    """``inputs`` with the GPUs and open models of ``[catalog] gpus_file`` / ``models_file`` added (the
    bundled schemas, validated the same way; an id the catalog already has is an error)."""
    from llm_tco.catalog._load import load_file
    from llm_tco.catalog.gpus import GpuCatalog
    from llm_tco.catalog.open_models import OpenModelCatalog, model_spec

    gpus, models = inputs.gpus, inputs.open_models
    if config.catalog.gpus_file is not None:
        path = _user_path(config.catalog.gpus_file, base_dir, "catalog.gpus_file")
        known = {gpu.id for gpu in gpus}
        extra = load_file(path, GpuCatalog).gpus
        for gpu in extra:
            if gpu.id in known:
                raise DataFileError(f"{path}: GPU id {gpu.id!r} is already in the catalog; use another id")
        gpus = (*gpus, *(gpu_offer(gpu) for gpu in extra))
    if config.catalog.models_file is not None:
        path = _user_path(config.catalog.models_file, base_dir, "catalog.models_file")
        models = dict(models)
        for model in load_file(path, OpenModelCatalog).models:
            if model.id in models:
                raise DataFileError(
                    f"{path}: model id {model.id!r} is already in the catalog; use another id"
                )
            models[model.id] = model_spec(model)
    if gpus is inputs.gpus and models is inputs.open_models:
        return inputs
    return replace(inputs, gpus=gpus, open_models=models)


@functools.cache
def _bundled() -> PlanInputs:
    return PlanInputs._load_bundled()


def genai_prices_pricer(
    provider: str | None, model: str, at: datetime, mean_input_tokens: int
) -> ResolvedApiModel | None:
    """Rates of a model in the genai-prices data in force (standard tier), for requests of
    ``mean_input_tokens`` input (which selects a long-context tier), with its Batch API rates where the
    price data has a batch price for it."""
    from llm_tco.catalog.model_names import resolve_model
    from llm_tco.pricing.rates import price_context_for, rates_at

    resolution = resolve_model(provider, model)
    if resolution.model_info is None or resolution.provider is None or resolution.model is None:
        return None
    rates = rates_at(
        resolution.model_info,
        at,
        None,
        variants_apply=resolution.variants_apply,
        input_tokens=mean_input_tokens,
    )
    batch = rates_at(
        resolution.model_info,
        at,
        price_context_for(True, None),
        variants_apply=resolution.variants_apply,
        input_tokens=mean_input_tokens,
    )
    window = getattr(resolution.model_info, "context_window", None)
    return ResolvedApiModel(
        resolution.provider,
        resolution.model,
        rates,
        int(window) if isinstance(window, int) else None,
        batch_rates=batch if batch != rates else None,
    )

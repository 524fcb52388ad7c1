"""Configuration mistakes the TOML schema cannot see, caught before planning.

The schema accepts any string where a GPU or model name goes; only the catalogs know which names exist.
A GPU or model name that matches nothing would silently empty a list (no self-hosting, no override), so
it is an error naming the key and the closest names. A ``[workloads.<name>]`` table for a workload the
audit has not seen is only a warning (the workload may simply have had no traffic yet).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable

from llm_tco.catalog._load import normalise_name
from llm_tco.catalog.gpus import select_gpus
from llm_tco.config.model import Config
from llm_tco.errors import ConfigError, LookupFailedError

__all__ = ["known_model", "resolve_config_names", "unknown_workload_warnings"]


@functools.cache
def _catalog_names() -> dict[str, str]:
    """Normalised spelling → display name of every model the catalogs know (quality and open models)."""
    from llm_tco.catalog.open_models import list_open_models
    from llm_tco.catalog.quality import quality_catalog

    names: dict[str, str] = {}
    for entry in quality_catalog().models:
        for name in (entry.id, *entry.aliases):
            names[normalise_name(name)] = entry.id
    for model in list_open_models():
        for name in (model.id, model.hf_id, *model.aliases):
            names[normalise_name(name)] = model.id
    return names


def known_model(name: str) -> bool:
    """Whether ``name`` is a model llm-tco can place: a quality-catalog or open-model entry (or a
    variant of one), or a model genai-prices prices."""
    from llm_tco.catalog.model_names import resolve_model
    from llm_tco.catalog.open_models import get_open_model

    if normalise_name(name) in _catalog_names():
        return True
    try:
        get_open_model(name)
        return True
    except LookupFailedError:
        pass
    return resolve_model(None, name).model is not None


def _check_models(names: Iterable[str], key: str, source: str) -> None:
    for name in names:
        if not known_model(name):
            close = difflib.get_close_matches(normalise_name(name), list(_catalog_names()), n=3, cutoff=0.6)
            suggestions = list(dict.fromkeys(_catalog_names()[c] for c in close))
            hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
            raise ConfigError(f"{source}: {key}: unknown model {name!r}{hint}")


def resolve_config_names(config: Config, source: str) -> Config:
    """``config`` with the GPU names of ``[gpu] gpus`` and ``[owned] purchase_price_usd_per_gpu`` resolved
    to catalog ids (aliases and families expanded), after
    checking every model name the file gives; ``ConfigError`` naming the key otherwise."""
    try:
        gpus = select_gpus(list(config.gpu.gpus))
    except LookupFailedError as exc:
        raise ConfigError(f"{source}: gpu.gpus: {exc}") from None
    prices: dict[str, float] = {}
    for name, price in config.owned.purchase_price_usd_per_gpu.items():
        try:
            for gpu_id in select_gpus([name]):
                prices[gpu_id] = price
        except LookupFailedError as exc:
            raise ConfigError(f"{source}: owned.purchase_price_usd_per_gpu: {exc}") from None
    _check_models(config.quality.ratio_overrides, "quality.ratio_overrides", source)
    _check_models(config.candidates.models, "candidates.models", source)
    _check_models(config.candidates.exclude_models, "candidates.exclude_models", source)
    for workload, table in config.workloads.items():
        _check_models(table.quality_ratio_overrides, f"workloads.{workload}.quality_ratio_overrides", source)
        _check_models(table.quality, f"workloads.{workload}.quality", source)
    if gpus != list(config.gpu.gpus):
        config = config.model_copy(update={"gpu": config.gpu.model_copy(update={"gpus": gpus})})
    if prices != config.owned.purchase_price_usd_per_gpu:
        owned = config.owned.model_copy(update={"purchase_price_usd_per_gpu": prices})
        config = config.model_copy(update={"owned": owned})
    return config


def unknown_workload_warnings(config: Config, audited: Iterable[str]) -> list[str]:
    """One line per ``[workloads.<name>]`` table that names no audited workload, with the closest names."""
    seen = sorted(set(audited))
    lines = []
    for name in config.workloads:
        if name in seen:
            continue
        close = difflib.get_close_matches(name, seen, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        lines.append(f"[workloads.{name}] names no audited workload (its settings are unused){hint}")
    return lines

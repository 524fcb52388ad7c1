"""Hosted open-weight API offers, derived from genai-prices' bundled data, and API provider regions.

A hosted offer is a (provider, genai-prices model id) whose model is an open-weight model of the open-model
catalog. The mapping is derived, not hand-listed: the provider's model id is normalised (organisation and
cloud prefixes, version and serving suffixes such as ``-instruct-turbo``, ``-versatile``, ``-v1:0``,
``v3p1`` → ``3.1``) and resolved through the catalog's own alias rules (``get_open_model``). Ids that would
map a different release onto a catalog entry (Llama 3.0 onto 3.1) and third-party fine-tunes are skipped.
Deprecated models are skipped.

Regions come from ``llm_tco/data/api_regions.yaml``; a provider without region data is ``None`` (unknown).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from pydantic import Field

from llm_tco.catalog._load import StrictModel, load_bundled, normalise_name
from llm_tco.catalog.open_models import list_open_models, variant_base_name
from llm_tco.catalog.price_data import current_snapshot

__all__ = [
    "OPEN_MODEL_PROVIDERS",
    "ApiRegions",
    "HostedOffer",
    "api_regions",
    "hosted_offers",
    "open_model_slug",
    "region_matches",
]

OPEN_MODEL_PROVIDERS: tuple[str, ...] = (
    "together",
    "fireworks",
    "groq",
    "deepseek",
    "aws",
    "cerebras",
    "novita",
)
"""genai-prices providers that host open-weight models (their closed models, e.g. Bedrock's Claude, do not
map to the open-model catalog and are not offered)."""

_SERVING_TOKENS = re.compile(
    r"-(turbo|versatile|specdec|lite|instant|basic|fast|instruct|chat|it|hf|fp8|bf16|maas|reasoning|preview"
    r"|\d+k|\d{4}|v\d+(\.\d+)?|us)(?=-|$)"
)
_SKIP = re.compile(r"^togethercomputer/|llama-?3-(8|70)b", re.IGNORECASE)


@dataclass(frozen=True)
class HostedOffer:
    """One open-weight model served per token by a hosting provider."""

    provider: str
    model: str
    """genai-prices model id."""
    open_model: str
    """Open-model catalog slug."""


def open_model_slug(model_id: str) -> str | None:
    """The open-model catalog slug a provider's model id designates, or None."""
    if _SKIP.search(model_id):
        return None
    key = model_id.lower().rsplit("/", 1)[-1]
    key = re.sub(r"-v?\d+:\d+$|-v\d+$|:\d+$", "", key)
    key = re.sub(r"^(meta|qwen|openai|deepseek|google|mistral|nvidia)\.", "", key)
    key = re.sub(r"(\d)p(\d)", r"\1.\2", key)
    key = re.sub(r"^llama(\d)-(\d)-", r"llama-\1.\2-", key)
    key = re.sub(r"^llama-?v?(\d)", r"llama-\1", key)
    key = key.removeprefix("meta-")
    previous = None
    while previous != key:
        previous, key = key, _SERVING_TOKENS.sub("", key)
    names = _open_model_names()
    return names.get(normalise_name(key)) or names.get(variant_base_name(key))


@functools.cache
def _open_model_names() -> dict[str, str]:
    """Every spelling the open-model catalog accepts (its ids, names, aliases and their base names) → id;
    the same rules as ``get_open_model``, without its "did you mean" search on a miss."""
    names: dict[str, str] = {}
    for model in list_open_models():
        for name in (model.id, model.hf_id, model.name, *model.aliases):
            names.setdefault(normalise_name(name), model.id)
            names.setdefault(variant_base_name(name), model.id)
    return names


@functools.cache
def hosted_offers() -> tuple[HostedOffer, ...]:
    """Every hosted open-weight offer in the price data in force."""
    offers = []
    for provider in current_snapshot().providers:
        if provider.id not in OPEN_MODEL_PROVIDERS:
            continue
        for model in provider.models:
            if model.deprecated:
                continue
            slug = open_model_slug(model.id)
            if slug is not None:
                offers.append(HostedOffer(provider.id, model.id, slug))
    return tuple(offers)


class ProviderRegions(StrictModel):
    provider: str
    regions: list[str] | None
    source: str
    as_of: date


class ApiRegions(StrictModel):
    """The whole ``api_regions.yaml``."""

    schema_version: int
    providers: list[ProviderRegions] = Field(default_factory=list)
    areas: dict[str, list[str]] = Field(default_factory=dict)
    """Sovereignty code → cloud region names inside it that do not start with ``<code>-`` (e.g. Google
    Cloud's ``europe-west4`` and Azure's ``westeurope`` are in ``eu``)."""

    def in_area(self, code: str, region: str) -> bool:
        """Whether ``region`` satisfies ``region:<code>``: by name (see :func:`region_matches`) or listed in
        the area."""
        code = code.lower()
        return region_matches(code, (region,)) or region.lower() in {
            r.lower() for r in self.areas.get(code, [])
        }

    def regions(self, provider: str) -> tuple[str, ...] | None:
        """The provider's regions, or None when unknown."""
        for entry in self.providers:
            if entry.provider == provider:
                return tuple(entry.regions) if entry.regions is not None else None
        return None


@functools.cache
def api_regions() -> ApiRegions:
    """The bundled provider regions (validated once)."""
    return load_bundled("api_regions.yaml", ApiRegions)


def region_matches(code: str, regions: tuple[str, ...] | list[str]) -> bool:
    """Whether a region list satisfies ``region:<code>``: equal, or a sub-region (``eu`` ⊃ ``eu-west-1``)."""
    code = code.lower()
    return any(r.lower() == code or r.lower().startswith(code + "-") for r in regions)

"""Resolve a (provider, model as logged) pair to a genai-prices model, once per distinct pair.

Matching is genai-prices' own (``DataSnapshot.find_provider_model``): its per-model match rules cover
dated snapshots (``gpt-4o-2024-08-06`` → ``gpt-4o``), version aliases, compact dates
(``gpt-5.2-20251211``) and provider fallbacks (Azure → OpenAI's models). On top of it, two retries for
the prefixed names gateways log, tried only when the name does not match as it is:

1. the name without its ``prefix/`` under the given provider (``models/gemini-2.5-pro`` under ``google``);
2. genai-prices' LiteLLM rule: the prefix names the provider (``openai/gpt-4o`` → ``openai``,
   ``vertex_ai/gemini-2.5-pro`` → ``google`` through :func:`normalize_provider`), only when no provider is
   given or the prefix names the same one.

A provider genai-prices does not know (e.g. ``vllm`` for self-hosted serving) resolves to nothing: such
usage is not billed per token by any catalogued provider, so it is listed as unpriced, not guessed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from genai_prices.data_snapshot import DataSnapshot
from genai_prices.types import ModelInfo, Provider

from llm_tco.catalog.price_data import current_snapshot
from llm_tco.catalog.providers import infer_provider, normalize_provider
from llm_tco.errors import LookupFailedError

__all__ = ["Resolution", "require_model", "resolve_model", "suggest_models"]

_MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one (provider, model_raw) pair.

    ``provider`` is the genai-prices provider the usage is billed by (given or inferred), ``model`` the
    genai-prices model id, or None when the pair cannot be priced (``suggestions`` then lists close model
    ids, best first, and ``reason`` says why).
    """

    provider: str | None
    model: str | None
    suggestions: tuple[str, ...] = ()
    reason: str | None = None
    model_ref: str | None = None
    """The name genai-prices matched (``model_raw`` or a prefix-stripped form of it)."""
    provider_info: Provider | None = field(default=None, compare=False, repr=False)
    model_info: ModelInfo | None = field(default=None, compare=False, repr=False)

    @property
    def resolved(self) -> bool:
        return self.model is not None

    @property
    def variants_apply(self) -> bool:
        """Whether request-context price variants (batch, service tier) apply.

        genai-prices ignores the price context for a model found through a provider's fallback list
        (e.g. an OpenAI model priced under ``azure``); so do we.
        """
        if self.provider_info is None or self.model_info is None:
            return False
        return any(m is self.model_info for m in self.provider_info.models)


_cache: dict[tuple[int, str | None, str, bool], tuple[DataSnapshot, Resolution]] = {}


def resolve_model(provider: str | None, model_raw: str, *, suggest: bool = True) -> Resolution:
    """Resolve a logged (provider, model) pair with genai-prices' matching rules; cached per snapshot.

    ``suggest`` False leaves an unknown name's ``suggestions`` empty: the fuzzy search over every model
    name is slow, and callers that only try spellings (the quality catalog's) never show it."""
    snapshot = current_snapshot()
    key = (id(snapshot), provider, model_raw, suggest)
    hit = _cache.get(key)
    if hit is None or hit[0] is not snapshot:  # the identity check guards against a reused id()
        hit = _cache[key] = (snapshot, _resolve(snapshot, provider, model_raw, suggest))
    return hit[1]


def require_model(provider: str | None, model_raw: str) -> Resolution:
    """:func:`resolve_model` for a single look-up: raise :class:`LookupFailedError` with suggestions."""
    resolution = resolve_model(provider, model_raw)
    if not resolution.resolved:
        kind = "provider" if resolution.reason == "unknown provider" else "model"
        name = provider if kind == "provider" and provider else model_raw
        raise LookupFailedError(kind, name or model_raw, list(resolution.suggestions))
    return resolution


def _resolve(snapshot: DataSnapshot, provider: str | None, model_raw: str, suggest: bool) -> Resolution:
    provider_id = normalize_provider(provider)
    ref = model_raw.strip()
    if not ref:
        return Resolution(provider_id, None, (), "empty model name")
    if provider_id is not None:
        try:
            snapshot.find_provider(None, provider_id, None)
        except LookupError:
            suggestions = _suggest_providers(snapshot, provider_id)
            return Resolution(provider_id, None, suggestions, "unknown provider")
    for candidate_provider, candidate_ref in _candidates(provider_id, ref):
        try:
            found_provider, model = snapshot.find_provider_model(
                candidate_ref, None, candidate_provider, None
            )
        except LookupError:
            continue
        return Resolution(found_provider.id, model.id, (), None, candidate_ref, found_provider, model)
    inferred = provider_id or infer_provider(ref)
    reason = "unknown model" if inferred else "no provider given and none matches the model name"
    return Resolution(inferred, None, suggest_models(ref, inferred) if suggest else (), reason)


def _candidates(provider_id: str | None, ref: str) -> list[tuple[str | None, str]]:
    candidates: list[tuple[str | None, str]] = [(provider_id, ref)]
    if "/" in ref:
        prefix, rest = ref.split("/", 1)
        if provider_id is not None:
            candidates.append((provider_id, rest))
        prefix_provider = normalize_provider(prefix)
        if prefix_provider is not None and provider_id in (None, prefix_provider):
            candidates.append((prefix_provider, rest))
    return candidates


def suggest_models(model_raw: str, provider_id: str | None = None) -> tuple[str, ...]:
    """Close genai-prices model ids for an unknown name ("did you mean"), best first.

    Compares the lower-cased name (and its last ``/`` segment) with every model id and display name of
    the provider (with its fallback providers), or of all providers when the provider is unknown: first
    the known names the name extends (``gpt-4o-ultra`` → ``gpt-4o``), then difflib's close matches.
    """
    snapshot = current_snapshot()
    providers = snapshot.providers
    if provider_id is not None:
        own = [p for p in providers if p.id == provider_id]
        if own:
            fallback = set(own[0].fallback_model_providers or ())
            providers = own + [p for p in providers if p.id in fallback]
    names: dict[str, str] = {}
    for p in providers:
        for m in p.models:
            names.setdefault(m.id.lower(), m.id)
            if m.name:
                names.setdefault(m.name.lower(), m.id)
    wanted = model_raw.strip().lower()
    queries = [wanted] + ([wanted.rsplit("/", 1)[1]] if "/" in wanted else [])
    out: list[str] = []
    for query in queries:
        # a known model the name extends ("gpt-4o-ultra" → "gpt-4o"), longest first, then close spellings
        extended = sorted((n for n in names if len(n) >= 3 and query.startswith(n)), key=len, reverse=True)
        close = difflib.get_close_matches(query, list(names), n=_MAX_SUGGESTIONS * 2, cutoff=0.6)
        for match in [*extended[:2], *close]:
            model_id = names[match]
            if model_id not in out:
                out.append(model_id)
    return tuple(out[:_MAX_SUGGESTIONS])


def _suggest_providers(snapshot: DataSnapshot, provider_id: str) -> tuple[str, ...]:
    ids = [p.id for p in snapshot.providers]
    return tuple(difflib.get_close_matches(provider_id, ids, n=_MAX_SUGGESTIONS, cutoff=0.6))

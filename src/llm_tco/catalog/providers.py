"""Provider ids: map the spellings sources use to genai-prices provider ids.

Canonical usage rows carry genai-prices provider ids (DESIGN.md, "Canonical usage row"), because that is
the catalogue prices are looked up in. Sources spell providers their own way: OpenTelemetry's
``gen_ai.provider.name`` (``aws.bedrock``, ``gcp.vertex_ai``, ``azure.ai.openai``, ``x_ai``, ...), its
deprecated ``gen_ai.system`` values (``vertex_ai``, ``gemini``, ``xai``), LiteLLM's ``custom_llm_provider``
(``bedrock``, ``together_ai``, ``fireworks_ai``, ...). :func:`normalize_provider` maps all of them.

The explicit table comes first on purpose: genai-prices' own ``provider_match`` rules are substring tests
(e.g. "contains ``openai``") and would send ``azure.ai.openai`` to OpenAI, whose prices differ from
Azure's.
"""

from __future__ import annotations

from typing import Final

from genai_prices.data_snapshot import find_provider_by_id

from llm_tco.catalog.price_data import current_snapshot

__all__ = ["GATEWAYS", "PROVIDER_ALIASES", "infer_provider", "normalize_provider"]

PROVIDER_ALIASES: Final[dict[str, str]] = {
    # OpenTelemetry gen_ai.provider.name (semantic-conventions-genai registry)
    "aws.bedrock": "aws",
    "azure.ai.inference": "azure",
    "azure.ai.openai": "azure",
    "gcp.gemini": "google",
    "gcp.gen_ai": "google",
    "gcp.vertex_ai": "google",
    "mistral_ai": "mistral",
    "moonshot_ai": "moonshotai",
    "x_ai": "x-ai",
    # deprecated gen_ai.system values and common source spellings
    "amazon": "aws",
    "amazon_bedrock": "aws",
    "aws_bedrock": "aws",
    "bedrock": "aws",
    "bedrock_converse": "aws",
    "azure_ai": "azure",
    "azure_openai": "azure",
    "az.ai.inference": "azure",
    "az.ai.openai": "azure",
    "gemini": "google",
    "google_genai": "google",
    "google_vertex": "google",
    "vertex": "google",
    "vertex_ai": "google",
    "vertex_ai_beta": "google",
    "fireworks_ai": "fireworks",
    "mistralai": "mistral",
    "moonshot": "moonshotai",
    "together_ai": "together",
    "togetherai": "together",
    "together-ai": "together",
    "xai": "x-ai",
    "x.ai": "x-ai",
    "grok": "x-ai",
    "zhipu": "zhipuai",
}
"""Source spelling (lower case) → genai-prices provider id, for spellings genai-prices does not map itself."""

GATEWAYS: Final = frozenset({"litellm", "litellm_proxy"})
"""Gateways that route to many providers: they name no provider; the model's ``prefix/`` or name does."""


def normalize_provider(value: str | None) -> str | None:
    """The genai-prices provider id for a source's provider spelling; None for a missing or blank value
    or a gateway that names no provider (``litellm``).

    Order: the explicit alias table, then a genai-prices id as it is, then genai-prices' own
    ``provider_match`` rules. A spelling none of them knows is returned lower-cased and stripped, so the
    row keeps what the source said and is later listed as unpriced ("unknown provider") rather than
    priced under a guessed provider.
    """
    if value is None:
        return None
    key = value.strip().lower()
    if not key or key in GATEWAYS:
        return None
    if key in PROVIDER_ALIASES:
        return PROVIDER_ALIASES[key]
    provider = find_provider_by_id(current_snapshot().providers, key)
    return provider.id if provider is not None else key


def infer_provider(model_raw: str) -> str | None:
    """The provider genai-prices infers from a model name alone (its ``model_match`` rules), or None.

    Used when a source names the model but not the provider (e.g. ``claude-sonnet-4-5`` → ``anthropic``,
    ``gpt-4o`` → ``openai``).
    """
    try:
        return current_snapshot().find_provider(model_raw.lower(), None, None).id
    except LookupError:
        return None

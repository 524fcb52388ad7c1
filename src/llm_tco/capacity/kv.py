"""KV-cache size by attention type.

Per token and layer a cache holds:

- multi-head / grouped-query attention: keys and values for every KV head,
  ``2 × kv_heads × head_dim`` values;
- multi-head latent attention (DeepSeek-V2/V3): one compressed latent plus the decoupled RoPE key,
  ``kv_lora_rank + qk_rope_head_dim`` values (576 for DeepSeek-V3, against 2 × 128 × 128 = 32,768 if it
  were multi-head);
- sliding-window layers (gpt-oss, Gemma 3, Mistral 7B): the same per-token size, but only the last
  ``window`` tokens are kept and read.

Under tensor parallelism the KV heads are split across GPUs; with fewer KV heads than GPUs each head is
replicated. A latent cache is replicated on every GPU of the group (vLLM and SGLang without data-parallel
attention do so), which is why tensor parallelism does not grow an MLA model's per-GPU KV capacity.
"""

from __future__ import annotations

import math

from llm_tco.capacity.precision import KV_BYTES_PER_VALUE
from llm_tco.capacity.specs import ModelSpec

__all__ = [
    "kv_bytes_for_context",
    "kv_bytes_per_token",
    "kv_bytes_per_token_per_layer",
    "kv_share_per_gpu",
]


def kv_bytes_per_token_per_layer(model: ModelSpec, kv_precision: str) -> float:
    """Bytes one token adds to one layer's cache."""
    value_bytes = KV_BYTES_PER_VALUE[kv_precision]
    if model.attention == "mla":
        if model.mla is None:
            raise ValueError(f"model {model.id} has attention 'mla' but no MLA dimensions")
        return (model.mla.kv_lora_rank + model.mla.qk_rope_head_dim) * value_bytes
    return 2.0 * model.kv_heads * model.head_dim * value_bytes


def kv_bytes_for_context(model: ModelSpec, kv_precision: str, context_tokens: float) -> float:
    """Bytes cached (and read at each decode step) for one sequence holding ``context_tokens`` tokens.

    Full-attention layers hold every token; sliding-window layers hold at most the window.
    """
    per_layer = kv_bytes_per_token_per_layer(model, kv_precision)
    full_layers = model.layers - model.sliding_layers
    held = full_layers * context_tokens
    if model.sliding_layers and model.sliding_window_tokens:
        held += model.sliding_layers * min(context_tokens, float(model.sliding_window_tokens))
    return per_layer * held


def kv_bytes_per_token(model: ModelSpec, kv_precision: str, context_tokens: float | None = None) -> float:
    """Bytes per cached token over all layers.

    Without ``context_tokens`` every layer counts in full (the figure usually quoted, and exact for models
    without sliding-window layers); with it, the average per token of a sequence of that length, so
    sliding-window layers contribute only their window.
    """
    if context_tokens is None:
        return model.layers * kv_bytes_per_token_per_layer(model, kv_precision)
    if context_tokens <= 0:
        raise ValueError("context_tokens must be positive")
    return kv_bytes_for_context(model, kv_precision, context_tokens) / context_tokens


def kv_share_per_gpu(model: ModelSpec, tp: int, *, attention_dp: bool = False) -> float:
    """Fraction of a sequence's cache that each GPU of a ``tp``-way group holds, averaged over the group.

    KV heads are split ``tp`` ways, each GPU keeping ``ceil(kv_heads / tp)`` heads (at least one, so heads
    are replicated when ``tp > kv_heads``); a latent (MLA) cache is replicated whole. Under data-parallel
    attention each sequence lives whole on one GPU of the group: ``1 / tp`` on average.
    """
    if attention_dp:
        return 1.0 / tp
    if model.attention == "mla":
        return 1.0
    heads_per_gpu = max(1, math.ceil(model.kv_heads / tp))
    return heads_per_gpu / model.kv_heads

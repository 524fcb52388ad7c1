"""Memory: how many bytes the weights take, what is left for the KV cache, and whether a model fits.

Per GPU of a tensor-parallel group of ``tp``::

    usable      = memory × gpu_memory_utilization          (the share the engine claims; vLLM default 0.90)
    weights     = weight bytes / tp                         (every weight matrix is sharded)
    activations = runtime reserve + batched tokens × hidden × 2 B × activation multiple
    kv capacity = usable − weights − activations

The weight bytes separate the routed experts (stored in the MoE format), the rest of the transformer
(attention, dense MLPs, shared experts, norms) and the 16-bit embeddings and output head. The routed share is
computed from the architecture; the rest is the published total minus routed minus embeddings, so a model's
headline parameter count is respected.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from llm_tco.capacity.kv import kv_bytes_for_context, kv_share_per_gpu
from llm_tco.capacity.precision import BYTES_PER_PARAM
from llm_tco.capacity.specs import EfficiencyParams, GpuSpec, ModelSpec

__all__ = [
    "MemoryBreakdown",
    "WeightBreakdown",
    "activation_reserve_bytes",
    "attention_weight_bytes",
    "memory_breakdown",
    "weight_breakdown",
]

_EMBEDDING_BYTES_PER_PARAM = 2.0


@dataclass(frozen=True, slots=True)
class WeightBreakdown:
    """Parameter counts and stored bytes of one full copy of the model."""

    embedding_params: float
    lm_head_params: float
    routed_expert_params: float
    core_params: float
    params_per_expert: float
    embedding_bytes: float
    lm_head_bytes: float
    routed_expert_bytes: float
    core_bytes: float

    @property
    def total_bytes(self) -> float:
        """Bytes of every stored weight."""
        return self.embedding_bytes + self.lm_head_bytes + self.routed_expert_bytes + self.core_bytes

    @property
    def bytes_per_expert(self) -> float:
        """Stored bytes of one routed expert in one layer."""
        if self.routed_expert_params == 0:
            return 0.0
        return self.routed_expert_bytes * self.params_per_expert / self.routed_expert_params


@functools.lru_cache(maxsize=4096)
def weight_breakdown(model: ModelSpec, precision: str) -> WeightBreakdown:
    """Split the weights into embeddings, output head, routed experts and the rest, with their bytes.

    Memoised: the iteration-time model asks for it at every step it times, always for the same few
    (model, precision) pairs."""
    embedding = float(model.vocab_size * model.hidden_size)
    lm_head = 0.0 if model.tied_embeddings else embedding
    matrices = 3.0 if model.gated_mlp else 2.0
    per_expert = 0.0
    routed = 0.0
    if model.moe is not None:
        per_expert = matrices * model.hidden_size * model.moe.expert_intermediate_size
        routed = per_expert * model.moe.experts * model.moe.moe_layers
    core = model.total_params - embedding - lm_head - routed
    if core <= 0:
        raise ValueError(
            f"model {model.id}: total parameters ({model.total_params:.4g}) do not cover embeddings and "
            f"routed experts ({embedding + lm_head + routed:.4g}); check the catalog entry"
        )
    weight_bytes = BYTES_PER_PARAM[precision]
    routed_bytes = weight_bytes
    core_bytes = weight_bytes
    if precision == "mxfp4" and model.moe is not None:
        core_bytes = BYTES_PER_PARAM["bf16"]  # gpt-oss layout: only routed experts are MXFP4
    return WeightBreakdown(
        embedding_params=embedding,
        lm_head_params=lm_head,
        routed_expert_params=routed,
        core_params=core,
        params_per_expert=per_expert,
        embedding_bytes=embedding * _EMBEDDING_BYTES_PER_PARAM,
        lm_head_bytes=lm_head * _EMBEDDING_BYTES_PER_PARAM,
        routed_expert_bytes=routed * routed_bytes,
        core_bytes=core * core_bytes,
    )


def attention_weight_bytes(model: ModelSpec, precision: str) -> float:
    """Stored bytes of the attention projections of all layers (replicated on every GPU under
    data-parallel attention).

    Grouped-query: Q and O are ``hidden × heads·head_dim``, K and V ``hidden × kv_heads·head_dim``. Latent
    attention: Q ``hidden × heads·(nope + rope)``, the KV down-projection ``hidden × (latent + rope)``, the
    KV up-projection ``latent × heads·(nope + v)`` and O ``heads·v × hidden`` (a low-rank Q is counted
    as full rank, an upper bound of a few per cent of the layer).
    """
    if model.attention == "mla" and model.mla is not None:
        m = model.mla
        heads = model.attention_heads
        per_layer: float = (
            model.hidden_size * heads * (m.qk_nope_head_dim + m.qk_rope_head_dim)
            + model.hidden_size * (m.kv_lora_rank + m.qk_rope_head_dim)
            + m.kv_lora_rank * heads * (m.qk_nope_head_dim + m.v_head_dim)
            + heads * m.v_head_dim * model.hidden_size
        )
    else:
        per_layer = model.hidden_size * model.head_dim * 2.0 * (model.attention_heads + model.kv_heads)
    core_precision = "bf16" if precision == "mxfp4" and model.moe is not None else precision
    return float(per_layer) * model.layers * BYTES_PER_PARAM[core_precision]


def activation_reserve_bytes(
    model: ModelSpec, params: EfficiencyParams, *, tp: int, batched_tokens: int, max_seqs: int
) -> float:
    """Per-GPU memory held back from the KV cache, as an engine's profiling run measures it.

    Runtime reserve (CUDA context, graphs, communication buffers), plus the 16-bit activations of one
    iteration of ``batched_tokens`` tokens — ``activation_hidden_multiple`` × hidden for the residual
    stream, norms and attention, and the MLP's gate/up output (2 × intermediate / tp, or 2 × k × expert
    intermediate / tp for a mixture of experts) — plus fp32 logits over the whole vocabulary for
    ``max_seqs`` sampled sequences.
    """
    if model.moe is not None:
        mlp_width = 2.0 * model.moe.experts_per_token * model.moe.expert_intermediate_size / tp
    else:
        mlp_width = 2.0 * model.intermediate_size / tp
    per_token = (params.activation_hidden_multiple * model.hidden_size + mlp_width) * 2.0
    logits = max_seqs * model.vocab_size * 4.0
    return params.runtime_reserve_bytes + batched_tokens * per_token + logits


@dataclass(frozen=True, slots=True)
class MemoryBreakdown:
    """Per-GPU memory of one deployment, in bytes. ``kv_capacity_bytes`` may be negative (does not fit)."""

    gpu_memory_bytes: float
    usable_bytes: float
    weights_bytes: float
    activations_bytes: float
    kv_capacity_bytes: float
    kv_bytes_per_sequence: float
    """Per-GPU cache of one sequence at its mean in-flight length (prompt + half the output)."""
    max_sequences: int
    """Sequences whose mean-length caches fit at once (per replica); 0 when even one does not."""
    fits: bool
    """Weights, reserve and the cache of one full-length sequence (prompt + output) fit."""

    def as_dict(self) -> dict[str, float | int | bool]:
        """JSON-ready view (bytes per GPU)."""
        return {
            "gpu_memory_bytes": self.gpu_memory_bytes,
            "usable_bytes": self.usable_bytes,
            "weights_bytes": self.weights_bytes,
            "activations_bytes": self.activations_bytes,
            "kv_cache_bytes": max(self.kv_capacity_bytes, 0.0),
            "kv_bytes_per_sequence": self.kv_bytes_per_sequence,
            "max_sequences": self.max_sequences,
        }


def memory_breakdown(
    model: ModelSpec,
    gpu: GpuSpec,
    params: EfficiencyParams,
    *,
    tp: int,
    precision: str,
    kv_precision: str,
    input_len: float,
    output_len: float,
    batched_tokens: int,
    max_seqs: int,
    attention_dp: bool = False,
    kv_fraction_of_free: bool = False,
    pp: int = 1,
) -> MemoryBreakdown:
    """Per-GPU memory budget and how many mean-length sequences the KV cache holds.

    With ``pp`` pipeline stages each GPU holds ``1 / pp`` of the layers: ``1 / pp`` of its tensor-parallel
    share of the weights and of every sequence's cache (the activation reserve is kept whole, which is
    conservative).

    Under data-parallel attention the attention weights are replicated on every GPU and each sequence's
    cache lives on one GPU. With ``kv_fraction_of_free`` (TensorRT-LLM) the cache takes
    ``gpu_memory_utilization`` of the memory left after weights and activations; otherwise (vLLM,
    SGLang) weights, activations and cache together take that share of the whole GPU.
    """
    weights = weight_breakdown(model, precision).total_bytes / tp
    if attention_dp:
        weights += attention_weight_bytes(model, precision) * (1.0 - 1.0 / tp)
    weights /= pp
    activations = activation_reserve_bytes(
        model, params, tp=tp, batched_tokens=batched_tokens, max_seqs=max_seqs
    )
    if kv_fraction_of_free:
        free = gpu.memory_bytes - weights - activations
        kv_capacity = free * params.gpu_memory_utilization if free > 0 else free
        usable = weights + activations + kv_capacity
    else:
        usable = gpu.memory_bytes * params.gpu_memory_utilization
        kv_capacity = usable - weights - activations
    share = kv_share_per_gpu(model, tp, attention_dp=attention_dp) / pp
    mean_context = input_len + output_len / 2.0
    per_sequence = kv_bytes_for_context(model, kv_precision, mean_context) * share
    full_sequence = kv_bytes_for_context(model, kv_precision, input_len + output_len) * share
    fits = kv_capacity >= full_sequence
    max_sequences = int(kv_capacity // per_sequence) if fits and per_sequence > 0 else 0
    return MemoryBreakdown(
        gpu_memory_bytes=gpu.memory_bytes,
        usable_bytes=usable,
        weights_bytes=weights,
        activations_bytes=activations,
        kv_capacity_bytes=kv_capacity,
        kv_bytes_per_sequence=per_sequence,
        max_sequences=max(max_sequences, 1) if fits else 0,
        fits=fits,
    )

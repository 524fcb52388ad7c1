"""Work per iteration and its time: a roofline per operator class, plus fixed per-layer costs.

One engine iteration processes ``decode_seqs`` sequences that each add one token (reading their whole KV
cache) and, with chunked prefill, some prompt tokens. Its time is::

    engine_factor × ( max(dense weight bytes / (BW·η_bw),  dense FLOPs / (peak·η_c·tile))   dense linear
                    + max(expert weight bytes / (BW·η_bw), expert FLOPs / (peak·η_c·tile))  routed experts
                    + max(KV bytes / (BW·η_bw),            attention FLOPs / (peak16·η_c))  attention
                    + tensor-parallel all-reduces
                    + layers × layer_overhead + MoE layers × moe_layer_overhead
                    + sequences × sequence_overhead )

(``engine_factor`` includes the engine's extra factor on mixture-of-experts models.) Dense layers, the
routed experts and attention are separate kernels, so each gets its own roofline (a decode step can be
compute-bound in its GEMMs and memory-bound in attention at the same time). ``tile`` is the useful share of
a tensor-core GEMM with fewer rows than one tile (see ``gemm_shape_efficiency``). FLOPs:

- linear: 2 × active linear parameters per token (attention projections, dense MLP or the routed experts a
  token uses plus shared experts), and 2 × vocab × hidden for the output head of each token that samples;
- attention: 2 × heads × (d_qk + d_v) per (query, key) pair, with causal prefill summing ``min(i, window)``
  keys over the prompt — the quadratic term. Latent attention runs prefill in its multi-head form
  (d_qk = nope + rope, d_v = v_head) and decode in the absorbed form (d_qk = latent + rope, d_v = latent).

Weight bytes read per iteration include, for a mixture-of-experts layer, only the experts the batch
touches: with ``n`` tokens routing uniformly to ``k`` of ``E`` experts, ``E (1 − (1 − k/E)^n)`` of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from llm_tco.capacity.kv import kv_bytes_for_context, kv_share_per_gpu
from llm_tco.capacity.memory import WeightBreakdown, attention_weight_bytes, weight_breakdown
from llm_tco.capacity.parallel import allreduce_time_s, pipeline_efficiency, pipeline_hop_s
from llm_tco.capacity.precision import compute_precision
from llm_tco.capacity.specs import EfficiencyParams, GpuSpec, ModelSpec

__all__ = [
    "IterationTime",
    "attended_pairs",
    "attention_flops_decode",
    "attention_flops_prefill",
    "gemm_shape_efficiency",
    "iteration_time",
    "linear_params_per_token",
    "prefill_flops",
    "touched_experts",
]


def touched_experts(experts: int, experts_per_token: int, tokens: float) -> float:
    """Expected number of distinct experts ``tokens`` tokens route to (uniform, independent routing)."""
    if tokens <= 0:
        return 0.0
    miss: float = (1.0 - experts_per_token / experts) ** tokens
    return experts * (1.0 - miss)


def linear_params_per_token(model: ModelSpec, weights: WeightBreakdown) -> float:
    """Parameters of the linear layers one token multiplies through, output head excluded."""
    routed = 0.0
    if model.moe is not None:
        routed = model.moe.experts_per_token * weights.params_per_expert * model.moe.moe_layers
    return weights.core_params + routed


def _head_params(weights: WeightBreakdown) -> float:
    return weights.lm_head_params if weights.lm_head_params else weights.embedding_params


def attended_pairs(start: float, count: float, window: float | None) -> float:
    """Σ over query positions ``start+1 … start+count`` of the keys each attends to, ``min(i, window)``."""

    def cumulative(x: float) -> float:
        if window is None or x <= window:
            return x * (x + 1.0) / 2.0
        return window * (window + 1.0) / 2.0 + (x - window) * window

    return cumulative(start + count) - cumulative(start)


def _attention_dims(model: ModelSpec, *, decode: bool) -> tuple[float, float]:
    if model.attention == "mla" and model.mla is not None:
        if decode:
            return model.mla.kv_lora_rank + model.mla.qk_rope_head_dim, float(model.mla.kv_lora_rank)
        return model.mla.qk_nope_head_dim + model.mla.qk_rope_head_dim, float(model.mla.v_head_dim)
    return float(model.head_dim), float(model.head_dim)


def _pairs_all_layers(model: ModelSpec, start: float, count: float) -> float:
    full_layers = model.layers - model.sliding_layers
    pairs = full_layers * attended_pairs(start, count, None)
    if model.sliding_layers:
        window = float(model.sliding_window_tokens) if model.sliding_window_tokens else None
        pairs += model.sliding_layers * attended_pairs(start, count, window)
    return pairs


def attention_flops_prefill(model: ModelSpec, prompt_tokens: float) -> float:
    """Attention FLOPs (QKᵀ and AV, all layers) of a causal prefill of ``prompt_tokens`` tokens."""
    d_qk, d_v = _attention_dims(model, decode=False)
    return 2.0 * model.attention_heads * (d_qk + d_v) * _pairs_all_layers(model, 0.0, prompt_tokens)


def attention_flops_decode(model: ModelSpec, context_tokens: float) -> float:
    """Attention FLOPs of one decode token attending to ``context_tokens`` cached tokens (all layers)."""
    d_qk, d_v = _attention_dims(model, decode=True)
    return 2.0 * model.attention_heads * (d_qk + d_v) * _pairs_all_layers(model, context_tokens - 1.0, 1.0)


def prefill_flops(model: ModelSpec, prompt_tokens: float, precision: str = "bf16") -> float:
    """Total FLOPs of prefilling one prompt: linear layers for every token, the output head for the last
    one, and causal attention."""
    weights = weight_breakdown(model, precision)
    linear = 2.0 * linear_params_per_token(model, weights) * prompt_tokens + 2.0 * _head_params(weights)
    return linear + attention_flops_prefill(model, prompt_tokens)


def gemm_shape_efficiency(rows: float, params: EfficiencyParams) -> float:
    """Share of the tensor-core work of a GEMM with ``rows`` rows that is useful: a GEMM smaller than one
    row tile still computes the whole tile (1 for an empty GEMM, whose FLOPs are 0 anyway)."""
    if rows <= 0:
        return 1.0
    return min(1.0, rows / params.gemm_tile_rows)


@dataclass(frozen=True, slots=True)
class IterationTime:
    """The parts of one iteration's time in seconds (before the engine factor), and the factor.

    Each operator class has a memory time and a compute time; it takes the larger of the two.
    """

    dense_memory_s: float
    dense_compute_s: float
    expert_memory_s: float
    expert_compute_s: float
    attention_memory_s: float
    attention_compute_s: float
    comm_s: float
    overhead_s: float
    engine_factor: float
    pipeline_hop_s: float = 0.0
    """Activation sends between pipeline stages in one round (0 without pipeline parallelism)."""
    pipeline_efficiency: float = 1.0
    """Useful share of a pipeline round (``parallel.pipeline_efficiency``; 1 without pipelining)."""

    def _pairs(self) -> tuple[tuple[float, float], ...]:
        return (
            (self.dense_memory_s, self.dense_compute_s),
            (self.expert_memory_s, self.expert_compute_s),
            (self.attention_memory_s, self.attention_compute_s),
        )

    @property
    def total_s(self) -> float:
        """Wall time of the iteration."""
        roofline = sum(max(memory, compute) for memory, compute in self._pairs())
        busy = self.engine_factor * (roofline + self.comm_s + self.overhead_s) + self.pipeline_hop_s
        return busy / self.pipeline_efficiency

    @property
    def bound(self) -> str:
        """Which resource takes most of the iteration: ``memory-bandwidth``, ``compute`` or
        ``interconnect``."""
        memory = sum(m for m, c in self._pairs() if m >= c)
        compute = sum(c for m, c in self._pairs() if c > m)
        if self.comm_s + self.pipeline_hop_s > max(memory, compute):
            return "interconnect"
        return "compute" if compute > memory else "memory-bandwidth"


def iteration_time(
    model: ModelSpec,
    gpu: GpuSpec,
    params: EfficiencyParams,
    *,
    tp: int,
    precision: str,
    kv_precision: str,
    engine: str,
    decode_seqs: float,
    decode_context: float,
    prefill_prompts: float = 0.0,
    prompt_tokens: float = 0.0,
    attention_dp: bool = False,
    pp: int = 1,
) -> IterationTime:
    """Time of one iteration of a ``tp``-way replica (``tp × pp`` GPUs with ``pp`` pipeline stages).

    ``decode_seqs`` sequences of mean context ``decode_context`` each produce a token; ``prefill_prompts``
    whole prompts of ``prompt_tokens`` tokens are prefilled in the same iteration (a fraction is a chunk
    of one prompt). Under ``attention_dp`` each GPU runs attention for its own share of the sequences
    with replicated attention weights (read in full by every GPU) and holds their whole caches.

    With ``pp`` stages the work is split into ``pp`` micro-batches kept in flight (see ``parallel``): a
    round, in which every sequence gains a token, takes the whole model's time for one micro-batch of
    ``1 / pp`` of the sequences and prompts, plus the ``pp − 1`` activation hops, over the pipeline
    efficiency. Prompts are spread over the micro-batches like the decodes, which averages the prefill
    cost over the round (the prompt's own pass through the stages is not charged apart).
    """
    if pp > 1:
        decode_seqs /= pp
        prefill_prompts /= pp
    weights = weight_breakdown(model, precision)
    tokens = decode_seqs + prefill_prompts * prompt_tokens
    sampled = decode_seqs + prefill_prompts
    bandwidth = gpu.hbm_bandwidth_bytes_per_s * params.bandwidth_efficiency
    linear_peak = gpu.dense_flops_per_s.get(compute_precision(precision, gpu)) or 0.0
    linear_rate = linear_peak * params.compute_efficiency

    head_params = _head_params(weights)
    dense_bytes = weights.core_bytes + (weights.lm_head_bytes or weights.embedding_bytes)
    replicated_bytes = attention_weight_bytes(model, precision) * (tp - 1) if attention_dp else 0.0
    dense_flops = 2.0 * weights.core_params * tokens + 2.0 * head_params * sampled

    expert_bytes = 0.0
    expert_flops = 0.0
    expert_rows = 0.0
    if model.moe is not None:
        touched = touched_experts(model.moe.experts, model.moe.experts_per_token, tokens)
        expert_bytes = touched * weights.bytes_per_expert * model.moe.moe_layers
        routed_params = model.moe.experts_per_token * weights.params_per_expert * model.moe.moe_layers
        expert_flops = 2.0 * routed_params * tokens
        expert_rows = tokens * model.moe.experts_per_token / touched if touched else 0.0

    kv_bytes = (
        decode_seqs
        * kv_bytes_for_context(model, kv_precision, decode_context)
        * kv_share_per_gpu(model, tp, attention_dp=attention_dp)
    )
    attention_flops = decode_seqs * attention_flops_decode(model, decode_context)
    attention_flops += prefill_prompts * attention_flops_prefill(model, prompt_tokens)
    attention_rate = (gpu.dense_flops_per_s.get("bf16") or linear_peak) * params.compute_efficiency

    moe_layers = model.moe.moe_layers if model.moe is not None else 0
    moe_factor = params.moe_engine_factor(engine) if model.moe is not None else 1.0
    return IterationTime(
        dense_memory_s=(dense_bytes + replicated_bytes) / tp / bandwidth,
        dense_compute_s=dense_flops / tp / (linear_rate * gemm_shape_efficiency(tokens, params)),
        expert_memory_s=expert_bytes / tp / bandwidth,
        expert_compute_s=expert_flops / tp / (linear_rate * gemm_shape_efficiency(expert_rows, params)),
        attention_memory_s=kv_bytes / bandwidth,
        attention_compute_s=attention_flops / tp / attention_rate,
        comm_s=allreduce_time_s(model, gpu, params, tp=tp, tokens=tokens),
        overhead_s=model.layers * params.layer_overhead_s
        + moe_layers * params.moe_layer_overhead_s
        + sampled * params.sequence_overhead(engine),
        engine_factor=params.engine_factor(engine) * moe_factor,
        pipeline_hop_s=pipeline_hop_s(model, gpu, params, pp=pp, tokens=tokens),
        pipeline_efficiency=pipeline_efficiency(pp),
    )

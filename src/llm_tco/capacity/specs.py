"""The values the capacity model works on: hardware, architecture, deployment, workload and efficiencies.

These are plain frozen dataclasses so the model stays pure: ``llm_tco.catalog`` builds them from the data
files (and the calibration file), and tests build them by hand. Units are in the field names; byte and FLOP
counts are floats because they feed vectorised arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "AttentionKind",
    "Deployment",
    "EfficiencyParams",
    "EngineDefaults",
    "GpuSpec",
    "MlaSpec",
    "ModelSpec",
    "MoeSpec",
    "ScenarioKind",
    "ScenarioSpec",
    "Workload",
]

AttentionKind = Literal["mha", "gqa", "mla"]
ScenarioKind = Literal["offline", "concurrency", "batch", "slo"]


@dataclass(frozen=True, slots=True)
class GpuSpec:
    """One accelerator as the model sees it.

    ``dense_flops_per_s`` maps a compute precision (``bf16``, ``fp8``, ``int8``, ``fp4``) to the dense
    tensor-core peak in FLOP/s; a missing or ``None`` entry means the GPU has no native path for it (the
    weights are then de-quantised and multiplied in bf16). ``scaleup_link_bytes_per_s`` is the NVLink (or
    Infinity Fabric) bandwidth per direction per GPU, valid inside a domain of ``scaleup_domain_gpus``;
    beyond it, tensor-parallel traffic crosses PCIe at ``pcie_link_bytes_per_s`` within a server, and the
    inter-node network at ``internode_link_bytes_per_s`` (per GPU, per direction) across servers.
    """

    id: str
    memory_bytes: float
    hbm_bandwidth_bytes_per_s: float
    dense_flops_per_s: Mapping[str, float | None]
    scaleup_link_bytes_per_s: float | None
    scaleup_domain_gpus: int
    pcie_link_bytes_per_s: float
    unverified: tuple[str, ...] = ()
    """Spec fields the catalog marks as not re-read from the vendor datasheet (flagged in predictions)."""
    internode_link_bytes_per_s: float | None = None
    """Network bandwidth per GPU per direction between servers (None: no multi-server replicas)."""


@dataclass(frozen=True, slots=True)
class MoeSpec:
    """Mixture-of-experts layout: routed experts, how many a token uses, shared (always-on) experts."""

    experts: int
    experts_per_token: int
    shared_experts: int
    expert_intermediate_size: int
    moe_layers: int


@dataclass(frozen=True, slots=True)
class MlaSpec:
    """Multi-head latent attention (DeepSeek-V2/V3): the cache holds one compressed latent per token."""

    kv_lora_rank: int
    qk_rope_head_dim: int
    qk_nope_head_dim: int
    v_head_dim: int


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A decoder-only transformer's architecture, from its ``config.json`` and published parameter count.

    ``sliding_layers`` of the ``layers`` attend only to the last ``sliding_window_tokens`` tokens (and
    cache only those); the rest attend to the whole context.
    """

    id: str
    total_params: float
    active_params: float
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    attention: AttentionKind
    intermediate_size: int
    vocab_size: int
    tied_embeddings: bool
    gated_mlp: bool = True
    sliding_window_tokens: int | None = None
    sliding_layers: int = 0
    moe: MoeSpec | None = None
    mla: MlaSpec | None = None


@dataclass(frozen=True, slots=True)
class Deployment:
    """How one replica is served: ``pp`` pipeline stages of ``tp`` GPUs in tensor parallel;
    ``num_gpus / (tp × pp)`` replicas in all."""

    num_gpus: int
    tp: int
    precision: str
    kv_precision: str
    engine: str
    pp: int = 1

    @property
    def gpus_per_replica(self) -> int:
        """GPUs in one replica: ``tp × pp``."""
        return self.tp * self.pp

    @property
    def replicas(self) -> int:
        """Independent data-parallel copies of the model."""
        return self.num_gpus // self.gpus_per_replica


@dataclass(frozen=True, slots=True)
class Workload:
    """Mean prompt and generated lengths in tokens (means of variable-length sets are fine)."""

    input_len: float
    output_len: float


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """What is asked: ``offline`` (maximum throughput), ``concurrency`` (closed loop with ``concurrency``
    requests in flight over the whole system), ``batch`` (static batch of ``concurrency``), ``slo`` (largest
    load whose p99 TTFT and TPOT stay within ``ttft_ms`` / ``tpot_ms``)."""

    kind: ScenarioKind
    concurrency: int | None = None
    ttft_ms: float | None = None
    tpot_ms: float | None = None


@dataclass(frozen=True, slots=True)
class EngineDefaults:
    """Documented scheduler defaults of a serving engine (not fitted): how many sequences it keeps in
    flight and how many tokens one iteration may carry."""

    max_num_seqs_large_gpu: int
    max_num_seqs_small_gpu: int
    max_batched_tokens: int
    large_gpu_min_memory_bytes: float = 70e9
    small_gpu_ids: tuple[str, ...] = ()
    """GPUs that get the small-GPU limits whatever their memory (vLLM treats the A100 so)."""
    moe_attention_dp: bool = False
    """The engine serves mixture-of-experts models with attention data parallelism and expert parallelism
    (TensorRT-LLM's documented MoE configuration, ``enable_attention_dp``): each GPU of the group runs
    attention for its own sequences with replicated attention weights and keeps their whole KV cache,
    and ``max_num_seqs`` applies per GPU."""
    kv_fraction_of_free: bool = False
    """``gpu_memory_utilization`` is a share of the memory left *after* weights and activations
    (TensorRT-LLM's ``kv_cache_free_gpu_mem_fraction``) rather than of the whole GPU (vLLM's
    ``gpu_memory_utilization``, SGLang's ``mem_fraction_static``)."""

    def attention_dp(self, model: ModelSpec) -> bool:
        """Whether ``model`` runs with data-parallel attention on this engine."""
        return self.moe_attention_dp and model.moe is not None

    def max_num_seqs(self, gpu: GpuSpec) -> int:
        """Sequences the engine keeps in flight by default on ``gpu`` (per scheduler rank)."""
        large = gpu.memory_bytes >= self.large_gpu_min_memory_bytes
        if large and gpu.id not in self.small_gpu_ids:
            return self.max_num_seqs_large_gpu
        return self.max_num_seqs_small_gpu

    def replica_max_seqs(self, gpu: GpuSpec, model: ModelSpec, tp: int) -> int:
        """Sequences one ``tp``-GPU replica keeps in flight: one scheduler's limit, or one per GPU under
        data-parallel attention."""
        return self.max_num_seqs(gpu) * (tp if self.attention_dp(model) else 1)


@dataclass(frozen=True, slots=True)
class EfficiencyParams:
    """The few global efficiencies the model is calibrated on, plus documented (unfitted) defaults.

    Which of these the calibration fits is listed in ``capacity.fitting.FITTED_PARAMETERS``; every value
    lives in ``llm_tco/data/capacity_calibration.json``:

    - ``bandwidth_efficiency``: share of peak HBM bandwidth that weight and KV streaming reach;
    - ``compute_efficiency``: share of the dense tensor-core peak that large GEMMs and attention reach;
    - ``layer_overhead_s``: fixed time per transformer layer per iteration (kernel launches, norms);
    - ``allreduce_latency_s`` and ``link_efficiency``: fixed cost of one tensor-parallel all-reduce and
      the share of link bandwidth it reaches;
    - ``engine_factors``: iteration-time multiplier per engine (TensorRT-LLM = 1, the reference);
    - ``gpu_memory_utilization``: share of GPU memory the engine takes (vLLM's default 0.90);
    - ``runtime_reserve_bytes``: CUDA context, graphs and allocator slack per GPU;
    - ``activation_hidden_multiple``: activation workspace per batched token, in hidden × 2 bytes.
    """

    bandwidth_efficiency: float
    compute_efficiency: float
    layer_overhead_s: float
    allreduce_latency_s: float
    link_efficiency: float
    engine_factors: Mapping[str, float]
    engine_defaults: Mapping[str, EngineDefaults] = field(default_factory=dict)
    gpu_memory_utilization: float = 0.90
    runtime_reserve_bytes: float = 2.0e9
    activation_hidden_multiple: float = 24.0
    gemm_tile_rows: float = 64.0
    """Row tile of tensor-core GEMM kernels: a GEMM with fewer rows than this still does a full tile of
    work (Hopper wgmma tiles are 64 rows). It matters for routed experts, each of which sees only
    ``tokens × k / experts touched`` rows."""
    moe_engine_factors: Mapping[str, float] = field(default_factory=dict)
    """Per engine, extra iteration-time multiplier for mixture-of-experts models, on top of
    ``engine_factors``: TensorRT-LLM (the reference, 1) runs MoE models with expert parallelism, attention
    data parallelism and CUTLASS grouped GEMMs; vLLM and SGLang default to tensor-parallel experts with
    Triton fused-MoE kernels, and their gap to TensorRT-LLM is larger on MoE models than on dense ones."""
    sequence_overhead_s: float = 0.0
    """Fixed time per sequence in flight per iteration: scheduling, sampling and output processing that
    the engine does for every sequence every step (host-side work and small per-sequence kernels)."""
    sequence_overheads: Mapping[str, float] = field(default_factory=dict)
    """Per engine, ``sequence_overhead_s`` for that engine (host-side scheduling, sampling and
    detokenisation differ most between engines: TensorRT-LLM's C++ executor samples on the GPU, vLLM and
    SGLang run a Python scheduler); an engine missing here uses ``sequence_overhead_s``."""
    moe_layer_overhead_s: float = 0.0
    """Extra fixed time per mixture-of-experts layer per iteration (routing, top-k, token permutation and
    un-permutation kernels around the grouped GEMMs)."""

    def moe_engine_factor(self, engine: str) -> float:
        """MoE-layer time multiplier of ``engine`` (1.0 when not calibrated)."""
        return float(self.moe_engine_factors.get(engine, 1.0))

    def sequence_overhead(self, engine: str) -> float:
        """Per-sequence, per-iteration fixed time of ``engine``."""
        return float(self.sequence_overheads.get(engine, self.sequence_overhead_s))

    def engine_factor(self, engine: str) -> float:
        """Iteration-time multiplier of ``engine`` (1.0 for an engine the calibration never saw)."""
        return float(self.engine_factors.get(engine, 1.0))

"""Tensor-parallel communication: two all-reduces of the activations per layer per iteration.

A Megatron-style layer splits attention by heads and the MLP by columns/rows, so each layer ends its
attention and its MLP with an all-reduce of the ``tokens × hidden`` activations (16-bit). A ring all-reduce
moves ``2 (tp − 1) / tp`` times the message over each GPU's link; each call also pays a fixed latency
(launch, synchronisation, small-message protocol), which dominates at small batches.

Inside an NVLink (or Infinity Fabric) domain the link is the scale-up fabric; past it, PCIe within one
server, and the inter-node network (the GPU catalog's ``internode_gb_per_s_per_direction``) across servers.
Mixture-of-experts layers under expert parallelism exchange tokens with an all-to-all of about the same
volume, so the same cost is charged.

Pipeline parallelism (``pp`` stages of ``tp`` GPUs, each stage one server holding ``layers / pp`` layers)
replaces the cross-server all-reduces by one point-to-point send of the ``tokens × hidden`` activations per
stage boundary over the inter-node network. The engine keeps ``pp`` micro-batches in flight so every stage
works: one round, in which every sequence gains a token, takes the whole model's time for one micro-batch
(the sum of the stage times) plus ``pp − 1`` hops. Stages are never perfectly balanced under continuous
batching (micro-batches carry unequal prefill chunks and the last stage also runs the LM head), so a
round is charged ``PIPELINE_BUBBLE_STAGES`` idle stage slots: efficiency ``pp / (pp + bubbles)``.
"""

from __future__ import annotations

from llm_tco.capacity.specs import EfficiencyParams, GpuSpec, ModelSpec

__all__ = [
    "ACTIVATION_BYTES",
    "PIPELINE_BUBBLE_STAGES",
    "SERVER_GPUS",
    "allreduce_time_s",
    "link_bytes_per_s",
    "pipeline_efficiency",
    "pipeline_hop_s",
    "spans_servers",
]

ACTIVATION_BYTES = 2.0
"""Activations cross the link in 16-bit."""


SERVER_GPUS = 8
"""GPUs in one server: a tensor-parallel group larger than this (and than its scale-up domain) spans
servers."""


PIPELINE_BUBBLE_STAGES = 0.25
"""Idle stage slots per pipeline round (unequal micro-batches, the last stage's LM head): a quarter of a
stage's time, so two stages run at 2 / 2.25 ≈ 89 % of a perfectly balanced pipeline."""


def spans_servers(gpu: GpuSpec, tp: int) -> bool:
    """Whether a ``tp``-way group needs more than one server (so its traffic crosses the network)."""
    return tp > max(SERVER_GPUS, gpu.scaleup_domain_gpus)


def link_bytes_per_s(gpu: GpuSpec, tp: int) -> float:
    """Per-direction link bandwidth a ``tp``-way group communicates over: the scale-up fabric inside its
    domain, the inter-node network across servers (the slowest hop of a ring bounds it), PCIe otherwise."""
    if gpu.scaleup_link_bytes_per_s and tp <= gpu.scaleup_domain_gpus:
        return gpu.scaleup_link_bytes_per_s
    if spans_servers(gpu, tp) and gpu.internode_link_bytes_per_s:
        return min(gpu.internode_link_bytes_per_s, gpu.pcie_link_bytes_per_s)
    return gpu.pcie_link_bytes_per_s


def allreduce_time_s(
    model: ModelSpec, gpu: GpuSpec, params: EfficiencyParams, *, tp: int, tokens: float
) -> float:
    """Time per iteration spent in tensor-parallel all-reduces for ``tokens`` tokens (0 when ``tp == 1``)."""
    if tp <= 1:
        return 0.0
    calls = 2.0 * model.layers
    message_bytes = tokens * model.hidden_size * ACTIVATION_BYTES
    wire_bytes = 2.0 * (tp - 1) / tp * message_bytes
    bandwidth = link_bytes_per_s(gpu, tp) * params.link_efficiency
    return calls * (params.allreduce_latency_s + wire_bytes / bandwidth)


def pipeline_efficiency(pp: int) -> float:
    """Share of a pipeline round that the stages do useful work: ``pp / (pp + PIPELINE_BUBBLE_STAGES)``
    (1 without pipeline parallelism)."""
    if pp <= 1:
        return 1.0
    return pp / (pp + PIPELINE_BUBBLE_STAGES)


def pipeline_hop_s(
    model: ModelSpec, gpu: GpuSpec, params: EfficiencyParams, *, pp: int, tokens: float
) -> float:
    """Time per round spent sending one micro-batch of ``tokens`` tokens' activations across the ``pp − 1``
    stage boundaries over the inter-node network (0 when ``pp == 1``). Each send pays the fixed message
    latency plus ``tokens × hidden × 2`` bytes at the network's per-direction bandwidth."""
    if pp <= 1:
        return 0.0
    link = gpu.internode_link_bytes_per_s or gpu.pcie_link_bytes_per_s
    bandwidth = min(link, gpu.pcie_link_bytes_per_s) * params.link_efficiency
    message_bytes = tokens * model.hidden_size * ACTIVATION_BYTES
    return (pp - 1) * (params.allreduce_latency_s + message_bytes / bandwidth)

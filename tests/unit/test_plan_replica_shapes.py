"""Replica shapes past one server: tensor parallelism up to ``max_gpus_per_replica`` over the inter-node
network of the GPU catalog."""

from __future__ import annotations

from typing import Any

import pytest
from _plan_fixtures import make_profile

from llm_tco.capacity.parallel import link_bytes_per_s
from llm_tco.catalog.gpus import get_gpu, gpu_spec
from llm_tco.config import parse_config
from llm_tco.errors import ConfigError
from llm_tco.plan import PlanInputs, build_plan


def test_a_group_across_servers_talks_over_the_network() -> None:
    h100 = gpu_spec(get_gpu("h100-sxm"))
    assert link_bytes_per_s(h100, 8) == pytest.approx(450e9)  # NVLink inside the 8-GPU domain
    # 16 GPUs: two servers, one 400 Gb/s NIC per GPU (DGX H100) = 50 GB/s per direction.
    assert link_bytes_per_s(h100, 16) == pytest.approx(50e9)


def _options(limit: int) -> list[Any]:
    raw = {
        "gpu": {"gpus": ["h100-sxm"], "deployment_modes": ["on-demand"], "max_gpus_per_replica": limit},
        "capacity": {"precisions": ["bf16"]},
        "quality": {"unknown": "assume-floor", "floor": 0.0},
    }
    doc = build_plan(
        [make_profile("w", model="gpt-4o", monthly_tokens=5e9)], parse_config(raw), PlanInputs.bundled()
    )
    return [
        o
        for o in doc.workloads[0].options
        if o.placement == "self-hosted" and o.open_model == "llama-3.1-405b"
    ]


def test_a_model_too_large_for_one_server_gets_a_multi_server_replica() -> None:
    # Llama 3.1 405B in bf16 is about 810 GB of weights: more than 8 × 80 GB, so no one-server replica.
    # Within 8 GPUs it is listed as infeasible, naming the smallest shape that would hold it (810 GB / 80 GB
    # per GPU rounds up past 8; tensor-parallel sizes are powers of two: 16).
    (too_small,) = _options(8)
    assert not too_small.feasible and too_small.npv_usd is None
    assert any("16× h100-sxm at bf16" in reason for reason in too_small.infeasible_reasons)
    options = [o for o in _options(16) if o.npv_usd is not None]  # costed (its latency is another matter)
    assert options, "a 16-GPU replica across two servers holds 405B in bf16"
    assert options[0].gpus_per_replica == 16


@pytest.mark.parametrize(
    ("fixed", "needle"),
    [
        (
            {"model": "llama-9-8b", "gpu": "h100-sxm"},
            "workloads.w.self_hosted.model: 'llama-9-8b' is not an open model",
        ),
        (
            {"model": "llama-3.1-8b", "gpu": "h100-sxmm"},
            "workloads.w.self_hosted.gpu: 'h100-sxmm' is not a GPU",
        ),
        (
            {"model": "llama-3.1-8b", "gpu": "h100-sxm", "precision": "fp7"},
            "self_hosted.precision: 'fp7' is not one of",
        ),
    ],
)
def test_a_fixed_shape_naming_nothing_known_is_an_error(fixed: dict[str, Any], needle: str) -> None:
    raw = {"workloads": {"w": {"self_hosted": {"gpus_per_replica": 1, "replicas": 1, **fixed}}}}
    with pytest.raises(ConfigError) as caught:
        build_plan([make_profile("w")], parse_config(raw), PlanInputs.bundled())
    assert needle in str(caught.value)


def test_a_multi_server_replica_is_pipelined_when_that_is_cheaper_and_says_so() -> None:
    # 405B in bf16 needs two H100 servers. Pure tensor parallelism over 16 GPUs all-reduces twice per layer
    # over the 50 GB/s network; one 8-GPU stage per server keeps those on NVLink and sends one activation
    # per token across (see test_capacity_pipeline), so the plan keeps tp 8 × pp 2.
    option = next(o for o in _options(16) if o.npv_usd is not None)
    assert option.gpus_per_replica == 16
    assert (option.tensor_parallel, option.pipeline_parallel) == (8, 2)
    dumped = option.model_dump(mode="json")
    assert dumped["pipeline_parallel"] == 2 and dumped["tensor_parallel"] == 8


def test_a_single_server_replica_is_tensor_parallel_only() -> None:
    raw = {
        "gpu": {"gpus": ["h100-sxm"], "deployment_modes": ["on-demand"], "max_gpus_per_replica": 16},
        "capacity": {"precisions": ["bf16"]},
        "quality": {"unknown": "assume-floor", "floor": 0.0},
    }
    doc = build_plan(
        [make_profile("w", model="gpt-4o", monthly_tokens=5e9)], parse_config(raw), PlanInputs.bundled()
    )
    small = [
        o
        for o in doc.workloads[0].options
        if o.placement == "self-hosted" and o.open_model == "llama-3.1-8b" and o.npv_usd is not None
    ]
    assert small
    assert all(o.pipeline_parallel == 1 and o.tensor_parallel == o.gpus_per_replica for o in small)

"""The SLO search read from latencies computed for every load at once lands exactly where the reference
bisection (one scalar probe at a time) does, on every catalog model and GPU across shapes, precisions,
lengths and latency targets."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from llm_tco.capacity.predict import check_fit, make_deployment
from llm_tco.capacity.scenarios import DEFAULT_ENGINE, ReplicaModel
from llm_tco.capacity.specs import GpuSpec, ModelSpec, Workload
from llm_tco.capacity.vectorised import slo_curves
from llm_tco.catalog.calibration import calibration_params
from llm_tco.catalog.gpus import gpu_spec, list_gpus
from llm_tco.catalog.open_models import list_open_models, model_spec

PARAMS = calibration_params()
MODELS = [model_spec(m) for m in list_open_models()]
GPUS = [gpu_spec(g) for g in list_gpus()]


def _replica(
    model: ModelSpec,
    gpu: GpuSpec,
    *,
    tp: int,
    pp: int,
    precision: str,
    engine: str,
    input_len: float,
    output_len: float,
) -> ReplicaModel | None:
    deployment = make_deployment(
        num_gpus=tp * pp, tp=tp, precision=precision, kv_precision=None, engine=engine, pp=pp
    )
    workload = Workload(input_len=input_len, output_len=output_len)
    memory = check_fit(model, gpu, PARAMS, deployment, workload)
    if not memory.fits:
        return None
    return ReplicaModel(model, gpu, PARAMS, deployment, workload, memory)


def _cases(count: int, seed: int) -> list[ReplicaModel]:
    """``count`` fitting replicas drawn (seeded) over models, GPUs, shapes, precisions and lengths."""
    rng = random.Random(seed)
    shapes = [(1, 1), (2, 1), (4, 1), (8, 1), (16, 1), (8, 2), (8, 4)]
    cases: list[ReplicaModel] = []
    while len(cases) < count:
        tp, pp = rng.choice(shapes)
        replica = _replica(
            rng.choice(MODELS),
            rng.choice(GPUS),
            tp=tp,
            pp=pp,
            precision=rng.choice(["bf16", "fp8", "int4"]),
            engine=rng.choice(["vllm", "sglang", "trtllm"]),
            input_len=float(round(10 ** rng.uniform(1.5, 5.0))),
            output_len=float(round(10 ** rng.uniform(0.5, 3.5))),
        )
        if replica is not None:
            cases.append(replica)
    return cases


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_search_finds_exactly_what_the_scalar_bisection_finds(seed: int) -> None:
    rng = random.Random(seed * 1000)
    targets = [(200.0, 20.0), (2000.0, 50.0), (500.0, 100.0), (60_000.0, 1000.0), (10_000.0, 30.0)]
    compared = 0
    for replica in _cases(60, seed):
        for ttft_ms, tpot_ms in [*targets, (rng.uniform(50, 20_000), rng.uniform(5, 300))]:
            assert replica.slo(ttft_ms, tpot_ms) == replica.slo(ttft_ms, tpot_ms, vectorised=False)
            compared += 1
    assert compared == 60 * 6


def test_targets_exactly_at_a_latency_still_agree() -> None:
    # A target equal to the latency at some load is the knife edge where a last-digit difference between
    # the array and scalar arithmetic would flip a probe: the search must defer to the scalar code there.
    for replica in _cases(25, 7):
        b_max = min(replica.engine_max_seqs, replica.memory.max_sequences)
        for b in sorted({1, max(1, b_max // 3), max(1, b_max // 2), b_max}):
            ttft_s, tpot_s, _ = replica.slo_latencies(float(b))
            if not math.isfinite(ttft_s):
                continue
            for ttft_ms, tpot_ms in ((ttft_s * 1e3, 1e9), (1e12, tpot_s * 1e3), (ttft_s * 1e3, tpot_s * 1e3)):
                assert replica.slo(ttft_ms, tpot_ms) == replica.slo(ttft_ms, tpot_ms, vectorised=False)


def test_the_curves_are_the_scalar_latencies_at_every_load() -> None:
    for replica in _cases(20, 11):
        b_max = min(replica.engine_max_seqs, replica.memory.max_sequences)
        defaults = PARAMS.engine_defaults.get(replica.deployment.engine, DEFAULT_ENGINE)
        curves = slo_curves(
            replica.model,
            replica.gpu,
            PARAMS,
            replica.deployment,
            replica.workload,
            attention_dp=defaults.attention_dp(replica.model),
            max_batched_tokens=defaults.max_batched_tokens,
            b_max=b_max,
        )
        assert curves is not None and len(curves.ttft_s) == b_max
        for b in itertools.islice(itertools.chain((1, b_max), range(1, b_max, max(1, b_max // 7))), 12):
            ttft_s, tpot_s, _ = replica.slo_latencies(float(b))
            assert curves.tpot_s[b - 1] == pytest.approx(tpot_s, rel=1e-12)
            if math.isfinite(ttft_s):
                assert curves.ttft_s[b - 1] == pytest.approx(ttft_s, rel=1e-12)
            else:
                assert np.isinf(curves.ttft_s[b - 1])

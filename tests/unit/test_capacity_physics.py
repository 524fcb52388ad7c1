"""Physics of the capacity model on hand-computed cases.

Expected values are derived here from published architecture numbers (config.json) and vendor specs, never
from the model's own output. Efficiencies are set to 1 and overheads to 0 so the roofline is exact.
"""

from __future__ import annotations

import math

import pytest

from llm_tco.capacity.compute import attention_flops_prefill, prefill_flops, touched_experts
from llm_tco.capacity.cost import cost_per_million_tokens
from llm_tco.capacity.kv import kv_bytes_per_token, kv_share_per_gpu
from llm_tco.capacity.memory import attention_weight_bytes, memory_breakdown, weight_breakdown
from llm_tco.capacity.parallel import allreduce_time_s
from llm_tco.capacity.predict import check_fit, make_deployment, predict
from llm_tco.capacity.scenarios import ReplicaModel
from llm_tco.capacity.specs import EfficiencyParams, ScenarioSpec, Workload
from llm_tco.catalog.serving import resolve_gpu_spec, resolve_model_spec


def ideal(engine_factor: float = 1.0) -> EfficiencyParams:
    """Peak hardware, no fixed costs: the pure roofline."""
    return EfficiencyParams(
        bandwidth_efficiency=1.0,
        compute_efficiency=1.0,
        layer_overhead_s=0.0,
        allreduce_latency_s=0.0,
        link_efficiency=1.0,
        engine_factors={"vllm": engine_factor, "trtllm": 1.0},
        runtime_reserve_bytes=0.0,
        activation_hidden_multiple=0.0,
    )


# Llama-3.1-8B config.json: hidden 4096, 32 layers, 32 heads, 8 KV heads, head_dim 128, vocab 128256,
# untied embeddings; 8.03e9 parameters.
LLAMA8_PARAMS = 8.03e9
LLAMA8_EMBED = 128256 * 4096
H100_BANDWIDTH = 3.35e12


@pytest.mark.parametrize("engine_factor", [1.0, 1.3])
def test_decode_bound_8b_bf16_one_h100_batch_1(engine_factor: float) -> None:
    # One decode step streams every weight once except the input embedding table (only one row of it is
    # read): (8.03e9 - 128256*4096) params x 2 bytes. The KV cache of ~33 tokens (4 MB) is negligible.
    bytes_per_step = (LLAMA8_PARAMS - LLAMA8_EMBED) * 2
    expected_tokens_per_s = H100_BANDWIDTH / bytes_per_step / engine_factor
    prediction = predict(
        resolve_model_spec("llama-3.1-8b"),
        resolve_gpu_spec("h100-sxm"),
        ideal(engine_factor),
        deployment=make_deployment(num_gpus=1, tp=1, precision="bf16", kv_precision=None, engine="vllm"),
        workload=Workload(input_len=1, output_len=64),
        scenario=ScenarioSpec(kind="concurrency", concurrency=1),
    )
    assert prediction.output_tokens_per_s == pytest.approx(expected_tokens_per_s, rel=0.01)
    assert prediction.limited_by == "memory-bandwidth"
    assert prediction.tpot_ms == pytest.approx(1e3 / expected_tokens_per_s, rel=0.01)


def test_kv_bytes_per_token_grouped_query_llama_3_1_70b() -> None:
    # 80 layers x 8 KV heads x head_dim 128 x (K and V) x 2 bytes (bf16)
    assert kv_bytes_per_token(resolve_model_spec("llama-3.1-70b"), "bf16") == 80 * 8 * 128 * 2 * 2 == 327_680
    assert kv_bytes_per_token(resolve_model_spec("llama-3.1-70b"), "fp8") == 163_840


def test_kv_bytes_per_token_latent_attention_deepseek_v3() -> None:
    # 61 layers x (kv_lora_rank 512 + qk_rope_head_dim 64) x 2 bytes: one latent per token, not per head
    model = resolve_model_spec("deepseek-ai/DeepSeek-V3")
    assert kv_bytes_per_token(model, "bf16") == 61 * (512 + 64) * 2 == 70_272
    # the latent is replicated on every GPU of a tensor-parallel group
    assert kv_share_per_gpu(model, 8) == 1.0


def test_kv_bytes_per_token_sliding_window_gpt_oss_120b() -> None:
    model = resolve_model_spec("openai/gpt-oss-120b")
    per_layer = 2 * 8 * 64 * 2  # 8 KV heads x head_dim 64 x K,V x bf16 = 2,048 bytes
    # every layer counted in full (the usual quoted figure): 36 layers
    assert kv_bytes_per_token(model, "bf16") == 36 * per_layer == 73_728
    # a 4,096-token sequence: 18 full layers hold all tokens, 18 sliding layers hold only 128
    expected = (18 * 4096 + 18 * 128) * per_layer / 4096
    assert kv_bytes_per_token(model, "bf16", context_tokens=4096) == pytest.approx(expected)
    assert expected == pytest.approx(38_016)


def test_kv_share_replicates_heads_when_tp_exceeds_kv_heads() -> None:
    qwen = resolve_model_spec("qwen3-235b-a22b")  # 4 KV heads
    assert kv_share_per_gpu(qwen, 2) == pytest.approx(2 / 4)
    assert kv_share_per_gpu(qwen, 8) == pytest.approx(1 / 4)  # one head per GPU, each held by two GPUs


def test_prefill_flops_include_the_quadratic_attention_term() -> None:
    model = resolve_model_spec("llama-3.1-8b")
    prompt = 2048
    linear_params = LLAMA8_PARAMS - 2 * LLAMA8_EMBED  # everything but embedding and output head
    linear = 2 * linear_params * prompt + 2 * LLAMA8_EMBED  # output head only for the last token
    # causal attention: query i attends to i keys; QK^T and AV each 2*head_dim FLOPs per pair per head
    pairs = prompt * (prompt + 1) / 2
    attention = 32 * 32 * 2 * (128 + 128) * pairs  # layers x heads x 2 x (d_qk + d_v) x pairs
    assert attention_flops_prefill(model, prompt) == pytest.approx(attention)
    assert prefill_flops(model, prompt) == pytest.approx(linear + attention, rel=1e-9)
    # doubling the prompt more than doubles the FLOPs (quadratic term)
    assert prefill_flops(model, 2 * prompt) > 2 * prefill_flops(model, prompt)


def test_weights_gpt_oss_120b_mxfp4_match_the_published_checkpoint_size() -> None:
    # routed experts: 128 experts x 36 layers x 3 x 2880 x 2880 params at 4.25 bits (MXFP4, 32-blocks);
    # the rest (attention, router, embeddings, head) in bf16. The released checkpoint is about 65 GB.
    routed = 128 * 36 * 3 * 2880 * 2880
    expected = routed * (0.5 + 1 / 32) + (116.8e9 - routed) * 2
    weights = weight_breakdown(resolve_model_spec("gpt-oss-120b"), "mxfp4")
    assert weights.total_bytes == pytest.approx(expected, rel=1e-6)
    assert 60e9 < weights.total_bytes < 70e9


def test_touched_experts() -> None:
    assert touched_experts(256, 8, 1) == pytest.approx(8)
    # two tokens: 256 x (1 - (1 - 8/256)^2) = 15.75 distinct experts on average
    assert touched_experts(256, 8, 2) == pytest.approx(256 * (1 - (248 / 256) ** 2))
    assert touched_experts(256, 8, 100_000) == pytest.approx(256)


def test_allreduce_time_over_nvlink() -> None:
    model = resolve_model_spec("llama-3.1-70b")
    gpu = resolve_gpu_spec("h100-sxm")
    params = EfficiencyParams(
        bandwidth_efficiency=1.0,
        compute_efficiency=1.0,
        layer_overhead_s=0.0,
        allreduce_latency_s=10e-6,
        link_efficiency=1.0,
        engine_factors={},
    )
    tokens = 256
    # 2 all-reduces per layer x 80 layers; ring moves 2(tp-1)/tp x tokens x hidden x 2 bytes per GPU over
    # 450 GB/s (NVLink 4 per direction)
    message = tokens * 8192 * 2
    expected = 160 * (10e-6 + 2 * 3 / 4 * message / 450e9)
    assert allreduce_time_s(model, gpu, params, tp=4, tokens=tokens) == pytest.approx(expected)
    assert allreduce_time_s(model, gpu, params, tp=1, tokens=tokens) == 0.0
    # beyond the NVLink domain of an L40S (none), PCIe at 32 GB/s per direction is used
    slow = allreduce_time_s(model, resolve_gpu_spec("l40s"), params, tp=4, tokens=tokens)
    assert slow == pytest.approx(160 * (10e-6 + 2 * 3 / 4 * message / 32e9))


def test_cost_per_million_tokens() -> None:
    # 2 GPUs at $2.50 = $5/h; 1,000 output tokens/s = 3.6M tokens/h -> $1.3889 per million output tokens
    cost = cost_per_million_tokens(
        gpu_hourly_usd=2.5,
        num_gpus=2,
        output_tokens_per_s=1000,
        input_len=300,
        output_len=100,
        utilisation=0.5,
    )
    assert cost is not None
    assert cost.per_million_output_tokens_usd == pytest.approx(5 / 3.6)
    assert cost.per_million_total_tokens_usd == pytest.approx(5 / 3.6 / 4)  # (300 + 100) / 100
    assert cost.per_million_output_tokens_at_utilisation_usd == pytest.approx(2 * 5 / 3.6)
    assert (
        cost_per_million_tokens(
            gpu_hourly_usd=2.5, num_gpus=1, output_tokens_per_s=0, input_len=1, output_len=1
        )
        is None
    )
    with pytest.raises(ValueError, match="utilisation"):
        cost_per_million_tokens(
            gpu_hourly_usd=1, num_gpus=1, output_tokens_per_s=1, input_len=1, output_len=1, utilisation=0
        )


def test_compute_bound_prefill_heavy_offline_respects_the_compute_roof() -> None:
    # With ideal efficiencies the output rate can never beat the FLOP budget: each output token costs at
    # least its prompt share of linear FLOPs, 2 x active params x (I + O) / O.
    model = resolve_model_spec("llama-3.1-8b")
    gpu = resolve_gpu_spec("h100-sxm")
    prediction = predict(
        model,
        gpu,
        ideal(),
        deployment=make_deployment(num_gpus=1, tp=1, precision="fp8", kv_precision=None, engine="trtllm"),
        workload=Workload(input_len=2048, output_len=128),
        scenario=ScenarioSpec(kind="offline"),
    )
    flops_per_output_token = 2 * (LLAMA8_PARAMS - 2 * LLAMA8_EMBED) * (2048 + 128) / 128
    roof = 1978.9e12 / flops_per_output_token
    assert prediction.output_tokens_per_s is not None
    assert prediction.output_tokens_per_s < roof
    assert prediction.output_tokens_per_s > 0.5 * roof
    assert math.isfinite(prediction.ttft_ms or math.nan)


def test_attention_data_parallel_keeps_each_sequence_on_one_gpu() -> None:
    qwen = resolve_model_spec("qwen3-235b-a22b")  # 4 KV heads: tensor parallel 8 replicates each head twice
    assert kv_share_per_gpu(qwen, 8) == pytest.approx(1 / 4)
    # data-parallel attention: a sequence's whole cache lives on one of the 8 GPUs -> 1/8 on average
    assert kv_share_per_gpu(qwen, 8, attention_dp=True) == pytest.approx(1 / 8)
    deepseek = resolve_model_spec("deepseek-v3")  # a latent cache is replicated under tensor parallelism
    assert kv_share_per_gpu(deepseek, 8) == 1.0
    assert kv_share_per_gpu(deepseek, 8, attention_dp=True) == pytest.approx(1 / 8)


def test_attention_weight_bytes_llama_3_1_70b() -> None:
    # config.json: hidden 8192, 64 heads, 8 KV heads, head_dim 128, 80 layers.
    # Q and O: 8192 x 64*128 each; K and V: 8192 x 8*128 each -> 8192*128*(2*64 + 2*8) = 150,994,944 per
    # layer; x 80 layers x 1 byte (fp8) = 12.08 GB.
    model = resolve_model_spec("llama-3.1-70b")
    assert attention_weight_bytes(model, "fp8") == pytest.approx(8192 * 128 * 144 * 80)
    assert attention_weight_bytes(model, "bf16") == pytest.approx(2 * 8192 * 128 * 144 * 80)


def test_tensorrt_llm_kv_cache_takes_a_share_of_the_free_memory() -> None:
    # kv_cache_free_gpu_mem_fraction 0.9 applies to what is left after weights and activations (8B fp8
    # on one H100: 85.52 GB - 8.03 GB weights), not to the whole GPU as vLLM's
    # gpu_memory_utilization does.
    model = resolve_model_spec("llama-3.1-8b")
    gpu = resolve_gpu_spec("h100-sxm")
    common = {
        "tp": 1,
        "precision": "fp8",
        "kv_precision": "fp8",
        "input_len": 1000.0,
        "output_len": 1000.0,
        "batched_tokens": 0,  # no activation workspace or logits, no reserve (ideal()): weights only
        "max_seqs": 0,
    }
    params = ideal()
    free_share = memory_breakdown(model, gpu, params, kv_fraction_of_free=True, **common)  # type: ignore[arg-type]
    whole_share = memory_breakdown(model, gpu, params, **common)  # type: ignore[arg-type]
    weights = weight_breakdown(model, "fp8").total_bytes
    assert free_share.kv_capacity_bytes == pytest.approx((gpu.memory_bytes - weights) * 0.9)
    assert whole_share.kv_capacity_bytes == pytest.approx(gpu.memory_bytes * 0.9 - weights)


def test_chunked_prefill_is_interleaved_as_whole_iterations() -> None:
    # b = 4 sequences of O = 200 output tokens each need 4/200 new prompts of I = 1000 tokens per decode
    # step, P = 20 prompt tokens. An engine does not add 20 tokens to every step: 2% of the steps
    # (P / chunk, chunk = min(I, 8192 - 4) = 1000) carry a whole prompt, the rest only decode.
    model = resolve_model_spec("qwen3-30b-a3b")
    gpu = resolve_gpu_spec("h100-sxm")
    params = ideal()
    deployment = make_deployment(num_gpus=1, tp=1, precision="bf16", kv_precision=None, engine="vllm")
    workload = Workload(input_len=1000, output_len=200)
    replica = ReplicaModel(
        model, gpu, params, deployment, workload, check_fit(model, gpu, params, deployment, workload)
    )
    decode = replica.step(4, 0.0).total_s
    with_prompt = replica.step(4, 1.0).total_s
    _, mean_s = replica.mean_iteration_s(4)
    assert mean_s == pytest.approx(0.98 * decode + 0.02 * with_prompt)
    # the mixture-of-experts decode step touches ~4*8 of 128 experts; spreading 20 prompt tokens over
    # every step would have it touch ~24*8 of them, and overstate the step time
    assert mean_s < replica.step(4, 0.02).total_s

"""The serving files of one pool, built by hand: vLLM flags per precision, the manifests' GPU requests,
multi-server replicas flagged, and hostile names kept out of the shell script's commands."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from llm_tco.plan.export.kubernetes import pool_manifests, pool_object_name, write_serving_files
from llm_tco.plan.export.litellm_config import litellm_config
from llm_tco.plan.export.serving_plan import Assignment, Pool, ServingPlan

POOL = Pool(
    id="chat-llama-3.1-8b",
    open_model="llama-3.1-8b",
    hf_id="meta-llama/Llama-3.1-8B-Instruct",
    precision="bf16",
    kv_cache_dtype="bf16",
    gpu="h100-sxm",
    deployment="on-demand",
    gpus_per_replica=2,
    tensor_parallel=2,
    pipeline_parallel=1,
    replicas=3,
    gpus=6,
    workloads=("chat",),
    sovereignty="any",
    max_num_seqs=96,
    max_model_len=8192,
)


def _flags(args: list[str]) -> dict[str, str]:
    return dict(zip(args[1::2], args[2::2], strict=True))


def _args(pool: Pool) -> list[str]:
    deployment = pool_manifests(pool, namespace="ns", gpu_memory_utilization=0.9)[0]
    args: list[str] = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    return args


def test_a_16_bit_pool_runs_its_checkpoint_at_its_dtype() -> None:
    args = _args(POOL)
    assert args[0] == "meta-llama/Llama-3.1-8B-Instruct"
    assert _flags(args) == {
        "--served-model-name": "llama-3.1-8b",
        "--host": "0.0.0.0",
        "--port": "8000",
        "--tensor-parallel-size": "2",
        "--pipeline-parallel-size": "1",
        "--max-num-seqs": "96",
        "--max-model-len": "8192",
        "--kv-cache-dtype": "auto",
        "--gpu-memory-utilization": "0.9",
        "--dtype": "bfloat16",
    }


def test_fp8_quantises_at_load_and_caches_in_fp8() -> None:
    flags = _flags(_args(replace(POOL, precision="fp8", kv_cache_dtype="fp8")))
    assert flags["--quantization"] == "fp8" and flags["--kv-cache-dtype"] == "fp8"
    assert "--dtype" not in flags


def test_int4_needs_a_quantised_checkpoint_named_by_the_user(tmp_path: Path) -> None:
    pool = replace(POOL, precision="int4", kv_cache_dtype="fp8")
    deployment = pool_manifests(pool, namespace="ns", gpu_memory_utilization=0.9)[0]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][0] == "$(MODEL)"  # Kubernetes substitutes the container's MODEL variable
    assert any(e["name"] == "MODEL" for e in container["env"])
    write_serving_files(ServingPlan((), (pool,)), tmp_path, namespace="ns", gpu_memory_utilization=0.9)
    script = (tmp_path / f"{pool_object_name(pool)}.sh").read_text()
    assert 'exec vllm serve "$MODEL"' in script and "${MODEL:?" in script


def test_gpu_requests_and_replicas_follow_the_pool() -> None:
    deployment, service = pool_manifests(POOL, namespace="ns", gpu_memory_utilization=0.9)
    resources = deployment["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert resources == {"requests": {"nvidia.com/gpu": 2}, "limits": {"nvidia.com/gpu": 2}}
    assert deployment["spec"]["replicas"] == 3
    assert service["spec"]["ports"][0]["port"] == 8000
    assert deployment["metadata"]["namespace"] == service["metadata"]["namespace"] == "ns"


def test_a_replica_over_several_servers_is_flagged(tmp_path: Path) -> None:
    pool = replace(POOL, gpus_per_replica=16, tensor_parallel=8, pipeline_parallel=2, gpus=48)
    write_serving_files(ServingPlan((), (pool,)), tmp_path, namespace="ns", gpu_memory_utilization=0.9)
    manifest = (tmp_path / f"{pool_object_name(pool)}.yaml").read_text()
    assert "One replica spans 2 servers" in manifest
    assert _flags(_args(pool))["--pipeline-parallel-size"] == "2"
    single = replace(POOL, id="single")
    write_serving_files(ServingPlan((), (single,)), tmp_path, namespace="ns", gpu_memory_utilization=0.9)
    assert "spans" not in (tmp_path / f"{pool_object_name(single)}.yaml").read_text()


def test_hostile_names_stay_out_of_commands(tmp_path: Path) -> None:
    evil = "x\n$(touch pwned)'; rm -rf / #\r\u2028"
    pool = replace(POOL, id=evil, workloads=(evil,))
    plan = ServingPlan((Assignment(evil, "o", "self-hosted", None, "llama-3.1-8b", pool_id=evil),), (pool,))
    written = write_serving_files(plan, tmp_path, namespace="ns", gpu_memory_utilization=0.9)
    script = next(p for p in written if p.suffix == ".sh")
    text = script.read_text()
    assert "$(" not in text and "rm -rf /" not in text and "'; " not in text
    commands = [line for line in text.splitlines() if not line.startswith("#")]
    assert commands[0] == "set -eu" and commands[1].startswith("exec vllm serve 'meta-llama/")
    assert os.access(script, os.X_OK)
    if shutil.which("sh"):
        assert subprocess.run(["sh", "-n", str(script)], check=False).returncode == 0
    for path in written:
        if path.suffix == ".yaml":
            for doc in yaml.safe_load_all(path.read_text()):
                assert doc["metadata"]["name"] == pool_object_name(pool)
    config = litellm_config(plan, namespace="ns")
    (entry,) = config["model_list"]
    assert entry["model_name"] != evil and "\n" not in entry["model_name"]
    assert yaml.safe_load(yaml.safe_dump(config)) == config


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        ("openai", "openai/m"),
        ("anthropic", "anthropic/m"),
        ("google", "gemini/m"),
        ("together", "together_ai/m"),
    ],
)
def test_api_backends_carry_litellm_provider_prefixes(provider: str, expected: str) -> None:
    plan = ServingPlan((Assignment("w", "o", "closed-api", provider, "m"),), ())
    (entry,) = litellm_config(plan, namespace="ns")["model_list"]
    assert entry["litellm_params"]["model"] == expected
    assert entry["litellm_params"]["api_key"].startswith("os.environ/")


def test_bedrock_uses_aws_credentials_not_a_key() -> None:
    plan = ServingPlan((Assignment("w", "o", "open-api", "aws", "openai.gpt-oss-120b-1:0"),), ())
    (entry,) = litellm_config(plan, namespace="ns")["model_list"]
    assert entry["litellm_params"] == {"model": "bedrock/openai.gpt-oss-120b-1:0"}

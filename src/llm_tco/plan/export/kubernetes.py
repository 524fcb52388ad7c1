"""Per self-hosted pool: the vLLM launch script and a Kubernetes Deployment + Service.

The Deployment runs the pool's replicas (one pod per replica, each requesting its GPUs as
``nvidia.com/gpu``, the NVIDIA device plugin's resource) with the vLLM command of ``vllm_command``;
the Service gives them the one address LiteLLM routes the pool's workloads to. Object names are DNS-1123
labels derived from the pool id (``names``), prefixed ``llm-`` so that they begin with a letter as
Service names must.

A replica larger than one server (pipeline stages, or tensor parallelism past 8 GPUs) needs its pods
spread over several servers, which a Deployment cannot express; its files say so, and the Deployment
then serves as the template of one replica for a multi-node launcher (LeaderWorkerSet with Ray).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llm_tco.capacity.parallel import SERVER_GPUS
from llm_tco.errors import UsageError
from llm_tco.plan.export.names import dns_label
from llm_tco.plan.export.safe_yaml import dump_yaml
from llm_tco.plan.export.serving_plan import Pool, ServingPlan
from llm_tco.plan.export.vllm_command import VLLM_PORT, vllm_args, vllm_script

__all__ = [
    "DEFAULT_NAMESPACE",
    "SERVICE_PORT",
    "VLLM_IMAGE",
    "pool_manifests",
    "pool_object_name",
    "write_serving_files",
]

DEFAULT_NAMESPACE = "llm-serving"
SERVICE_PORT = 8000
VLLM_IMAGE = "vllm/vllm-openai:v0.11.0"
"""The vLLM OpenAI-compatible server image (pinned, so a re-deploy runs the same engine)."""
GPU_RESOURCE = "nvidia.com/gpu"
POOL_KEY_SECRET = "llm-tco-pool-api-key"
"""Secret (key ``api-key``) with the key the pools require; optional: without it they accept any."""
HF_TOKEN_SECRET = "hf-token"
"""Secret (key ``token``) with a Hugging Face token, for gated models; optional."""


def pool_object_name(pool: Pool) -> str:
    """Name of the pool's Deployment and Service (also its files' stem)."""
    return dns_label(pool.id, prefix="llm-")


def spans_servers(pool: Pool) -> bool:
    """Whether one replica needs more than one server."""
    return pool.pipeline_parallel > 1 or pool.gpus_per_replica > SERVER_GPUS


def _args(pool: Pool, gpu_memory_utilization: float) -> list[str]:
    return vllm_args(
        hf_id=pool.hf_id,
        served_name=pool.open_model,
        precision=pool.precision,
        kv_cache_dtype=pool.kv_cache_dtype,
        tensor_parallel=pool.tensor_parallel,
        pipeline_parallel=pool.pipeline_parallel,
        max_num_seqs=pool.max_num_seqs,
        max_model_len=pool.max_model_len,
        gpu_memory_utilization=gpu_memory_utilization,
    )


def pool_manifests(pool: Pool, *, namespace: str, gpu_memory_utilization: float) -> list[dict[str, Any]]:
    """The pool's Deployment and Service, as plain mappings."""
    name = pool_object_name(pool)
    selector = {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": name}
    labels = {**selector, "app.kubernetes.io/managed-by": "llm-tco", "llm-tco/gpu": dns_label(pool.gpu)}
    metadata = {
        "name": name,
        "namespace": namespace,
        "labels": labels,
        "annotations": {
            "llm-tco/open-model": pool.open_model,
            "llm-tco/gpu-deployment": pool.deployment,
            "llm-tco/workloads": ",".join(dns_label(w) for w in pool.workloads),
            "llm-tco/sovereignty": pool.sovereignty,
        },
    }
    gpus = {GPU_RESOURCE: pool.gpus_per_replica}
    env: list[dict[str, Any]] = [
        _secret_env("HF_TOKEN", HF_TOKEN_SECRET, "token"),
        _secret_env("VLLM_API_KEY", POOL_KEY_SECRET, "api-key"),
    ]
    if pool.precision in ("int8", "int4", "fp4"):
        env.append({"name": "MODEL", "value": f"set-to-a-{pool.precision}-checkpoint-of-{pool.hf_id}"})
    health = {"httpGet": {"path": "/health", "port": "http"}, "periodSeconds": 10}
    container = {
        "name": "vllm",
        "image": VLLM_IMAGE,
        "command": ["vllm", "serve"],
        "args": _args(pool, gpu_memory_utilization),
        "env": env,
        "ports": [{"name": "http", "containerPort": VLLM_PORT, "protocol": "TCP"}],
        "resources": {"requests": dict(gpus), "limits": dict(gpus)},
        "startupProbe": {**health, "failureThreshold": 180},
        "readinessProbe": {**health, "failureThreshold": 3},
        "volumeMounts": [{"name": "shm", "mountPath": "/dev/shm"}],
    }
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata,
        "spec": {
            "replicas": pool.replicas,
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [container],
                    "volumes": [{"name": "shm", "emptyDir": {"medium": "Memory"}}],
                    "tolerations": [{"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"}],
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "selector": selector,
            "ports": [{"name": "http", "port": SERVICE_PORT, "targetPort": "http", "protocol": "TCP"}],
        },
    }
    return [deployment, service]


def _secret_env(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key, "optional": True}}}


def _summary(pool: Pool) -> str:
    lines = [
        f"Pool {pool_object_name(pool)}: {pool.open_model} ({pool.hf_id}) at {pool.precision} on {pool.gpu} "
        f"({pool.deployment}),",
        f"{pool.replicas} replica(s) of {pool.gpus_per_replica} GPU(s) (tensor parallel "
        f"{pool.tensor_parallel} x pipeline {pool.pipeline_parallel}), {pool.gpus} GPU(s) in all.",
        f"Serves: {', '.join(dns_label(w) for w in pool.workloads)}.",
        "Written by llm-tco plan --export-serving.",
    ]
    if spans_servers(pool):
        lines.append(
            f"One replica spans {max(pool.pipeline_parallel, -(-pool.gpus_per_replica // SERVER_GPUS))} "
            "servers: run it with a multi-node launcher (e.g. LeaderWorkerSet with Ray); the Deployment "
            "below is the template of one replica, not schedulable as it stands on 8-GPU servers."
        )
    return "\n".join(lines)


def write_serving_files(
    plan: ServingPlan, folder: Path, *, namespace: str, gpu_memory_utilization: float
) -> list[Path]:
    """Write each pool's ``<name>.sh`` (the vLLM launch command) and ``<name>.yaml`` (Deployment and
    Service) into ``folder`` (created if missing); the paths written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for pool in plan.pools:
            name = pool_object_name(pool)
            summary = _summary(pool)
            script = folder / f"{name}.sh"
            script.write_text(
                vllm_script(
                    _args(pool, gpu_memory_utilization),
                    hf_id=pool.hf_id,
                    precision=pool.precision,
                    comment=summary,
                ),
                encoding="utf-8",
            )
            script.chmod(0o755)
            manifest = folder / f"{name}.yaml"
            header = "".join(f"# {line}\n" for line in summary.splitlines())
            body = dump_yaml(
                pool_manifests(pool, namespace=namespace, gpu_memory_utilization=gpu_memory_utilization)
            )
            manifest.write_text(header + body, encoding="utf-8")
            written += [script, manifest]
    except OSError as exc:
        raise UsageError(f"{folder}: cannot write the serving files: {exc.strerror or exc}") from exc
    return written

"""Files that put a plan into effect: the LiteLLM proxy configuration routing each workload's alias to its
backend, and per self-hosted pool the vLLM launch command and Kubernetes manifests."""

from llm_tco.plan.export.kubernetes import DEFAULT_NAMESPACE, pool_manifests, write_serving_files
from llm_tco.plan.export.litellm_config import litellm_config, workload_alias, write_litellm_config
from llm_tco.plan.export.serving_plan import Assignment, Pool, ServingPlan, serving_plan_from_document

__all__ = [
    "DEFAULT_NAMESPACE",
    "Assignment",
    "Pool",
    "ServingPlan",
    "litellm_config",
    "pool_manifests",
    "serving_plan_from_document",
    "workload_alias",
    "write_litellm_config",
    "write_serving_files",
]

"""The LiteLLM proxy configuration that puts the plan's routing into effect.

Its ``model_list`` holds exactly one entry per workload, and nothing else: the entry's ``model_name`` is
the workload's stable alias (``names.dns_label`` of the workload name), and its ``litellm_params`` route
the alias to the workload's assigned backend:

- an API model: ``<LiteLLM provider>/<model id>`` with the provider's API key read from the environment
  (``os.environ/…``, LiteLLM's syntax; no secret is ever written);
- a self-hosted pool: ``openai/<served model name>`` at the pool's Kubernetes Service (vLLM serves an
  OpenAI-compatible API), the key read from ``VLLM_API_KEY`` as vLLM itself reads it.

Applications call the alias; moving a workload to another backend later changes only its entry here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llm_tco.errors import UsageError
from llm_tco.plan.export.kubernetes import SERVICE_PORT, pool_object_name
from llm_tco.plan.export.names import dns_label
from llm_tco.plan.export.safe_yaml import dump_yaml
from llm_tco.plan.export.serving_plan import Assignment, Pool, ServingPlan

__all__ = ["LITELLM_PROVIDERS", "litellm_config", "workload_alias", "write_litellm_config"]

LITELLM_PROVIDERS: dict[str, tuple[str, str]] = {
    "anthropic": ("anthropic", "ANTHROPIC_API_KEY"),
    "aws": ("bedrock", "AWS_ACCESS_KEY_ID"),
    "azure": ("azure", "AZURE_API_KEY"),
    "cerebras": ("cerebras", "CEREBRAS_API_KEY"),
    "cohere": ("cohere", "COHERE_API_KEY"),
    "deepseek": ("deepseek", "DEEPSEEK_API_KEY"),
    "fireworks": ("fireworks_ai", "FIREWORKS_AI_API_KEY"),
    "google": ("gemini", "GEMINI_API_KEY"),
    "groq": ("groq", "GROQ_API_KEY"),
    "meta": ("meta_llama", "LLAMA_API_KEY"),
    "mistral": ("mistral", "MISTRAL_API_KEY"),
    "moonshotai": ("moonshot", "MOONSHOT_API_KEY"),
    "novita": ("novita", "NOVITA_API_KEY"),
    "openai": ("openai", "OPENAI_API_KEY"),
    "openrouter": ("openrouter", "OPENROUTER_API_KEY"),
    "perplexity": ("perplexity", "PERPLEXITYAI_API_KEY"),
    "together": ("together_ai", "TOGETHERAI_API_KEY"),
    "x-ai": ("xai", "XAI_API_KEY"),
    "zai": ("zai", "ZAI_API_KEY"),
}
"""genai-prices provider id → (LiteLLM's provider prefix, the environment variable LiteLLM's docs name for
its key). Bedrock authenticates with AWS credentials, not a key: its entry carries no ``api_key``."""

POOL_KEY_ENV = "VLLM_API_KEY"
"""Environment variable holding the key of the self-hosted pools (vLLM reads the same one)."""


def workload_alias(workload: str) -> str:
    """The stable alias a workload's applications call (a DNS-1123 label; see ``names``)."""
    return dns_label(workload)


def litellm_config(plan: ServingPlan, *, namespace: str) -> dict[str, Any]:
    """The LiteLLM proxy configuration (a plain mapping, ready for YAML) for ``plan``, the pools'
    Services being in Kubernetes namespace ``namespace``."""
    pools = {pool.id: pool for pool in plan.pools}
    entries = [_entry(a, pools, namespace) for a in plan.assignments]
    aliases = [entry["model_name"] for entry in entries]
    clashes = sorted({a for a in aliases if aliases.count(a) > 1})
    if clashes:  # only if a hash suffix collides (odds about 1e-9 for two names): rename one
        raise UsageError(f"two workloads share the alias {clashes[0]!r}; rename one of them")
    return {"model_list": entries}


def _entry(assignment: Assignment, pools: dict[str, Pool], namespace: str) -> dict[str, Any]:
    alias = workload_alias(assignment.workload)
    info = {"id": alias, "description": f"llm-tco workload {assignment.workload!r}: {assignment.placement}"}
    if assignment.pool_id is not None:
        pool = pools[assignment.pool_id]
        service = pool_object_name(pool)
        params: dict[str, Any] = {
            "model": f"openai/{pool.open_model}",
            "api_base": f"http://{service}.{namespace}.svc.cluster.local:{SERVICE_PORT}/v1",
            "api_key": f"os.environ/{POOL_KEY_ENV}",
        }
        return {"model_name": alias, "litellm_params": params, "model_info": info}
    provider = assignment.provider or ""
    prefix, key_env = LITELLM_PROVIDERS.get(provider, (provider, ""))
    if not prefix:
        raise UsageError(
            f"workload {assignment.workload!r}: its model {assignment.model!r} has no known provider, so "
            "LiteLLM cannot route it; name the provider in the usage data"
        )
    params = {"model": f"{prefix}/{assignment.model}"}
    if key_env and prefix != "bedrock":
        params["api_key"] = f"os.environ/{key_env}"
    return {"model_name": alias, "litellm_params": params, "model_info": info}


def write_litellm_config(plan: ServingPlan, path: Path, *, namespace: str) -> None:
    """Write ``plan``'s LiteLLM configuration to ``path`` (YAML, safe dumper: plain data only)."""
    text = dump_yaml([litellm_config(plan, namespace=namespace)])
    try:
        path.write_text(
            "# LiteLLM proxy configuration written by llm-tco plan --export-litellm: one alias per\n"
            "# workload, routed to the backend the plan assigns it. Call the alias; change only its entry.\n"
            + text,
            encoding="utf-8",
        )
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the LiteLLM configuration: {exc.strerror or exc}") from exc

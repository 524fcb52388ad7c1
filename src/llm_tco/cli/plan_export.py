"""``plan --export-litellm`` and ``plan --export-serving``: the files that put a plan into effect."""

from __future__ import annotations

from pathlib import Path

from llm_tco.cli.common import warn
from llm_tco.config import Config
from llm_tco.errors import UsageError
from llm_tco.plan import PlanDocument, PlanInputs
from llm_tco.plan.export import serving_plan_from_document, write_litellm_config, write_serving_files
from llm_tco.plan.export.names import is_dns_label
from llm_tco.plan.inputs import with_user_files

__all__ = ["check_namespace", "export_plan"]


def check_namespace(namespace: str) -> str:
    """``namespace`` when it is a valid Kubernetes namespace name (a DNS-1123 label), else a usage error."""
    if not is_dns_label(namespace):
        raise UsageError(
            f"--export-namespace {namespace!r}: not a Kubernetes namespace name (at most 63 lower-case "
            "letters, digits and '-', starting and ending with a letter or digit)"
        )
    return namespace


def export_plan(
    document: PlanDocument,
    config: Config,
    *,
    config_file: str | None,
    litellm_path: Path | None,
    serving_dir: Path | None,
    namespace: str,
) -> None:
    """Write the requested export files for ``document`` (planned with ``config``)."""
    if litellm_path is None and serving_dir is None:
        return
    base_dir = Path(config_file).parent if config_file else None
    inputs = with_user_files(PlanInputs.bundled(), config, base_dir)
    plan = serving_plan_from_document(document, inputs)
    if litellm_path is not None:
        write_litellm_config(plan, litellm_path, namespace=namespace)
    if serving_dir is not None:
        if not plan.pools:
            warn(f"no workload is self-hosted in this plan: nothing written to {serving_dir}")
            return
        write_serving_files(
            plan,
            serving_dir,
            namespace=namespace,
            gpu_memory_utilization=inputs.efficiency.gpu_memory_utilization,
        )

"""Configuration mistakes in ``llm-tco plan`` are errors (exit 2, one line naming the key), never a plan
that silently ignores them; a misspelt workload table is a warning (exit 0) with "did you mean"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_cli_plan import _write, store  # noqa: F401  (the store fixture: chat, code, dark workloads)


def _self_hosted_gpus(doc: dict[str, Any]) -> set[str]:
    """GPUs of the costed self-hosted options (a model that fits no replica has none)."""
    return {
        o["gpu"]
        for w in doc["workloads"]
        for o in w["options"]
        if o["placement"] == "self-hosted" and o["gpu"] is not None
    }


def test_gpu_alias_resolves_to_its_catalog_id(cli: Any, store: str, tmp_path: Path) -> None:  # noqa: F811
    config = _write(tmp_path, '[gpu]\ngpus = ["h100-sxm5"]\ndeployment_modes = ["on-demand"]\n')
    result = cli("plan", "--db", store, "--json", "--config", config)
    assert result.code == 0, result.err
    # h100-sxm5 is an alias of the catalog's h100-sxm: self-hosting is costed on it, not removed.
    assert _self_hosted_gpus(result.json()) == {"h100-sxm"}


def test_gpu_family_selects_every_variant(cli: Any, store: str, tmp_path: Path) -> None:  # noqa: F811
    config = _write(tmp_path, '[gpu]\ngpus = ["H100"]\ndeployment_modes = ["on-demand"]\n')
    result = cli("plan", "--db", store, "--json", "--config", config)
    assert result.code == 0, result.err
    gpus = _self_hosted_gpus(result.json())
    # Only H100 variants (SXM, PCIe, NVL) may appear, and at least one does.
    assert gpus and gpus <= {"h100-sxm", "h100-pcie", "h100-nvl"}


def test_unknown_gpu_exits_2_with_suggestions(cli: Any, store: str, tmp_path: Path) -> None:  # noqa: F811
    config = _write(tmp_path, '[gpu]\ngpus = ["h1000"]\n')
    result = cli("plan", "--db", store, "--config", config)
    assert result.code == 2
    assert f"{config}: gpu.gpus: unknown GPU 'h1000'; did you mean" in result.err
    assert "'h100-sxm'" in result.err and len(result.err.strip().splitlines()) == 1


def test_misspelt_workload_warns_with_did_you_mean(cli: Any, store: str, tmp_path: Path) -> None:  # noqa: F811
    config = _write(tmp_path, '[workloads.chta]\nsovereignty = "air-gapped"\n')
    result = cli("plan", "--db", store, "--json", "--config", config)
    assert result.code == 0, result.err
    assert "warning:" in result.err and "[workloads.chta]" in result.err
    assert "did you mean 'chat'" in result.err
    assert result.json()["workloads"]  # the plan itself is still written


def test_unknown_override_model_exits_2(cli: Any, store: str, tmp_path: Path) -> None:  # noqa: F811
    config = _write(tmp_path, '[workloads.chat.quality_ratio_overrides]\n"lama-3.3-70b" = 0.95\n')
    result = cli("plan", "--db", store, "--config", config)
    assert result.code == 2
    assert "workloads.chat.quality_ratio_overrides: unknown model 'lama-3.3-70b'" in result.err
    assert "did you mean 'llama-3.3-70b'" in result.err


def test_unknown_global_override_and_candidate_models_exit_2(
    cli: Any,
    store: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    config = _write(tmp_path, '[quality.ratio_overrides]\n"gpt-99" = 1.0\n')
    result = cli("plan", "--db", store, "--config", config)
    assert result.code == 2 and "quality.ratio_overrides: unknown model 'gpt-99'" in result.err
    config = _write(tmp_path, '[candidates]\nexclude_models = ["not-a-model-at-all"]\n')
    result = cli("plan", "--db", store, "--config", config)
    assert result.code == 2 and "candidates.exclude_models: unknown model" in result.err


def test_missing_store_file_exits_2(cli: Any, tmp_path: Path) -> None:
    missing = tmp_path / "no-such.duckdb"
    result = cli("plan", "--db", str(missing), "--config", _write(tmp_path, ""))
    assert result.code == 2
    assert "no such store" in result.err and str(missing) in result.err
    assert not missing.exists()  # nothing created by a read-only command


def test_owned_price_gpu_names_resolve_or_exit_2(cli: Any, store: str, tmp_path: Path) -> None:  # noqa: F811
    base = (
        '[gpu]\ngpus = ["h100-sxm"]\ndeployment_modes = ["owned"]\n'
        '[workloads.chat]\nsovereignty = "on-prem"\n'
    )

    def owned_one_off(extra: str) -> float:
        result = cli("plan", "--db", store, "--json", "--config", _write(tmp_path, base + extra))
        assert result.code == 0, result.err
        chat = next(w for w in result.json()["workloads"] if w["workload"] == "chat")
        return float(chat["recommendation"]["one_off_cost_usd"])

    # The alias h100-sxm5 prices the catalog's h100-sxm: buying GPUs at $1 instead of the catalog's
    # $30,000 makes the owned option's one-off cost (migration + GPUs) smaller.
    cheap = owned_one_off('[owned.purchase_price_usd_per_gpu]\n"h100-sxm5" = 1.0\n')
    assert cheap < owned_one_off("")
    config = _write(tmp_path, '[owned.purchase_price_usd_per_gpu]\n"b2000" = 1.0\n')
    result = cli("plan", "--db", store, "--config", config)
    assert result.code == 2
    assert "owned.purchase_price_usd_per_gpu: unknown GPU 'b2000'; did you mean" in result.err

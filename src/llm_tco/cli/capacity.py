"""``llm-tco capacity``: predicted serving throughput, latency, memory and cost per token.

One configuration from the options (its id is ``cli``), or many from ``--scenarios FILE.csv`` (the layout of
the shared calibration CSV). In ``--scenarios`` mode a row that does not fit, or names an unknown model or
GPU, is reported with ``fits: false`` and an ``error`` and the batch goes on. ``--measured FILE.csv``
replaces predictions with the user's measurements where the configuration matches.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from llm_tco.capacity.measured import Measurement
from llm_tco.capacity.precision import KV_PRECISIONS, WEIGHT_PRECISIONS
from llm_tco.capacity.specs import ScenarioSpec
from llm_tco.catalog.measurements import load_measurements
from llm_tco.catalog.scenario_file import ScenarioRow, read_scenario_file
from llm_tco.catalog.serving import PricedPrediction, predict_named
from llm_tco.cli.common import JsonOption, emit_json, out_console
from llm_tco.errors import LlmTcoError, UsageError
from llm_tco.report.text import cell, line

__all__ = ["register"]

_DEPLOYMENTS = ("on-demand", "reserved-1y", "reserved-3y", "spot")


def _scenario(
    kind: str | None, concurrency: int | None, ttft_ms: float | None, tpot_ms: float | None
) -> ScenarioSpec:
    """The scenario asked for; inferred when not named (``--concurrency`` ⇒ concurrency, targets ⇒ slo)."""
    if kind is None:
        if ttft_ms is not None or tpot_ms is not None:
            kind = "slo"
        elif concurrency is not None:
            kind = "concurrency"
        else:
            kind = "offline"
    kind = kind.lower()
    if kind not in ("offline", "concurrency", "batch", "slo"):
        raise UsageError(f"unknown scenario {kind!r}; choose offline, concurrency, batch or slo")
    if kind in ("concurrency", "batch") and not concurrency:
        raise UsageError(f"--scenario {kind} needs --concurrency")
    if kind == "slo" and (ttft_ms is None or tpot_ms is None):
        raise UsageError("--scenario slo needs both --ttft-ms and --tpot-ms")
    return ScenarioSpec(kind=kind, concurrency=concurrency, ttft_ms=ttft_ms, tpot_ms=tpot_ms)  # type: ignore[arg-type]


def _prediction_json(priced: PricedPrediction, utilisation: float) -> dict[str, Any]:
    p = priced.prediction
    document: dict[str, Any] = {
        "id": p.id,
        "model": p.model,
        "gpu": p.gpu,
        "num_gpus": p.num_gpus,
        "tp": p.tp,
        "replicas": p.replicas,
        "precision": p.precision,
        "kv_precision": p.kv_precision,
        "engine": p.engine,
        "scenario": p.scenario,
        "input_len": p.input_len,
        "output_len": p.output_len,
        "fits": p.fits,
        "source": p.source,
        "output_tokens_per_s": p.output_tokens_per_s,
        "output_tokens_per_s_per_gpu": p.output_tokens_per_s_per_gpu,
        "requests_per_s": p.requests_per_s,
        "concurrency": p.concurrency,
        "ttft_ms": p.ttft_ms,
        "tpot_ms": p.tpot_ms,
        "limited_by": p.limited_by,
        "memory": p.memory.as_dict() if p.memory else None,
        "gpu_hourly_usd": priced.gpu_hourly_usd,
        "price_source": priced.price_source,
        "utilisation": utilisation,
        "cost_per_million_output_tokens_usd": None,
        "cost_per_million_total_tokens_usd": None,
        "cost_per_million_output_tokens_at_utilisation_usd": None,
        "cost_per_million_total_tokens_at_utilisation_usd": None,
        "notes": list(p.notes),
        "error": p.error,
    }
    if p.cost is not None:
        document["cost_per_million_output_tokens_usd"] = p.cost.per_million_output_tokens_usd
        document["cost_per_million_total_tokens_usd"] = p.cost.per_million_total_tokens_usd
        document["cost_per_million_output_tokens_at_utilisation_usd"] = (
            p.cost.per_million_output_tokens_at_utilisation_usd
        )
        document["cost_per_million_total_tokens_at_utilisation_usd"] = (
            p.cost.per_million_total_tokens_at_utilisation_usd
        )
    return document


def _failed_row_json(row: ScenarioRow, error: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "model": row.model,
        "gpu": row.gpu,
        "num_gpus": row.num_gpus,
        "tp": row.tp if row.tp is not None else row.num_gpus,
        "scenario": row.scenario or None,
        "input_len": row.input_len or None,
        "output_len": row.output_len or None,
        "fits": False,
        "source": "model",
        "output_tokens_per_s": None,
        "output_tokens_per_s_per_gpu": None,
        "requests_per_s": None,
        "concurrency": None,
        "ttft_ms": None,
        "tpot_ms": None,
        "limited_by": None,
        "memory": None,
        "cost_per_million_output_tokens_usd": None,
        "notes": [],
        "error": error,
    }


def _run_rows(
    rows: list[ScenarioRow],
    measurements: list[Measurement],
    *,
    gpu_hourly_usd: float | None,
    deployment: str,
    utilisation: float,
    kv_precision: str | None,
) -> list[dict[str, Any]]:
    results = []
    for row in rows:
        if row.error:
            results.append(_failed_row_json(row, row.error))
            continue
        try:
            priced = predict_named(
                model=row.model,
                gpu=row.gpu,
                gpus=row.num_gpus,
                tp=row.tp,
                precision=row.precision,
                kv_precision=kv_precision,
                engine=row.engine,
                input_len=row.input_len,
                output_len=row.output_len,
                scenario=_scenario(row.scenario, row.concurrency, row.ttft_ms, row.tpot_ms),
                prediction_id=row.id,
                measurements=measurements,
                gpu_hourly_usd=gpu_hourly_usd,
                deployment=deployment,  # type: ignore[arg-type]
                utilisation=utilisation,
            )
        except LlmTcoError as exc:
            results.append(_failed_row_json(row, f"line {row.line}: {exc}"))
            continue
        results.append(_prediction_json(priced, utilisation))
    return results


def _fmt(value: Any, spec: str = ",.0f", suffix: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:{spec}}{suffix}"


def _gb(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value / 1e9:,.1f} GB" if value >= 1e9 else f"{value / 1e6:,.1f} MB"


_METRICS: tuple[tuple[str, str, str], ...] = (
    ("output tokens/s", "output_tokens_per_s", ",.0f"),
    ("  per GPU", "output_tokens_per_s_per_gpu", ",.0f"),
    ("requests/s", "requests_per_s", ",.2f"),
    ("in flight", "concurrency", ",.0f"),
    ("TTFT ms", "ttft_ms", ",.0f"),
    ("TPOT ms", "tpot_ms", ",.1f"),
    ("$/M output tokens", "cost_per_million_output_tokens_usd", ",.4f"),
    ("$/M total tokens", "cost_per_million_total_tokens_usd", ",.4f"),
    ("$/M output at utilisation", "cost_per_million_output_tokens_at_utilisation_usd", ",.4f"),
)
_MEMORY: tuple[tuple[str, str], ...] = (
    ("GPU memory", "gpu_memory_bytes"),
    ("usable", "usable_bytes"),
    ("weights", "weights_bytes"),
    ("activations + runtime", "activations_bytes"),
    ("KV cache", "kv_cache_bytes"),
    ("KV per sequence", "kv_bytes_per_sequence"),
)


def _config(p: dict[str, Any]) -> str:
    return f"{p['model']} on {p['num_gpus']}× {p['gpu']} (tp {p['tp']})"


def _render(predictions: list[dict[str, Any]]) -> None:
    """People's view: one column per prediction (rows = metrics), then the per-GPU memory breakdown."""
    table = Table(title=cell("Serving capacity (whole system)"), title_justify="left")
    table.add_column("")
    for p in predictions:
        table.add_column(cell(p["id"]), justify="right", overflow="fold")
    _row(table, "configuration", *(_config(p) for p in predictions))
    _row(
        table,
        "precision / KV / engine",
        *(
            f"{p.get('precision', '')} / {p.get('kv_precision', '')} / {p.get('engine', '')}"
            for p in predictions
        ),
    )
    _row(table, "scenario", *(str(p.get("scenario") or "") for p in predictions))
    _row(table, "fits", *("yes" if p["fits"] else "NO" for p in predictions))
    for label, key, spec in _METRICS:
        _row(table, label, *(_fmt(p.get(key), spec) for p in predictions))
    _row(table, "limited by", *(str(p.get("limited_by") or "—") for p in predictions))
    _row(table, "source", *(str(p.get("source")) for p in predictions))
    memory = Table(title=cell("Memory per GPU"), title_justify="left")
    memory.add_column("")
    for p in predictions:
        memory.add_column(cell(p["id"]), justify="right")
    for label, key in _MEMORY:
        _row(memory, label, *(_gb((p.get("memory") or {}).get(key)) for p in predictions))
    _row(memory, "max sequences", *(_fmt((p.get("memory") or {}).get("max_sequences")) for p in predictions))
    out_console.print(table)
    out_console.print(memory)
    for p in predictions:
        if p.get("error"):
            out_console.print(line("• ", p["id"], ": ", p["error"]))
        for note in p.get("notes", []):
            out_console.print(line("• ", p["id"], ": ", note))
        if p.get("cost_per_million_output_tokens_usd") is not None:
            out_console.print(
                line(
                    "• ",
                    p["id"],
                    f": priced at ${p['gpu_hourly_usd']:.2f} per GPU-hour ({p['price_source']}), "
                    f"utilisation {p['utilisation']:.0%}",
                )
            )


def _row(table: Table, *cells: object) -> None:
    """A table row whose cells (ids, model and GPU names from a scenarios file) are shown literally."""
    table.add_row(*(cell(c) for c in cells))


def register(app: typer.Typer) -> None:
    """Add the ``capacity`` command to ``app``."""

    @app.command("capacity")
    def capacity(
        model: Annotated[
            str | None, typer.Option("--model", help="Open model: id, HF repo id or alias.")
        ] = None,
        gpu: Annotated[str | None, typer.Option("--gpu", help="GPU: id (h100-sxm, ...) or alias.")] = None,
        gpus: Annotated[int, typer.Option("--gpus", help="GPUs in total.")] = 1,
        tp: Annotated[
            int | None, typer.Option("--tp", help="Tensor-parallel size (default: all GPUs).")
        ] = None,
        precision: Annotated[str, typer.Option("--precision", help="|".join(WEIGHT_PRECISIONS))] = "bf16",
        kv_precision: Annotated[
            str | None,
            typer.Option(
                "--kv-precision", help="|".join(KV_PRECISIONS) + " (default fp8 for ≤8-bit weights)"
            ),
        ] = None,
        engine: Annotated[str, typer.Option("--engine", help="vllm|sglang|trtllm")] = "vllm",
        input_len: Annotated[float | None, typer.Option("--input-len", help="Mean prompt tokens.")] = None,
        output_len: Annotated[float | None, typer.Option("--output-len", help="Mean output tokens.")] = None,
        scenario: Annotated[
            str | None, typer.Option("--scenario", help="offline|concurrency|batch|slo (inferred if omitted)")
        ] = None,
        concurrency: Annotated[int | None, typer.Option("--concurrency", help="Requests in flight.")] = None,
        ttft_ms: Annotated[
            float | None, typer.Option("--ttft-ms", help="p99 time-to-first-token target.")
        ] = None,
        tpot_ms: Annotated[
            float | None, typer.Option("--tpot-ms", help="p99 time-per-output-token target.")
        ] = None,
        gpu_hourly_usd: Annotated[
            float | None, typer.Option("--gpu-hourly-usd", help="Price per GPU-hour (default: catalog).")
        ] = None,
        deployment: Annotated[
            str, typer.Option("--deployment", help="Catalog price to use: " + "|".join(_DEPLOYMENTS))
        ] = "on-demand",
        utilisation: Annotated[
            float, typer.Option("--utilisation", help="Share of full-load capacity used, for cost (0-1].")
        ] = 1.0,
        scenarios: Annotated[
            Path | None, typer.Option("--scenarios", help="CSV of scenarios (calibration-file layout).")
        ] = None,
        measured: Annotated[
            Path | None,
            typer.Option("--measured", help="CSV of your measurements; they replace predictions."),
        ] = None,
        json_output: JsonOption = False,
    ) -> None:
        """Predict serving throughput, latency, memory and cost per token for an open model on GPUs."""
        if deployment not in _DEPLOYMENTS:
            raise UsageError(f"unknown deployment {deployment!r}; choose one of {', '.join(_DEPLOYMENTS)}")
        if not 0.0 < utilisation <= 1.0:
            raise UsageError("--utilisation must be in (0, 1]")
        if gpu_hourly_usd is not None and gpu_hourly_usd < 0:
            raise UsageError("--gpu-hourly-usd must not be negative")
        if kv_precision is not None and kv_precision not in KV_PRECISIONS:
            raise UsageError(
                f"unknown KV precision {kv_precision!r}; choose one of {', '.join(KV_PRECISIONS)}"
            )
        measurements = load_measurements(measured) if measured is not None else []
        if scenarios is not None:
            if model is not None or gpu is not None:
                raise UsageError("--scenarios takes models and GPUs from the file; drop --model/--gpu")
            rows = read_scenario_file(scenarios)
            predictions = _run_rows(
                rows,
                measurements,
                gpu_hourly_usd=gpu_hourly_usd,
                deployment=deployment,
                utilisation=utilisation,
                kv_precision=kv_precision,
            )
        else:
            if model is None or gpu is None or input_len is None or output_len is None:
                raise UsageError(
                    "give --model, --gpu, --input-len and --output-len (or --scenarios FILE.csv)"
                )
            priced = predict_named(
                model=model,
                gpu=gpu,
                gpus=gpus,
                tp=tp,
                precision=precision.lower(),
                kv_precision=kv_precision,
                engine=engine,
                input_len=input_len,
                output_len=output_len,
                scenario=_scenario(scenario, concurrency, ttft_ms, tpot_ms),
                measurements=measurements,
                gpu_hourly_usd=gpu_hourly_usd,
                deployment=deployment,  # type: ignore[arg-type]
                utilisation=utilisation,
            )
            predictions = [_prediction_json(priced, utilisation)]
        if json_output:
            emit_json({"predictions": predictions})
        else:
            _render(predictions)

"""Self-hosted options: open model × GPU × replica shape (GPUs, precision) × deployment mode.

For each (model, GPU) the replica shape is chosen by :mod:`llm_tco.plan.shapes` (a shape that fits but
cannot meet the latency targets is flagged ``latency``). Each deployment mode is
then costed over the horizon (``llm_tco.cost.selfhost``) with the fixed costs of running a platform, the
fine-tuning runs and the migration. The plan keeps, per (model, mode), the best GPU.
"""

from __future__ import annotations

import statistics

import numpy as np

from llm_tco.catalog.hosted import region_matches
from llm_tco.config.model import Config
from llm_tco.cost.breakdown import owned_capex_parts
from llm_tco.cost.fixed import one_off_flows
from llm_tco.cost.horizon import FloatArray
from llm_tco.cost.selfhost import SelfHostedEconomics
from llm_tco.plan.candidate import Candidate, quality_check, selfhosted_sovereignty
from llm_tco.plan.context import WorkloadContext
from llm_tco.plan.inputs import CloudPrice, GpuOffer, PlanInputs
from llm_tco.plan.shapes import ReplicaShape, best_shape, fixed_shape

__all__ = [
    "cloud_price",
    "gpu_watts",
    "models_meeting_floor",
    "selfhosted_candidates",
]


def cloud_price(
    gpu: GpuOffer, mode: str, config: Config, region: str | None
) -> tuple[float, tuple[str, ...] | None, str | None] | None:
    """($/GPU-hour, regions of the prices used, note) for a cloud mode, or None when there is no price.

    Your own price (``[gpu.hourly_usd]``) wins (its region is unknown); else published prices (of
    ``gpu.cloud_provider`` when set) are preferred; for a ``region:<code>`` workload,
    those listing the region. A mode with no published price is derived from on-demand with the configured
    discount, and the note says so. Several prices: their median.
    """

    def published(which: str) -> list[CloudPrice]:
        prices = list(gpu.cloud_prices.get(which, ()))
        if config.gpu.cloud_provider:
            prices = [p for p in prices if p.provider == config.gpu.cloud_provider]
        if region is not None:
            listed = [p for p in prices if p.regions and region_matches(region, p.regions)]
            prices = listed or prices
        return prices

    yours = config.gpu.hourly_usd.get(gpu.id, {}).get(mode)  # type: ignore[call-overload]
    if yours is not None:
        return float(yours), None, f"{mode} price of {gpu.id}: yours, ${yours:g}/GPU-hour ([gpu.hourly_usd])"
    prices = published(mode)
    note = None
    factor = 1.0
    if not prices and mode != "on-demand":
        discount = {
            "reserved-1y": config.gpu.reserved_1y_discount,
            "reserved-3y": config.gpu.reserved_3y_discount,
            "spot": config.gpu.spot_discount,
        }[mode]
        prices = published("on-demand")
        factor = 1.0 - discount
        note = f"{mode} price derived: on-demand × (1 - {discount:g})"
    if not prices:
        return None
    hourly = float(statistics.median(p.usd_per_gpu_hour for p in prices)) * factor
    regions: set[str] = set()
    for p in prices:
        if p.regions is None:
            return hourly, None, note
        regions.update(p.regions)
    return hourly, tuple(sorted(regions)), note


def gpu_watts(config: Config, gpu: GpuOffer) -> float | None:
    """Draw per GPU at full load: ``[owned] gpu_watts`` when set for the GPU, else the catalog TDP."""
    return config.owned.gpu_watts.get(gpu.id, gpu.tdp_w)


def _economics(
    context: WorkloadContext, gpu: GpuOffer, shape: ReplicaShape, mode: str, hourly: float
) -> SelfHostedEconomics:
    config = context.config
    owned_price = config.owned.purchase_price_usd_per_gpu.get(gpu.id, gpu.purchase_price_usd or 0.0)
    return SelfHostedEconomics(
        deployment=mode,  # type: ignore[arg-type]
        gpus_per_replica=shape.gpus_per_replica,
        replica_tokens_per_s=shape.tokens_per_s,
        target_utilisation=config.capacity.target_utilisation,
        peak_to_mean_ratio=context.peak_to_mean_ratio,
        redundancy=context.redundancy,
        gpu_hourly_usd=hourly,
        capacity_overhead=config.gpu.spot_preemption_overhead if mode == "spot" else 0.0,
        purchase_price_usd_per_gpu=owned_price,
        useful_life_months=config.owned.useful_life_years * 12,
        residual_value_fraction=config.owned.residual_value_fraction,
        tdp_w=gpu_watts(config, gpu) or 0.0,
        idle_power_fraction=config.owned.idle_power_fraction,
        pue=config.owned.pue,
        electricity_usd_per_kwh=config.owned.electricity_usd_per_kwh,
        hosting_usd_per_kw_month=config.owned.hosting_usd_per_kw_month,
        serving_hours_per_month=context.serving_hours_per_month,
        fixed_replicas=context.fixed_shape.replicas if context.fixed_shape is not None else None,
    )


def _candidate(
    context: WorkloadContext, inputs: PlanInputs, model: str, gpu: GpuOffer, shape: ReplicaShape, mode: str
) -> Candidate | None:
    config = context.config
    region = (
        context.sovereignty.removeprefix("region:") if context.sovereignty.startswith("region:") else None
    )
    notes: list[str] = list(context.serving_notes)
    regions: tuple[str, ...] | None = None
    if mode == "owned":
        purchase = config.owned.purchase_price_usd_per_gpu.get(gpu.id, gpu.purchase_price_usd)
        if purchase is None or gpu_watts(config, gpu) is None:
            return None
        hourly = 0.0
    else:
        priced = cloud_price(gpu, mode, config, region)
        if priced is None:
            return None
        hourly, regions, note = priced
        if note:
            notes.append(note)
    economics = _economics(context, gpu, shape, mode, hourly)
    months = economics.months(context.tokens)
    n = context.months
    recurring = months.gpu_cost_usd + context.fixed.months(n)
    ft = config.fine_tuning
    one_off = one_off_flows(
        n,
        month_one_usd=context.migration_usd + ft.one_off_usd,
        periodic_usd=ft.periodic_usd,
        period_months=ft.period_months,
    )
    lines = _fixed_lines(context, n)
    lines["fine_tuning"] = one_off_flows(n, periodic_usd=ft.periodic_usd, period_months=ft.period_months)
    lines["fine_tuning"][:1] += ft.one_off_usd
    lines["migration"] = one_off_flows(n, month_one_usd=context.migration_usd)
    credit = 0.0
    if mode == "owned":
        fleet = {
            "purchase_price_usd_per_gpu": economics.purchase_price_usd_per_gpu,
            "useful_life_months": economics.useful_life_months,
            "residual_value_fraction": economics.residual_value_fraction,
        }
        purchases, credit_line = owned_capex_parts(months.gpus, **fleet)
        credit = -float(credit_line[-1]) if n else 0.0
        one_off = one_off + purchases
        if n:
            one_off[-1] -= credit
        lines["gpus"], lines["residual_credit"] = purchases, credit_line
        lines["power_and_hosting"] = months.gpu_cost_usd
    else:
        lines["gpus"] = months.gpu_cost_usd
    ratio, quality_problem = quality_check(
        context, model, inputs.quality.ratio(model, context.current_model or "", context.task)
    )
    candidate = Candidate(
        id=f"self-hosted:{model}:{gpu.id}:{mode}",
        placement="self-hosted",
        provider=None,
        model=model,
        open_model=model,
        tokens=context.tokens,
        recurring_usd=recurring,
        one_off_usd=one_off,
        quality=ratio,
        gpu=gpu.id,
        gpus=int(months.gpus[0]),
        gpus_per_replica=shape.gpus_per_replica,
        tensor_parallel=shape.tensor_parallel,
        pipeline_parallel=shape.pipeline_parallel,
        replicas=int(months.replicas[0]),
        precision=shape.precision,
        deployment=mode,
        economics=economics,
        fixed_monthly_usd=context.fixed.monthly_usd,
        notes=notes,
        lines=lines,
        book_value_credit_usd=credit,
    )
    if quality_problem:
        candidate.unmet["quality"] = quality_problem
    if shape.measured:
        candidate.notes.append(f"throughput of {shape.gpus_per_replica}× {gpu.id} from your measurements")
    if economics.fixed_replicas is not None:
        short = months.needed_replicas > economics.fixed_replicas
        if short.any():
            month = int(short.argmax()) + 1
            candidate.unmet["capacity"] = (
                f"the fixed {economics.fixed_replicas} replica(s) of {shape.gpus_per_replica}× {gpu.id} "
                f"cannot carry the volume from month {month} "
                f"({int(months.needed_replicas[month - 1])} needed)"
            )
    if not shape.meets_latency:
        candidate.unmet["latency"] = (
            f"no {gpu.id} replica of {model} meets p99 TTFT {context.ttft_p99_ms:g} ms / "
            f"TPOT {context.tpot_p99_ms:g} ms (sized at relaxed targets)"
        )
    problem, assumption = selfhosted_sovereignty(context, mode, regions)
    if problem:
        candidate.unmet["sovereignty"] = problem
    if assumption:
        candidate.notes.append(assumption)
    return candidate


def _fixed_lines(context: WorkloadContext, months: int) -> dict[str, FloatArray]:
    """The platform's recurring costs, one line each, every month of the horizon."""
    fixed = context.fixed
    return {
        name: np.full(months, monthly, dtype=np.float64)
        for name, monthly in (
            ("staff", fixed.staffing_usd_per_month),
            ("on_call", fixed.on_call_usd_per_month),
            ("monitoring", fixed.monitoring_usd_per_month),
            ("governance", fixed.governance_usd_per_month),
        )
    }


def models_meeting_floor(context: WorkloadContext, inputs: PlanInputs, fallback: int = 3) -> list[str]:
    """Open models whose quality ratio meets the workload's floor (or is overridden / assumed to); when
    none does, the ``fallback`` best-scored ones, so that each placement still shows its best option."""
    current = context.current_model or ""
    checked = [
        (model, *quality_check(context, model, inputs.quality.ratio(model, current, context.task)))
        for model in inputs.open_models
    ]
    good = [model for model, _, problem in checked if problem is None]
    if good:
        return good
    scored = sorted(
        ((ratio.ratio, model) for model, ratio, _ in checked if ratio.ratio is not None), reverse=True
    )
    return [model for _, model in scored[:fallback]]


def selfhosted_candidates(
    context: WorkloadContext, inputs: PlanInputs, models: list[str] | None = None
) -> tuple[list[Candidate], int]:
    """The best GPU per (open model, deployment mode) for ``models`` (default: every catalog model), and
    how many configurations were costed in all."""
    config = context.config
    rate = config.planning.discount_rate_per_year
    best: dict[tuple[str, str], Candidate] = {}
    evaluated = 0
    allowed = set(config.gpu.gpus)
    fixed = context.fixed_shape
    if fixed is not None:
        allowed = {fixed.gpu}
        models = [fixed.model] if models is None or fixed.model in models else []
    for model in inputs.open_models if models is None else models:
        for gpu in inputs.gpus:
            if allowed and gpu.id not in allowed:
                continue
            shape = (
                best_shape(context, inputs, model, gpu)
                if fixed is None
                else fixed_shape(context, inputs, gpu)
            )
            if shape is None:
                continue
            for mode in config.gpu.deployment_modes:
                candidate = _candidate(context, inputs, model, gpu, shape, mode)
                if candidate is None:
                    continue
                evaluated += 1
                key = (model, mode)
                if key not in best or candidate.rank_key(rate) < best[key].rank_key(rate):
                    best[key] = candidate
    return list(best.values()), evaluated

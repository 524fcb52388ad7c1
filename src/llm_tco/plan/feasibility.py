"""Hard feasibility rules beyond sovereignty: context window, model lifecycle, the ``[candidates]`` lists,
and self-hosted models that fit no replica.

Each rule records its reason on the option (``Candidate.unmet``) rather than dropping the option: the plan
shows every infeasible option with why, so nothing vanishes silently. The current model (``stay``) is the
reference and is never excluded.
"""

from __future__ import annotations

from llm_tco.capacity.predict import replica_capacity
from llm_tco.catalog._load import normalise_name
from llm_tco.catalog.quality import QualityRatio, same_model
from llm_tco.errors import LlmTcoError
from llm_tco.plan.candidate import Candidate
from llm_tco.plan.context import WorkloadContext
from llm_tco.plan.inputs import GpuOffer, PlanInputs

__all__ = [
    "apply_feasibility",
    "required_context_tokens",
    "unfit_candidate",
    "unfit_models",
    "unscored_reason",
]

_LARGEST_SHAPE_TRIED = 64
"""Replica sizes beyond ``max_gpus_per_replica`` tried only to name the smallest shape that would fit."""


def required_context_tokens(context: WorkloadContext) -> tuple[float, bool] | None:
    """(p99 prompt + p99 output tokens, whether they come from bucket means), or None when unknown."""
    prompt, output = context.profile.input_length, context.profile.output_length
    p_in = prompt.p99 if prompt.p99 is not None else prompt.mean
    p_out = output.p99 if output.p99 is not None else output.mean
    if p_in is None or p_out is None:
        return None
    from_means = prompt.from_means or output.from_means or prompt.p99 is None or output.p99 is None
    return p_in + p_out, from_means


def _context_problem(context: WorkloadContext, window: int | None) -> str | None:
    need = required_context_tokens(context)
    if window is None or need is None or need[0] <= window:
        return None
    basis = " (from bucket means: the true p99 is higher)" if need[1] else ""
    return (
        f"the workload's p99 prompt + output is {need[0]:,.0f} tokens{basis}, over the model's "
        f"{window:,}-token context window"
    )


def _matches(name: str | None, listed: list[str]) -> bool:
    """A provider in a list (case- and separator-insensitive)."""
    return name is not None and normalise_name(name) in {normalise_name(n) for n in listed}


def _lists_model(names: list[str | None], listed: list[str]) -> bool:
    """A model in a list, under any spelling of it (dated, Bedrock, Vertex or Hugging Face ids)."""
    return any(n is not None and any(same_model(n, entry) for entry in listed) for n in names)


def _allowed_problem(context: WorkloadContext, candidate: Candidate) -> str | None:
    lists = context.config.candidates
    names = [candidate.model, candidate.open_model]
    if _lists_model(names, lists.exclude_models):
        return f"{candidate.open_model or candidate.model} is in [candidates].exclude_models"
    if lists.models and not _lists_model(names, lists.models):
        return f"{candidate.open_model or candidate.model} is not in [candidates].models"
    provider = candidate.provider
    if candidate.placement == "open-api":
        allow, deny, key = (
            lists.open_model_providers,
            lists.exclude_open_model_providers,
            "open_model_providers",
        )
    elif candidate.placement == "closed-api":
        allow, deny = lists.closed_model_providers, lists.exclude_closed_model_providers
        key = "closed_model_providers"
    else:
        return None
    if _matches(provider, deny):
        return f"provider {provider} is in [candidates].exclude_{key}"
    if allow and not _matches(provider, allow):
        return f"provider {provider} is not in [candidates].{key}"
    return None


def apply_feasibility(candidate: Candidate, context: WorkloadContext, inputs: PlanInputs) -> None:
    """Record on ``candidate`` every hard rule of this module it breaks (``stay`` is left alone)."""
    if candidate.id == "stay":
        return
    if candidate.quality.ratio is None and "quality" in candidate.unmet:
        # No comparable score is not a quality failure: say so under its own name.
        candidate.unmet["unscored"] = candidate.unmet.pop("quality")
    facts = inputs.open_model_facts.get(candidate.open_model or "")
    window = facts.context_tokens if facts is not None and candidate.placement != "closed-api" else None
    if candidate.placement == "closed-api" or (window is None and candidate.context_tokens is not None):
        window = candidate.context_tokens
    problem = _context_problem(context, window)
    if problem:
        candidate.unmet["context"] = problem
    if facts is not None:
        why = []
        if facts.base_model:
            why.append(f"{candidate.open_model} is a base model (not instruction-tuned)")
        if facts.deprecated_on:
            why.append(f"{candidate.open_model} was deprecated on {facts.deprecated_on}")
        if facts.superseded_by:
            why.append(f"{candidate.open_model} is superseded by {facts.superseded_by}")
        if why:
            candidate.unmet["model"] = "; ".join(why)
    allowed = _allowed_problem(context, candidate)
    if allowed:
        candidate.unmet["allowed"] = allowed


def _smallest_fit(context: WorkloadContext, inputs: PlanInputs, model: str, gpus: list[GpuOffer]) -> str:
    """The smallest replica (fewest GPUs, then catalog order) beyond the configured limit that holds
    ``model`` at the workload's lengths, or a sentence saying none up to 64 GPUs does."""
    limit = context.config.gpu.max_gpus_per_replica
    input_len = context.profile.input_length.mean or 0.0
    output_len = context.profile.output_length.mean or 0.0
    tp = 1
    while tp <= _LARGEST_SHAPE_TRIED:
        if tp > limit:
            for gpu in gpus:
                for precision in context.config.capacity.precisions:
                    try:
                        capacity = replica_capacity(
                            inputs.open_models[model],
                            gpu.spec,
                            inputs.efficiency,
                            tp=tp,
                            precision=precision,
                            engine=inputs.engine,
                            input_len=input_len,
                            output_len=output_len,
                            ttft_p99_ms=context.ttft_p99_ms,
                            tpot_p99_ms=context.tpot_p99_ms,
                        )
                    except LlmTcoError:  # a shape the capacity model refuses (e.g. no such precision)
                        continue
                    if capacity.fits:
                        return f"smallest shape that fits: {tp}× {gpu.id} at {precision}"
        tp *= 2
    return f"no replica of up to {_LARGEST_SHAPE_TRIED} of these GPUs holds it"


def unfit_candidate(
    context: WorkloadContext, inputs: PlanInputs, model: str, gpus: list[GpuOffer]
) -> Candidate:
    """An unpriced, infeasible option for an open model that fits no replica of up to
    ``max_gpus_per_replica`` GPUs of any GPU considered — named, with the smallest shape that would fit."""
    limit = context.config.gpu.max_gpus_per_replica
    candidate = Candidate(
        id=f"self-hosted:{model}:does-not-fit",
        placement="self-hosted",
        provider=None,
        model=model,
        open_model=model,
        tokens=context.tokens,
        recurring_usd=None,
        one_off_usd=None,
        quality=QualityRatio(None, "unknown", note="not compared (does not fit)"),
    )
    names = ", ".join(g.id for g in gpus)
    candidate.unmet["capacity"] = (
        f"{model} does not fit a replica of up to {limit} GPUs ({names}); "
        f"{_smallest_fit(context, inputs, model, gpus)} (raise [gpu] max_gpus_per_replica)"
    )
    return candidate


def unfit_models(
    context: WorkloadContext, inputs: PlanInputs, models: list[str], costed: list[Candidate]
) -> list[Candidate]:
    """Options for the ``models`` that got no self-hosted option because no replica of any considered GPU
    holds them (the lengths must be known: without them nothing is sized at all)."""
    from llm_tco.plan.shapes import best_shape

    if not context.profile.input_length.mean or not context.profile.output_length.mean:
        return []
    allowed = set(context.config.gpu.gpus)
    gpus = [g for g in inputs.gpus if not allowed or g.id in allowed]
    have = {c.open_model for c in costed}
    out = []
    for model in models:
        if model in have or not gpus:
            continue
        if all(best_shape(context, inputs, model, gpu) is None for gpu in gpus):
            out.append(unfit_candidate(context, inputs, model, gpus))
    return out


def unscored_reason(
    context: WorkloadContext, stay: Candidate, ranked: list[Candidate], rate: float
) -> str | None:
    """When the plan stays on the current model although cheaper options exist whose only obstacle is a
    missing quality score, the sentence that says so (never reported as a quality failure)."""
    stay_npv = stay.npv(rate)
    if stay_npv is None:
        return None
    names: list[str] = []
    for candidate in ranked:
        value = candidate.npv(rate)
        if candidate is stay or not candidate.hard_ok or value is None or value >= stay_npv:
            continue
        if set(candidate.unmet) - {"unscored"} or "unscored" not in candidate.unmet:
            continue
        name = candidate.open_model or candidate.model
        if name not in names:
            names.append(name)
    if not names:
        return None
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    return (
        f"stayed because no comparable score for {shown}; "
        f"add [workloads.{context.workload}.quality] to compare"
    )

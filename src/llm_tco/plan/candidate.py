"""The plan's internal option record, and the feasibility rules shared by every placement.

Constraints are hard or soft. Sovereignty is hard: an option that breaks it is never recommended. Quality
(the floor) and latency (the p99 targets) are soft: when no option meets every constraint, the best option
meeting the hard ones is recommended and the unmet soft ones are named. An option without a price
(``price``) cannot be ranked at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from llm_tco.catalog.hosted import region_matches
from llm_tco.catalog.quality import QualityRatio, same_model
from llm_tco.cost.horizon import FloatArray, npv_usd
from llm_tco.cost.selfhost import SelfHostedEconomics
from llm_tco.plan.context import WorkloadContext

__all__ = [
    "HARD",
    "Candidate",
    "Unmet",
    "api_sovereignty",
    "quality_check",
    "selfhosted_sovereignty",
]

Unmet = Literal[
    "sovereignty", "quality", "unscored", "latency", "price", "capacity", "context", "model", "allowed"
]
HARD: frozenset[str] = frozenset({"sovereignty", "price", "capacity", "context", "model", "allowed"})
"""``context``: the workload's p99 request does not fit the context window; ``model``: a base or
superseded/deprecated model; ``allowed``: outside the ``[candidates]`` lists; ``capacity``: the model
does not fit the largest replica considered; ``unscored`` (soft): no comparable quality score, which is
not a quality failure."""


@dataclass
class Candidate:
    """One option of one workload, with float arrays (money becomes Decimal only in the document)."""

    id: str
    placement: Literal["closed-api", "open-api", "self-hosted"]
    provider: str | None
    model: str
    tokens: FloatArray
    recurring_usd: FloatArray | None
    """Monthly recurring cost (None: unpriced)."""
    one_off_usd: FloatArray | None
    quality: QualityRatio
    open_model: str | None = None
    gpu: str | None = None
    gpus: int | None = None
    gpus_per_replica: int | None = None
    tensor_parallel: int | None = None
    """GPUs in tensor parallel within each pipeline stage (self-hosted)."""
    pipeline_parallel: int | None = None
    """Pipeline stages, one per server (self-hosted; 1 when the replica is tensor parallel only)."""
    replicas: int | None = None
    precision: str | None = None
    deployment: str | None = None
    usd_per_token_today: float | None = None
    """API options: today's cost ÷ today's tokens (the break-even slope)."""
    economics: SelfHostedEconomics | None = None
    fixed_monthly_usd: float = 0.0
    context_tokens: int | None = None
    """API options: the model's context window, when the price data gives it."""
    unmet: dict[str, str] = field(default_factory=dict)
    """Constraint kind → why it is not met."""
    notes: list[str] = field(default_factory=list)
    lines: dict[str, FloatArray] = field(default_factory=dict)
    """Cost line (``llm_tco.cost.breakdown.COST_LINES``) → its monthly cash flows; they sum to
    :attr:`flows_usd` (priced options only)."""
    reasons: list[str] = field(default_factory=list)
    """Reasons particular to this option, added to the recommendation's when it is chosen."""
    lever: Literal["batch", "prompt-caching"] | None = None
    """The current model with a cheap lever (``llm_tco.plan.levers``), else None."""
    book_value_credit_usd: float = 0.0
    """Owned hardware: the remaining book value credited in the last month of ``one_off_usd`` (value, not
    cash: it counts for NPV and horizon totals, never for payback)."""

    @property
    def priced(self) -> bool:
        return self.recurring_usd is not None and self.one_off_usd is not None

    @property
    def flows_usd(self) -> FloatArray:
        """Month-by-month cost, one-offs included."""
        assert self.recurring_usd is not None and self.one_off_usd is not None
        return self.recurring_usd + self.one_off_usd

    @property
    def cash_flows_usd(self) -> FloatArray:
        """Month-by-month cash paid: :attr:`flows_usd` without the terminal book-value credit (payback)."""
        flows = self.flows_usd.copy()
        if len(flows) and self.book_value_credit_usd:
            flows[-1] += self.book_value_credit_usd
        return flows

    def npv(self, discount_rate_per_year: float) -> float | None:
        return npv_usd(self.flows_usd, discount_rate_per_year) if self.priced else None

    @property
    def horizon_usd(self) -> float | None:
        return float(self.flows_usd.sum()) if self.priced else None

    @property
    def hard_ok(self) -> bool:
        return not (HARD & self.unmet.keys())

    @property
    def feasible(self) -> bool:
        return not self.unmet

    def soft_unmet(self) -> int:
        return len(self.unmet.keys() - HARD)

    def rank_key(self, discount_rate_per_year: float) -> tuple[int, int, float, str]:
        """Order for choosing: hard constraints met, then fewer unmet soft ones, then lower NPV."""
        value = self.npv(discount_rate_per_year)
        return (
            0 if self.hard_ok else 1,
            self.soft_unmet(),
            value if value is not None else float("inf"),
            self.id,
        )


def quality_check(
    context: WorkloadContext, candidate_model: str, ratio: QualityRatio
) -> tuple[QualityRatio, str | None]:
    """Apply overrides and the floor: the (possibly overridden) ratio and why the floor is unmet, if so."""
    override = context.quality_overrides.get(candidate_model)
    if override is None:  # a provider spelling of the same model (Bedrock, Vertex, dated ids)
        override = _eval_score(context.quality_overrides, candidate_model)
    if override is not None:
        ratio = QualityRatio(override, "override", note="from llm-tco.toml")
    elif context.quality_scores and ratio.basis != "same-model":
        ratio = _eval_ratio(context, candidate_model)
    floor = context.quality_floor
    if ratio.ratio is None:
        if context.config.quality.unknown == "assume-floor":
            return QualityRatio(floor, "unknown", note=(ratio.note or "") + "; assumed at the floor"), None
        return ratio, (
            f"no comparable score for {candidate_model} ({ratio.note}); "
            f"add [workloads.{context.workload}.quality] to compare"
        )
    if ratio.ratio + 1e-12 < floor:
        basis = f" on {ratio.benchmark}" if ratio.benchmark else ""
        return ratio, f"quality ratio {ratio.ratio:.2f}{basis} below the floor {floor:.2f}"
    return ratio, None


def _eval_score(scores: dict[str, float], model: str) -> float | None:
    return next((score for name, score in scores.items() if same_model(name, model)), None)


def _eval_ratio(context: WorkloadContext, candidate_model: str) -> QualityRatio:
    """The ratio from the workload's own eval scores, which replace the catalog (any scale: only the
    ratio of two scores on the same eval is used)."""
    table = f"[workloads.{context.workload}.quality]"
    mine = _eval_score(context.quality_scores, candidate_model)
    theirs = _eval_score(context.quality_scores, context.current_model or "")
    if mine is None or not theirs:
        missing = [m for m, v in ((candidate_model, mine), (context.current_model, theirs)) if not v]
        return QualityRatio(None, "unknown", note=f"no score for {', '.join(map(str, missing))} in {table}")
    return QualityRatio(mine / theirs, "eval", "your eval", mine, theirs, note=f"from {table}")


def api_sovereignty(context: WorkloadContext, provider: str, regions: tuple[str, ...] | None) -> str | None:
    """Why an API option breaks the workload's sovereignty, or None."""
    rule = context.sovereignty
    if rule == "any":
        return None
    if rule in ("no-third-party", "on-prem", "air-gapped"):
        return f"sovereignty {rule}: no third-party API"
    code = rule.removeprefix("region:")
    if regions is None:
        return f"sovereignty {rule}: no region data for provider {provider}"
    if not region_matches(code, regions):
        return f"sovereignty {rule}: {provider} does not list region {code}"
    return None


def selfhosted_sovereignty(
    context: WorkloadContext, deployment: str, regions: tuple[str, ...] | None
) -> tuple[str | None, str | None]:
    """(why a self-hosted deployment breaks sovereignty or None, a note on an assumption or None)."""
    rule = context.sovereignty
    if rule in ("any", "no-third-party"):
        return None, None
    if rule in ("on-prem", "air-gapped"):
        return (None, None) if deployment == "owned" else (f"sovereignty {rule}: owned hardware only", None)
    code = rule.removeprefix("region:")
    if deployment == "owned":
        own = context.config.planning.region
        if own is None:
            return None, f"owned hardware assumed to be in region {code} (planning.region is unset)"
        if not region_matches(code, (own,)):
            return f"sovereignty {rule}: your region is {own}", None
        return None, None
    if regions is None:
        return f"sovereignty {rule}: the GPU catalog has no region data for this price", None
    if not region_matches(code, regions):
        return f"sovereignty {rule}: no catalog price in region {code}", None
    return None, None


def zeros(months: int) -> FloatArray:
    return np.zeros(months, dtype=np.float64)

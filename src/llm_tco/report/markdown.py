"""The Markdown summary for a pull request or an issue: the totals, the per-workload decisions and, given
the previous report, what changed since (``--md FILE``, ``--compare OLD.json``).

It fits in one GitHub comment (``md_text.fit``) and shows every name from the logs inertly
(``md_text.code``/``md_text.prose``). Money is rounded for reading; the JSON report keeps the exact figures.
"""

from __future__ import annotations

from decimal import Decimal

from llm_tco.plan.doc import PlanDocument, WorkloadPlan
from llm_tco.report.audit_doc import AuditDocument
from llm_tco.report.compare import Comparison, SpendChange, compare_audits, compare_plans, option_text
from llm_tco.report.document import AuditReport, PlanReport
from llm_tco.report.md_text import GITHUB_COMMENT_LIMIT, Block, Table, code, fit, prose

__all__ = ["render_markdown", "usd"]


def usd(value: Decimal | float | None) -> str:
    """Dollars for reading: whole dollars from $100, cents below; "unpriced" for None (never $0)."""
    if value is None:
        return "unpriced"
    v = float(value)
    sign = "−" if v < 0 else ""
    return f"{sign}${abs(v):,.0f}" if abs(v) >= 100 else f"{sign}${abs(v):,.2f}"


def _signed(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return ("+" if value >= 0 else "") + usd(value)


def _percent(change: SpendChange) -> str:
    if change.change_usd is None or not change.before_usd:
        return ""
    return f" ({float(change.change_usd / change.before_usd):+.1%})"


def _tokens(value: float | int | None) -> str:
    if value is None:
        return "—"
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:,.1f}{unit}"
    return f"{value:,.0f}"


def _header(document: AuditReport | PlanReport) -> str:
    return (
        f"llm-tco {prose(document.tool_version)} · prices: {prose(document.price_data)} · "
        f"schema {document.schema_version}"
    )


def _stay_horizon(plan: WorkloadPlan) -> Decimal | None:
    stay = next((o for o in plan.options if o.id == "stay"), None)
    return stay.horizon_cost_usd if stay else None


def _horizon_change(plan: WorkloadPlan) -> Decimal | None:
    rec, stay = plan.recommendation, _stay_horizon(plan)
    if rec is None or rec.horizon_cost_usd is None or stay is None:
        return None
    return rec.horizon_cost_usd - stay


def _breakeven_text(plan: WorkloadPlan) -> str:
    be = plan.breakeven
    if be is None:
        return "—"
    if be.monthly_tokens is not None and be.monthly_tokens <= plan.monthly_tokens:
        return "crossed (self-hosting cheaper at today's volume)"
    if be.payback_month is not None:
        return f"pays back in month {be.payback_month}"
    if be.volume_multiple is not None:
        return f"at {be.volume_multiple:,.1f}× today's volume"
    return "never within the horizon"


def _plan_blocks(document: PlanDocument) -> list[Block]:
    totals = document.totals
    lower = "≥ " if totals.current_cost_is_lower_bound else ""
    blocks: list[Block] = [
        "## Totals",
        Table(
            ["", "today (staying)", "recommended"],
            [
                [
                    "month 1",
                    lower + usd(totals.current_monthly_cost_usd),
                    usd(totals.recommended_monthly_cost_usd),
                ],
                [
                    f"over {document.horizon_months} months",
                    lower + usd(totals.current_horizon_cost_usd),
                    usd(totals.recommended_horizon_cost_usd),
                ],
                ["one-off costs (included above)", "", usd(totals.recommended_one_off_cost_usd)],
            ],
            right=frozenset({1, 2}),
        ),
    ]
    if totals.forced:
        forced = "; ".join(f"{code(f.workload)}: {prose(f.reason)}" for f in totals.forced)
        blocks.append(
            f"Over the horizon, {_signed(totals.forced_horizon_cost_usd)} is forced by hard constraints "
            f"({forced}); {_signed(totals.optional_horizon_cost_usd)} is optional."
        )
    if totals.workloads_unpriced:
        names = ", ".join(code(n) for n in totals.workloads_unpriced)
        blocks.append(f"Usage without a price (today's costs are lower bounds): {names}.")
    if totals.workloads_without_option:
        names = ", ".join(code(n) for n in totals.workloads_without_option)
        blocks.append(f"No option meets the hard constraints (counted at today's cost): {names}.")
    rows = [
        [
            code(w.workload),
            (code(w.current_model) if w.current_model else "unknown")
            + f" {'≥ ' if w.current_cost_is_lower_bound else ''}{usd(w.current_monthly_cost_usd)}/mo",
            code(option_text(w.recommendation)) if w.recommendation else "no option meets the constraints",
            w.recommendation.placement if w.recommendation else "—",
            usd(w.recommendation.monthly_cost_usd) if w.recommendation else "—",
            _signed(_horizon_change(w)),
            _breakeven_text(w),
        ]
        for w in document.workloads
    ]
    blocks += [
        "## Decisions",
        Table(
            ["workload", "today", "recommended", "placement", "month 1", "horizon change", "self-hosting"],
            rows,
            right=frozenset({4, 5}),
        ),
    ]
    tripped = [p for p in document.policies if p.tripped]
    if tripped:
        blocks.append(
            "\n".join(
                f"- **--fail-on {prose(p.policy)}** tripped: {', '.join(code(n) for n in p.tripped)}"
                for p in tripped
            )
        )
    return blocks


def _audit_blocks(document: AuditDocument) -> list[Block]:
    t = document.totals
    if document.since is None and document.until is None:
        window = "all the usage in the store"
    else:
        window = f"from {prose(document.since or 'the start')} to {prose(document.until or 'the end')}"
    blocks: list[Block] = [
        f"Window: {window}.",
        "## Totals",
        Table(
            ["requests", "input tokens", "output tokens", "priced cost"],
            [[_tokens(t.requests), _tokens(t.input_tokens), _tokens(t.output_tokens), usd(t.cost_usd)]],
            right=frozenset({0, 1, 2, 3}),
        ),
        "## By workload",
        Table(
            ["workload", "requests", "input tokens", "output tokens", "priced cost"],
            [
                [
                    code(w.workload),
                    _tokens(w.requests),
                    _tokens(w.input_tokens),
                    _tokens(w.output_tokens),
                    usd(w.cost_usd),
                ]
                for w in document.by_workload
            ],
            right=frozenset({1, 2, 3, 4}),
        ),
    ]
    if document.unpriced:
        blocks += [
            "## Usage without a price",
            Table(
                ["provider", "model", "input tokens", "output tokens"],
                [
                    [
                        code(u.provider or "unknown"),
                        code(u.model_raw),
                        _tokens(u.input_tokens),
                        _tokens(u.output_tokens),
                    ]
                    for u in document.unpriced
                ],
                right=frozenset({2, 3}),
            ),
        ]
    if document.quarantine_total:
        blocks.append(
            f"{document.quarantine_total:,} record(s) quarantined (see the JSON report for reasons)."
        )
    return blocks


def _change_blocks(comparison: Comparison, previous_label: str) -> list[Block]:
    blocks: list[Block] = [
        f"## Changes since {code(previous_label)}",
        Table(
            ["", "before", "now", "change"],
            [
                [c.label, usd(c.before_usd), usd(c.after_usd), _signed(c.change_usd) + _percent(c)]
                for c in comparison.totals
            ],
            right=frozenset({1, 2, 3}),
        ),
    ]
    if comparison.workloads:
        blocks += [
            "### Spend by workload",
            Table(
                ["workload", "before", "now", "change"],
                [
                    [code(c.label), usd(c.before_usd), usd(c.after_usd), _signed(c.change_usd) + _percent(c)]
                    for c in sorted(comparison.workloads, key=lambda c: -abs(c.change_usd or Decimal(0)))
                ],
                right=frozenset({1, 2, 3}),
            ),
        ]
    if comparison.decisions:
        blocks += [
            "### Decisions changed",
            Table(
                ["workload", "before", "now"],
                [
                    [
                        code(d.workload),
                        code(d.before) if d.before else "none",
                        code(d.after) if d.after else "none",
                    ]
                    for d in comparison.decisions
                ],
            ),
        ]
    if comparison.crossings:
        blocks += [
            "### Break-even changed",
            Table(
                ["workload", "before", "now"],
                [
                    [
                        code(c.workload),
                        _crossing(c.crossed_before, c.payback_before),
                        _crossing(c.crossed_after, c.payback_after),
                    ]
                    for c in comparison.crossings
                ],
            ),
        ]
    if comparison.added:
        blocks.append("New workloads: " + ", ".join(code(n) for n in comparison.added) + ".")
    if comparison.removed:
        blocks.append("Workloads gone: " + ", ".join(code(n) for n in comparison.removed) + ".")
    if not (
        comparison.workloads
        or comparison.decisions
        or comparison.crossings
        or comparison.added
        or comparison.removed
    ):
        blocks.append("No workload's spend, decision or break-even changed.")
    return blocks


def _crossing(is_crossed: bool, payback: int | None) -> str:
    state = "crossed" if is_crossed else "not crossed"
    return state + (f", payback month {payback}" if payback is not None else ", no payback in the horizon")


def render_markdown(
    document: AuditReport | PlanReport,
    previous: AuditReport | PlanReport | None = None,
    *,
    previous_label: str = "the previous report",
    limit: int = GITHUB_COMMENT_LIMIT,
) -> str:
    """The summary as Markdown of at most ``limit`` characters. ``previous`` (same kind) adds what
    changed since it; the caller checks that the kinds match."""
    if isinstance(document, PlanReport):
        blocks: list[Block] = [
            "# llm-tco plan",
            f"From {document.start_month}, {document.horizon_months} months, discount "
            f"{document.discount_rate_per_year:.0%}/year. {_header(document)}",
            *_plan_blocks(document),
        ]
        if isinstance(previous, PlanReport):
            blocks += _change_blocks(compare_plans(previous, document), previous_label)
    else:
        blocks = ["# llm-tco audit", _header(document), *_audit_blocks(document)]
        if isinstance(previous, AuditReport):
            blocks += _change_blocks(compare_audits(previous, document), previous_label)
    return fit(blocks, limit)

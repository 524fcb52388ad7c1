"""The report's tables: the portfolio (workload → placement, model, pool, GPUs), unpriced usage and
data-quality notes, and the assumptions appendix. Every cell is escaped text."""

from __future__ import annotations

from typing import Any

from llm_tco.plan.doc import PlanDocument
from llm_tco.report.audit_doc import AuditDocument
from llm_tco.report.html.assumptions import assumption_rows, format_value
from llm_tco.report.html.markup import esc, table, tokens, usd
from llm_tco.report.html.view import PLACEMENT_LABELS, workload_views

__all__ = [
    "QUARANTINE_ROWS_SHOWN",
    "assumptions_table",
    "audit_workloads_table",
    "plan_notes",
    "portfolio_table",
    "quality_notes",
]

QUARANTINE_ROWS_SHOWN = 50
"""Quarantined records listed one by one (the total is always given; the JSON document has the rest)."""


def _name(value: object) -> str:
    return f'<span class="name">{esc(value)}</span>'


def _pools(doc: PlanDocument) -> dict[str, str]:
    """Workload → pool id, from the document's portfolio when it has one (read tolerantly)."""
    portfolio: Any = getattr(doc, "portfolio", None)
    assignments = getattr(portfolio, "assignments", None) or []
    pools: dict[str, str] = {}
    for assignment in assignments:
        workload, pool = getattr(assignment, "workload", None), getattr(assignment, "pool_id", None)
        if workload is not None and pool is not None:
            pools[str(workload)] = str(pool)
    return pools


def portfolio_table(doc: PlanDocument) -> str:
    """Each workload's decision: placement, model (and provider), pool, GPUs, first-month and horizon
    cost."""
    pools = _pools(doc)
    rows = []
    for view in workload_views(doc):
        chosen = view.chosen
        if chosen is None:
            rows.append([_name(view.name), "no priced option", "", "", "", "", ""])
            continue
        staying = view.stay is not None and chosen.id == view.stay.id
        placement = "stay (today)" if staying else PLACEMENT_LABELS.get(chosen.placement, chosen.placement)
        model = chosen.model + (f" via {chosen.provider}" if chosen.provider else "")
        gpus = f"{chosen.gpus} × {chosen.gpu} ({chosen.deployment})" if chosen.gpus and chosen.gpu else "—"
        lower = chosen.cost_is_lower_bound
        rows.append(
            [
                _name(view.name),
                esc(placement),
                _name(model),
                esc(pools.get(view.name, "—")),
                esc(gpus),
                esc(usd(chosen.monthly_cost_usd, lower_bound=lower)),
                esc(usd(chosen.horizon_cost_usd, lower_bound=lower)),
            ]
        )
    return table(
        ["workload", "placement", "model", "pool", "GPUs", "first month", f"{doc.horizon_months} months"],
        rows,
        numeric=(5, 6),
    )


def audit_workloads_table(audit: AuditDocument) -> str:
    """The audited usage by workload: requests, tokens and the priced cost (``unpriced`` when none of
    it has a price; unpriced requests counted apart)."""
    rows = [
        [
            _name(w.workload),
            esc("—" if w.requests is None else f"{w.requests:,}"),
            esc(tokens(w.input_tokens)),
            esc(tokens(w.output_tokens)),
            esc(f"{w.unpriced_requests:,}" if w.unpriced_requests else "—"),
            esc(usd(w.cost_usd)),
        ]
        for w in audit.by_workload
    ]
    return table(
        ["workload", "requests", "input tokens", "output tokens", "unpriced requests", "cost"],
        rows,
        numeric=(1, 2, 3, 4, 5),
    )


def quality_notes(audit: AuditDocument | None, plan: PlanDocument | None) -> str:
    """Unpriced usage, quarantined records, rejected and changed files, and the documents' notes."""
    parts: list[str] = []
    if audit is not None:
        if audit.unpriced:
            parts.append("<h3>Usage without a price</h3>")
            parts.append(
                table(
                    ["provider", "model", "requests", "input tokens", "output tokens", "did you mean"],
                    [
                        [
                            _name(u.provider or "—"),
                            _name(u.model_raw),
                            esc("—" if u.requests is None else f"{u.requests:,}"),
                            esc(tokens(u.input_tokens)),
                            esc(tokens(u.output_tokens)),
                            _name(", ".join(u.suggestions) or "—"),
                        ]
                        for u in audit.unpriced
                    ],
                    numeric=(2, 3, 4),
                    caption="Counted in tokens and requests, not in cost (a cost total would be wrong, "
                    "not low).",
                )
            )
        parts.append("<h3>Records</h3>")
        rows = audit.rows
        if rows.read:
            parts.append(
                f"<p>This run read {rows.read:,} records: {rows.accepted:,} accepted, {rows.quarantined:,} "
                f"quarantined, {rows.duplicates:,} duplicates skipped.</p>"
            )
        parts.append(f"<p>{audit.quarantine_total:,} quarantined record(s) in the store.</p>")
        if audit.quarantine:
            shown = audit.quarantine[:QUARANTINE_ROWS_SHOWN]
            more = audit.quarantine_total - len(shown)
            parts.append(
                table(
                    ["file", "record", "reason"],
                    [[_name(q.file), esc(q.record), _name(q.reason)] for q in shown],
                    numeric=(1,),
                    caption=f"Quarantined records ({audit.quarantine_total:,} in all"
                    + (f"; the first {len(shown)} listed" if more > 0 else "")
                    + "): left out of every figure.",
                )
            )
        if audit.rejected_files:
            parts.append(
                table(
                    ["file", "reason"],
                    [[_name(r.file), _name(r.reason)] for r in audit.rejected_files],
                    caption="Files not read.",
                )
            )
        if audit.changed_files:
            parts.append(
                table(
                    ["file", "ingested", "records kept", "how to load the new content"],
                    [
                        [_name(c.path), esc(c.ingested_at), esc(f"{c.records_kept:,}"), esc(c.hint)]
                        for c in audit.changed_files
                    ],
                    numeric=(2,),
                    caption="Files whose content changed since they were ingested: the earlier version "
                    "is kept.",
                )
            )
        parts.extend(f'<p class="note">{esc(n)}</p>' for n in audit.notes)
    if plan is not None:
        totals = plan.totals
        if totals.workloads_unpriced:
            names = ", ".join(_name(w) for w in totals.workloads_unpriced)
            parts.append(
                f"<p>Workloads with usage that has no price (their cost is a lower bound): {names}.</p>"
            )
        if totals.workloads_without_option:
            names = ", ".join(_name(w) for w in totals.workloads_without_option)
            parts.append(
                f"<p>Workloads with no option meeting their hard constraints (counted at today's cost): "
                f"{names}.</p>"
            )
    if not parts:
        return "<p>Nothing to report: every record was accepted and priced.</p>"
    return "".join(parts)


def plan_notes(plan: PlanDocument) -> str:
    """The plan's own notes and each workload's (what was assumed for it)."""
    items = [f"<li>{esc(n)}</li>" for n in plan.notes]
    for view in workload_views(plan):
        for note in [*view.plan.assumed, *view.plan.notes]:
            items.append(f"<li>{_name(view.name)}: {esc(note)}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def assumptions_table(plan: PlanDocument) -> str:
    """Every assumption in force with its value, unit and source."""
    rows = [
        [
            f"<code>{esc(r.key)}</code>",
            esc(format_value(r.value)),
            esc(r.unit),
            esc(r.source),
        ]
        for r in assumption_rows(plan.assumptions, plan.config_file)
    ]
    return table(["assumption", "value", "unit", "source"], rows, numeric=(1,))

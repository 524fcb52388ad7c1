"""Reconciliation: the cost llm-tco computes against the cost the sources report, by provider × month
(and × model where the source says which model a charge is for), with the difference explained in parts.

Reported cost comes from usage rows that carry one (LiteLLM ``spend``, Langfuse/Helicone cost, FOCUS
``EffectiveCost``) and from cost-only records (OpenAI Costs API, Anthropic cost report, FOCUS rows without
token quantities). A provider-month with no reported cost at all has nothing to reconcile and gets no row.

``difference_usd = reported_cost_usd − computed_cost_usd``, explained in this order (each part a signed
amount; the parts always sum exactly to the difference):

- ``unpriced_models`` — reported cost of usage whose model has no price (its computed cost is null), and
  of cost records naming a model that cannot be priced;
- ``usage_without_reported_cost`` — minus the computed cost of usage rows without a reported cost, in a
  provider-month that has no cost-only records to cover them (e.g. OpenTelemetry spans beside LiteLLM rows);
- ``non_token_charges`` — cost records that are not token charges (web search, code execution, GPU
  hours, taxes, purchases): computed cost prices tokens only;
- ``price_tier_differences`` — the difference on usage priced at a non-standard tier (batch, flex,
  priority, a long-context group such as ``200k-1M`` or ``128k+``), measured at list price where the
  source gives it;
- ``discounts_credits`` — credits and adjustments (negative or ``Credit``/``Adjustment`` records) and
  effective-minus-list cost where the source gives list cost (FOCUS ``ListCost``);
- ``rounding`` — what remains when it is within half a cent per cost-only record plus $0.000001 per
  usage row with a reported cost (sources round their figures); a larger remainder is not rounding;
- ``unexplained`` — the rest, always listed last (possibly zero).

Amounts are ``Decimal`` rounded to 1e-9 USD (the store's precision); the unexplained part is computed
after rounding, so the sum is exact. A source reporting cost both per request and per day (LiteLLM spend
*and* OpenAI Costs API for the same traffic) is counted twice on the reported side: reconcile one of them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import duckdb

from llm_tco.catalog.model_names import resolve_model
from llm_tco.pricing.query import PricingContext, prepare_pricing, priced_usage_sql

__all__ = ["NO_MODEL", "PARTS", "ExplainedPart", "ReconciliationRow", "reconcile"]

NO_MODEL = "(unspecified)"
"""``model`` of a per-model row gathering charges that name no model (``None`` is the provider-month row)."""

PARTS: tuple[str, ...] = (
    "unpriced_models",
    "usage_without_reported_cost",
    "non_token_charges",
    "price_tier_differences",
    "discounts_credits",
    "rounding",
    "unexplained",
)
_QUANTUM = Decimal("0.000000001")
_ROUNDING_PER_COST_RECORD_USD = Decimal("0.005")
_ROUNDING_PER_USAGE_ROW_USD = Decimal("0.000001")
_STANDARD_TIERS = ("", "default", "standard", "auto", "on_demand", "standard_only")


@dataclass(frozen=True)
class ExplainedPart:
    part: str
    amount_usd: Decimal


@dataclass(frozen=True)
class ReconciliationRow:
    """One provider × month (``model`` None) or provider × month × model comparison."""

    provider: str | None
    month: str
    """``YYYY-MM`` (UTC) of the usage and charges compared."""
    model: str | None
    """None for the provider × month row; the model (genai-prices id, else as logged) of a per-model row."""
    computed_cost_usd: Decimal
    reported_cost_usd: Decimal
    difference_usd: Decimal
    """``reported_cost_usd - computed_cost_usd``."""
    explained: tuple[ExplainedPart, ...]
    reported_records: int
    """Cost-only records plus usage rows carrying a reported cost."""


@dataclass
class _Acc:
    computed: Decimal = Decimal(0)
    reported: Decimal = Decimal(0)
    records: int = 0
    cost_records: int = 0
    usage_rows: int = 0
    parts: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    uncovered: Decimal = Decimal(0)
    """Computed cost of usage rows without a reported cost (a part only where no cost record covers it)."""

    def add(self, other: _Acc) -> None:
        self.computed += other.computed
        self.reported += other.reported
        self.records += other.records
        self.cost_records += other.cost_records
        self.usage_rows += other.usage_rows
        self.uncovered += other.uncovered
        for k, v in other.parts.items():
            self.parts[k] += v


def _d(value: object) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


def reconcile(
    con: duckdb.DuckDBPyConnection,
    *,
    pricing: PricingContext | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    by_model: bool = False,
) -> list[ReconciliationRow]:
    """Reconciliation rows, provider × month (then, with ``by_model``, provider × month × model), ordered.

    ``pricing``: the result of ``prepare_pricing(con)`` if the caller already has it (else it is prepared
    here). ``since`` inclusive, ``until`` exclusive, on the UTC start of usage and charges.
    """
    pricing = pricing or prepare_pricing(con)
    accs: dict[tuple[str | None, str, str | None], _Acc] = defaultdict(_Acc)
    _usage_side(con, pricing, since, until, accs)
    _cost_side(con, since, until, accs)
    totals: dict[tuple[str | None, str], _Acc] = defaultdict(_Acc)
    for (provider, month, _model), acc in accs.items():
        totals[(provider, month)].add(acc)
    rows = [_row(p, m, None, acc) for (p, m), acc in totals.items() if acc.records]
    if by_model:
        rows += [_row(p, m, model, acc) for (p, m, model), acc in accs.items() if acc.records]
    return sorted(rows, key=lambda r: (r.month, r.provider or "", r.model is not None, r.model or ""))


def _window(since: datetime | None, until: datetime | None, column: str) -> tuple[str, list[object]]:
    where: list[str] = []
    params: list[object] = []
    if since is not None:
        where.append(f"{column} >= ?")
        params.append(since.replace(tzinfo=None))
    if until is not None:
        where.append(f"{column} < ?")
        params.append(until.replace(tzinfo=None))
    return (" WHERE " + " AND ".join(where)) if where else "", params


def _usage_side(
    con: duckdb.DuckDBPyConnection,
    pricing: PricingContext,
    since: datetime | None,
    until: datetime | None,
    accs: dict[tuple[str | None, str, str | None], _Acc],
) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _rec_with AS SELECT * FROM usage WHERE reported_cost_usd IS NOT NULL"
    )
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _rec_without AS SELECT * FROM usage WHERE reported_cost_usd IS NULL"
    )
    with_sql, with_params = priced_usage_sql(
        "_rec_with", grain="month", since=since, until=until, pricing=pricing
    )
    without_sql, without_params = priced_usage_sql(
        "_rec_without", grain="month", since=since, until=until, pricing=pricing
    )
    where, params = _window(since, until, "u.ts_start")
    tiers = ", ".join(f"'{t}'" for t in _STANDARD_TIERS)
    rows = con.execute(
        f"""
        WITH reported AS (
            SELECT u.series_key, CAST(date_trunc('month', u.ts_start) AS DATE) AS period,
                   sum(u.reported_cost_usd) AS reported, count(u.reported_cost_usd) AS n_reported,
                   sum(CASE WHEN d.list_cost_usd IS NOT NULL THEN u.reported_cost_usd - d.list_cost_usd END)
                       AS vs_list
            FROM usage u LEFT JOIN usage_cost_details d USING (record_key){where}
            GROUP BY ALL
        ),
        w AS ({with_sql}),
        wo AS ({without_sql}),
        keys AS (SELECT series_key, period FROM w UNION SELECT series_key, period FROM wo)
        SELECT s.provider, strftime(k.period, '%Y-%m'), coalesce(s.model, s.model_raw),
               w.cost_usd, coalesce(w.priced, true), wo.cost_usd, coalesce(wo.priced, true),
               r.reported, coalesce(r.n_reported, 0), r.vs_list,
               (s.batch OR lower(coalesce(s.service_tier, '')) NOT IN ({tiers})
                OR regexp_matches(ltrim(coalesce(s.context_window, '')), '^[1-9]')) AS special_tier
        FROM keys k
        JOIN usage_series s ON s.series_key = k.series_key
        LEFT JOIN w ON w.series_key = k.series_key AND w.period = k.period
        LEFT JOIN wo ON wo.series_key = k.series_key AND wo.period = k.period
        LEFT JOIN reported r ON r.series_key = k.series_key AND r.period = k.period
        """,
        [*params, *with_params, *without_params],
    ).fetchall()
    for (
        provider,
        month,
        model,
        cost_with,
        priced_with,
        cost_without,
        priced_without,
        reported,
        n,
        vs_list,
        tier,
    ) in rows:
        acc = accs[(provider, month, model)]
        reported_d = _d(reported)
        acc.reported += reported_d
        acc.records += int(n)
        acc.usage_rows += int(n)
        if priced_without and cost_without is not None:
            acc.computed += _d(cost_without)
            acc.uncovered += _d(cost_without)
        if int(n) == 0:
            continue
        if not priced_with or cost_with is None:
            acc.parts["unpriced_models"] += reported_d
            continue
        computed = _d(cost_with)
        acc.computed += computed
        discount = _d(vs_list)
        acc.parts["discounts_credits"] += discount
        if tier:
            acc.parts["price_tier_differences"] += reported_d - discount - computed


def _cost_side(
    con: duckdb.DuckDBPyConnection,
    since: datetime | None,
    until: datetime | None,
    accs: dict[tuple[str | None, str, str | None], _Acc],
) -> None:
    where, params = _window(since, until, "ts_start")
    rows = con.execute(
        f"""
        SELECT provider, strftime(ts_start, '%Y-%m') AS month, model_raw,
               (amount_usd < 0 OR coalesce(charge_category, '') IN ('Credit', 'Adjustment')) AS credit,
               (coalesce(charge_category, '') IN ('Tax', 'Purchase') OR (model_raw IS NULL AND NOT
               regexp_matches(
                   lower(coalesce(line_item, '')), 'token|input|output|cache|prompt|completion'))) AS
                   non_token,
               sum(amount_usd), count(*),
               sum(CASE WHEN list_usd IS NOT NULL THEN amount_usd - list_usd ELSE 0 END)
        FROM reported_costs{where}
        GROUP BY ALL
        """,
        params,
    ).fetchall()
    for provider, month, model_raw, credit, non_token, amount, n, vs_list in rows:
        model = _resolved(provider, model_raw)
        acc = accs[(provider, month, model or model_raw or NO_MODEL)]
        amount_d = _d(amount)
        acc.reported += amount_d
        acc.records += int(n)
        acc.cost_records += int(n)
        if credit:
            acc.parts["discounts_credits"] += amount_d
        elif non_token:
            acc.parts["non_token_charges"] += amount_d
        elif model_raw is not None and model is None:
            acc.parts["unpriced_models"] += amount_d
        else:
            acc.parts["discounts_credits"] += _d(vs_list)


def _resolved(provider: str | None, model_raw: str | None) -> str | None:
    if model_raw is None:
        return None
    return resolve_model(provider, model_raw).model


def _row(provider: str | None, month: str, model: str | None, acc: _Acc) -> ReconciliationRow:
    computed = acc.computed.quantize(_QUANTUM)
    reported = acc.reported.quantize(_QUANTUM)
    difference = reported - computed
    parts = {k: v.quantize(_QUANTUM) for k, v in acc.parts.items()}
    if acc.cost_records == 0:
        parts["usage_without_reported_cost"] = -acc.uncovered.quantize(_QUANTUM)
    named = sum((parts.get(p, Decimal(0)) for p in PARTS[:5]), Decimal(0))
    remainder = difference - named
    tolerance = (
        _ROUNDING_PER_COST_RECORD_USD * acc.cost_records + _ROUNDING_PER_USAGE_ROW_USD * acc.usage_rows
    )
    rounding = remainder if abs(remainder) <= tolerance else Decimal(0)
    parts["rounding"] = rounding
    parts["unexplained"] = remainder - rounding
    explained = tuple(ExplainedPart(p, parts.get(p, Decimal(0)) + Decimal(0)) for p in PARTS)
    assert sum((e.amount_usd for e in explained), Decimal(0)) == difference
    return ReconciliationRow(provider, month, model, computed, reported, difference, explained, acc.records)

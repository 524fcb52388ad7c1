"""An option's cost split into named lines, month by month, that add up to its cash flows.

Every option's month-by-month cost is the sum of a few kinds of money: tokens bought from an API, GPUs
(rented by the hour, or bought), the power and hosting of owned GPUs, the platform's people and tools,
fine-tuning runs, the one-off migration, and — for owned hardware — the book value still held at the end of
the horizon, credited back. Listing them separately shows what drives a cost (often the staff, not the
GPUs). The lines are disjoint: their sum is the option's cash flows, month by month, exactly as costed.
"""

from __future__ import annotations

import numpy as np

from llm_tco.cost.horizon import FloatArray
from llm_tco.cost.selfhost import IntArray, owned_fleet_cash

__all__ = ["COST_LINES", "owned_capex_parts"]

COST_LINES: tuple[str, ...] = (
    "tokens",
    "gpus",
    "power_and_hosting",
    "staff",
    "on_call",
    "monitoring",
    "governance",
    "fine_tuning",
    "migration",
    "residual_credit",
)
"""The cost lines, in display order (each becomes ``<line>_usd`` in the plan document)."""


def owned_capex_parts(
    gpus_by_month: IntArray,
    *,
    purchase_price_usd_per_gpu: float,
    useful_life_months: float,
    residual_value_fraction: float,
) -> tuple[FloatArray, FloatArray]:
    """(purchases net of renewals, terminal book-value credit) of owned GPUs, month by month; their sum is
    :func:`llm_tco.cost.selfhost.owned_capex_cash_flows` of the same fleet. The credit is zero except in
    the last month, where it is minus the book value still held (money back, as value: never cash)."""
    fleet = {
        "purchase_price_usd_per_gpu": purchase_price_usd_per_gpu,
        "useful_life_months": useful_life_months,
        "residual_value_fraction": residual_value_fraction,
    }
    purchases, book_value = owned_fleet_cash(gpus_by_month, **fleet)
    credit = np.zeros(len(purchases), dtype=np.float64)
    if len(credit):
        credit[-1] = -book_value
    return purchases, credit

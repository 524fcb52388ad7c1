"""Break-even volume and payback month of a self-hosted option against an API option.

Steady state (one-off costs excluded), at a constant monthly volume ``V``:

    API:          A(V) = a · V
    self-hosted:  S(V) = F + k_R · R(V) + k_V · V

(``a``: USD per token at today's prices and token mix; ``F``: fixed monthly costs; ``k_R``: one replica's
monthly cost; ``k_V``: load-driven cost per token.)

``R(V) = total(n)`` replicas with ``n = max(1, ceil(V / c))`` serving replicas, ``c`` the tokens one replica
carries a month — a step function. On the ``n``-th step (``(n-1)·c < V ≤ n·c``) both costs are linear, so
they cross at ``V*_n = (F + k_R · total(n)) / (a - k_V)`` if that lies on the step. Because ``S`` only jumps
*up* at a step, the self-hosted option first becomes cheaper on the smallest ``n`` with ``V*_n ≤ n·c``, and
the break-even is that ``V*_n``. That ``n`` is solved, not scanned: with ``slope·n + lo ≤ total(n) ≤
slope·n + hi`` it lies between ``(F + k_R·lo) / (a·c - k_V·c - k_R·slope)`` and the same with ``hi`` — one
value for the ``low``/``standard`` redundancy rules, a short range (checked at once) for ``high``.
"""

from __future__ import annotations

import math

import numpy as np

from llm_tco.cost.horizon import FloatArray
from llm_tco.cost.selfhost import SelfHostedEconomics

__all__ = ["breakeven_monthly_tokens", "months_to_reach", "payback_month"]

_MAX_CANDIDATES = 1_000_000


def breakeven_monthly_tokens(
    *, api_usd_per_token: float, fixed_monthly_usd: float, economics: SelfHostedEconomics
) -> float | None:
    """The smallest monthly volume at which the self-hosted steady-state cost equals the API's, or None
    when the API stays cheaper at every volume (its price per token does not exceed the self-hosted
    marginal cost per token)."""
    a = api_usd_per_token
    f = fixed_monthly_usd
    k_r = economics.per_replica_month_usd()
    b = a - economics.per_token_usd()
    c = economics.tokens_per_replica_month
    if b <= 0.0:
        return None
    if economics.fixed_replicas is not None:
        # A fixed fleet: one flat cost up to what the fleet carries, and no volume beyond it.
        flat = (f + k_r * economics.fixed_replicas) / b
        return flat if flat <= economics.fixed_replicas * c * (1.0 + 1e-12) else None
    slope, lo, hi = economics.redundancy.slope_bounds
    denominator = b * c - k_r * slope
    if denominator <= 0.0:
        # Each extra replica costs at least what its volume saves: only the first steps can cross.
        first, last = 1, int(hi - lo) + 2
    else:
        first = max(1, math.ceil((f + k_r * lo) / denominator - 1e-9))
        last = max(first, math.ceil((f + k_r * hi) / denominator + 1e-9))
    if last - first > _MAX_CANDIDATES:  # pragma: no cover - needs absurd redundancy settings
        raise ValueError("break-even search range too large")
    n = np.arange(first, last + 1, dtype=np.int64)
    totals = economics.redundancy.total(n)
    crossing = (f + k_r * totals) / b
    on_step = crossing <= n * c * (1.0 + 1e-12)
    if not on_step.any():
        return None
    return float(crossing[int(np.argmax(on_step))])


def payback_month(self_hosted_flows_usd: FloatArray, alternative_flows_usd: FloatArray) -> int | None:
    """First month (1-based) by which the self-hosted option's cumulative cost, one-offs included, is no
    more than the alternative's; None when that never happens within the horizon.

    Both arguments are cash paid: the book value of hardware still held at the end of the horizon is not
    cash and must not be in them (crediting it in the last month would make payback look reached there)."""
    savings = np.cumsum(np.asarray(alternative_flows_usd) - np.asarray(self_hosted_flows_usd))
    reached = np.nonzero(savings >= 0.0)[0]
    return int(reached[0]) + 1 if reached.size else None


def months_to_reach(volume_ratio: float, monthly_growth_rate: float) -> float | None:
    """Months until today's volume × ``volume_ratio`` is reached at ``monthly_growth_rate``: 0 when already
    there, None when growth never gets there."""
    if volume_ratio <= 1.0:
        return 0.0
    if monthly_growth_rate <= 0.0:
        return None
    return math.log(volume_ratio) / math.log1p(monthly_growth_rate)

"""Cost per million tokens of a serving configuration at a GPU-hour price.

At full load a replica set produces ``output_tokens_per_s``; at utilisation ``u`` (the share of that
capacity the workload actually uses, averaged over the hours paid for) it produces ``u`` times as much for
the same bill. Total tokens count prompt and output tokens together (``(I + O) / O`` per output token).
"""

from __future__ import annotations

from dataclasses import dataclass

from llm_tco.units import SECONDS_PER_HOUR, TOKENS_PER_MILLION

__all__ = ["TokenCost", "cost_per_million_tokens"]


@dataclass(frozen=True, slots=True)
class TokenCost:
    """US dollars per million tokens, at full load and at the given utilisation."""

    hourly_usd: float
    utilisation: float
    per_million_output_tokens_usd: float
    per_million_total_tokens_usd: float
    per_million_output_tokens_at_utilisation_usd: float
    per_million_total_tokens_at_utilisation_usd: float


def cost_per_million_tokens(
    *,
    gpu_hourly_usd: float,
    num_gpus: int,
    output_tokens_per_s: float,
    input_len: float,
    output_len: float,
    utilisation: float = 1.0,
) -> TokenCost | None:
    """Cost of ``num_gpus`` GPUs at ``gpu_hourly_usd`` each, producing ``output_tokens_per_s`` at full load.

    Returns ``None`` when nothing is produced (a configuration that meets no target). ``utilisation`` must
    be in (0, 1].
    """
    if not 0.0 < utilisation <= 1.0:
        raise ValueError("utilisation must be in (0, 1]")
    if gpu_hourly_usd < 0:
        raise ValueError("gpu_hourly_usd must not be negative")
    if output_tokens_per_s <= 0:
        return None
    hourly = gpu_hourly_usd * num_gpus
    output_per_hour = output_tokens_per_s * SECONDS_PER_HOUR
    total_per_hour = output_per_hour * (input_len + output_len) / output_len
    per_output = hourly / output_per_hour * TOKENS_PER_MILLION
    per_total = hourly / total_per_hour * TOKENS_PER_MILLION
    return TokenCost(
        hourly_usd=hourly,
        utilisation=utilisation,
        per_million_output_tokens_usd=per_output,
        per_million_total_tokens_usd=per_total,
        per_million_output_tokens_at_utilisation_usd=per_output / utilisation,
        per_million_total_tokens_at_utilisation_usd=per_total / utilisation,
    )

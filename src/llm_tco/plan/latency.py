"""API latency checked against the workload's targets, where its logs carry request durations.

Logs give the end-to-end duration of a request (sent to last byte received), not its time to first token,
so the check is on what that can tell: a p99 duration within the TTFT target meets it outright; one within
TTFT + TPOT × (p99 output tokens − 1) — the longest a request meeting both targets takes — is consistent
with them; one beyond that means at least one target is missed at the p99. Only the current model's
requests are in the logs, so only options serving the current model through the same API (staying, and
prompt caching) are checked; the Batch API is chosen for workloads that can wait.
"""

from __future__ import annotations

from llm_tco.plan.candidate import Candidate
from llm_tco.plan.context import WorkloadContext

__all__ = ["check_api_latency"]


def check_api_latency(context: WorkloadContext, candidate: Candidate) -> None:
    """Add the latency finding to ``candidate`` (a reason, or an unmet ``latency`` constraint)."""
    measured = context.profile.latency
    if measured is None or candidate.lever == "batch":
        return
    ttft, tpot = context.ttft_p99_ms, context.tpot_p99_ms
    output = context.profile.output_length
    output_tokens = output.p99 if output.p99 is not None else output.mean or 0.0
    longest = ttft + tpot * max(output_tokens - 1.0, 0.0)
    seen = f"measured p99 {measured.p99_ms:,.0f} ms end to end over {measured.requests:,} requests"
    if measured.p99_ms <= ttft:
        candidate.reasons.append(f"latency: {seen}, within the p99 TTFT target {ttft:g} ms")
    elif measured.p99_ms <= longest:
        candidate.reasons.append(
            f"latency: {seen}, within p99 TTFT {ttft:g} ms + TPOT {tpot:g} ms × {output_tokens:,.0f} output "
            f"tokens = {longest:,.0f} ms (time to first token is not in the logs)"
        )
    else:
        candidate.unmet["latency"] = (
            f"{seen} exceeds p99 TTFT {ttft:g} ms + TPOT {tpot:g} ms × {output_tokens:,.0f} output tokens "
            f"= {longest:,.0f} ms"
        )

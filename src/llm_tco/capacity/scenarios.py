"""Throughput and latency of one replica under each scenario, from the iteration time.

Steady state of continuous (in-flight) batching with chunked prefill: ``b`` sequences decode together; each
finishes after ``O`` tokens, so on average ``b / O`` new prompts of ``I`` tokens are prefilled per iteration
alongside the decodes, and a sequence's mean cached context is ``I + O/2``. Output throughput is ``b`` tokens
per *mean* iteration, where prefill is interleaved as engines do it: a share of the iterations carries a
whole prompt (or a token-budget chunk of it), the rest only decode (``ReplicaModel.mean_iteration_s``).

- ``offline``: ``b`` is as large as the engine schedules (its ``max_num_seqs``) and the KV cache holds.
- ``concurrency``: ``b`` is the requests in flight (capped the same way); closed loop.
- ``batch``: static batching (older engines): the whole batch is prefilled, then decoded for ``O`` steps
  with no new requests; the cache must hold every sequence at full length.
- ``slo``: the largest ``b`` whose p99 TPOT and p99 TTFT meet the targets, under this stated queueing
  approximation. Requests arrive as a Poisson stream at the rate the replica completes them
  (``λ = b / (O · t_iter)``, Little's law). A prompt adds ``s`` seconds to the iterations that prefill it
  (``s`` = iteration with one prompt − iteration without). TPOT is per request, as serving benchmarks
  report it (decode time ÷ output tokens): ``t_decode(b) + k · s / O``, where ``k``, the prompts of other
  requests prefilled during one request's life, is Poisson with mean ``b − 1``; its p99 gives the p99 TPOT.
  The p99 TTFT is the request's own prefill iteration, plus one full in-flight iteration, plus the M/M/1 p99
  waiting time ``s · ln(100 ρ) / (1 − ρ)`` of the prefill stage (utilisation ``ρ = λ s``). The M/M/1 tail
  is conservative for the near-deterministic prefill.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

from llm_tco.capacity.compute import IterationTime, iteration_time
from llm_tco.capacity.memory import MemoryBreakdown
from llm_tco.capacity.specs import Deployment, EfficiencyParams, EngineDefaults, GpuSpec, ModelSpec, Workload
from llm_tco.capacity.vectorised import slo_curves, slo_search

__all__ = ["DEFAULT_ENGINE", "ReplicaModel", "ReplicaResult"]

DEFAULT_ENGINE = EngineDefaults(
    max_num_seqs_large_gpu=1024, max_num_seqs_small_gpu=256, max_batched_tokens=8192
)
"""Used for an engine the calibration file does not describe (vLLM V1's defaults)."""


def _poisson_p99(mean: float) -> float:
    """99th percentile of a Poisson count with this mean (normal approximation with continuity, exact
    enough for a latency bound; 0 for a mean of 0)."""
    if mean <= 0:
        return 0.0
    return math.ceil(mean + 2.326 * math.sqrt(mean) + 0.5)


@dataclass(frozen=True, slots=True)
class ReplicaResult:
    """One replica's steady state."""

    output_tokens_per_s: float
    concurrency: float
    ttft_s: float
    tpot_s: float
    limited_by: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ReplicaModel:
    """Binds a model, GPU, deployment, workload and efficiencies; answers per-scenario questions."""

    model: ModelSpec
    gpu: GpuSpec
    params: EfficiencyParams
    deployment: Deployment
    workload: Workload
    memory: MemoryBreakdown

    @property
    def engine_defaults(self) -> EngineDefaults:
        """The engine's scheduler limits."""
        return self.params.engine_defaults.get(self.deployment.engine, DEFAULT_ENGINE)

    @property
    def engine_max_seqs(self) -> int:
        """Sequences the engine keeps in flight by default on this GPU."""
        return self.engine_defaults.replica_max_seqs(self.gpu, self.model, self.deployment.tp)

    def step(self, decode_seqs: float, prefill_prompts: float) -> IterationTime:
        """One iteration with ``decode_seqs`` decodes at the mean context and ``prefill_prompts`` prompts."""
        d, w = self.deployment, self.workload
        return iteration_time(
            self.model,
            self.gpu,
            self.params,
            tp=d.tp,
            precision=d.precision,
            kv_precision=d.kv_precision,
            engine=d.engine,
            decode_seqs=decode_seqs,
            decode_context=w.input_len + w.output_len / 2.0,
            prefill_prompts=prefill_prompts,
            prompt_tokens=w.input_len,
            attention_dp=self.engine_defaults.attention_dp(self.model),
            pp=d.pp,
        )

    def prefill_chunk_tokens(self, b: float) -> float:
        """Prompt tokens one prefill-carrying iteration takes on alongside ``b`` decodes: a whole prompt,
        or what the engine's token budget (``max_batched_tokens``) leaves after the decodes when the prompt
        is longer (chunked prefill)."""
        budget = float(self.engine_defaults.max_batched_tokens) - b
        return max(min(self.workload.input_len, budget), 1.0)

    def mean_iteration_s(
        self, b: float, step: Callable[[float], IterationTime] | None = None
    ) -> tuple[IterationTime, float]:
        """Mean iteration time in steady state at ``b`` in flight, and the decode-only iteration.

        ``b / O`` prompts (``P = b·I/O`` prompt tokens) must be prefilled per iteration on average. They
        do not spread evenly: an iteration that prefills takes a whole prompt (or one budget-sized chunk
        of it), the others only decode. So a share ``f = P / chunk`` of iterations carry a chunk and the
        mean is ``(1 − f)·t(b, 0) + f·t(b, chunk)``; when ``P`` exceeds a chunk every iteration prefills
        (``f = 1``, chunk = ``P``). Averaging the *work* instead of the *time* would understate it: the
        experts a mixture-of-experts batch touches and the tensor-core tile use are concave in tokens,
        and a memory-bound decode step turns compute-bound only in the iterations that prefill.

        ``step`` gives the iteration at ``b`` with so many prompts (default: :meth:`step`; a memo of it
        lets a caller reuse the iterations).
        """
        at = step if step is not None else functools.partial(self.step, b)
        w = self.workload
        prompt_tokens = b * w.input_len / w.output_len
        chunk = self.prefill_chunk_tokens(b)
        if prompt_tokens >= chunk:
            whole = at(prompt_tokens / w.input_len)
            return whole, whole.total_s
        decode = at(0.0)
        share = prompt_tokens / chunk
        with_chunk = at(chunk / w.input_len)
        return decode, (1.0 - share) * decode.total_s + share * with_chunk.total_s

    def _steady(self, b: float) -> tuple[IterationTime, float, float]:
        """Representative iteration at ``b`` in flight, its mean time (chunked prefill interleaved as in
        ``mean_iteration_s``) and output tokens/s."""
        step, mean_s = self.mean_iteration_s(b)
        return step, mean_s, b / mean_s

    def _in_flight_result(self, b: float, capped_by_kv: bool) -> ReplicaResult:
        step, mean_s, throughput = self._steady(b)
        ttft = self.step(max(b - 1.0, 0.0), 1.0).total_s
        limited = "kv-capacity" if capped_by_kv else step.bound
        return ReplicaResult(throughput, b, ttft, mean_s, limited)

    def offline(self) -> ReplicaResult:
        """Maximum throughput: as many sequences in flight as the engine and the KV cache allow."""
        b_kv = self.memory.max_sequences
        b = min(self.engine_max_seqs, b_kv)
        return self._in_flight_result(float(b), capped_by_kv=b_kv < self.engine_max_seqs)

    def concurrency(self, in_flight: float) -> ReplicaResult:
        """Closed loop with ``in_flight`` requests on this replica."""
        b_kv = self.memory.max_sequences
        b = min(in_flight, float(self.engine_max_seqs), float(b_kv))
        return self._in_flight_result(b, capped_by_kv=b_kv < in_flight and b_kv <= self.engine_max_seqs)

    def batch(self, batch_size: float) -> ReplicaResult:
        """Static batch: prefill all prompts, then ``O`` decode steps; caches sized for full length."""
        w = self.workload
        per_full_sequence = self.memory.kv_bytes_per_sequence * (
            (w.input_len + w.output_len) / (w.input_len + w.output_len / 2.0)
        )
        b_kv = math.floor(max(self.memory.kv_capacity_bytes, 0.0) / per_full_sequence)
        b = float(min(batch_size, b_kv))
        prefill = self.step(0.0, b)
        decode = self.step(b, 0.0)
        total_s = prefill.total_s + w.output_len * decode.total_s
        limited = "kv-capacity" if b_kv < batch_size else decode.bound
        return ReplicaResult(b * w.output_len / total_s, b, prefill.total_s, decode.total_s, limited)

    def slo_latencies(self, b: float) -> tuple[float, float, float]:
        """(p99 TTFT s, p99 TPOT s, output tokens/s) at ``b`` in flight, per the module's approximation."""
        w = self.workload
        # the decode-only and one-prompt iterations are often those of the mean iteration: computed once
        memo: dict[float, IterationTime] = {}

        def at(prompts: float) -> IterationTime:
            found = memo.get(prompts)
            if found is None:
                found = memo[prompts] = self.step(b, prompts)
            return found

        _, mean_s = self.mean_iteration_s(b, at)
        throughput = b / mean_s
        decode_only = at(0.0).total_s
        with_prompt = at(1.0).total_s
        service = max(with_prompt - decode_only, 0.0)
        interfering = _poisson_p99(max(b - 1.0, 0.0))
        tpot99 = decode_only + interfering * service / w.output_len
        arrival_per_s = throughput / w.output_len
        rho = arrival_per_s * service
        if rho >= 1.0:
            return math.inf, tpot99, throughput
        wait99 = service * math.log(100.0 * rho) / (1.0 - rho) if rho > 0.01 else 0.0
        return with_prompt + mean_s + wait99, tpot99, throughput

    def slo(self, ttft_ms: float, tpot_ms: float, *, vectorised: bool = True) -> ReplicaResult:
        """Largest load whose p99 TTFT ≤ ``ttft_ms`` and p99 TPOT ≤ ``tpot_ms``.

        The bisection's probes are read from the latencies at every load computed at once
        (``capacity.vectorised``), which lands on the same load as probing one at a time
        (``vectorised=False``, the reference) at a fraction of the cost.
        """
        b_max = min(self.engine_max_seqs, self.memory.max_sequences)

        def meets(b: int) -> bool:
            ttft, tpot, _ = self.slo_latencies(float(b))
            return ttft * 1e3 <= ttft_ms and tpot * 1e3 <= tpot_ms

        if not meets(1):
            ttft, tpot, _ = self.slo_latencies(1.0)
            note = (
                f"targets unreachable on this configuration: even one request in flight has p99 TTFT "
                f"{ttft * 1e3:.0f} ms and p99 TPOT {tpot * 1e3:.1f} ms"
            )
            return ReplicaResult(0.0, 0.0, ttft, tpot, "latency-target", note)
        curves = (
            slo_curves(
                self.model,
                self.gpu,
                self.params,
                self.deployment,
                self.workload,
                attention_dp=self.engine_defaults.attention_dp(self.model),
                max_batched_tokens=self.engine_defaults.max_batched_tokens,
                b_max=b_max,
            )
            if vectorised
            else None
        )
        if curves is not None:
            lo = slo_search(curves, ttft_ms, tpot_ms, lambda b: self.slo_latencies(float(b))[:2])
        else:
            lo, hi = 1, b_max
            while lo < hi:  # largest b that meets both targets (latencies grow with b)
                mid = (lo + hi + 1) // 2
                if meets(mid):
                    lo = mid
                else:
                    hi = mid - 1
        ttft, tpot, throughput = self.slo_latencies(float(lo))
        if lo < b_max:
            limited = "latency-target"
        else:
            limited = (
                "kv-capacity"
                if self.memory.max_sequences < self.engine_max_seqs
                else self.step(float(lo), lo / self.workload.output_len).bound
            )
        return ReplicaResult(throughput, float(lo), ttft, tpot, limited)

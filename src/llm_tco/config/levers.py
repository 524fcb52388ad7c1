"""``[levers]``: when the plan offers the cheap levers of an API workload — the provider's Batch API and
prompt caching — and the assumption behind the caching estimate (the plan cannot see prompts)."""

from __future__ import annotations

from llm_tco.config.fields import Strict, assumption, cite, field

__all__ = ["LeversConfig"]


class LeversConfig(Strict):
    """Cheap levers of API workloads: the Batch API and prompt caching."""

    batch_min_ttft_p99_ms: float = field(
        3_600_000.0,
        unit="ms",
        source="llm-tco rule: a batch job is answered within a 24-hour completion window (openai-batch); "
        "a workload whose p99 time-to-first-token target is an hour or more does not wait on its answers",
        description="A workload is offered the Batch API when its [workloads.<name>] latency is "
        "'batch-ok' or its ttft_p99_ms is at least this.",
        gt=0,
    )
    cacheable_input_share: float = field(
        0.5,
        unit="fraction of input tokens",
        source=assumption(
            "a long prompt's system prompt, tool definitions and shared context are about half of it; "
            "caching reuses only an exact repeated prefix (openai-prompt-caching)"
        ),
        description="Share of a workload's input tokens that is a stable prefix, which prompt caching "
        "can serve as cache reads; the caching option is offered when today's cache hit rate is below it.",
        ge=0,
        le=1,
    )
    min_cacheable_prefix_tokens: int = field(
        1024,
        unit="tokens",
        source=cite(
            "openai-prompt-caching",
            says="prompts of 1,024 tokens or more are cached; other providers' minimums differ: check yours",
        ),
        description="A prefix shorter than this is not cached: caching is offered only when the stable "
        "prefix of the mean request (cacheable_input_share × mean input tokens) reaches it.",
        ge=0,
    )
    cache_lifetime_minutes: float = field(
        5.0,
        unit="minutes",
        source=cite(
            "openai-prompt-caching",
            "anthropic-prompt-caching",
            says="OpenAI keeps cached prefixes for 5 to 10 minutes of inactivity; "
            "Anthropic's default is 5 minutes",
        ),
        description="A request finds its prefix cached when another request came within this time; the "
        "caching estimate uses it to tell cache reads from cache writes at the workload's request rate.",
        gt=0,
    )

"""``[levers]``: when the plan offers the cheap levers of an API workload — the provider's Batch API and
prompt caching — and the assumption behind the caching estimate (the plan cannot see prompts)."""

from __future__ import annotations

from llm_tco.config.fields import Strict, assumption, field

__all__ = ["LeversConfig"]

_OPENAI_CACHING = "https://platform.openai.com/docs/guides/prompt-caching (accessed 2026-12-04)"
_OPENAI_BATCH = "https://platform.openai.com/docs/guides/batch (accessed 2026-12-04)"


class LeversConfig(Strict):
    """Cheap levers of API workloads: the Batch API and prompt caching."""

    batch_min_ttft_p99_ms: float = field(
        3_600_000.0,
        unit="ms",
        source=f"llm-tco rule: a batch job is answered within a 24-hour completion window ({_OPENAI_BATCH}); "
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
            "caching reuses only an exact repeated prefix: " + _OPENAI_CACHING
        ),
        description="Share of a workload's input tokens that is a stable prefix, which prompt caching "
        "can serve as cache reads; the caching option is offered when today's cache hit rate is below it.",
        ge=0,
        le=1,
    )
    min_cacheable_prefix_tokens: int = field(
        1024,
        unit="tokens",
        source=f"OpenAI prompt caching guide: prompts of 1,024 tokens or more are cached "
        f"({_OPENAI_CACHING}); other providers' minimums differ: check yours",
        description="A prefix shorter than this is not cached: caching is offered only when the stable "
        "prefix of the mean request (cacheable_input_share × mean input tokens) reaches it.",
        ge=0,
    )
    cache_lifetime_minutes: float = field(
        5.0,
        unit="minutes",
        source="OpenAI prompt caching guide: cached prefixes stay active for 5 to 10 minutes of inactivity "
        f"({_OPENAI_CACHING}); Anthropic's default cache lifetime is 5 minutes "
        "(https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching, accessed 2026-12-04)",
        description="A request finds its prefix cached when another request came within this time; the "
        "caching estimate uses it to tell cache reads from cache writes at the workload's request rate.",
        gt=0,
    )

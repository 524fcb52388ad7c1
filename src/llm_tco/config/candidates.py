"""``[candidates]``: which models and providers the plan may propose (allow and deny lists).

An empty allow-list allows everything; a deny-list entry always wins. Options outside the lists are kept
in the plan, marked infeasible with the rule that excludes them, so the user sees what the policy costs.
Names are compared case- and separator-insensitively; model names are checked against the catalogs when
the plan starts (an unknown name is an error, not a silently empty list).
"""

from __future__ import annotations

from llm_tco.config.fields import Strict, field

__all__ = ["CandidatesConfig"]


class CandidatesConfig(Strict):
    """Allow and deny lists for the options the plan proposes (your procurement policy)."""

    models: list[str] = field(
        [],
        unit="model ids (genai-prices ids or open-model catalog ids)",
        source="none (empty: every model)",
        description="Only these models may be proposed (e.g. ['gpt-4.1-mini', 'llama-3.3-70b']).",
    )
    exclude_models: list[str] = field(
        [],
        unit="model ids",
        source="none",
        description="Models never to propose.",
    )
    open_model_providers: list[str] = field(
        [],
        unit="provider ids (e.g. 'together', 'groq')",
        source="none (empty: every hosting provider)",
        description="Only these providers may host an open-weight model for you (open-api options).",
    )
    exclude_open_model_providers: list[str] = field(
        [],
        unit="provider ids",
        source="none",
        description="Providers never to use for hosted open-weight models.",
    )
    closed_model_providers: list[str] = field(
        [],
        unit="provider ids (e.g. 'openai', 'anthropic', 'google')",
        source="none (empty: every provider)",
        description="Only these providers may serve a closed model (closed-api options).",
    )
    exclude_closed_model_providers: list[str] = field(
        [],
        unit="provider ids",
        source="none",
        description="Providers never to use for closed models.",
    )

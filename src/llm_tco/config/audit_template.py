"""The ``llm-tco.toml`` that ``llm-tco init --from-audit`` writes: the commented template, then one
``[workloads.<name>]`` table per audited workload with its profile as comments (volume, lengths, peak ratio,
current model, regions seen, API latency where the logs time requests), so that the user edits
requirements instead of typing workload names.

Workload, model and region names come from logs and are untrusted: every one is written as a TOML basic
string (:func:`llm_tco.config.template.toml_string`), in table keys and in comments alike, so no name can
end a comment, open a table or break the file.
"""

from __future__ import annotations

from decimal import Decimal

from llm_tco.config.model import WorkloadConfig
from llm_tco.config.template import render_template, toml_string, toml_value
from llm_tco.profile.model import LengthStats, WorkloadProfile

__all__ = ["UNCOMMENTED_KEYS", "render_from_audit"]

UNCOMMENTED_KEYS = ("sovereignty", "criticality")
"""Written first, as settings (at their defaults), so that each table reads as a starting point to edit;
every other key follows, commented out."""


def _count(value: float) -> str:
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:,.1f}{unit}"
    return f"{value:,.0f}"


def _usd(value: Decimal | None) -> str:
    return "unpriced" if value is None else f"${float(value):,.2f}"


def _lengths(name: str, stats: LengthStats) -> str:
    if stats.mean is None:
        return f"{name} unknown"
    text = f"{name} mean {stats.mean:,.0f}"
    if stats.p50 is not None and stats.p99 is not None:
        text += f" (p50 {stats.p50:,.0f}, p99 {stats.p99:,.0f})"
    return text


def _profile_comments(profile: WorkloadProfile, regions: tuple[str, ...]) -> list[str]:
    monthly = profile.monthly
    current = profile.current
    if current is None:
        model = "none"
    else:
        model = toml_string(current.model or current.model_raw)
        if current.provider:
            model += f" via {toml_string(current.provider)}"
        if len(profile.models) > 1:
            model += f" (and {len(profile.models) - 1} more models)"
    unpriced = f", {profile.unpriced_share:.0%} of tokens unpriced" if profile.unpriced_share > 0 else ""
    lines = [
        f"# From the audit (last {profile.window_days:.0f} days, scaled to a month):",
        f"#   volume: {_count(monthly.total_tokens)} tokens/month, {_count(monthly.requests)} "
        f"requests/month, today {_usd(profile.monthly_cost_usd)}/month{unpriced}",
        f"#   tokens per request: {_lengths('input', profile.input_length)}; "
        f"{_lengths('output', profile.output_length)}",
        f"#   peak hour ÷ mean hour: {profile.peak_to_mean_ratio:.2f}; cache hit rate "
        f"{profile.cache_hit_rate:.0%}",
        f"#   current model: {model}",
        "#   regions seen: " + (", ".join(toml_string(r) for r in regions) if regions else "none recorded"),
    ]
    latency = profile.latency
    lines.append(
        "#   API latency end to end: "
        + (
            f"p50 {latency.p50_ms:,.0f} ms, p99 {latency.p99_ms:,.0f} ms"
            if latency is not None
            else "not in the logs"
        )
    )
    lines.extend(f"#   assumed: {toml_string(text)}" for text in profile.assumed)
    return lines


def _table(profile: WorkloadProfile, regions: tuple[str, ...]) -> list[str]:
    defaults = WorkloadConfig()
    lines = ["", *_profile_comments(profile, regions), f"[workloads.{toml_string(profile.workload)}]"]
    lines.extend(f"{name} = {toml_value(getattr(defaults, name))}" for name in UNCOMMENTED_KEYS)
    for name in WorkloadConfig.model_fields:
        value = getattr(defaults, name)
        if name in UNCOMMENTED_KEYS:
            continue
        if value is None:
            lines.append(f"# {name} =            (unset: the global default)")
        else:
            lines.append(f"# {name} = {toml_value(value)}")
    return lines


def render_from_audit(profiles: list[WorkloadProfile], regions: dict[str, tuple[str, ...]]) -> str:
    """The commented template followed by a table per profiled workload (see the module docstring)."""
    lines = [
        render_template().rstrip("\n"),
        "",
        "# ---------------------------------------------------------------------------------------------",
        f"# The {len(profiles)} workload(s) of your audit: set each one's requirements (see the example",
        "# above for every key); the commented figures are what the audit measured.",
    ]
    for profile in profiles:
        lines.extend(_table(profile, regions.get(profile.workload, ())))
    return "\n".join(lines) + "\n"

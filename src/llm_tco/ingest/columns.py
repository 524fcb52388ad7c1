"""Matching a tabular file's column names to canonical fields.

Exports name the same thing many ways (``prompt_tokens``, ``inputTokens``, ``input_tokens``); matching is
case-insensitive and ignores ``_ - . `` and spaces. ``--map field=column`` always wins over the automatic
match. The first synonym present in the file is taken, so the list order encodes preference.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence

from llm_tco.errors import UsageError

__all__ = [
    "REQUIRED_FIELDS",
    "SYNONYMS",
    "ambiguous_columns",
    "match_columns",
    "normalise_name",
    "parse_map_options",
]

SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "ts_start": (
        "ts_start",
        "timestamp",
        "created_at",
        "start_time_iso",
        "start_time",
        "request_time",
        "time",
        "datetime",
        "date",
        "ts",
        "created",
        "start_timestamp",
        "starttime",
        "request_start_time",
    ),
    "ts_end": ("ts_end", "end_time_iso", "end_time", "endtime", "end_timestamp", "completed_at"),
    "model_raw": (
        "model",
        "model_name",
        "model_id",
        "model_raw",
        "request_model",
        "response_model",
        "engine",
    ),
    "provider": (
        "provider",
        "provider_name",
        "custom_llm_provider",
        "vendor",
        "api_provider",
        "llm_provider",
    ),
    # Not a bare "id": a table's own row number is no request id, and taking it for one made rows of
    # different files with the same numbers duplicates. ``--map source_record_id=id`` says it is one.
    "source_record_id": (
        "request_id",
        "source_record_id",
        "record_id",
        "response_id",
        "requestid",
        "call_id",
    ),
    "input_tokens": ("input_tokens", "prompt_tokens", "tokens_in", "n_input_tokens", "input_token_count"),
    "output_tokens": (
        "output_tokens",
        "completion_tokens",
        "tokens_out",
        "n_output_tokens",
        "output_token_count",
    ),
    "cache_read_tokens": (
        "cache_read_tokens",
        "cached_tokens",
        "cached_input_tokens",
        "input_cached_tokens",
        "cache_read_input_tokens",
        "prompt_cache_read_tokens",
        "cache_hit_tokens",
    ),
    "cache_write_tokens": (
        "cache_write_tokens",
        "cache_creation_tokens",
        "cache_creation_input_tokens",
        "input_cache_write_tokens",
        "prompt_cache_write_tokens",
    ),
    "cache_write_1h_tokens": (
        "cache_write_1h_tokens",
        "ephemeral_1h_input_tokens",
        "cache_creation_1h_tokens",
    ),
    "reasoning_tokens": ("reasoning_tokens", "output_reasoning_tokens", "reasoning_output_tokens"),
    "requests": ("requests", "num_requests", "num_model_requests", "request_count", "n_requests"),
    "workload": ("workload", "use_case", "usecase", "feature"),
    "team": ("team", "team_id", "team_name", "department"),
    "project": ("project", "project_id", "project_name", "workspace", "workspace_id"),
    "api_key_id": ("api_key_id", "api_key", "key_id", "api_key_name", "key_alias"),
    "user": ("user", "user_id", "end_user", "user_email"),
    "service_tier": ("service_tier", "tier"),
    "batch": ("batch", "is_batch"),
    "region": ("region", "aws_region", "location", "inference_geo"),
    "context_window": ("context_window",),
    "reported_cost_usd": ("reported_cost_usd", "cost_usd", "cost", "spend", "total_cost", "amount_usd"),
}

REQUIRED_FIELDS: tuple[str, ...] = ("ts_start", "model_raw", "input_tokens", "output_tokens")


@functools.lru_cache(maxsize=4096)
def normalise_name(name: str) -> str:
    """Lower-case and drop separators, so ``inputTokens`` and ``input_tokens`` compare equal. (Cached: a
    folder of many small files matches the same few names, with every synonym, for each file.)"""
    return re.sub(r"[\s_\-.]", "", name).lower()


def parse_map_options(values: Iterable[str]) -> dict[str, str]:
    """Parse ``--map field=column`` values; an unknown field is a usage error naming it."""
    mapping: dict[str, str] = {}
    for raw in values:
        field, sep, column = raw.partition("=")
        field = field.strip()
        if not sep or not field or not column.strip():
            raise UsageError(f"--map {raw!r}: expected FIELD=COLUMN")
        if field not in SYNONYMS:
            raise UsageError(f"--map {raw!r}: unknown field {field!r}; fields: {', '.join(sorted(SYNONYMS))}")
        mapping[field] = column.strip()
    return mapping


def match_columns(columns: Iterable[str], overrides: Mapping[str, str]) -> dict[str, str]:
    """Map canonical field -> source column for every field found (required or not).

    An override naming a column the file does not have is reported by the caller as a missing column.
    """
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(normalise_name(col), col)
    matched: dict[str, str] = {}
    used: set[str] = set()
    for field, column in overrides.items():
        matched[field] = column
        used.add(column)
    for field, synonyms in SYNONYMS.items():
        if field in matched:
            continue
        for synonym in synonyms:
            found = by_norm.get(normalise_name(synonym))
            if found is not None and found not in used:
                matched[field] = found
                used.add(found)
                break
    return matched


def ambiguous_columns(columns: Sequence[str], matched: Mapping[str, str]) -> str | None:
    """Why the file's columns are ambiguous for a matched field, or None: two columns whose names match
    the same way (``prompt_tokens`` twice, or ``prompt_tokens`` and ``promptTokens``) and one of them
    was taken for a field. Taking the first silently could count the wrong one, so the file is refused.

    ``columns`` are the names as the file states them (a CSV header before a reader renames duplicates)."""
    positions: dict[str, list[int]] = {}
    for i, col in enumerate(columns, start=1):
        positions.setdefault(normalise_name(col), []).append(i)
    for field, column in matched.items():
        found = positions.get(normalise_name(column), [])
        if len(found) > 1:
            numbers = ", ".join(str(n) for n in found[:-1]) + f" and {found[-1]}"
            return (
                f"columns {numbers} are all {column!r} ({field}): which one counts is ambiguous; "
                "rename or remove all but one"
                if len(found) > 2
                else f"columns {numbers} are both {column!r} ({field}): which one counts is ambiguous; "
                "rename or remove one"
            )
    return None

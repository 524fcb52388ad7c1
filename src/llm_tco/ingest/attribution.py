"""The workload of each record, as one SQL expression: attribution rules, ``--workload-from``, natural key.

Precedence (issue "Attribution"): when any ``[[attribution]]`` rule exists, the first matching rule names
the workload and unmatched records get ``unattributed``; with no rules, ``--workload-from ATTRIBUTE`` picks
an attribute, else the adapter's natural key (OpenTelemetry ``service.name``, OpenAI ``project_id``, ...),
and the model when the record has none of these. Rules compile to a ``CASE`` with bound parameters: rule
values are user data and never formatted into the SQL text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from llm_tco.config.attribution import UNATTRIBUTED, AttributionRule
from llm_tco.errors import UsageError

__all__ = [
    "WORKLOAD_FROM_ATTRIBUTES",
    "check_workload_from",
    "is_attribute",
    "json_path",
    "metadata_kept_sql",
    "metadata_keys",
    "metadata_projection",
    "workload_expression",
]

WORKLOAD_FROM_ATTRIBUTES: tuple[str, ...] = (
    "project",
    "workspace",
    "team",
    "user",
    "api_key_id",
    "service_name",
    "model",
    "provider",
    "region",
    "service_tier",
    "tag",
)
"""Values ``--workload-from`` accepts for the format adapters, besides ``metadata.KEY``."""

_TEXT_KEYS: dict[str, str] = {
    "project": "project",
    "workspace": "project",
    "api_key_id": "api_key_id",
    "service_name": "service_name",
    "user": "user",
    "team": "team",
    "model": "model_raw",
    "provider": "provider",
    "region": "region",
    "service_tier": "service_tier",
}
"""Match key / ``--workload-from`` attribute -> expression name in the ``columns`` mapping."""


def json_path(key: str) -> str:
    """A DuckDB JSON path selecting the top-level member ``key`` (any characters allowed)."""
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _metadata_value(metadata: str, key: str, params: list[object]) -> str:
    """The metadata member ``key`` as text: a flat key first (``gen_ai.system``), then the dotted path
    into nested objects (``spend_logs_metadata.app``)."""
    params.append(json_path(key))
    flat = f"json_extract_string({metadata}, ?)"
    if "." not in key:
        return flat
    params.append("$." + ".".join(json_path(part)[2:] for part in key.split(".")))
    return f"coalesce({flat}, json_extract_string({metadata}, ?))"


def _rule_condition(rule: AttributionRule, columns: Mapping[str, str], params: list[object]) -> str:
    conditions: list[str] = []
    if rule.tag is not None:
        conditions.append(f"len(list_filter(coalesce({columns['tags']}, []), lambda t: t GLOB ?)) > 0")
        params.append(rule.tag)
    for key, wanted in (rule.metadata or {}).items():
        value = _metadata_value(columns["metadata"], key, params)
        conditions.append(f"{value} GLOB ?")
        params.append(wanted)
    for key, column in _TEXT_KEYS.items():
        pattern = getattr(rule, key, None)
        if pattern is not None:
            conditions.append(f"{columns[column]} GLOB ?")
            params.append(pattern)
    return " AND ".join(f"coalesce({c}, false)" for c in conditions)


def workload_expression(
    columns: Mapping[str, str],
    *,
    natural: str,
    rules: Sequence[AttributionRule],
    workload_from: str | None,
) -> tuple[str, list[object]]:
    """SQL for a record's workload and its parameters (in order of appearance).

    ``columns`` maps ``model_raw``, ``provider``, ``project``, ``team``, ``user``, ``api_key_id``,
    ``service_name``, ``region``, ``service_tier`` to text expressions (NULL for blank), ``tags`` to a
    ``VARCHAR[]`` and ``metadata`` to a JSON expression (valid JSON or NULL). ``natural`` is the adapter's
    workload expression.
    """
    params: list[object] = []
    if rules:
        branches = []
        for rule in rules:
            condition = _rule_condition(rule, columns, params)
            params.append(rule.workload)
            branches.append(f"WHEN {condition} THEN ?")
        params.append(UNATTRIBUTED)
        return f"(CASE {' '.join(branches)} ELSE ? END)", params
    fallback = f"coalesce({natural}, {columns['model_raw']})"
    if workload_from is None:
        return fallback, params
    chosen = _attribute(columns, workload_from, params)
    return f"coalesce({chosen}, {fallback})", params


def is_attribute(spec: str) -> bool:
    """Whether ``--workload-from spec`` names an attribute the format adapters stage (or ``metadata.KEY``)
    rather than a column of a generic file."""
    name = spec.strip()
    if name in _TEXT_KEYS or name == "tag":
        return True
    return any(name.startswith(p) and len(name) > len(p) for p in ("metadata.", "metadata:"))


def check_workload_from(spec: str) -> None:
    """Raise the one-line usage error for a ``--workload-from`` that is not an attribute."""
    _attribute(dict.fromkeys((*_TEXT_KEYS.values(), "tags", "metadata"), "NULL"), spec, [])


def metadata_keys(rules: Sequence[AttributionRule], workload_from: str | None) -> tuple[str, ...]:
    """The metadata keys the rules and ``--workload-from metadata.KEY`` read, sorted."""
    keys = {key for rule in rules for key in (rule.metadata or {})}
    if workload_from is not None:
        name = workload_from.strip()
        for prefix in ("metadata.", "metadata:"):
            if name.startswith(prefix) and len(name) > len(prefix):
                keys.add(name[len(prefix) :])
    return tuple(sorted(keys))


def metadata_projection(metadata: str, keys: Sequence[str], params: list[object]) -> str:
    """A JSON object with exactly ``keys`` read from the ``metadata`` expression (a flat key first, then
    the dotted path into nested objects; JSON null when absent). Every key is
    present, null or not, so the object also says which keys were kept: a rule on a key that was not kept
    cannot be re-applied (:func:`metadata_kept_sql`). Without keys, the empty object."""
    if not keys:
        return "json_object()"
    parts: list[str] = []
    for key in keys:
        params.append(key)
        params.append(json_path(key))
        value = f"json_extract({metadata}, ?)"
        if "." in key:
            params.append("$." + ".".join(json_path(part)[2:] for part in key.split(".")))
            value = f"coalesce({value}, json_extract({metadata}, ?))"
        parts.append(f"?, {value}")
    return f"json_object({', '.join(parts)})"


def metadata_kept_sql(kept_keys: str, keys: Sequence[str], params: list[object]) -> str:
    """SQL true when the kept metadata (``kept_keys``: the ``VARCHAR[]`` of keys a series kept) can answer
    every key of ``keys``: the key itself was kept, or, for a dotted key, the top-level object it is in."""
    conditions: list[str] = []
    for key in keys:
        conditions.append(f"(list_contains({kept_keys}, ?) OR list_contains({kept_keys}, ?))")
        params += [key, key.split(".")[0]]
    return " AND ".join(conditions) or "true"


def _attribute(columns: Mapping[str, str], spec: str, params: list[object]) -> str:
    name = spec.strip()
    if name in _TEXT_KEYS:
        return columns[_TEXT_KEYS[name]]
    if name == "tag":
        return f"nullif(trim({columns['tags']}[1]), '')"
    for prefix in ("metadata.", "metadata:"):
        if name.startswith(prefix) and len(name) > len(prefix):
            return f"nullif(trim({_metadata_value(columns['metadata'], name[len(prefix) :], params)}), '')"
    raise UsageError(
        f"--workload-from {spec!r}: not an attribute; use one of {', '.join(WORKLOAD_FROM_ATTRIBUTES)} "
        "or metadata.KEY"
    )

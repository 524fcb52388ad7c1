"""The price data in force as two tables a warehouse can join on.

``prices`` — one row per (provider, model, date interval, time-of-day interval, long-context band) in which
the price is constant: ``valid_from``/``valid_to`` (DATE, to exclusive), ``tod_from_s``/``tod_to_s``
(seconds after UTC midnight, to exclusive), ``input_from_tokens``/``input_to_tokens`` (the band of mean
input tokens per request: the band applies when the mean strictly exceeds ``from``, or ``from`` is 0, and
does not exceed ``to``; ``to`` is NULL for the top band) and every rate in USD as an exact
DECIMAL(38, 24) per token (per request for ``usd_per_request``). The cells are the audit's own
(:mod:`llm_tco.pricing.table`), so a usage row prices here exactly as in ``llm-tco audit``.

``rules`` — genai-prices' model-matching rules flattened into rows. A model's ``match`` clause (a tree of
``equals``, ``starts_with``, ``ends_with``, ``contains``, ``regex``, ``or`` and ``and``; a leading
negative look-ahead becomes a ``not_regex`` condition) is rewritten as
an OR of ANDs: each AND is one ``conj_id`` of ``n_conditions`` rows (``match_kind``, ``match_value``), and
a name matches it when all its rows hold. ``applies_to`` says what a rule decides: ``model`` rules give
a provider's model for a model name, ordered by ``rule_priority`` as genai-prices tries them (first match
wins): the provider's own models in catalogue order, then its fallback providers' models
(``price_provider`` names the provider whose price rows apply); ``provider_of_model`` rules infer the
provider of a model name logged without one; ``provider_spelling`` rules map a provider as logged
(``bedrock``, ``vertex_ai``, ``litellm``) to its id, ``provider`` NULL for a gateway that names none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import duckdb
from genai_prices.types import (
    ClauseAnd,
    ClauseContains,
    ClauseEndsWith,
    ClauseEquals,
    ClauseOr,
    ClauseRegex,
    ClauseStartsWith,
    MatchLogic,
)

from llm_tco.catalog.model_names import Resolution
from llm_tco.catalog.price_data import current_snapshot
from llm_tco.catalog.providers import GATEWAYS, PROVIDER_ALIASES
from llm_tco.errors import DataFileError, UsageError
from llm_tco.pricing.table import NO_UPPER_TOKENS, RATE_COLUMNS, RATE_SCALE, standard_rate_cells

__all__ = [
    "PRICE_COLUMNS",
    "RULE_COLUMNS",
    "PriceExport",
    "build_price_export",
    "flatten_match",
    "rules_path_for",
    "write_price_export",
]

_RATE_TYPE: Final = f"DECIMAL(38, {RATE_SCALE})"
PRICE_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("provider", "VARCHAR"),
    ("model", "VARCHAR"),
    ("valid_from", "DATE"),
    ("valid_to", "DATE"),
    ("tod_from_s", "INTEGER"),
    ("tod_to_s", "INTEGER"),
    ("input_from_tokens", "BIGINT"),
    ("input_to_tokens", "BIGINT"),
    *((c, _RATE_TYPE) for c in RATE_COLUMNS),
)
RULE_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("applies_to", "VARCHAR"),
    ("provider", "VARCHAR"),
    ("model", "VARCHAR"),
    ("price_provider", "VARCHAR"),
    ("rule_priority", "INTEGER"),
    ("conj_id", "INTEGER"),
    ("n_conditions", "INTEGER"),
    ("match_kind", "VARCHAR"),
    ("match_value", "VARCHAR"),
)
_FALLBACK_STRIDE: Final = 100_000
"""Priority offset per fallback provider: above any provider's own model count."""

Condition = tuple[str, str]


@dataclass(frozen=True)
class PriceExport:
    price_rows: list[tuple[Any, ...]]
    rule_rows: list[tuple[Any, ...]]


def flatten_match(clause: MatchLogic) -> list[list[Condition]]:
    """``clause`` as an OR of ANDs of (kind, value) conditions (disjunctive normal form)."""
    simple: dict[type, tuple[str, str]] = {
        ClauseEquals: ("equals", "equals"),
        ClauseStartsWith: ("starts_with", "starts_with"),
        ClauseEndsWith: ("ends_with", "ends_with"),
        ClauseContains: ("contains", "contains"),
        ClauseRegex: ("regex", "regex"),
    }
    if isinstance(clause, ClauseRegex):
        return [_regex_conditions(clause.regex)]
    if type(clause) in simple:
        kind, attr = simple[type(clause)]
        return [[(kind, str(getattr(clause, attr)))]]
    if isinstance(clause, ClauseOr):
        return [conj for part in clause.or_ for conj in flatten_match(part)]
    if isinstance(clause, ClauseAnd):
        product: list[list[Condition]] = [[]]
        for part in clause.and_:
            product = [left + right for left in product for right in flatten_match(part)]
        return product
    raise DataFileError(f"unsupported model-matching clause in the price data: {clause!r}")


def _regex_conditions(pattern: str) -> list[Condition]:
    """A regex as conditions every engine's regex library can run.

    Python's ``re`` (which genai-prices uses) has look-ahead; RE2 (DuckDB, BigQuery) does not. The data's
    look-aheads are a leading negative one, ``^(?!A)B``, which is exactly "not ``^(?:A)``, and ``^(?:B)``":
    rewritten so (``not_regex`` is the negated kind). Anything else is kept as it is.
    """
    if not pattern.startswith("^(?!"):
        return [("regex", pattern)]
    depth = 0
    for i in range(1, len(pattern)):
        if pattern[i] == "(" and pattern[i - 1] != "\\":
            depth += 1
        elif pattern[i] == ")" and pattern[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                ahead, rest = pattern[4:i], pattern[i + 1 :]
                conditions: list[Condition] = [("not_regex", f"^(?:{ahead})")]
                return conditions + ([("regex", f"^(?:{rest})")] if rest else [])
    return [("regex", pattern)]


def _rule_rows(
    applies_to: str,
    provider: str | None,
    model: str | None,
    price_provider: str | None,
    priority: int,
    clause: MatchLogic,
) -> Iterator[tuple[Any, ...]]:
    for conj_id, conj in enumerate(flatten_match(clause)):
        for kind, value in conj:
            yield (applies_to, provider, model, price_provider, priority, conj_id, len(conj), kind, value)


def _provider_spelling_rows(providers: list[Any]) -> Iterator[tuple[Any, ...]]:
    """Rules mapping a provider as logged (lower-cased) to its genai-prices id, in the order
    :func:`llm_tco.catalog.providers.normalize_provider` tries them: gateways (which name no provider:
    ``provider`` NULL), the alias table, the ids themselves, then genai-prices' ``provider_match``."""
    priority = 0
    for gateway in sorted(GATEWAYS):
        yield ("provider_spelling", None, None, None, priority, 0, 1, "equals", gateway)
        priority += 1
    for alias, provider_id in PROVIDER_ALIASES.items():
        yield ("provider_spelling", provider_id, None, None, priority, 0, 1, "equals", alias)
        priority += 1
    for provider in providers:
        yield ("provider_spelling", provider.id, None, None, priority, 0, 1, "equals", provider.id)
        priority += 1
    for provider in providers:
        if provider.provider_match is not None:
            yield from _rule_rows(
                "provider_spelling", provider.id, None, None, priority, provider.provider_match
            )
        priority += 1


def build_price_export() -> PriceExport:
    """Every provider's and model's rate cells and matching rules, from the price data in force."""
    snapshot = current_snapshot()
    by_id = {p.id: p for p in snapshot.providers}
    price_rows: list[tuple[Any, ...]] = []
    rule_rows: list[tuple[Any, ...]] = list(_provider_spelling_rows(snapshot.providers))
    for provider_priority, provider in enumerate(snapshot.providers):
        if provider.model_match is not None:
            rule_rows.extend(
                _rule_rows(
                    "provider_of_model", provider.id, None, None, provider_priority, provider.model_match
                )
            )
        for model_priority, model in enumerate(provider.models):
            rule_rows.extend(
                _rule_rows("model", provider.id, model.id, provider.id, model_priority, model.match)
            )
            resolution = Resolution(provider.id, model.id, provider_info=provider, model_info=model)
            try:
                cells = standard_rate_cells(resolution)
            except ValueError:  # price data genai-prices itself rejects: the model stays unpriced
                continue
            for day_from, day_to, tod_from, tod_to, input_from, input_to, *rates, _source in cells:
                upper = None if input_to == NO_UPPER_TOKENS else input_to
                row = (provider.id, model.id, day_from, day_to, tod_from, tod_to, input_from, upper, *rates)
                price_rows.append(row)
        for fallback_index, fallback_id in enumerate(provider.fallback_model_providers or ()):
            fallback = by_id.get(fallback_id)
            if fallback is None:
                continue
            offset = _FALLBACK_STRIDE * (fallback_index + 1)
            for model_priority, model in enumerate(fallback.models):
                rule_rows.extend(
                    _rule_rows(
                        "model", provider.id, model.id, fallback.id, offset + model_priority, model.match
                    )
                )
    return PriceExport(price_rows, rule_rows)


def rules_path_for(path: Path) -> Path:
    """Where the rules go beside a price file: ``prices.parquet`` → ``prices_rules.parquet``."""
    return path.with_name(f"{path.stem}_rules{path.suffix}")


def write_price_export(
    export: PriceExport, prices_path: Path, rules_path: Path, file_format: Literal["parquet", "csv"]
) -> None:
    """Write both tables (rates as exact decimals) with DuckDB's writer."""
    if file_format not in ("parquet", "csv"):
        raise UsageError(f"--format: {file_format!r} is not one of parquet, csv")
    con = duckdb.connect(":memory:")
    try:
        for name, columns, rows, path in (
            ("prices", PRICE_COLUMNS, export.price_rows, prices_path),
            ("rules", RULE_COLUMNS, export.rule_rows, rules_path),
        ):
            con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns)})")
            if rows:
                marks = ", ".join("?" for _ in columns)
                con.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
            options = "FORMAT parquet" if file_format == "parquet" else "FORMAT csv, HEADER true"
            literal = "'" + str(path).replace("'", "''") + "'"  # COPY takes no bound path
            con.execute(f"COPY {name} TO {literal} ({options})")
    except (duckdb.IOException, OSError) as exc:
        raise UsageError(f"cannot write the price export: {exc}") from exc
    finally:
        con.close()

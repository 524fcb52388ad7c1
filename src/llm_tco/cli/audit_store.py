"""How a re-audit opens the store: its usage rollup made current with the price data, and its stored records
re-attributed when the attribution an ``audit`` was given differs from the store's — each a short write
before the read-only audit — and how the attribution is reported (stderr line, ``attribution`` in JSON).

Settings given (a config file or ``--workload-from``) become the store's; without them the store's stay in
force (``llm_tco.ingest.reattribute``)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from llm_tco.cli.common import err_console, warn
from llm_tco.config.attribution import AttributionRule
from llm_tco.errors import StoreError
from llm_tco.ingest.reattribute import (
    AttributionSettings,
    Reattribution,
    attribution_pending,
    settle_attribution,
    stored_settings,
)
from llm_tco.report.audit_doc import AttributionInfo
from llm_tco.store import open_store, resolve_db_path
from llm_tco.store.connection import MEMORY
from llm_tco.store.rollup import refresh_rollup, rollup_is_current

__all__ = [
    "attribution_info",
    "given_attribution",
    "open_for_reaudit",
    "open_rollup_current",
    "say_reattributed",
]


def attribution_info(settled: Reattribution) -> AttributionInfo:
    return AttributionInfo(
        rules_fingerprint=settled.settings.fingerprint,
        rules=[rule.model_dump(exclude_none=True) for rule in settled.settings.rules],
        workload_from=settled.settings.workload_from,
        source=settled.source,
        reattributed=settled.reattributed,
        changed_records=settled.changed_records,
        changed_series=settled.changed_series,
        changed_cost_records=settled.changed_cost_records,
        kept_records=settled.kept_records,
    )


def say_reattributed(settled: Reattribution) -> None:
    """One line on stderr when stored records were re-attributed (and one for those that could not be)."""
    if not settled.reattributed:
        return
    if settled.changed_records or settled.changed_cost_records:
        costs = (
            f" and {settled.changed_cost_records:,} cost record(s)" if settled.changed_cost_records else ""
        )
        err_console.print(
            f"attribution changed: {settled.changed_records:,} stored record(s){costs} re-attributed "
            f"({settled.changed_series:,} series)",
            markup=False,
            highlight=False,
        )
    if settled.kept_records:
        warn(
            f"{settled.kept_records:,} stored record(s) keep their earlier workload: they were ingested "
            "without the inputs the new attribution reads (an older store, a metadata key no rule read "
            "then, or another --workload-from column of a generic file)"
        )


def open_for_reaudit(
    db: str | None, given: AttributionSettings | None
) -> tuple[duckdb.DuckDBPyConnection, Reattribution]:
    """:func:`open_rollup_current`, after re-attributing the stored records when the attribution
    ``given`` differs from the store's (a short write). A store that cannot be written is audited with
    its own attribution, with a warning."""
    con = open_rollup_current(db)
    path = resolve_db_path(db)
    if path == MEMORY or not Path(path).exists() or not attribution_pending(con, given):
        return con, _kept(con, given)
    con.close()
    try:
        writable = open_store(db)
    except StoreError as exc:
        warn(
            f"the attribution differs from the store's, but the store cannot be written ({exc});"
            " auditing with the store's attribution"
        )
        con = open_store(db, read_only=True)
        return con, _kept(con, None)
    try:
        settled = settle_attribution(writable, given)
    finally:
        writable.close()
    return open_store(db, read_only=True), settled


def _kept(con: duckdb.DuckDBPyConnection, given: AttributionSettings | None) -> Reattribution:
    """The attribution in force when nothing is re-attributed."""
    stored = stored_settings(con)
    if given is not None:
        return Reattribution(given, "given")
    return (
        Reattribution(stored, "store")
        if stored is not None
        else Reattribution(AttributionSettings(), "default")
    )


def given_attribution(
    rules: list[AttributionRule], config_file: Path | None, workload_from: str | None
) -> AttributionSettings | None:
    """The attribution settings an ``audit`` was given, or None when it was given none.

    Settings are given by a config file (``--config``, or ``./llm-tco.toml`` when present: its
    ``[[attribution]]`` rules, none when it has none) or by ``--workload-from``; given, they are exactly
    these and become the store's. Without either, the store's settings stay in force."""
    if config_file is None and workload_from is None:
        return None
    return AttributionSettings(tuple(rules) if config_file is not None else (), workload_from)


def open_rollup_current(db: str | None) -> duckdb.DuckDBPyConnection:
    """Open the store to read, first rebuilding its usage rollup when the price data's boundaries changed
    since it was built (an explicit price update, a store written before the rollup existed): a one-off
    write that makes this and later re-audits read the rollup instead of every stored row. A store that
    cannot be written (a read-only copy) is audited from its rows, exactly, only slower."""
    con = open_store(db, read_only=True)
    path = resolve_db_path(db)
    if path == MEMORY or not Path(path).exists() or rollup_is_current(con):
        return con
    con.close()
    try:
        writable = open_store(db)
    except StoreError as exc:
        warn(
            f"the store's usage rollup is out of date and the store cannot be written ({exc}); "
            "auditing its rows"
        )
        return open_store(db, read_only=True)
    try:
        refresh_rollup(writable)
    finally:
        writable.close()
    return open_store(db, read_only=True)

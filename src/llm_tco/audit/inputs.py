"""The files behind a store's usage, with their fingerprints: what a report says it was computed from."""

from __future__ import annotations

import duckdb

from llm_tco.report.header import InputFile

__all__ = ["input_fingerprints"]


def input_fingerprints(con: duckdb.DuckDBPyConnection) -> list[InputFile]:
    """Every file version the store ingested, oldest first (a re-read file appears once per version)."""
    rows = con.execute(
        "SELECT path, fingerprint, source_format, size_bytes, ingested_at, rows_accepted "
        "FROM ingested_files ORDER BY file_id"
    ).fetchall()
    return [
        InputFile(
            path=r[0],
            fingerprint=r[1],
            format=r[2],
            size_bytes=int(r[3]),
            ingested_at=r[4].replace(tzinfo=None).isoformat() + "Z",
            records_accepted=int(r[5]),
        )
        for r in rows
    ]

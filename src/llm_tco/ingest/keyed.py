"""Which records of a streamed file with source ids repeat one seen before, found without holding them.

A streamed file (``llm_tco.ingest.stream``) is validated and loaded as it is read. When its records carry
source ids, some may repeat a record seen before — earlier in the file, or stored — and must be counted
as duplicates or quarantined as id conflicts exactly as for a file loaded whole
(``llm_tco.ingest.identity``). Holding every validated record to compare them cost ~180 bytes a record
(18 GB at 50 million); here the only state that grows with the file is one 64-bit hash per id:

1. one pass over the file's ids groups their hashes (:data:`ID_HASH`) and keeps the hashes that occur
   more than once (DuckDB's hash aggregate spills to its temporary directory when it outgrows the memory
   limit, so a file of any size fits);
2. when the store holds records with ids, a semi-join of the file's 128-bit record keys with the stored
   ones adds the hashes of the file's ids that are stored already;
3. only the records whose id has one of these hashes — none in the common file — are validated again and
   held (``_validated``), and ``llm_tco.ingest.identity`` compares them exactly, column by column.

Hashes only choose which records are compared. Two different ids with the same 64-bit hash (about
n² / 2⁶⁵ pairs among n ids: 3 × 10⁻⁴ expected at 100 million) make both records candidates, and the exact
comparison of their keys finds that they differ: no record is dropped or merged because of a hash.

A one-shot store (``IngestOptions.keep_rows`` False) keeps no rows. So that a later input of the same run
can still recognise these records, it keeps a compact key per accepted record with an id
(``identity.STREAM_KEYS``): the 128-bit record key, a 64-bit hash of the usage the identity rule
compares, and where the record came from (32 bytes a record, spilled like any table past the memory
limit); the last input of a run keeps none. A record of a
later input with the same key is a duplicate when its usage hash is equal: two different usages under one
id share a hash with probability 2⁻⁶⁴ (then a conflict would be counted as a duplicate), which is the one
place where the rule is not exact; an on-disk store compares the stored columns themselves.
"""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pyarrow as pa

from llm_tco.ingest.identity import STREAM_KEYS, classify_repeats, ensure_stream_keys, usage_hash_sql
from llm_tco.ingest.validate import ValidationSql
from llm_tco.store.temp_tables import scalar_int

__all__ = ["classify_stream_repeats", "keep_stream_keys"]


KEY_BYTES = 8
"""One 64-bit hash per id."""

ID_HASH = "hash(record_key)"
"""The 64-bit hash of a record's id: DuckDB's hash of its 128-bit key (the id's md5), not of the id's text.
DuckDB's string hash is not uniform over ids that differ in a few hex digits: OTel's ``traceId:spanId``
ids collided 11,000 times in a million, and every record of a colliding id is validated again and held."""

MAX_KEYS_PER_PASS = 1 << 27
"""Hashes sorted at a time (1 GiB); a file with more ids is split into passes by hash value."""

_BATCH_ROWS = 1 << 20
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGTP]i?B|bytes?)", re.IGNORECASE)
_UNITS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50, "b": 1}


def keys_per_pass(con: duckdb.DuckDBPyConnection) -> int:
    """How many hashes to hold at once: a quarter of DuckDB's memory limit (which ``LLM_TCO_MEMORY_LIMIT``
    sets), at most :data:`MAX_KEYS_PER_PASS` — so that a small limit bounds the keys too."""
    setting = con.execute("SELECT current_setting('memory_limit')").fetchall()
    match = _SIZE.fullmatch(str(setting[0][0]).strip()) if setting else None
    if match is None:
        return MAX_KEYS_PER_PASS
    limit_bytes = float(match.group(1)) * _UNITS[match.group(2)[0].lower()]
    return max(1 << 16, min(MAX_KEYS_PER_PASS, int(limit_bytes / 4 / KEY_BYTES)))


def repeated_hashes(
    con: duckdb.DuckDBPyConnection,
    hashes_sql: str,
    params: list[object],
    at_most: int,
    per_pass: int | None = None,
) -> np.ndarray:
    """The values of column ``h`` (UBIGINT) of ``hashes_sql``, a relation of at most ``at_most`` rows,
    that occur more than once, each once.

    The hashes are sorted in place and equal neighbours found (a sort of 64-bit integers is several times
    faster than DuckDB's hash aggregate over as many distinct values). At most ``per_pass`` (default
    :func:`keys_per_pass`) are held at once: a larger relation is read in passes, each keeping the hashes
    of one residue modulo the number of passes."""
    per_pass = per_pass or keys_per_pass(con)
    passes = max(1, -(-at_most // per_pass))
    found: list[np.ndarray] = []
    for part in range(passes):
        query = hashes_sql if passes == 1 else f"SELECT h FROM ({hashes_sql}) WHERE h % {passes} = {part}"
        keys = _read_hashes(con, query, params, min(at_most, per_pass))
        keys.sort()
        same = keys[1:] == keys[:-1]
        found.append(np.unique(keys[1:][same]))
        del keys
    return np.concatenate(found) if found else np.empty(0, dtype=np.uint64)


def _read_hashes(
    con: duckdb.DuckDBPyConnection, query: str, params: list[object], expected: int
) -> np.ndarray:
    """Column ``h`` of ``query`` as one array, read in record batches into a buffer sized for
    ``expected`` values (grown if there are more)."""
    relation = con.sql(query, params=params)
    reader = (
        relation.to_arrow_reader(_BATCH_ROWS)
        if hasattr(relation, "to_arrow_reader")
        else relation.fetch_record_batch(_BATCH_ROWS)
    )
    buffer = np.empty(max(expected, 1), dtype=np.uint64)
    filled = 0
    for batch in reader:
        column = batch.column(0)
        if column.null_count == 0:
            # the values buffer as it is: pyarrow's to_numpy imports pandas (0.5 s of a run's start-up)
            values = np.frombuffer(
                column.buffers()[1], dtype=np.uint64, count=len(column), offset=column.offset * 8
            )
        else:
            values = column.to_numpy(zero_copy_only=False)
        if filled + len(values) > len(buffer):
            buffer = np.resize(buffer, max(2 * len(buffer), filled + len(values)))
        buffer[filled : filled + len(values)] = values
        filled += len(values)
    return buffer[:filled]


def _stored_keys_exist(con: duckdb.DuckDBPyConnection) -> bool:
    ensure_stream_keys(con)
    return (
        scalar_int(
            con,
            f"SELECT (EXISTS (SELECT 1 FROM usage WHERE source_record_id IS NOT NULL) "
            f"OR EXISTS (SELECT 1 FROM {STREAM_KEYS}))::INTEGER",
        )
        == 1
    )


def classify_stream_repeats(
    con: duckdb.DuckDBPyConnection, usage: ValidationSql, source_file: str, records: int
) -> int:
    """Create ``_dupes (record_no, conflict)`` for the streamed file ``usage`` of ``records`` records (as
    ``identity.classify_repeats`` does for a file held whole) and return how many records it lists."""
    ids = f"SELECT record_no, record_id, record_key FROM ({usage.sql}) WHERE record_id IS NOT NULL"
    repeated = repeated_hashes(con, f"SELECT {ID_HASH} AS h FROM ({ids})", usage.params, records)
    con.execute("CREATE OR REPLACE TEMP TABLE _repeat_hashes (h UBIGINT)")
    if repeated.size:
        con.register("_repeated_view", pa.table({"h": repeated}))
        try:
            con.execute("INSERT INTO _repeat_hashes SELECT h FROM _repeated_view")
        finally:
            con.unregister("_repeated_view")
    if _stored_keys_exist(con):
        con.execute(
            f"INSERT INTO _repeat_hashes SELECT DISTINCT hash(v.record_key) FROM ({ids}) v "  # ID_HASH
            "SEMI JOIN (SELECT record_key FROM usage WHERE source_record_id IS NOT NULL "
            f"UNION ALL SELECT record_key FROM {STREAM_KEYS}) u ON u.record_key = v.record_key",
            usage.params,
        )
    if scalar_int(con, "SELECT count(*) FROM _repeat_hashes") == 0:
        con.execute("CREATE OR REPLACE TEMP TABLE _dupes (record_no BIGINT, conflict VARCHAR)")
        return 0
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _validated AS SELECT * FROM ({usage.sql}) "
        f"WHERE record_id IS NOT NULL AND {ID_HASH} IN (SELECT h FROM _repeat_hashes)",
        usage.params,
    )
    classify_repeats(con, source_file)
    return scalar_int(con, "SELECT count(*) FROM _dupes")


def keep_stream_keys(
    con: duckdb.DuckDBPyConnection, accepted_sql: str, params: list[object], file_id: int
) -> None:
    """Add the compact keys of a streamed file's accepted records with ids (``accepted_sql``, a relation of
    validated records) to ``STREAM_KEYS``, for the later inputs of a one-shot run."""
    ensure_stream_keys(con)
    con.execute(
        f"INSERT INTO {STREAM_KEYS} SELECT record_key, {usage_hash_sql()}, ?, record_no "
        f"FROM {accepted_sql} WHERE record_id IS NOT NULL",
        [file_id, *params],
    )

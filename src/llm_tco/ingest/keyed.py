"""Which records of a streamed file with source ids repeat one seen before, found without holding them.

A streamed file (``llm_tco.ingest.stream``) is validated and loaded as it is read. When its records carry
source ids, some may repeat a record seen before — earlier in the file, or stored — and must be counted
as duplicates or quarantined as id conflicts exactly as for a file loaded whole
(``llm_tco.ingest.identity``). Holding every validated record to compare them cost ~180 bytes a record
(18 GB at 50 million); here the only state that grows with the file is one 64-bit hash per id:

1. one pass over the file's ids hashes their text (:data:`ID_TEXT_HASH`, cheap) and keeps the hashes
   that occur more than once (``llm_tco.ingest.hash_repeats``: sorted on both cores, in passes under a
   small memory limit) — none in the common file;
2. only if some do, a second pass computes the uniform hash (:data:`ID_HASH`, of the id's md5) of the
   ids with one of those text hashes, and keeps the uniform hashes that occur more than once;
3. when the store holds records with ids, a semi-join of the file's 128-bit record keys with the stored
   ones adds the hashes of the file's ids that are stored already;
4. only the records whose id has one of these uniform hashes are validated again and held
   (``_validated``, the compared columns only), and ``llm_tco.ingest.identity`` compares them exactly,
   column by column.

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

import duckdb
import numpy as np
import pyarrow as pa

from llm_tco.ingest.hash_repeats import repeated_hashes
from llm_tco.ingest.identity import (
    COMPARED_COLUMNS,
    STREAM_KEYS,
    classify_repeats,
    ensure_stream_keys,
    usage_hash_sql,
)
from llm_tco.ingest.validate import ID_KEY, SUBSET_TABLE, ValidationSql
from llm_tco.store.temp_tables import scalar_int

__all__ = [
    "ID_CANDIDATES",
    "ID_HASH",
    "ID_TEXT_HASH",
    "classify_stream_repeats",
    "keep_stream_keys",
]


ID_HASH = f"hash({ID_KEY})"
"""The 64-bit hash of a record's id that decides which records are validated again and held: DuckDB's hash
of its 128-bit key (the id's md5, ``record_key``), uniform over any id shape. DuckDB's hash of the id text
is not: OTel's ``traceId:spanId`` ids collided 2,800–11,000 times in a million, and every record of a
colliding id would be validated again and held."""

ID_TEXT_HASH = "hash(record_id)"
"""The hash of a record's id text, which only chooses the ids whose :data:`ID_HASH` is computed: it costs
about half as much CPU per id as the md5 (1.4 against 2.6 CPU-seconds for 10 million ids), and equal ids
have equal hashes, so an id that repeats is always among those chosen; the non-uniformity only costs a
second look at the colliding ids."""


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


ID_CANDIDATES = "_id_candidates"
"""TEMP table ``(record_no, h)`` of the records whose id's text hash repeats, with the uniform hash of their
id (:data:`ID_HASH`)."""


def classify_stream_repeats(
    con: duckdb.DuckDBPyConnection, usage: ValidationSql, source_file: str, records: int
) -> int:
    """Create ``_dupes (record_no, conflict)`` for the streamed file ``usage`` of ``records`` records (as
    ``identity.classify_repeats`` does for a file held whole) and say how many records it lists:
    duplicates and id conflicts."""
    ids = f"SELECT record_no, record_id FROM ({usage.sql}) WHERE record_id IS NOT NULL"
    # Every record's text hash, unfiltered: a filter on record_id would be pushed into the scan and the id
    # text built twice (0.5 CPU-seconds per 10 million records). A record without an id hashes to
    # hash(NULL); when two do, that hash repeats and the second pass, which reads ids only, leaves them out.
    by_text = repeated_hashes(con, f"SELECT {ID_TEXT_HASH} AS h FROM ({usage.sql})", usage.params, records)
    con.execute("CREATE OR REPLACE TEMP TABLE _repeat_hashes (h UBIGINT)")
    if by_text.rows:
        # Only the ids whose text hash repeats are hashed again, uniformly (the md5 is computed above
        # the semi-join, so for these ids alone), and only those whose uniform hash repeats are kept.
        # They are kept with their record numbers (few: the repeats and the text hashes' collisions).
        _insert_hashes(con, "_repeat_text_hashes", by_text.hashes)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {ID_CANDIDATES} AS SELECT record_no, {ID_HASH} AS h "
            f"FROM ({ids}) v SEMI JOIN _repeat_text_hashes t ON t.h = {ID_TEXT_HASH}",
            usage.params,
        )
        repeated = repeated_hashes(con, f"SELECT h FROM {ID_CANDIDATES}", [], by_text.rows)
        _insert_hashes(con, "_repeat_hashes", repeated.hashes)
    stored = _stored_keys_exist(con)
    if stored:
        con.execute(
            f"INSERT INTO _repeat_hashes SELECT DISTINCT {ID_HASH} FROM ({ids}) v "
            "SEMI JOIN (SELECT record_key FROM usage WHERE source_record_id IS NOT NULL "
            f"UNION ALL SELECT record_key FROM {STREAM_KEYS}) u ON u.record_key = {ID_KEY}",
            usage.params,
        )
    if scalar_int(con, "SELECT count(*) FROM _repeat_hashes") == 0:
        con.execute("CREATE OR REPLACE TEMP TABLE _dupes (record_no BIGINT, conflict VARCHAR)")
        return 0
    # The records of those ids, by number, then only they are validated and held, with the columns the
    # comparison reads: the staged rows are filtered before the validation (``subset_sql``), which a
    # filter on its output would compute for every record first. Without stored keys, a repeated id has a
    # repeated text hash: its records are among the candidates; else a pass over the ids finds them.
    candidates = f"({ids})" if stored else ID_CANDIDATES
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {SUBSET_TABLE} AS SELECT record_no FROM {candidates} v "
        f"WHERE {ID_HASH if stored else 'h'} IN (SELECT h FROM _repeat_hashes)",
        usage.params if stored else [],
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _validated AS SELECT {', '.join(COMPARED_COLUMNS)} "
        f"FROM ({usage.subset_sql})",
        usage.params,
    )
    classify_repeats(con, source_file)
    return scalar_int(con, "SELECT count(*) FROM _dupes")


def _insert_hashes(con: duckdb.DuckDBPyConnection, table: str, hashes: np.ndarray) -> None:
    """Create the temporary ``table (h UBIGINT)`` holding ``hashes``."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (h UBIGINT)")
    if hashes.size:
        # The column wraps the array's buffer: ``pa.array`` or ``pa.table`` of a NumPy array would first
        # import pandas (to check whether it is a Series), 0.2 s of a one-shot audit.
        column = pa.Array.from_buffers(
            pa.uint64(), hashes.size, [None, pa.py_buffer(np.ascontiguousarray(hashes, dtype=np.uint64))]
        )
        con.register("_hashes_view", pa.Table.from_arrays([column], names=["h"]))
        try:
            con.execute(f"INSERT INTO {table} SELECT h FROM _hashes_view")
        finally:
            con.unregister("_hashes_view")


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

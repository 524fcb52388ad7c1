"""Which 64-bit values of a relation occur more than once: read into one buffer, sorted on two cores.

The de-duplication of streamed files (``llm_tco.ingest.keyed``) reduces each id to a 64-bit hash and needs
the hashes that repeat. Sorting the hashes in place and comparing neighbours is several times faster than
DuckDB's hash aggregate over as many distinct values, but numpy sorts on one thread: at 10⁸ hashes the
sort took ~7.7 s with the machine's other core idle. So the hashes are split by their top bit as they
arrive, into the two ends of one buffer (no value can overflow it, whatever the split, and no second
buffer is held), and the two halves are sorted at the same time (numpy releases the GIL while it sorts).
Equal values have the same top bit, so every repeat lies within one half.

At most a quarter of DuckDB's memory limit of values is held at once (``LLM_TCO_MEMORY_LIMIT`` bounds the
keys too); a larger relation is read in passes, each keeping the values of one residue.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import duckdb
import numpy as np
import pyarrow as pa

__all__ = ["KEY_BYTES", "MAX_KEYS_PER_PASS", "Repeats", "keys_per_pass", "repeated_hashes", "repeats_of"]

KEY_BYTES = 8
"""One 64-bit hash per value."""

MAX_KEYS_PER_PASS = 1 << 27
"""Hashes held at a time (1 GiB); a relation with more is split into passes by hash value."""

_BATCH_ROWS = 1 << 20
_TOP_BIT = np.uint64(1 << 63)
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGTP]i?B|bytes?)", re.IGNORECASE)
_UNITS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50, "b": 1}


class Repeats(NamedTuple):
    """The values that occur more than once (each once, in no particular order), and how many rows hold
    one of them."""

    hashes: np.ndarray
    rows: int


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
) -> Repeats:
    """The values of column ``h`` (UBIGINT) of ``hashes_sql``, a relation of at most ``at_most`` rows,
    that occur more than once.

    At most ``per_pass`` (default :func:`keys_per_pass`) are held at once: a larger relation is read in
    passes, each keeping the hashes of one residue modulo the number of passes."""
    per_pass = per_pass or keys_per_pass(con)
    passes = max(1, -(-at_most // per_pass))
    found: list[Repeats] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for part in range(passes):
            query = hashes_sql if passes == 1 else f"SELECT h FROM ({hashes_sql}) WHERE h % {passes} = {part}"
            low, high = _read_split(con, query, params, min(at_most, per_pass))
            found.extend(pool.map(repeats_of, (low, high)))
            del low, high
    if not found:
        return Repeats(np.empty(0, dtype=np.uint64), 0)
    return Repeats(np.concatenate([r.hashes for r in found]), sum(r.rows for r in found))


def repeats_of(keys: np.ndarray) -> Repeats:
    """The values of ``keys`` that occur more than once, each once and sorted, and how many of ``keys``
    hold one of them; ``keys`` is sorted in place."""
    keys.sort()
    same = keys[1:] == keys[:-1]
    hashes = np.unique(keys[1:][same])
    # each repeated value: its first occurrence, plus one per equal neighbour
    return Repeats(hashes, int(np.count_nonzero(same)) + len(hashes))


def _read_split(
    con: duckdb.DuckDBPyConnection, query: str, params: list[object], expected: int
) -> tuple[np.ndarray, np.ndarray]:
    """Column ``h`` of ``query``, read in record batches into one buffer sized for ``expected`` values
    (grown if there are more): the values below 2⁶³ from its start, the others from its end. Returns the
    two parts (views of the buffer)."""
    relation = con.sql(query, params=params)
    reader = (
        relation.to_arrow_reader(_BATCH_ROWS)
        if hasattr(relation, "to_arrow_reader")
        else relation.fetch_record_batch(_BATCH_ROWS)
    )
    buffer = np.empty(max(expected, 1), dtype=np.uint64)
    low = high = 0  # values filled at the start, at the end
    for batch in reader:
        values = _values(batch.column(0))
        top = values >= _TOP_BIT
        n_high = int(np.count_nonzero(top))
        n_low = len(values) - n_high
        if low + high + len(values) > len(buffer):
            buffer = _grown(buffer, low, high, max(2 * len(buffer), low + high + len(values)))
        buffer[low : low + n_low] = values[~top]
        buffer[len(buffer) - high - n_high : len(buffer) - high] = values[top]
        low, high = low + n_low, high + n_high
    return buffer[:low], buffer[len(buffer) - high :]


def _values(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A UBIGINT column as numpy, without copying when it has no NULLs."""
    if isinstance(column, pa.Array) and column.null_count == 0:
        # the values buffer as it is: pyarrow's to_numpy imports pandas (0.5 s of a run's start-up)
        return np.frombuffer(
            column.buffers()[1], dtype=np.uint64, count=len(column), offset=column.offset * 8
        )
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.uint64)


def _grown(buffer: np.ndarray, low: int, high: int, size: int) -> np.ndarray:
    """``buffer`` copied into one of ``size`` values, its start part at the start, its end part at the end."""
    grown = np.empty(size, dtype=np.uint64)
    grown[:low] = buffer[:low]
    grown[size - high :] = buffer[len(buffer) - high :]
    return grown

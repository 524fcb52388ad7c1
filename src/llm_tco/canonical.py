"""The token counters of the canonical usage row (DESIGN.md), named once for every layer.

Convention: ``input_tokens`` includes cache reads and writes, ``cache_write_tokens`` includes its 1-hour
part, ``output_tokens`` includes reasoning. Ingest writes these columns, pricing sums and prices them, the
audit reports them; each takes the list from here so that none can drift from the store's schema.
"""

from __future__ import annotations

from typing import Final

__all__ = ["TOKEN_COLUMNS"]

TOKEN_COLUMNS: Final[tuple[str, ...]] = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
)

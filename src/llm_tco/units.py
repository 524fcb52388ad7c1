"""Units and calendar conventions shared by every module (DESIGN.md, "Command line (contract)")."""

from __future__ import annotations

from typing import Final

__all__ = ["HOURS_PER_MONTH", "HOURS_PER_YEAR", "MONTHS_PER_YEAR", "SECONDS_PER_HOUR", "TOKENS_PER_MILLION"]

HOURS_PER_MONTH: Final = 730.0
"""A month is 730 hours (8,760 / 12), the convention cloud price sheets use for monthly figures."""

MONTHS_PER_YEAR: Final = 12
HOURS_PER_YEAR: Final = HOURS_PER_MONTH * MONTHS_PER_YEAR
SECONDS_PER_HOUR: Final = 3600.0
TOKENS_PER_MILLION: Final = 1_000_000

"""A file's record counts, and the check that every record read is accounted for exactly once."""

from __future__ import annotations

from dataclasses import dataclass

from llm_tco.ingest.costs import ReportedCounts

__all__ = ["AccountingError", "FileCounts", "check_balance"]


@dataclass(frozen=True)
class FileCounts:
    """A file's usage records (``read = accepted + quarantined + duplicates``) and, apart, its cost-only
    records (``reported_read = reported + reported_quarantined + reported_duplicates``)."""

    read: int
    accepted: int
    quarantined: int
    duplicates: int
    already_ingested: bool = False
    reported: int = 0
    """Cost-only records stored (``reported.records`` in the audit output)."""
    reported_read: int = 0
    reported_quarantined: int = 0
    reported_duplicates: int = 0

    @property
    def reported_counts(self) -> ReportedCounts:
        return ReportedCounts(
            self.reported_read, self.reported, self.reported_quarantined, self.reported_duplicates
        )

    @classmethod
    def of(
        cls, read: int, accepted: int, quarantined: int, duplicates: int, already: bool, costs: ReportedCounts
    ) -> FileCounts:
        return cls(
            read,
            accepted,
            quarantined,
            duplicates,
            already,
            costs.records,
            costs.read,
            costs.quarantined,
            costs.duplicates,
        )


class AccountingError(RuntimeError):
    """A file's records do not add up (``read != accepted + quarantined + duplicates``): a bug, never bad
    input, so it is not an ``LlmTcoError`` and exits 3; the file's transaction is rolled back."""


def check_balance(source_file: str, what: str, read: int, accepted: int, quarantined: int, dup: int) -> None:
    """Raise :class:`AccountingError` naming the file unless every record read is accounted for once."""
    if read != accepted + quarantined + dup:
        raise AccountingError(
            f"{source_file}: {read} {what} records read but {accepted} accepted + {quarantined} quarantined "
            f"+ {dup} duplicates = {accepted + quarantined + dup}"
        )

"""What an ingest run returns: per file its counts and notes, the files rejected whole (with a reason) and
the files that changed since they were ingested (left out), with run totals over the files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from llm_tco.ingest.costs import ReportedCounts
from llm_tco.ingest.load import FileCounts

__all__ = ["ChangedFile", "FileResult", "IngestReport", "RejectedFile"]


@dataclass(frozen=True)
class RejectedFile:
    """A file not usable as usage data as a whole (unknown format, unreadable, ambiguous columns…)."""

    file: str
    reason: str


@dataclass(frozen=True)
class ChangedFile:
    """A file at a path ingested before whose content changed other than by growing: not read again."""

    file: str
    ingested_at: datetime
    """When the version whose records the store keeps was ingested (UTC)."""
    records: int
    """Usage and cost-only records the store keeps from it."""


@dataclass(frozen=True)
class FileResult:
    file: str
    format: str
    counts: FileCounts
    notes: tuple[str, ...] = ()


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed: list[ChangedFile] = field(default_factory=list)

    @property
    def read(self) -> int:
        return sum(f.counts.read for f in self.files)

    @property
    def accepted(self) -> int:
        return sum(f.counts.accepted for f in self.files)

    @property
    def quarantined(self) -> int:
        return sum(f.counts.quarantined for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.counts.duplicates for f in self.files)

    @property
    def reported(self) -> int:
        """Cost-only records stored from these files (``reported.records`` in the audit output)."""
        return sum(f.counts.reported for f in self.files)

    @property
    def reported_counts(self) -> ReportedCounts:
        """Cost-only records over all files: read, stored, quarantined, duplicates."""
        total = ReportedCounts()
        for f in self.files:
            total = total + f.counts.reported_counts
        return total

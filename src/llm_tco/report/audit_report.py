"""``audit --json``'s document: the audit with its header (``llm_tco.report.header``). A module of its own
so that writing an audit does not load the plan's document models (~0.1 s of the command's start-up)."""

from __future__ import annotations

from typing import Literal

from llm_tco.report.audit_doc import AuditDocument
from llm_tco.report.header import DocumentHeader

__all__ = ["AuditReport"]


class AuditReport(AuditDocument, DocumentHeader):
    """``audit --json``: spend by workload, model, provider, team and month, with the data's quality."""

    kind: Literal["llm-tco.audit"] = "llm-tco.audit"

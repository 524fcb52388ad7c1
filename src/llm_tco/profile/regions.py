"""The regions each workload's usage was recorded in (Bedrock, Vertex and Azure logs carry one)."""

from __future__ import annotations

from collections import defaultdict

import duckdb

__all__ = ["workload_regions"]


def workload_regions(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    """Workload → the distinct regions of its usage series, sorted (workloads without any are absent)."""
    rows = con.execute(
        """SELECT DISTINCT s.workload, s.region FROM usage_series s
           WHERE s.region IS NOT NULL AND s.workload IS NOT NULL
             AND EXISTS (SELECT 1 FROM usage u WHERE u.series_key = s.series_key)
           ORDER BY 1, 2"""
    ).fetchall()
    out: dict[str, list[str]] = defaultdict(list)
    for workload, region in rows:
        out[str(workload)].append(str(region))
    return {workload: tuple(regions) for workload, regions in out.items()}

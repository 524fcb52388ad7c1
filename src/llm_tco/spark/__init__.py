"""The audit on Apache Spark: the same validation, identity rules and dated pricing, run where the logs live.

PySpark is an optional extra (``pip install 'llm-tco[spark]'``); nothing here imports it at module load,
so the rest of llm-tco works without it. :func:`audit` is the library entry point for a Spark job that
already has a session; ``llm-tco audit --engine spark`` builds one.
"""

from __future__ import annotations

from llm_tco.spark.api import audit

__all__ = ["audit"]

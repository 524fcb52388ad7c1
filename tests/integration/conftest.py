"""Fixtures shared by the integration tests: a real local Spark session, started by the tests themselves."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import pytest

_REQUIRED = os.environ.get("LLM_TCO_REQUIRE_SPARK") == "1"


def _spark_available() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install -e '.[spark]')"
    if shutil.which("java") is None:
        return "no Java runtime"
    return None


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    missing = _spark_available()
    if missing:
        if _REQUIRED:
            pytest.fail(f"LLM_TCO_REQUIRE_SPARK=1 but {missing}")
        pytest.skip(missing)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from llm_tco.spark.session import get_session

    session = get_session("local[1]", {"spark.sql.shuffle.partitions": "2"})
    yield session
    session.stop()

"""Spark's failures as one line: the innermost cause of a JVM stack trace (no Spark needed: the text is
the shape Py4J gives a Java exception, abridged from a real run of a 1M-row audit with a 1 KiB result
limit)."""

from __future__ import annotations

import pytest

from llm_tco.errors import SparkJobError
from llm_tco.spark.session import job_failures, root_cause

_PY4J_TEXT = (
    "An error occurred while calling o696.getResult.\n"
    ": org.apache.spark.SparkException: Exception thrown in awaitResult: \n"
    "\tat org.apache.spark.util.SparkThreadUtils$.awaitResult(SparkThreadUtils.scala:70)\n"
    "\tat org.apache.spark.util.ThreadUtils$.awaitResult(ThreadUtils.scala:359)\n"
    "Caused by: org.apache.spark.SparkException: Job aborted due to stage failure: Total size of serialized "
    "results of 1 tasks (13.4 MiB) is bigger than spark.driver.maxResultSize (1024.0 KiB)\n"
    "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2856)\n"
)


def test_the_innermost_cause_is_kept() -> None:
    assert root_cause(Exception(_PY4J_TEXT)) == (
        "org.apache.spark.SparkException: Job aborted due to stage failure: Total size of serialized "
        "results of 1 tasks (13.4 MiB) is bigger than spark.driver.maxResultSize (1024.0 KiB)"
    )


def test_without_a_cause_the_first_message_line_is_kept() -> None:
    text = "An error occurred while calling o1.count.\n: java.lang.OutOfMemoryError: Java heap space\n\tat x"
    assert root_cause(Exception(text)) == "java.lang.OutOfMemoryError: Java heap space"


def test_a_long_cause_is_cut_to_one_short_line() -> None:
    cause = root_cause(Exception("Caused by: " + "x" * 5000))
    assert len(cause) == 400 and cause.endswith("…")


def test_a_jvm_that_is_gone_is_said_so() -> None:
    # what Py4J raises when the JVM was killed mid-job (seen when the kernel's OOM killer took it at 100M)
    with pytest.raises(SparkJobError, match="its JVM is gone") as raised, job_failures():
        raise ConnectionRefusedError(111, "Connection refused")
    assert raised.value.exit_code == 3 and "\n" not in str(raised.value)

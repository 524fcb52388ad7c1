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


class _Py4JError(Exception):
    """Shaped as Py4J's exceptions are: job_failures translates only those of py4j and pyspark."""


_Py4JError.__module__ = "py4j.protocol"

_STOPPED_TEXT = (
    "An error occurred while calling o101.collectToPython.\n"
    ': java.lang.NullPointerException: Cannot invoke "org.apache.spark.rpc.RpcEndpointRef.askSync(Object, '
    'scala.reflect.ClassTag)" because the return value of '
    '"org.apache.spark.storage.BlockManagerMaster.driverEndpoint()" is null\n'
    "\tat org.apache.spark.storage.BlockManagerMaster.removeRdd(BlockManagerMaster.scala:206)\n"
)


@pytest.mark.parametrize("stopped", [True, False])
def test_a_context_stopped_by_a_fatal_error_is_said_so(
    stopped: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 100M records in a 4 GiB heap a task ran out of memory, which stopped the context; the job then
    failed with a NullPointerException that says nothing of memory (the text above, abridged from that
    run). The message names the stopped context and the setting to change; the context is asked, not
    mocked, elsewhere (``test_spark_audit``)."""
    monkeypatch.setattr("llm_tco.spark.session._context_stopped", lambda: stopped)
    with pytest.raises(SparkJobError) as raised, job_failures():
        raise _Py4JError(_STOPPED_TEXT)
    message = str(raised.value)
    assert message.startswith("the Spark job failed: java.lang.NullPointerException")
    assert ("the Spark context stopped while the job ran" in message) is stopped
    assert ("spark.driver.memory" in message) is stopped
    assert "\n" not in message

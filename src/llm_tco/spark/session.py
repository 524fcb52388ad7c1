"""Starting (or reusing) the Spark session an audit runs in.

The session is set to UTC: the store's timestamps are naive UTC, and Spark would otherwise read and
truncate them in the JVM's local zone. Arrow batches are made large because each batch pays a fixed cost
in the Python worker (one validation query per batch).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from llm_tco.errors import SparkJobError, UsageError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["INSTALL_HINT", "get_session", "job_failures", "parse_spark_conf", "require_pyspark"]

INSTALL_HINT = "pip install 'llm-tco[spark]'"

SESSION_DEFAULTS: Mapping[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    # exact money: a rate DECIMAL(38, 24) times a count DECIMAL(38, 0) keeps its 24 decimal places (by
    # default Spark rounds such a product to 6, and month sums then miss the store's by a cent)
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "200000",
    "spark.ui.enabled": "false",
    # a shuffle of the audit is small beside its scan: a few partitions per core, not Spark's 200
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.showConsoleProgress": "false",
}
"""Settings every audit needs; ``--spark-conf`` may override the Arrow and UI ones, never the time zone or
the decimal precision."""


LOCAL_DEFAULTS: Mapping[str, str] = {
    # A local session's executors live in the driver's JVM, whose heap is Spark's 1 GiB by default: the
    # validated records the audit caches (about 90 MB per million) would spill to disk from a few million
    # on. A cluster's driver and executors are sized by its owner; --spark-conf overrides this.
    "spark.driver.memory": "4g",
    # A batch job on the machine's own cores wants throughput, not short pauses: with the JVM's default
    # collector (G1) its concurrent threads took cores from the two executor threads, and each pass over
    # 10M records ran 1.5-2.5 s slower on the 2-core machine than with the parallel collector.
    "spark.driver.extraJavaOptions": "-XX:+UseParallelGC",
    # Task results past the direct size reach the driver through its block manager, over a socket. Bound
    # to the machine's outward address (the default when the host name resolves to loopback), those
    # fetches of tens of MB were reset and the job failed ("TaskResultLost") in 2 of 3 runs at 10M rows;
    # a local session needs no address but loopback.
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    # Even on loopback, a task result fetched from the block manager was lost ("TaskResultLost (result
    # lost from block manager)") in three of three 10M-record audits collecting the hourly aggregate
    # (~110 MB per task) on the 2-core machine. Results up to 1 GiB are now handed over in the task's
    # status update, which a local session passes inside its one JVM: no fetch, nothing to lose. The
    # limit on one message must allow it (in MiB).
    "spark.task.maxDirectResultSize": "1g",
    "spark.rpc.message.maxSize": "1024",
}
"""Settings of a ``local[...]`` session only, which ``--spark-conf`` may override."""


def require_pyspark() -> None:
    """Fail with the install command when PySpark is missing (exit 2, not a traceback)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise UsageError(f"--engine spark needs PySpark, which is not installed: {INSTALL_HINT}") from None


def parse_spark_conf(pairs: list[str]) -> dict[str, str]:
    """``--spark-conf KEY=VALUE`` options as a mapping (a bad pair exits 2 naming it)."""
    conf: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--spark-conf {pair!r}: expected KEY=VALUE (e.g. spark.executor.memory=4g)")
        if key.strip() == "spark.sql.session.timeZone" and value.strip().upper() != "UTC":
            raise UsageError("--spark-conf spark.sql.session.timeZone: the audit runs in UTC only")
        conf[key.strip()] = value.strip()
    return conf


def get_session(master: str, conf: Mapping[str, str]) -> SparkSession:
    """The active session if there is one (llm-tco called inside a Spark job), else a new one."""
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        configure(active)
        return active
    # Local executors run Python workers: they must use this interpreter, which has llm-tco and DuckDB
    # (a cluster's workers are configured by its owner: spark.pyspark.python / PYSPARK_PYTHON).
    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        conf = {**LOCAL_DEFAULTS, **conf}
    builder = SparkSession.builder.master(master).appName("llm-tco audit")
    for key, value in {**SESSION_DEFAULTS, **conf}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def configure(session: SparkSession) -> None:
    """Settings an existing session must have for the audit: UTC and Arrow."""
    session.conf.set("spark.sql.session.timeZone", "UTC")
    session.conf.set("spark.sql.decimalOperations.allowPrecisionLoss", "false")
    session.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")


_MEMORY_SIGNS = ("maxResultSize", "OutOfMemoryError", "Java heap space", "GC overhead limit")
_MAX_MESSAGE = 400


def root_cause(exc: BaseException) -> str:
    """The innermost Java cause of a Spark failure, on one line: a Py4J error's text is the whole JVM stack
    trace, whose last ``Caused by:`` line says what went wrong."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    causes = [line.removeprefix("Caused by:").strip() for line in lines if line.startswith("Caused by:")]
    if causes:
        cause = causes[-1]
    else:
        cause = next(
            (ln.removeprefix(": ") for ln in lines if not ln.startswith(("An error occurred", "at "))),
            type(exc).__name__,
        )
    return cause if len(cause) <= _MAX_MESSAGE else cause[: _MAX_MESSAGE - 1] + "…"


@contextmanager
def job_failures() -> Iterator[None]:
    """Spark's failures inside the block as one line (:class:`SparkJobError`, exit 3), with the setting to
    change when the driver ran out of room; other errors pass unchanged."""
    try:
        yield
    except ConnectionRefusedError as exc:  # the JVM that ran the job is gone
        raise SparkJobError(
            "the Spark job failed: its JVM is gone (it exited on a fatal error, which its log above names — "
            "most often out of heap: --spark-conf spark.driver.memory=… sets a local session's — or the "
            "system killed it for memory: give it less work per executor or a machine with more memory)"
        ) from exc
    except Exception as exc:
        if not type(exc).__module__.startswith(("py4j", "pyspark")):
            raise
        message = f"the Spark job failed: {root_cause(exc)}"
        if any(sign in str(exc) for sign in _MEMORY_SIGNS):
            message += (
                " (the driver ran out of room: raise it with --spark-conf spark.driver.memory=… and, for "
                "large results, spark.driver.maxResultSize=…)"
            )
        elif _context_stopped():
            # A fatal error in a task (an OutOfMemoryError above all) stops the whole context; the job then
            # fails with whatever the stopping broke (a NullPointerException in the block manager), and the
            # cause is only in the JVM's log.
            message += (
                " (the Spark context stopped while the job ran: a fatal error in its JVM, most often running "
                "out of heap, which its log above names; a local session's heap is raised with "
                "--spark-conf spark.driver.memory=…)"
            )
        raise SparkJobError(message) from exc


def _context_stopped() -> bool:
    """Whether the JVM's Spark context has stopped (False when there is none, or it cannot be asked)."""
    try:
        from pyspark import SparkContext

        context = SparkContext._active_spark_context
        return context is not None and bool(context._jsc.sc().isStopped())
    except Exception:  # the JVM is unreachable or the attribute moved: say nothing more than the cause
        return False

"""The fast lane of the Spark validation: records that plainly break no rule, validated by Spark itself.

The rules of a valid record, and the words of every quarantine reason, exist once: the DuckDB query of
``llm_tco.ingest.validate``, which the Python workers run over the records (``llm_tco.spark.validate``).
Sending every record through a Python worker cost about 1.2 s per million records on top of the scan
(and the Arrow copies both ways), so this module picks out the records that are *plainly* valid — a
conservative test in Spark's own expressions — and gives their canonical values where these are the
input unchanged: typed integers and timestamps, plain digits, ISO-8601 times without an offset, text
without surrounding spaces. Every other record goes to the DuckDB query, which gives the verdict and the
reason: a count with a decimal point or an exponent, a timestamp with an offset or a zone name, a value
with surrounding spaces, a missing field, a value near or past a limit, a reported cost.

So the fast lane never quarantines and never words a reason; it only must not take a record the query
would refuse, nor give a value the query would give otherwise. ``tests/integration/
test_spark_fast_lane.py`` holds both lanes to the same output, row by row, on typed and text inputs with
each rule's edge cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from llm_tco.canonical import TOKEN_COLUMNS
from llm_tco.ingest.base import ATTRIBUTE_COLUMNS
from llm_tco.ingest.value_sql import EARLIEST_USAGE, FUTURE_SKEW_S, MAX_RECORD_COUNT, TRUE_WORDS

if TYPE_CHECKING:
    from pyspark.sql import Column
    from pyspark.sql.types import StructType

    from llm_tco.spark.validate import ValidationSettings

__all__ = ["FastLane", "fast_lane"]

_ISO_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?Z?$"
"""The one text shape of a time the fast lane reads: ISO-8601 in UTC, to the microsecond, no offset."""
_DIGITS = r"^[0-9]{1,15}$"
"""A count as plain digits, below :data:`MAX_RECORD_COUNT` (10^15) by its length."""
_TEXT_ATTRIBUTES = tuple(a for a in ATTRIBUTE_COLUMNS if a != "batch")


@dataclass(frozen=True)
class FastLane:
    """``plain``: True where a record plainly breaks no rule (never NULL); ``values``: its validated
    columns (named as ``llm_tco.spark.validate.VALIDATED_SCHEMA``), meaningful where ``plain``."""

    plain: Column
    values: list[Column]
    record_id: Column
    """The ``record_id`` among ``values``, unnamed (the census hashes it)."""


def _kind(data_type: object) -> str | None:
    """The validation's kind of a Spark column type (``llm_tco.ingest.value_sql``), None where the fast
    lane has no plain reading of it."""
    from pyspark.sql import types as st

    if isinstance(data_type, st.StringType):
        return "text"
    if isinstance(data_type, (st.ByteType, st.ShortType, st.IntegerType, st.LongType)):
        return "int"
    if isinstance(data_type, (st.FloatType, st.DoubleType, st.DecimalType)):
        return "float"
    if isinstance(data_type, st.TimestampType):
        return "tstz"
    if isinstance(data_type, (st.TimestampNTZType, st.DateType)):
        return "ts"
    if isinstance(data_type, st.BooleanType):
        return "bool"
    if isinstance(data_type, st.NullType):
        return "null"
    return None


class _UnsupportedError(Exception):
    """A matched column of a type the fast lane does not read: every record takes the DuckDB lane."""


@dataclass(frozen=True)
class _Value:
    """One field read plainly: ``ok`` says the reading is plain (never NULL), ``value`` is it."""

    ok: Column
    value: Column


def fast_lane(schema: StructType, settings: ValidationSettings) -> FastLane | None:
    """The fast lane for a frame of ``schema`` (the read input, columns named as the source names them),
    or None when a matched column's type has no plain reading (the DuckDB lane then takes every record)."""
    try:
        return _Builder(schema, settings).lane()
    except _UnsupportedError:
        return None


class _Builder:
    def __init__(self, schema: StructType, settings: ValidationSettings) -> None:
        self._types = {field.name: field.dataType for field in schema.fields}
        self._settings = settings

    def _source(self, field: str) -> tuple[Column, str]:
        """(column, kind) of a canonical field; kind ``null`` when the source has no column for it."""
        from pyspark.sql import functions as sf

        name = self._settings.matched.get(field)
        if name is None:
            return sf.lit(None), "null"
        kind = _kind(self._types[name])
        if kind is None:
            raise _UnsupportedError(field)
        return sf.col(f"`{name}`"), kind

    def _text(self, field: str) -> _Value:
        """Text as the validation cleans it (NULL when empty); plain without a space at either end."""
        from pyspark.sql import functions as sf

        column, kind = self._source(field)
        if kind == "null":
            return _Value(sf.lit(True), sf.lit(None).cast("string"))
        if kind == "int":
            return _Value(sf.lit(True), column.cast("string"))
        if kind != "text":
            raise _UnsupportedError(field)
        spaced = column.startswith(" ") | column.endswith(" ")
        return _Value(sf.coalesce(~spaced, sf.lit(True)), sf.nullif(column, sf.lit("")))

    def _count(self, field: str, default: int | None) -> _Value:
        """A whole, non-negative count below 10^15; a NULL is ``default`` (None: not plain)."""
        from pyspark.sql import functions as sf

        column, kind = self._source(field)
        if kind == "null":
            return _Value(sf.lit(default is not None), sf.lit(default).cast("bigint"))
        limit = sf.lit(MAX_RECORD_COUNT)
        if kind == "int":
            ok = (column >= 0) & (column <= limit)
            value = sf.when(ok, column.cast("bigint"))
        elif kind == "float":
            # the remainder, not floor(): floor of a double past 2^63 overflows, and Spark may evaluate a
            # shared subexpression before the range test guarding it
            whole = ~sf.isnan(column.cast("double")) & ((column % sf.lit(1)) == 0)
            ok = whole & (column >= 0) & (column <= limit)
            value = sf.when(ok, column.cast("decimal(38,0)").cast("bigint"))
        elif kind == "text":
            ok = column.rlike(_DIGITS)
            value = sf.when(ok, column.cast("bigint"))
        else:
            raise _UnsupportedError(field)
        if default is None:
            return _Value(sf.coalesce(ok, sf.lit(False)), value)
        return _Value(sf.coalesce(ok, column.isNull()), sf.coalesce(value, sf.lit(default).cast("bigint")))

    def _time(self, field: str) -> tuple[_Value, Column]:
        """(plain reading as naive UTC, whether the source gave a value) of a time field."""
        from pyspark.sql import functions as sf

        column, kind = self._source(field)
        present = column.isNotNull()
        if kind == "null":
            return _Value(sf.lit(True), sf.lit(None).cast("timestamp_ntz")), sf.lit(False)
        if kind in ("ts", "tstz"):  # the session is in UTC: an instant becomes naive UTC
            return _Value(sf.lit(True), column.cast("timestamp_ntz")), present
        if kind != "text":
            raise _UnsupportedError(field)
        shaped = column.rlike(_ISO_TIME)
        parsed = sf.when(shaped, column.try_cast("timestamp").cast("timestamp_ntz"))
        return _Value(sf.coalesce(shaped & parsed.isNotNull(), sf.lit(False)), parsed), present

    def _batch(self) -> _Value:
        from pyspark.sql import functions as sf

        column, kind = self._source("batch")
        if kind == "null":
            return _Value(sf.lit(True), sf.lit(False))
        if kind == "bool":
            return _Value(sf.lit(True), sf.coalesce(column, sf.lit(False)))
        text = self._text("batch")
        return _Value(text.ok, sf.coalesce(sf.lower(text.value).isin(*TRUE_WORDS), sf.lit(False)))

    def lane(self) -> FastLane:
        from pyspark.sql import functions as sf

        settings = self._settings
        checks: list[Column] = []
        out: dict[str, Column] = {}

        source_id = self._text("source_record_id")
        checks.append(source_id.ok)
        out["record_id"] = sf.concat(sf.lit(f"id:{settings.id_namespace}:"), source_id.value)
        out["reason"] = sf.lit(None).cast("string")

        start, start_given = self._time("ts_start")
        now = sf.lit(settings.now.replace(tzinfo=None).isoformat(sep=" ")).cast("timestamp_ntz")
        in_range = (start.value >= sf.lit(EARLIEST_USAGE).cast("timestamp_ntz")) & (
            start.value <= now + sf.expr(f"INTERVAL {FUTURE_SKEW_S} SECONDS")
        )
        checks += [start_given, start.ok, sf.coalesce(in_range, sf.lit(False))]
        end, end_given = self._time("ts_end")
        checks.append(~end_given | (end.ok & sf.coalesce(end.value >= start.value, sf.lit(False))))
        out["ts_start"] = start.value
        out["ts_end"] = sf.coalesce(end.value, start.value)

        for attribute in _TEXT_ATTRIBUTES:
            # the generic reader's workload is the model where the source has no workload column
            natural = attribute == "workload" and "workload" not in settings.matched
            field = "model_raw" if natural else attribute
            text = self._text(field)
            checks.append(text.ok)
            out[attribute] = text.value
        checks.append(out["model_raw"].isNotNull())
        batch = self._batch()
        checks.append(batch.ok)
        out["batch"] = batch.value
        out["service_name"] = sf.lit(None).cast("string")

        requests = self._count("requests", None) if "requests" in settings.matched else None
        requests_value = requests.value if requests else sf.lit(1).cast("bigint")
        if requests:
            checks.append(requests.ok)
        required = ("input_tokens", "output_tokens")
        counts = {t: self._count(t, None if t in required else 0) for t in TOKEN_COLUMNS}
        ceiling = requests_value.cast("decimal(38,0)") * sf.lit(settings.max_tokens_per_request)
        for count in counts.values():
            checks += [count.ok, sf.coalesce(count.value.cast("decimal(38,0)") <= ceiling, sf.lit(False))]
        tokens = {t: c.value for t, c in counts.items()}
        cache = tokens["cache_read_tokens"] + tokens["cache_write_tokens"]
        if not settings.input_includes_cache:
            tokens["input_tokens"] = tokens["input_tokens"] + cache
        relations = [
            cache <= tokens["input_tokens"],
            tokens["cache_write_1h_tokens"] <= tokens["cache_write_tokens"],
            tokens["reasoning_tokens"] <= tokens["output_tokens"],
        ]
        checks += [sf.coalesce(r, sf.lit(False)) for r in relations]
        out["requests"] = requests_value
        out.update(tokens)

        cost, _ = self._source("reported_cost_usd")  # any reported cost is read by the DuckDB lane
        checks.append(cost.isNull())
        out["reported_cost_usd"] = sf.lit(None).cast("decimal(18,9)")
        checks.append(sf.col("_reject_reason").isNull())

        plain = checks[0]
        for check in checks[1:]:
            plain = plain & check
        values = [sf.col("record_no").cast("bigint").alias("record_no")]
        values += [column.alias(name) for name, column in out.items()]
        return FastLane(sf.coalesce(plain, sf.lit(False)), values, out["record_id"])

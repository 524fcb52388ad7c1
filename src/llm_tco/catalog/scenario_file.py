"""Reading scenario and measurement CSV files in the layout of the published-throughput calibration set.

Columns used: ``id``, ``hf_id`` or ``model``, ``gpu``, ``num_gpus``, ``tp`` (empty = all GPUs),
``precision``, ``engine``, ``input_len``, ``output_len``, ``scenario``, ``concurrency``, ``ttft_ms``,
``tpot_ms``; a measurement file adds ``value_system`` (measured output tokens/s of the whole system) and
optionally ``measured_ttft_ms`` / ``measured_tpot_ms``; the calibration set also has ``source``. Other
columns are ignored. A file without the required columns is a ``DataFileError``; a row whose values do not
parse keeps its text in ``error`` so batch work can report it and go on.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from llm_tco.errors import DataFileError

__all__ = ["REQUIRED_COLUMNS", "ScenarioRow", "read_scenario_file"]

REQUIRED_COLUMNS = ("gpu", "input_len", "output_len")
_SCENARIOS = ("offline", "concurrency", "batch", "slo")


@dataclass(frozen=True, slots=True)
class ScenarioRow:
    """One data row (``line`` is its 1-based record number, header not counted)."""

    line: int
    id: str
    model: str
    gpu: str
    num_gpus: int
    tp: int | None
    precision: str
    engine: str
    input_len: float
    output_len: float
    scenario: str
    concurrency: int | None
    ttft_ms: float | None
    tpot_ms: float | None
    value_system: float | None = None
    measured_ttft_ms: float | None = None
    measured_tpot_ms: float | None = None
    source: str = ""
    error: str | None = None


def _number(raw: dict[str, str], column: str, *, required: bool = False) -> float | None:
    text = (raw.get(column) or "").strip()
    if not text:
        if required:
            raise ValueError(f"column {column} is empty")
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"column {column}: {text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"column {column}: {text!r} must be a non-negative number")
    return value


def _integer(raw: dict[str, str], column: str) -> int | None:
    value = _number(raw, column)
    if value is None:
        return None
    if value != int(value):
        raise ValueError(f"column {column}: {value} is not a whole number")
    return int(value)


def _parse_row(line: int, raw: dict[str, str]) -> ScenarioRow:
    row_id = (raw.get("id") or "").strip() or f"row{line}"
    model = (raw.get("hf_id") or "").strip() or (raw.get("model") or "").strip()
    base = {"line": line, "id": row_id, "model": model, "gpu": (raw.get("gpu") or "").strip()}
    try:
        if not model:
            raise ValueError("neither hf_id nor model is given")
        scenario = (raw.get("scenario") or "").strip().lower()
        concurrency = _integer(raw, "concurrency")
        ttft = _number(raw, "ttft_ms")
        tpot = _number(raw, "tpot_ms")
        if not scenario:
            scenario = (
                "slo"
                if ttft is not None and tpot is not None
                else ("concurrency" if concurrency else "offline")
            )
        if scenario not in _SCENARIOS:
            raise ValueError(f"column scenario: {scenario!r} is not one of {', '.join(_SCENARIOS)}")
        num_gpus = _integer(raw, "num_gpus") or 1
        return ScenarioRow(
            **base,  # type: ignore[arg-type]
            num_gpus=num_gpus,
            tp=_integer(raw, "tp"),
            precision=(raw.get("precision") or "bf16").strip().lower(),
            engine=(raw.get("engine") or "vllm").strip().lower(),
            input_len=_number(raw, "input_len", required=True) or 0.0,
            output_len=_number(raw, "output_len", required=True) or 0.0,
            scenario=scenario,
            concurrency=concurrency,
            ttft_ms=ttft,
            tpot_ms=tpot,
            value_system=_number(raw, "value_system"),
            measured_ttft_ms=_number(raw, "measured_ttft_ms"),
            measured_tpot_ms=_number(raw, "measured_tpot_ms"),
            source=(raw.get("source") or "").strip(),
        )
    except ValueError as exc:
        return ScenarioRow(
            **base,  # type: ignore[arg-type]
            num_gpus=1,
            tp=None,
            precision="",
            engine="",
            input_len=0.0,
            output_len=0.0,
            scenario="",
            concurrency=None,
            ttft_ms=None,
            tpot_ms=None,
            error=f"line {line}: {exc}",
        )


def read_scenario_file(path: Path) -> list[ScenarioRow]:
    """Every data row of ``path``; ``DataFileError`` if the file cannot be read or lacks a column."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = set(reader.fieldnames or ())
            missing = [c for c in REQUIRED_COLUMNS if c not in columns]
            if not {"hf_id", "model"} & columns:
                missing.append("hf_id or model")
            if missing:
                raise DataFileError(f"{path}: missing column(s) {', '.join(missing)}")
            return [_parse_row(number, raw) for number, raw in enumerate(reader, start=1)]
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (csv.Error, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: not a readable CSV file: {exc}") from exc

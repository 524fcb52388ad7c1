"""Loading a user's measurement file (``--measured FILE.csv``) into ``capacity.Measurement`` values.

The file has the calibration CSV layout (see ``scenario_file``) with ``value_system`` holding the measured
output tokens/s of the whole system. A row that cannot be used (unknown model or GPU, no measured value,
unparseable number) is an error naming the file and line: a measurement silently ignored would let the
model's figure stand where the user expects theirs.
"""

from __future__ import annotations

from pathlib import Path

from llm_tco.capacity.measured import Measurement
from llm_tco.catalog.gpus import get_gpu
from llm_tco.catalog.open_models import get_open_model
from llm_tco.catalog.scenario_file import read_scenario_file
from llm_tco.errors import DataFileError, LlmTcoError

__all__ = ["load_measurements"]


def load_measurements(
    path: Path, *, known_ids: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
) -> list[Measurement]:
    """Every row of ``path`` as a resolved measurement; ``DataFileError`` on the first unusable row.
    ``known_ids`` (model ids, GPU ids) are accepted as they are: those of the user's own catalog files."""
    models, gpus = known_ids
    measurements: list[Measurement] = []
    for row in read_scenario_file(path):
        if row.error:
            raise DataFileError(f"{path}: {row.error}")
        if row.value_system is None or row.value_system <= 0:
            raise DataFileError(
                f"{path}: line {row.line}: column value_system needs the measured output tokens/s"
            )
        try:
            model = row.model if row.model in models else get_open_model(row.model).id
            gpu = row.gpu if row.gpu in gpus else get_gpu(row.gpu).id
        except LlmTcoError as exc:
            raise DataFileError(f"{path}: line {row.line}: {exc}") from exc
        measurements.append(
            Measurement(
                label=f"{path.name} line {row.line}",
                model=model,
                gpu=gpu,
                num_gpus=row.num_gpus,
                tp=row.tp or row.num_gpus,
                precision=row.precision,
                engine=row.engine,
                scenario=row.scenario,
                input_len=row.input_len,
                output_len=row.output_len,
                output_tokens_per_s=row.value_system,
                concurrency=row.concurrency,
                ttft_target_ms=row.ttft_ms,
                tpot_target_ms=row.tpot_ms,
                ttft_ms=row.measured_ttft_ms,
                tpot_ms=row.measured_tpot_ms,
            )
        )
    return measurements

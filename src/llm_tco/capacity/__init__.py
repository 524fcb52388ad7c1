"""Serving capacity model: throughput, latency and memory of an open model on a GPU configuration.

Pure functions over values (no file, database or terminal access). Inputs are built by ``llm_tco.catalog``
(``catalog.serving`` resolves names and loads the calibration); the model's physics is described module by
module: ``kv`` (cache size by attention type), ``memory`` (weights, reserve, KV capacity), ``compute``
(per-iteration roofline), ``parallel`` (tensor-parallel all-reduces), ``scenarios`` (offline, concurrency,
batch, slo and its queueing approximation), ``predict`` (the entry points), ``cost`` (cost per million
tokens), ``measured`` (user measurements overriding predictions) and ``fitting`` (calibration).
"""

from __future__ import annotations

from llm_tco.capacity.cost import TokenCost, cost_per_million_tokens
from llm_tco.capacity.measured import Measurement
from llm_tco.capacity.predict import (
    Prediction,
    ReplicaCapacity,
    make_deployment,
    predict,
    replica_capacity,
)
from llm_tco.capacity.specs import (
    Deployment,
    EfficiencyParams,
    GpuSpec,
    ModelSpec,
    ScenarioSpec,
    Workload,
)

__all__ = [
    "Deployment",
    "EfficiencyParams",
    "GpuSpec",
    "Measurement",
    "ModelSpec",
    "Prediction",
    "ReplicaCapacity",
    "ScenarioSpec",
    "TokenCost",
    "Workload",
    "cost_per_million_tokens",
    "make_deployment",
    "predict",
    "replica_capacity",
]

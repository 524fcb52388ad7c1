"""Weight and KV-cache precisions: bytes per value and the tensor-core path each one runs on.

Bytes per parameter include the block scales each format stores (why 4-bit formats cost more than 0.5 B):

- ``int4``: 4 bits plus one fp16 scale per group of 128 weights (AWQ/GPTQ-style) → 0.5 + 2/128 bytes.
- ``fp4``: NVFP4, 4 bits plus one fp8 scale per block of 16 → 0.5 + 1/16 bytes.
- ``mxfp4``: OCP microscaling FP4, 4 bits plus one 8-bit scale per block of 32 → 0.5 + 1/32 bytes. As
  shipped for gpt-oss, only the routed-expert weights are MXFP4 and the rest stay bf16; the model applies
  that rule to any mixture-of-experts model (and to all linear layers of a dense one).
- ``fp8`` / ``int8``: 1 byte (per-channel or per-block scales are negligible).

Embeddings and the output head stay 16-bit in every format (as in ModelOpt, llm-compressor and the
published FP8/FP4 checkpoints).
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from llm_tco.capacity.specs import GpuSpec

__all__ = [
    "BYTES_PER_PARAM",
    "ENGINES",
    "KV_BYTES_PER_VALUE",
    "KV_PRECISIONS",
    "WEIGHT_PRECISIONS",
    "Engine",
    "KvPrecision",
    "WeightPrecision",
    "compute_precision",
    "default_kv_precision",
]

WeightPrecision = Literal["bf16", "fp16", "fp8", "int8", "int4", "fp4", "mxfp4"]
KvPrecision = Literal["bf16", "fp16", "fp8", "int8"]
Engine = Literal["vllm", "sglang", "trtllm"]

WEIGHT_PRECISIONS: Final[tuple[str, ...]] = get_args(WeightPrecision)
KV_PRECISIONS: Final[tuple[str, ...]] = get_args(KvPrecision)
ENGINES: Final[tuple[str, ...]] = get_args(Engine)

BYTES_PER_PARAM: Final[dict[str, float]] = {
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5 + 2.0 / 128.0,
    "fp4": 0.5 + 1.0 / 16.0,
    "mxfp4": 0.5 + 1.0 / 32.0,
}
"""Stored bytes per weight, block scales included (see the module docstring)."""

KV_BYTES_PER_VALUE: Final[dict[str, float]] = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0}

_WEIGHT_BITS: Final[dict[str, int]] = {
    "bf16": 16,
    "fp16": 16,
    "fp8": 8,
    "int8": 8,
    "int4": 4,
    "fp4": 4,
    "mxfp4": 4,
}


def default_kv_precision(weight_precision: str) -> str:
    """KV-cache precision when the user names none: fp8 for weights of 8 bits or fewer, else bf16.

    Engines that load FP8/FP4 checkpoints (TensorRT-LLM with ModelOpt, vLLM with ``--kv-cache-dtype fp8``)
    normally quantise the cache too; 16-bit deployments keep a 16-bit cache.
    """
    return "fp8" if _WEIGHT_BITS[weight_precision] <= 8 else "bf16"


def compute_precision(weight_precision: str, gpu: GpuSpec) -> str:
    """The tensor-core path the linear layers run on for these weights on this GPU.

    A format the GPU multiplies natively runs at its own peak (FP8 on Hopper, FP4 on Blackwell, INT8 on
    Ampere); any other is weight-only: the weights are de-quantised in the kernel and multiplied in bf16
    (e.g. FP8 or MXFP4 weights on an A100 or H100 through Marlin-style kernels), so only the memory
    traffic shrinks.
    """
    native = {"fp8": "fp8", "int8": "int8", "fp4": "fp4", "mxfp4": "fp4"}.get(weight_precision)
    if native is not None and gpu.dense_flops_per_s.get(native):
        return native
    return "bf16"

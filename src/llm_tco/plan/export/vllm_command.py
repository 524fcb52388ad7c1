"""The vLLM launch command of a pool's replica: ``vllm serve`` with the shape and limits the plan sized.

- the model: its Hugging Face repository, served under its catalog id (the name LiteLLM routes to);
- parallelism: ``--tensor-parallel-size`` (GPUs per pipeline stage) and ``--pipeline-parallel-size``;
- precision: bf16/fp16 weights as ``--dtype``; FP8 as ``--quantization fp8`` (vLLM quantises a 16-bit
  checkpoint at load time); 4- and 8-bit integer and FP4 weights need a checkpoint already quantised to
  that format (vLLM reads the method from its config), which the plan cannot name: the command then
  loads ``$MODEL``, to be set to such a checkpoint; MXFP4 is gpt-oss's own format (its checkpoint as
  published);
- ``--kv-cache-dtype``: ``auto`` (the model's 16-bit dtype) or ``fp8``, as the capacity model assumed;
- ``--max-num-seqs`` and ``--max-model-len`` from the pool (see ``serving_plan``);
- ``--gpu-memory-utilization``: the share of GPU memory the capacity model let the engine take.
"""

from __future__ import annotations

__all__ = ["VLLM_PORT", "vllm_args", "vllm_script"]

VLLM_PORT = 8000
"""Port vLLM's OpenAI-compatible server listens on (its default)."""

_DTYPE = {"bf16": "bfloat16", "fp16": "float16"}
_PREQUANTISED = {"int8", "int4", "fp4"}
_KV_CACHE_DTYPE = {"bf16": "auto", "fp16": "auto", "fp8": "fp8", "int8": "fp8"}


def vllm_args(
    *,
    hf_id: str,
    served_name: str,
    precision: str,
    kv_cache_dtype: str,
    tensor_parallel: int,
    pipeline_parallel: int,
    max_num_seqs: int,
    max_model_len: int,
    gpu_memory_utilization: float,
) -> list[str]:
    """The arguments after ``vllm serve`` (the model first)."""
    model = "$(MODEL)" if precision in _PREQUANTISED else hf_id
    args = [
        model,
        "--served-model-name",
        served_name,
        "--host",
        "0.0.0.0",
        "--port",
        str(VLLM_PORT),
        "--tensor-parallel-size",
        str(tensor_parallel),
        "--pipeline-parallel-size",
        str(pipeline_parallel),
        "--max-num-seqs",
        str(max_num_seqs),
        "--max-model-len",
        str(max_model_len),
        "--kv-cache-dtype",
        _KV_CACHE_DTYPE.get(kv_cache_dtype, "auto"),
        "--gpu-memory-utilization",
        f"{gpu_memory_utilization:g}",
    ]
    if precision in _DTYPE:
        args += ["--dtype", _DTYPE[precision]]
    elif precision == "fp8":
        args += ["--quantization", "fp8"]
    return args


def vllm_script(args: list[str], *, hf_id: str, precision: str, comment: str) -> str:
    """A POSIX shell script running ``vllm serve ARGS`` (the model, then ``--flag value`` pairs, each
    value single-quoted)."""
    lines = ["#!/bin/sh", *(f"# {line}" if line else "#" for line in comment.splitlines())]
    if precision in _PREQUANTISED:
        lines += [
            f"# {precision} weights: set MODEL to a {precision} checkpoint of {hf_id} (e.g. AWQ or GPTQ);",
            "# vLLM reads the quantisation method from the checkpoint.",
            ': "${MODEL:?set MODEL to the quantised checkpoint}"',
        ]
    lines.append("set -eu")
    model = '"$MODEL"' if args[0] == "$(MODEL)" else _quote(args[0])
    pairs = [model, *(f"{flag} {_quote(value)}" for flag, value in zip(args[1::2], args[2::2], strict=True))]
    lines.append("exec vllm serve " + " \\\n    ".join(pairs))
    return "\n".join(lines) + "\n"


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\"'\"'") + "'"

"""Several measured load points of one configuration form a curve: interpolated by concurrency, and cut at
the latency targets, never read as "the first row"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from llm_tco.capacity.measured import Measurement, interpolate_at, under_targets


def _point(concurrency: int, tps: float, ttft: float | None = None, tpot: float | None = None) -> Measurement:
    return Measurement(
        label=f"line {concurrency}",
        model="llama-3.1-8b",
        gpu="h100-sxm",
        num_gpus=1,
        tp=1,
        precision="bf16",
        engine="vllm",
        scenario="concurrency",
        input_len=1000.0,
        output_len=200.0,
        output_tokens_per_s=tps,
        concurrency=concurrency,
        ttft_ms=ttft,
        tpot_ms=tpot,
    )


CURVE = [_point(1, 255.0, 50.0, 10.0), _point(8, 800.0, 200.0, 20.0), _point(64, 4000.0, 1000.0, 120.0)]


def test_interpolated_by_concurrency() -> None:
    # Between 8 (800 tok/s) and 64 (4,000 tok/s): at 36, 800 + (4000 − 800) × (36 − 8)/(64 − 8) = 2,400.
    at = interpolate_at(CURVE, 36)
    assert at is not None
    assert at.output_tokens_per_s == pytest.approx(2400.0)
    assert at.ttft_ms == pytest.approx(200.0 + 800.0 * 0.5)
    assert interpolate_at(CURVE, 64) is not None
    assert interpolate_at(CURVE, 100) is None  # never extrapolated


def test_cut_at_the_latency_targets() -> None:
    # TPOT 70 ms is crossed half-way from 8 (20 ms) to 64 (120 ms), before TTFT 2,000 ms ever is: concurrency
    # 36, 2,400 tok/s.
    at = under_targets(CURVE, 2000.0, 70.0)
    assert at is not None
    assert at.output_tokens_per_s == pytest.approx(2400.0)
    assert at.concurrency == 36
    # Targets every point meets: the highest load point; targets none meets: no measured answer.
    top = under_targets(CURVE, 5000.0, 500.0)
    assert top is not None and top.output_tokens_per_s == 4000.0
    assert under_targets(CURVE, 10.0, 5.0) is None


def test_a_curve_without_latencies_gives_its_highest_throughput() -> None:
    points = [_point(1, 255.0), _point(64, 6238.0)]
    at = under_targets(points, 2000.0, 100.0)
    assert at is not None and at.output_tokens_per_s == 6238.0
    assert "no measured p99 latencies" in at.label


def test_capacity_cli_interpolates_between_rows(tmp_path: Path, cli: Any) -> None:
    measured = tmp_path / "mine.csv"
    measured.write_text(
        "id,model,gpu,num_gpus,tp,precision,engine,input_len,output_len,scenario,concurrency,value_system\n"
        "a,llama-3.1-8b,h100-sxm,1,1,bf16,vllm,1000,200,concurrency,1,255\n"
        "b,llama-3.1-8b,h100-sxm,1,1,bf16,vllm,1000,200,concurrency,8,800\n"
        "c,llama-3.1-8b,h100-sxm,1,1,bf16,vllm,1000,200,concurrency,64,4000\n",
        encoding="utf-8",
    )
    result = cli(
        "capacity", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--input-len", "1000",
        "--output-len", "200", "--scenario", "concurrency", "--concurrency", "36",
        "--measured", measured, "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    prediction = result.json()["predictions"][0]
    assert prediction["source"] == "measured"
    assert prediction["output_tokens_per_s"] == pytest.approx(2400.0)

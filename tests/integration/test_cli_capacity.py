"""``llm-tco capacity`` end to end through ``llm_tco.cli.main.run``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from llm_tco.cli.main import run

COLUMNS = [
    "id",
    "model",
    "hf_id",
    "gpu",
    "num_gpus",
    "tp",
    "precision",
    "engine",
    "input_len",
    "output_len",
    "scenario",
    "concurrency",
    "ttft_ms",
    "tpot_ms",
    "value_system",
    "source",
]


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    assert run(argv) == 0
    out = capsys.readouterr().out
    return json.loads(out)


def _write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return path


def test_single_run_json(capsys: pytest.CaptureFixture[str]) -> None:
    document = _json(
        capsys,
        [
            "capacity",
            "--model",
            "meta-llama/Llama-3.1-8B-Instruct",
            "--gpu",
            "H100 SXM",
            "--input-len",
            "1000",
            "--output-len",
            "200",
            "--precision",
            "fp8",
            "--gpu-hourly-usd",
            "2.5",
            "--json",
        ],
    )
    (p,) = document["predictions"]
    assert p["id"] == "cli" and p["model"] == "llama-3.1-8b" and p["gpu"] == "h100-sxm"
    assert p["fits"] is True and p["source"] == "model" and p["scenario"] == "offline"
    assert p["kv_precision"] == "fp8"
    for key in (
        "output_tokens_per_s",
        "output_tokens_per_s_per_gpu",
        "requests_per_s",
        "concurrency",
        "ttft_ms",
        "tpot_ms",
    ):
        assert p[key] > 0, key
    assert p["limited_by"] in ("memory-bandwidth", "compute", "kv-capacity", "latency-target", "interconnect")
    assert set(p["memory"]) >= {"weights_bytes", "kv_cache_bytes", "activations_bytes", "usable_bytes"}
    expected = 2.5 / (p["output_tokens_per_s"] * 3600) * 1e6
    assert p["cost_per_million_output_tokens_usd"] == pytest.approx(expected)


def test_scenario_is_inferred(capsys: pytest.CaptureFixture[str]) -> None:
    base = [
        "capacity",
        "--model",
        "qwen3-8b",
        "--gpu",
        "l40s",
        "--input-len",
        "500",
        "--output-len",
        "100",
        "--json",
    ]
    assert _json(capsys, [*base, "--concurrency", "8"])["predictions"][0]["scenario"] == "concurrency"
    slo = _json(capsys, [*base, "--ttft-ms", "2000", "--tpot-ms", "80"])["predictions"][0]
    assert slo["scenario"] == "slo" and slo["tpot_ms"] <= 80


def test_terminal_output_shows_the_memory_breakdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            [
                "capacity",
                "--model",
                "llama-3.1-70b",
                "--gpu",
                "h100",
                "--gpus",
                "4",
                "--input-len",
                "800",
                "--output-len",
                "200",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Serving capacity" in out and "Memory per GPU" in out and "weights" in out and "KV cache" in out


def test_does_not_fit_exits_2_naming_the_smallest_fit(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "capacity",
            "--model",
            "llama-3.1-405b",
            "--gpu",
            "h100",
            "--input-len",
            "1000",
            "--output-len",
            "100",
            "--json",
        ]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "does not fit" in captured.err and "8× h100-sxm at fp8" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--model", "nosuch", "--gpu", "h100"], "unknown model"),
        (["--model", "llama-3.1-8b", "--gpu", "h1000"], "did you mean"),
        (["--model", "llama-3.1-8b", "--gpu", "h100", "--engine", "tgi"], "unknown engine"),
        (["--model", "llama-3.1-8b", "--gpu", "h100", "--gpus", "3", "--tp", "2"], "divide"),
        (["--model", "llama-3.1-8b", "--gpu", "h100", "--scenario", "slo"], "--ttft-ms"),
        (["--model", "llama-3.1-8b", "--gpu", "h100", "--utilisation", "1.5"], "utilisation"),
    ],
)
def test_bad_input_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code = run(["capacity", *argv, "--input-len", "100", "--output-len", "100"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_scenarios_round_trip_degrades_per_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write_csv(
        tmp_path / "scenarios.csv",
        [
            {
                "id": "A",
                "hf_id": "meta-llama/Llama-2-70b-chat-hf",
                "gpu": "h100-sxm",
                "num_gpus": 2,
                "precision": "fp8",
                "engine": "trtllm",
                "input_len": 128,
                "output_len": 2048,
                "scenario": "offline",
            },
            {
                "id": "B",
                "model": "Llama-3.1-8B-Instruct",
                "gpu": "a100-sxm-80gb",
                "num_gpus": 2,
                "tp": 1,
                "precision": "bf16",
                "engine": "vllm",
                "input_len": 215,
                "output_len": 198,
                "scenario": "concurrency",
                "concurrency": 64,
            },
            {
                "id": "C",
                "hf_id": "nosuch/model",
                "gpu": "h100",
                "num_gpus": 1,
                "input_len": 10,
                "output_len": 10,
            },
            {
                "id": "D",
                "hf_id": "meta-llama/Llama-3.1-405B-Instruct",
                "gpu": "l4",
                "num_gpus": 1,
                "precision": "bf16",
                "input_len": 10,
                "output_len": 10,
            },
            {
                "id": "E",
                "hf_id": "Qwen/Qwen3-32B",
                "gpu": "h200",
                "num_gpus": 1,
                "precision": "fp8",
                "engine": "sglang",
                "input_len": 2000,
                "output_len": 300,
                "scenario": "slo",
                "ttft_ms": 3000,
                "tpot_ms": 50,
            },
            {
                "id": "F",
                "hf_id": "meta-llama/Llama-3.1-8B-Instruct",
                "gpu": "h100",
                "input_len": "many",
                "output_len": 10,
            },
        ],
    )
    document = _json(capsys, ["capacity", "--scenarios", str(path), "--json"])
    predictions = {p["id"]: p for p in document["predictions"]}
    assert list(predictions) == ["A", "B", "C", "D", "E", "F"]
    assert (
        predictions["A"]["fits"]
        and predictions["A"]["model"] == "llama-2-70b"
        and predictions["A"]["tp"] == 2
    )
    assert predictions["B"]["replicas"] == 2 and predictions["B"]["concurrency"] == pytest.approx(64)
    assert not predictions["C"]["fits"] and "unknown model" in predictions["C"]["error"]
    assert not predictions["D"]["fits"] and "does not fit" in predictions["D"]["error"]
    assert predictions["E"]["scenario"] == "slo" and predictions["E"]["tpot_ms"] <= 50
    assert not predictions["F"]["fits"] and "input_len" in predictions["F"]["error"]
    # the same file renders as tables without --json, exit 0
    assert run(["capacity", "--scenarios", str(path)]) == 0
    assert "Serving capacity" in capsys.readouterr().out


def test_scenarios_file_missing_columns_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,gpu\nA,h100\n", encoding="utf-8")
    assert run(["capacity", "--scenarios", str(path)]) == 2
    assert "missing column" in capsys.readouterr().err


def test_measured_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    measured = _write_csv(
        tmp_path / "mine.csv",
        [
            {
                "id": "m1",
                "hf_id": "meta-llama/Llama-3.1-8B-Instruct",
                "gpu": "h100-sxm",
                "num_gpus": 1,
                "precision": "bf16",
                "engine": "vllm",
                "input_len": 1000,
                "output_len": 200,
                "scenario": "offline",
                "value_system": 5000,
            }
        ],
    )
    base = [
        "capacity",
        "--model",
        "llama-3.1-8b",
        "--gpu",
        "h100",
        "--output-len",
        "200",
        "--json",
        "--measured",
        str(measured),
        "--gpu-hourly-usd",
        "3.6",
    ]
    hit = _json(capsys, [*base, "--input-len", "1000"])["predictions"][0]
    assert hit["source"] == "measured" and hit["output_tokens_per_s"] == 5000
    assert hit["cost_per_million_output_tokens_usd"] == pytest.approx(3.6 / (5000 * 3600) * 1e6)
    assert any("mine.csv line 1" in n for n in hit["notes"])
    miss = _json(capsys, [*base, "--input-len", "3000"])["predictions"][0]
    assert miss["source"] == "model"


def test_measured_file_with_unknown_model_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    measured = _write_csv(
        tmp_path / "mine.csv",
        [{"hf_id": "nosuch/model", "gpu": "h100", "input_len": 1, "output_len": 1, "value_system": 1}],
    )
    code = run(
        [
            "capacity",
            "--model",
            "llama-3.1-8b",
            "--gpu",
            "h100",
            "--input-len",
            "10",
            "--output-len",
            "10",
            "--measured",
            str(measured),
        ]
    )
    assert code == 2 and "mine.csv: line 1" in capsys.readouterr().err

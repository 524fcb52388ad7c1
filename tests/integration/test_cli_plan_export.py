"""``plan --export-litellm`` and ``plan --export-serving`` end to end, the files checked by their consumers'
own validators: LiteLLM's config models and router (offline, its bundled price map), and
``kubernetes-validate`` with the Kubernetes JSON schemas it ships (strict: no unknown fields).

The store holds four workloads over August–October 2026, each one request every 10 minutes:

- ``chat`` (openai gpt-4o, 1,000 + 200 tokens) and ``Support Bot/EU`` (anthropic claude-sonnet-4-5,
  3,000 + 500), both air-gapped by the configuration, so each is self-hosted in a pool of its own;
- ``code`` (openai gpt-4o-mini, 2,000 + 300) and ``dark`` (a model no price list knows), on APIs.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from llm_tco.capacity.predict import check_fit, make_deployment
from llm_tco.capacity.scenarios import ReplicaModel
from llm_tco.capacity.specs import Workload
from llm_tco.catalog.calibration import calibration_params
from llm_tco.catalog.gpus import get_gpu, gpu_spec
from llm_tco.catalog.open_models import get_open_model, model_spec
from llm_tco.store import open_store

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # LiteLLM must not fetch its price map
litellm = pytest.importorskip("litellm", reason="needs the export-test extra")
kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="needs the export-test extra")

HOSTILE = "Support Bot/EU"
SERIES = [
    (1, "openai", "gpt-4o", "chat", 1000, 200),
    (2, "anthropic", "claude-sonnet-4-5", HOSTILE, 3000, 500),
    (3, "openai", "gpt-4o-mini", "code", 2000, 300),
    (4, "openai", "mystery-model-x", "dark", 100, 10),
]
CONFIG = f'[workloads.chat]\nsovereignty = "air-gapped"\n\n[workloads."{HOSTILE}"]\nsovereignty = "on-prem"\n'


def _hash_alias(name: str) -> str:
    """The alias of a name that is not a DNS label, worked out by hand: lower-cased, runs of other
    characters turned into one '-', then '-' and the first 8 hex digits of the name's SHA-256."""
    return "support-bot-eu-" + hashlib.sha256(name.encode()).hexdigest()[:8]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The plan's JSON document, and the files it exported, from one ``llm-tco`` process."""
    tmp = tmp_path_factory.mktemp("export")
    store = str(tmp / "plan.duckdb")
    con = open_store(store)
    con.execute(
        "INSERT INTO ingested_files (file_id, path, fingerprint, source_format, size_bytes, ingested_at,"
        " rows_read, rows_accepted, rows_quarantined, rows_duplicate)"
        " VALUES (1, 'synthetic.csv', 'f', 'test', 0, TIMESTAMP '2026-11-01', 0, 0, 0, 0)"
    )
    for key, provider, model, workload, input_tokens, output_tokens in SERIES:
        known = None if model == "mystery-model-x" else model
        con.execute(
            "INSERT INTO usage_series (series_key, series_id, source_format, provider, model_raw, model,"
            " workload, batch) VALUES (?, ?, 'test', ?, ?, ?, ?, false)",
            [key, key, provider, model, known, workload],
        )
        con.execute(
            """INSERT INTO usage (series_key, file_id, record_no, record_key, source_record_id, ts_start,
                   ts_end, requests, input_tokens, cache_read_tokens, cache_write_tokens,
                   cache_write_1h_tokens, output_tokens, reasoning_tokens)
               SELECT ?, 1, ? * 100000 + i, ? * 100000 + i, ? || '-' || i,
                      TIMESTAMP '2026-08-01' + i * INTERVAL 10 MINUTE,
                      TIMESTAMP '2026-08-01' + i * INTERVAL 10 MINUTE, 1, ?, 0, 0, 0, ?, 0
               FROM range(0, 92 * 144) t(i)""",
            [key, key, key, str(key), input_tokens, output_tokens],
        )
    con.close()
    config = tmp / "cfg.toml"
    config.write_text(CONFIG)
    litellm_file = tmp / "litellm.yaml"
    serving = tmp / "serving"
    args = ["plan", "--db", store, "--config", str(config), "--json",
            "--export-litellm", str(litellm_file), "--export-serving", str(serving)]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "llm_tco.cli.main", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return {"doc": json.loads(done.stdout), "litellm": litellm_file, "serving": serving}


def _recommendations(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {w["workload"]: w["recommendation"] for w in doc["workloads"]}


def _manifests(serving: Path) -> dict[str, list[dict[str, Any]]]:
    return {p.stem: list(yaml.safe_load_all(p.read_text())) for p in sorted(serving.glob("*.yaml"))}


def test_the_plan_self_hosts_the_air_gapped_workloads(exported: dict[str, Any]) -> None:
    recs = _recommendations(exported["doc"])
    assert recs["chat"]["placement"] == "self-hosted"
    assert recs[HOSTILE]["placement"] == "self-hosted"
    assert recs["code"]["placement"] != "self-hosted"


def test_litellm_config_has_one_alias_per_workload_and_nothing_else(exported: dict[str, Any]) -> None:
    config = yaml.safe_load(exported["litellm"].read_text())
    assert list(config) == ["model_list"]
    aliases = [entry["model_name"] for entry in config["model_list"]]
    assert sorted(aliases) == sorted(["chat", "code", "dark", _hash_alias(HOSTILE)])


def test_litellm_accepts_the_config_and_routes_each_alias(
    exported: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from litellm.proxy._types import ConfigYAML
    from litellm.types.router import Deployment, LiteLLM_Params

    for key in ("VLLM_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.setenv(key, "test-key")
    config = yaml.safe_load(exported["litellm"].read_text())
    ConfigYAML.model_validate(config)
    recs = _recommendations(exported["doc"])
    by_alias = {entry["model_name"]: entry for entry in config["model_list"]}
    services = {
        doc["metadata"]["name"]
        for docs in _manifests(exported["serving"]).values()
        for doc in docs
        if doc["kind"] == "Service"
    }
    for workload, alias in (("chat", "chat"), (HOSTILE, _hash_alias(HOSTILE))):
        entry = by_alias[alias]
        Deployment.model_validate(entry)
        params = entry["litellm_params"]
        assert set(params) <= set(LiteLLM_Params.model_fields)
        model, provider, _, api_base = litellm.get_llm_provider(params["model"], api_base=params["api_base"])
        assert (provider, model) == ("openai", recs[workload]["open_model"])
        host = api_base.removeprefix("http://").split(".")[0]
        assert host in services  # the pool's own Service
        assert api_base.endswith(".llm-serving.svc.cluster.local:8000/v1")
    code = by_alias["code"]["litellm_params"]
    _, provider, _, _ = litellm.get_llm_provider(code["model"])
    expected = {"openai": "openai", "anthropic": "anthropic", "google": "gemini"}[recs["code"]["provider"]]
    assert provider == expected and code["model"] == f"{expected}/{recs['code']['model']}"
    router = litellm.Router(model_list=config["model_list"])
    assert sorted(d["model_name"] for d in router.registry().all()) == sorted(by_alias)


def test_manifests_pass_the_kubernetes_schemas(exported: dict[str, Any]) -> None:
    manifests = _manifests(exported["serving"])
    assert len(manifests) == 2  # air-gapped and on-prem never share a pool: one pool each
    version = kubernetes_validate.latest_version()
    for docs in manifests.values():
        assert [d["kind"] for d in docs] == ["Deployment", "Service"]
        for doc in docs:
            kubernetes_validate.validate(doc, version, strict=True)
        deployment, service = docs
        assert (
            service["spec"]["selector"].items()
            <= deployment["spec"]["template"]["metadata"]["labels"].items()
        )
        assert len(deployment["metadata"]["name"]) <= 63


def test_each_pool_runs_the_planned_shape(exported: dict[str, Any]) -> None:
    recs = _recommendations(exported["doc"])
    manifests = _manifests(exported["serving"])
    scripts = {p.stem: p.read_text() for p in exported["serving"].glob("*.sh")}
    assert set(scripts) == set(manifests)
    seen = set()
    for stem, (deployment, _) in manifests.items():
        workload = "chat" if deployment["metadata"]["annotations"]["llm-tco/workloads"] == "chat" else HOSTILE
        seen.add(workload)
        rec = recs[workload]
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        args = container["args"]
        flags = dict(zip(args[1::2], args[2::2], strict=True))
        assert args[0] == get_open_model(rec["open_model"]).hf_id
        assert deployment["spec"]["replicas"] == rec["replicas"]
        assert container["resources"]["limits"]["nvidia.com/gpu"] == rec["gpus_per_replica"]
        assert int(flags["--tensor-parallel-size"]) == rec["tensor_parallel"]
        assert int(flags["--pipeline-parallel-size"]) == rec["pipeline_parallel"]
        assert flags["--served-model-name"] == rec["open_model"]
        assert flags["--kv-cache-dtype"] == (
            "fp8" if rec["precision"] in ("fp8", "int8", "int4", "fp4") else "auto"
        )
        # the longest request: p99 prompt + p99 output, rounded up to 1,024 tokens
        assert int(flags["--max-model-len"]) == {"chat": 2048, HOSTILE: 4096}[workload]
        for flag, value in flags.items():
            assert f"{flag} '{value}'" in scripts[stem]
        _check_max_num_seqs(rec, exported["doc"], workload, int(flags["--max-num-seqs"]))
    assert seen == {"chat", HOSTILE}


def _check_max_num_seqs(rec: dict[str, Any], doc: dict[str, Any], workload: str, max_num_seqs: int) -> None:
    """``max_num_seqs`` is the most sequences one replica holds within the workload's p99 targets: at it
    the capacity model's latencies meet them, one more breaks one (or the memory or engine limit)."""
    plan = next(w for w in doc["workloads"] if w["workload"] == workload)
    gpu = gpu_spec(get_gpu(rec["gpu"]))
    model = model_spec(get_open_model(rec["open_model"]))
    params = calibration_params()
    deployment = make_deployment(
        num_gpus=rec["gpus_per_replica"],
        tp=rec["tensor_parallel"],
        precision=rec["precision"],
        kv_precision=None,
        engine="vllm",
        pp=rec["pipeline_parallel"],
    )
    lengths = Workload(input_len=plan["mean_input_tokens"], output_len=plan["mean_output_tokens"])
    replica = ReplicaModel(
        model, gpu, params, deployment, lengths, check_fit(model, gpu, params, deployment, lengths)
    )
    ttft, tpot, _ = replica.slo_latencies(float(max_num_seqs))
    assert ttft * 1e3 <= plan["ttft_p99_ms"] and tpot * 1e3 <= plan["tpot_p99_ms"]
    if max_num_seqs < min(replica.engine_max_seqs, replica.memory.max_sequences):
        ttft, tpot, _ = replica.slo_latencies(float(max_num_seqs + 1))
        assert ttft * 1e3 > plan["ttft_p99_ms"] or tpot * 1e3 > plan["tpot_p99_ms"]


def test_yaml_is_plain_data(exported: dict[str, Any]) -> None:
    for path in [exported["litellm"], *exported["serving"].glob("*.yaml")]:
        text = path.read_text()
        assert "!!python" not in text and "&id" not in text and "*id" not in text


def test_an_unwritable_export_is_one_line_exit_2(cli: Any, exported: dict[str, Any], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = exported["litellm"].parent / "plan.duckdb"
    result = cli("plan", "--db", store, "--json", "--export-litellm", blocker / "sub" / "x.yaml")
    assert result.code == 2 and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1 and "x.yaml" in result.err
    result = cli("plan", "--db", store, "--export-namespace", "Not_Valid")
    assert result.code == 2 and "--export-namespace" in result.err

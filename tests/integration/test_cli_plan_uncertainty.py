"""``llm-tco plan`` under uncertainty, end to end on a real store: ``--draws``/``--seed`` reach the JSON
(seed included), every priced option carries its range, ``sensitivity[]`` is there, the terminal shows the
P10–P90 savings and the three most influential assumptions, and a bad distribution is a one-line error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from test_cli_plan import _write, store  # noqa: F401  (the store fixture: chat, code, dark workloads)


def test_plan_json_carries_ranges_seed_and_sensitivity(cli: Any, store: str, tmp_path: Path) -> None:  # noqa: F811
    config = _write(tmp_path, "[uncertainty]\ndraws = 50\nseed = 1\n")
    result = cli("plan", "--db", store, "--json", "--config", config, "--draws", "300", "--seed", "42")
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["uncertainty"]["draws"] == 300 and doc["uncertainty"]["seed"] == 42
    names = {a["name"] for a in doc["uncertainty"]["assumptions"]}
    assert {"demand_growth", "gpu_hourly_price", "capacity_model_error", "migration_effort"} <= names
    chat = next(w for w in doc["workloads"] if w["workload"] == "chat")
    for option in chat["options"]:
        if option["npv_usd"] is None:
            assert option["npv_usd_p10"] is None
            continue
        assert option["npv_usd_p10"] <= option["npv_usd_p50"] <= option["npv_usd_p90"]
        if option["id"] != "stay":
            assert 0.0 <= option["probability_beats_current"] <= 1.0
    scopes = [(s["scope"], s["workload"]) for s in doc["sensitivity"]]
    assert ("workload", "chat") in scopes
    entry = next(s for s in doc["sensitivity"] if s["workload"] == "chat")
    swings = [bar["swing_usd"] for bar in entry["tornado"]]
    assert swings == sorted(swings, reverse=True)
    surface = entry["breakeven_surface"]
    assert surface["x_assumption"] == entry["tornado"][0]["assumption"]
    assert len(surface["savings_usd"]) == 9 and all(len(row) == 9 for row in surface["savings_usd"])

    again = cli("plan", "--db", store, "--json", "--config", config, "--draws", "300", "--seed", "42")
    assert again.json()["uncertainty"] == doc["uncertainty"]


def test_the_config_seed_and_draws_apply_without_flags(cli: Any, store: str, tmp_path: Path) -> None:  # noqa: F811
    config = _write(tmp_path, "[uncertainty]\ndraws = 40\nseed = 7\n")
    doc = cli("plan", "--db", store, "--json", "--config", config).json()
    assert (doc["uncertainty"]["draws"], doc["uncertainty"]["seed"]) == (40, 7)
    none = cli("plan", "--db", store, "--json", "--config", config, "--draws", "0").json()
    assert none["uncertainty"] is None and none["sensitivity"] == []


def test_plan_terminal_shows_savings_range_and_influential_assumptions(
    cli: Any,
    store: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    config = _write(tmp_path, "")
    result = cli("plan", "--db", store, "--config", config, "--draws", "200", "--seed", "5")
    assert result.code == 0, result.err
    out = " ".join(result.out.split())
    assert "Under uncertainty (200 draws, seed 5)" in out
    assert re.search(r"vs staying P10 -?\$[\d,.]+, P50 -?\$[\d,.]+, P90 -?\$[\d,.]+", out)
    assert "most influential assumptions" in out
    assert "under uncertainty: NPV P10–P90" in out


def test_a_bad_distribution_is_a_one_line_error(cli: Any, store: str, tmp_path: Path) -> None:  # noqa: F811
    config = _write(
        tmp_path, '[uncertainty]\nstaffing_cost = { dist = "pert", low = 2.0, mode = 1.0, high = 3.0 }\n'
    )
    result = cli("plan", "--db", store, "--json", "--config", config)
    assert result.code == 2
    assert "uncertainty.staffing_cost" in result.err and "Traceback" not in result.err
    negative = cli("plan", "--db", store, "--json", "--config", _write(tmp_path, ""), "--draws", "-1")
    assert negative.code == 2

"""The configuration file: defaults, template round-trip, validation messages that name the key path."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from llm_tco.config import Config, load_config, parse_config, render_template
from llm_tco.config.model import WorkloadConfig
from llm_tco.errors import ConfigError


def test_template_parses_back_to_the_defaults() -> None:
    text = render_template()
    assert parse_config(tomllib.loads(text)) == Config()


def test_template_documents_every_field_with_unit_and_source() -> None:
    text = render_template()
    for section_name in Config.model_fields:
        section = getattr(Config(), section_name)
        if not isinstance(section, BaseModel):
            continue
        assert f"[{section_name}]" in text
        for key, field in type(section).model_fields.items():
            assert key in text, key
            extra = field.json_schema_extra
            assert isinstance(extra, dict) and extra.get("unit") and extra.get("source"), (
                f"{section_name}.{key}"
            )
            assert field.description, f"{section_name}.{key}"
    for key in WorkloadConfig.model_fields:
        assert f"# {key} =" in text or f"# # {key}" in text or key in text


def test_defaults_cite_published_figures() -> None:
    text = render_template()
    assert "kshirol-learnai-inference: $100-400K/yr for 0.5-2 FTE" in text
    assert "PUBLISHED_FIGURES" not in text and "shared/" not in text
    assert "floor = 0.9" in text
    assert "electricity_usd_per_kwh = 0.15" in text


def test_file_with_only_workload_tables_is_valid() -> None:
    raw = tomllib.loads('[workloads.support-chat]\nsovereignty = "region:eu"\nquality_floor = 0.95\n')
    config = parse_config(raw)
    assert config.workload("support-chat").sovereignty == "region:eu"
    assert config.workload("support-chat").quality_floor == 0.95
    assert config.workload("other") == WorkloadConfig()
    assert config.planning == Config().planning


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[workloads.support-chat]\nsovereignty = "eu"\n',
            "llm-tco.toml: workloads.support-chat.sovereignty: ",
        ),
        ("[planning]\nhorizon_month = 12\n", "llm-tco.toml: planning.horizon_month: unknown key"),
        ("[owned]\npue = 0.8\n", "llm-tco.toml: owned.pue: "),
        ('[planning]\nhorizon_months = "36"\n', "llm-tco.toml: planning.horizon_months: "),
        ("typo = 1\n", "llm-tco.toml: typo: unknown key"),
        ('[gpu]\ndeployment_modes = ["rented"]\n', "llm-tco.toml: gpu.deployment_modes.0: "),
        ('[workloads.a]\ncriticality = "extreme"\n', "llm-tco.toml: workloads.a.criticality: "),
        ('[planning]\nstart_month = "2026-13"\n', "llm-tco.toml: planning.start_month: must be a month"),
    ],
)
def test_validation_messages_name_the_key_path(toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        parse_config(tomllib.loads(toml), "llm-tco.toml")
    text = str(excinfo.value)
    assert text.startswith(message), text
    assert "\n" not in text


def test_sovereignty_message_lists_the_choices() -> None:
    with pytest.raises(
        ConfigError, match=r"not one of any, region:<code>, no-third-party, on-prem, air-gapped"
    ):
        parse_config({"workloads": {"w": {"sovereignty": "onprem"}}})


def test_integer_accepted_where_a_float_is_expected() -> None:
    assert parse_config({"owned": {"pue": 2}}).owned.pue == 2.0


def test_load_config_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config, path = load_config(None)
    assert config == Config() and path is None
    (tmp_path / "llm-tco.toml").write_text("[planning]\nhorizon_months = 24\n")
    config, path = load_config(None)
    assert config.planning.horizon_months == 24 and path == Path("llm-tco.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[planning\n")
    with pytest.raises(ConfigError, match=r"^.*bad\.toml: invalid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match=r"missing\.toml: no such configuration file"):
        load_config(tmp_path / "missing.toml")


def test_attribution_rules_are_part_of_the_file() -> None:
    config = parse_config({"attribution": [{"workload": "search", "tag": "search*"}]})
    assert config.attribution[0].workload == "search"
    with pytest.raises(ConfigError, match=r"attribution\.0\.colour: unknown key"):
        parse_config({"attribution": [{"workload": "x", "colour": "red"}]})

"""``[[attribution]]`` rules: validation (key paths in errors), loading from llm-tco.toml, and their effect
at ingest across formats (first match wins; unmatched -> ``unattributed``; no rules -> natural keys,
overridden by ``--workload-from``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from llm_tco.config.attribution import (
    UNATTRIBUTED,
    AttributionRule,
    load_attribution_rules,
    parse_attribution_rules,
)
from llm_tco.errors import ConfigError, UsageError
from llm_tco.ingest.base import IngestOptions
from llm_tco.ingest.pipeline import ingest_files
from llm_tco.store import open_store

DATA = Path(__file__).resolve().parents[1] / "data" / "formats"
SOURCES = [
    DATA / "litellm" / "spendlogs_export.csv",
    DATA / "bedrock" / "invocations.jsonl.gz",
    DATA / "otel" / "traces.json",
    DATA / "openai_usage" / "pages",
]


def _workloads(**options: Any) -> dict[str, str]:
    """source_record_id -> workload after ingesting SOURCES."""
    con = open_store(":memory:")
    ingest_files(con, [str(s) for s in SOURCES], IngestOptions(**options))
    return dict(con.execute("SELECT source_record_id, workload FROM usage_rows").fetchall())


def test_rules_accept_every_match_key_and_metadata_forms() -> None:
    rules = parse_attribution_rules(
        [
            {"workload": "support", "tag": "support*"},
            {"workload": "faq", "metadata": {"feature": "faq"}, "model": "gpt-4o*"},
            {"workload": "search", "metadata": "team=search"},
            {"workload": "research", "workspace": "wrkspc_research", "api_key_id": "apikey_*"},
            {"workload": "bots", "service_name": "*-bot", "user": "u*", "team": "t", "project": "p"},
        ]
    )
    assert rules[1].metadata == {"feature": "faq"}
    assert rules[2].metadata == {"team": "search"}
    assert all(isinstance(r, AttributionRule) for r in rules)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([{"workload": "a", "tags": "x"}], "attribution[0].tags: unknown key"),
        (
            [{"workload": "a", "tag": "x"}, {"workload": "b"}],
            "attribution[1]: a rule needs at least one match key",
        ),
        ([{"workload": " ", "tag": "x"}], "attribution[0].workload: must not be empty"),
        ([{"workload": "a", "metadata": "no-equals"}], "attribution[0].metadata: expected 'key=value'"),
        ([{"workload": "a", "model": 3}], "attribution[0].model: Input should be a valid string"),
        ({"workload": "a"}, "attribution: expected an array of tables"),
    ],
)
def test_invalid_rules_name_the_key_path(raw: Any, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_attribution_rules(raw, "llm-tco.toml")
    assert f"llm-tco.toml: {message}" in str(err.value)


def test_loader_reads_only_the_attribution_array(tmp_path: Path) -> None:
    config = tmp_path / "llm-tco.toml"
    config.write_text(
        '[planning]\nhorizon_months = 36\n\n[[attribution]]\nworkload = "support"\ntag = "support*"\n\n'
        '[[attribution]]\nworkload = "search"\nmetadata = { team = "search" }\n'
    )
    rules = load_attribution_rules(config)
    assert [r.workload for r in rules] == ["support", "search"]
    assert load_attribution_rules(_write(tmp_path / "none.toml", "[planning]\n")) == ()
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_attribution_rules(_write(tmp_path / "bad.toml", "[[attribution]\n"))


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_natural_workload_keys_without_rules() -> None:
    workloads = _workloads()
    assert workloads["id:litellm:chatcmpl-001"] == "support-chat"  # LiteLLM: first request tag
    assert workloads["id:litellm:msg_002"] == "research"  # LiteLLM: no tag -> team alias
    # Bedrock: requestMetadata workload
    assert workloads["id:bedrock@123456789012:abcd1234-0002"] == "support-chat"
    # Bedrock: the model
    assert workloads["id:bedrock@123456789012:abcd1234-0003"] == "meta.llama3-3-70b-instruct-v1:0"
    # OTel service
    assert workloads["id:otel:5b8efff798038103d269b633813fc60c:eee19b7ec3c1b174"] == "support-bot"
    openai = [w for k, w in workloads.items() if k.startswith("id:openai-usage")]
    assert set(openai) == {"proj_abc", "proj_xyz"}  # OpenAI: project_id


def test_rules_recognise_one_workload_across_providers_first_match_wins() -> None:
    rules = parse_attribution_rules(
        [
            {"workload": "support", "tag": "support-*"},
            {"workload": "support", "metadata": {"workload": "support-chat"}},
            {"workload": "support", "service_name": "support-bot"},
            {"workload": "faq-only", "metadata": {"feature": "faq"}},  # shadowed by the rule above for OTel
            {"workload": "internal", "project": "proj_abc", "model": "gpt-4o-mini*"},
        ]
    )
    workloads = _workloads(attribution=rules)
    assert workloads["id:litellm:chatcmpl-001"] == "support"  # LiteLLM tag support-chat
    # Bedrock requestMetadata.workload
    assert workloads["id:bedrock@123456789012:abcd1234-0002"] == "support"
    # OTel service.name
    assert workloads["id:otel:5b8efff798038103d269b633813fc60c:eee19b7ec3c1b174"] == "support"
    assert workloads["id:litellm:msg_002"] == UNATTRIBUTED  # no rule matches: not hidden under a model name
    assert workloads["id:bedrock@123456789012:abcd1234-0003"] == UNATTRIBUTED
    # project proj_abc AND a gpt-4o-mini model: only the spec example row (the other proj_abc row is gpt-4o)
    internal = [k for k, w in workloads.items() if w == "internal"]
    assert len(internal) == 1 and ":proj_abc:" in internal[0] and "gpt-4o-mini" in internal[0]


def test_metadata_rules_reach_nested_keys() -> None:
    rules = parse_attribution_rules(
        [{"workload": "notebooks", "metadata": {"spend_logs_metadata.app": "note*"}}]
    )
    workloads = _workloads(attribution=rules)
    assert workloads["id:litellm:msg_002"] == "notebooks"
    assert workloads["id:litellm:chatcmpl-001"] == UNATTRIBUTED


def test_workload_from_overrides_the_natural_keys() -> None:
    assert _workloads(workload_from="team")["id:litellm:chatcmpl-001"] == "support"
    by_metadata = _workloads(workload_from="metadata.feature")
    assert by_metadata["id:otel:5b8efff798038103d269b633813fc60c:eee19b7ec3c1b174"] == "faq"
    assert by_metadata["id:litellm:chatcmpl-001"] == "support-chat"  # no such key: the natural key
    with pytest.raises(UsageError, match="--workload-from 'colour'"):
        _workloads(workload_from="colour")


def test_settings_fingerprint_follows_the_rules_not_their_spelling() -> None:
    """The store compares fingerprints: the same rules written with keys in another order (or metadata as
    ``key=value``) are the same settings; another order of rules, another rule or --workload-from is not."""
    from llm_tco.ingest.reattribute import AttributionSettings

    a = parse_attribution_rules(
        [{"workload": "x", "team": "t", "metadata": "k=v"}, {"workload": "y", "tag": "z"}]
    )
    same = parse_attribution_rules(
        [{"metadata": {"k": "v"}, "team": "t", "workload": "x"}, {"tag": "z", "workload": "y"}]
    )
    swapped = (a[1], a[0])
    base = AttributionSettings(a)
    assert AttributionSettings(same).fingerprint == base.fingerprint
    assert AttributionSettings(swapped).fingerprint != base.fingerprint
    assert AttributionSettings(a, "team").fingerprint != base.fingerprint
    assert AttributionSettings(a[:1]).fingerprint != base.fingerprint
    assert AttributionSettings.from_json(base.canonical_json()) == base
    assert AttributionSettings().canonical_json() == '{"rules":[],"workload_from":null}'

"""The report document: its committed JSON Schema, the one version field, and reading a saved document
back (bad or foreign JSON is refused naming the file and the field)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llm_tco.errors import InputFileError
from llm_tco.report.document import (
    SCHEMA_VERSION,
    AuditReport,
    PlanReport,
    load_document,
    parse_document,
    schema_text,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema" / "report.schema.json"
PLAN_FIXTURE = ROOT / "tests" / "data" / "report" / "plan_report.json"


def fixture_plan() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PLAN_FIXTURE.read_text(encoding="utf-8"))
    return data


def fixture_audit() -> dict[str, Any]:
    """The fixed plan document's header and audit part, as `audit --json` writes them."""
    plan = fixture_plan()
    header = {
        k: plan[k] for k in ("schema_version", "tool_version", "price_data_version", "config", "inputs")
    }
    return {**header, **plan["audit"], "kind": "llm-tco.audit"}


def test_committed_schema_is_the_models_schema() -> None:
    """A field added to the audit or plan document without regenerating the schema fails here."""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "schema/report.schema.json is stale: run `python scripts/write_schema.py` and commit it"
    )


def test_both_kinds_carry_schema_version_as_their_one_version_field() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    for name in ("AuditReport", "PlanReport"):
        properties = schema["$defs"][name]["properties"]
        assert properties["schema_version"]["const"] == SCHEMA_VERSION == 2
        # the others name the versions of the tool and of the price data, not of the document
        assert {k for k in properties if "version" in k} == {
            "schema_version",
            "tool_version",
            "price_data_version",
        }
    # the audit part nested in a plan has no version of its own
    assert "schema_version" not in schema["$defs"]["AuditDocument"]["properties"]


@pytest.mark.parametrize("data", [fixture_plan(), fixture_audit()], ids=["plan", "audit"])
def test_saved_documents_validate_against_the_committed_schema(data: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert [e.message for e in validator.iter_errors(data)] == []
    broken = {**data, "schema_version": "1"}
    assert list(validator.iter_errors(broken))  # the schema does reject a wrong version


def test_a_saved_document_reads_back_as_its_kind() -> None:
    plan = parse_document(fixture_plan(), "plan.json")
    audit = parse_document(fixture_audit(), "audit.json")
    assert isinstance(plan, PlanReport) and plan.audit is not None
    assert isinstance(audit, AuditReport)
    assert [w.workload for w in audit.by_workload] == [w.workload for w in plan.audit.by_workload]


def _error(data: Any, tmp_path: Path) -> str:
    path = tmp_path / "saved.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_document(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message  # every refusal names the file
    return message


def test_not_json_names_the_line(tmp_path: Path) -> None:
    assert "line 3: not JSON" in _error('{\n  "kind": "llm-tco.plan",\n  oops\n}', tmp_path)


def test_foreign_json_names_the_kind_field(tmp_path: Path) -> None:
    assert "field kind: None is not an llm-tco report" in _error({"name": "left-pad"}, tmp_path)
    assert "expected a JSON object" in _error("[1, 2]", tmp_path)


def test_a_document_of_the_first_versions_is_refused_by_version(tmp_path: Path) -> None:
    old = {k: v for k, v in fixture_plan().items() if k != "schema_version"} | {"version": "1"}
    assert "field schema_version: missing, this llm-tco reads version 2" in _error(old, tmp_path)


def test_a_wrong_field_is_named_by_its_path(tmp_path: Path) -> None:
    data = fixture_plan()
    data["workloads"][1]["monthly_tokens"] = "lots"
    assert "field workloads.1.monthly_tokens: Input should be a valid number" in _error(data, tmp_path)
    data = fixture_plan() | {"surprise": 1}
    assert "field surprise: Extra inputs are not permitted" in _error(data, tmp_path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nope\.json: cannot read: No such file"):
        load_document(tmp_path / "nope.json")

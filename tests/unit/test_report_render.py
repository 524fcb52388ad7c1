"""Rendering a fixed report document: the terminal table and the Markdown summary against committed
expected output, names from logs shown inertly, the GitHub size limit, ``--compare`` and the CSV.

The golden files were written once with ``LLM_TCO_UPDATE_GOLDEN=1`` and then checked by reading them;
rerun with it after an intended change of the rendering, and read the diff before committing it.
"""

from __future__ import annotations

import csv
import io
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from llm_tco.report.csv_table import PLAN_COLUMNS, render_csv
from llm_tco.report.document import AuditReport, PlanReport, parse_document
from llm_tco.report.md_text import GITHUB_COMMENT_LIMIT, code, prose
from llm_tco.report.render import render_text

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
PLAN_FIXTURE = ROOT / "tests" / "data" / "report" / "plan_report.json"
UPDATE = os.environ.get("LLM_TCO_UPDATE_GOLDEN") == "1"
HOSTILE = "exec | `sum` <b>x</b> *y* @team"
"""The fixture's fourth workload: a pipe, backticks, HTML, emphasis and a mention in one name."""


def plan_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PLAN_FIXTURE.read_text(encoding="utf-8"))
    return data


def plan_doc(data: dict[str, Any] | None = None) -> PlanReport:
    doc = parse_document(data or plan_data(), "plan")
    assert isinstance(doc, PlanReport)
    return doc


def audit_doc() -> AuditReport:
    plan = plan_data()
    header = {
        k: plan[k] for k in ("schema_version", "tool_version", "price_data_version", "config", "inputs")
    }
    doc = parse_document({**header, **plan["audit"], "kind": "llm-tco.audit"}, "audit")
    assert isinstance(doc, AuditReport)
    return doc


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run once with LLM_TCO_UPDATE_GOLDEN=1, then read it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "fmt", "kind"),
    [
        ("report_plan_table.txt", "table", "plan"),
        ("report_plan.md", "md", "plan"),
        ("report_audit_table.txt", "table", "audit"),
        ("report_audit.md", "md", "audit"),
    ],
)
def test_golden(name: str, fmt: str, kind: str) -> None:
    doc = plan_doc() if kind == "plan" else audit_doc()
    _golden(name, render_text(doc, fmt))  # type: ignore[arg-type]


def test_markdown_shows_names_from_logs_inertly() -> None:
    text = render_text(plan_doc(), "md")
    # a code span one backtick longer than the name's own, its pipe escaped for the table
    assert "``exec \\| `sum` <b>x</b> *y* @team``" in text
    row = next(line for line in text.splitlines() if "<b>x</b>" in line and line.startswith("| ``exec"))
    assert row.replace("\\|", "").count("|") == 8  # seven cells: the name split none of them
    assert "<b>" not in text.replace(code(HOSTILE), "")  # HTML appears nowhere outside the code span


def test_prose_and_code_escaping() -> None:
    assert prose("<img src=x onerror=alert(1)> | *a* [l](u) $x$ @me & `c`") == (
        "&lt;img src=x onerror=alert(1)&gt; \\| \\*a\\* \\[l\\](u) \\$x\\$ \\@me &amp; \\`c\\`"
    )
    assert prose("line\nbreak") == "line\\\\nbreak"  # the newline shown as an escape, then backslashed
    assert code("a|b") == "`a\\|b`"
    assert code("``x") == "``` ``x ```"  # fence longer than the run, padded: starts with a backtick
    assert code("") == "(empty)"


def test_markdown_fits_one_github_comment() -> None:
    """3,000 workloads with long names: the tables are shortened, with a note, to fit 65,536 characters."""
    data = plan_data()
    template = data["workloads"][0]
    data["workloads"] = [{**template, "workload": f"workload-{i:04d}-" + "x" * 60} for i in range(3000)]
    doc = plan_doc(data)
    full_rows = 3000 * (len("| `workload-0000-` |") + 60)
    assert full_rows > GITHUB_COMMENT_LIMIT  # untruncated, the table alone would not fit
    text = render_text(doc, "md")
    assert len(text) <= GITHUB_COMMENT_LIMIT
    shown = sum(1 for line in text.splitlines() if line.startswith("| `workload-"))
    assert 0 < shown < 3000
    assert f"*{3000 - shown:,} more rows not shown here (the JSON report has them all).*" in text
    assert "## Totals" in text  # the totals survive the cut


def _changed(data: dict[str, Any]) -> dict[str, Any]:
    """The fixture after a month: known changes to spend, one decision, one break-even, one workload."""
    new = json.loads(json.dumps(data))
    by_name = {w["workload"]: w for w in new["workloads"]}
    by_name["agent-research"]["current_monthly_cost_usd"] += 100.0
    new["totals"]["current_monthly_cost_usd"] += 100.0
    code_wl = by_name["code-assistant"]
    stay = next(o for o in code_wl["options"] if o["id"] == "stay")
    code_wl["recommendation"] = {**stay, "reasons": ["staying is cheapest now"]}
    support = by_name["support-rag"]
    support["breakeven"]["monthly_tokens"] = support["monthly_tokens"] / 2  # reached at today's volume
    support["breakeven"]["payback_month"] = 4
    new["workloads"] = [w for w in new["workloads"] if w["workload"] != "doc-extraction"]
    return new


def test_compare_says_what_changed() -> None:
    before_data = plan_data()
    before, after = plan_doc(before_data), plan_doc(_changed(before_data))
    agent = next(w for w in before.workloads if w.workload == "agent-research")
    assert agent.current_monthly_cost_usd is not None
    old_agent = float(agent.current_monthly_cost_usd)
    text = render_text(after, "md", previous=before, previous_label="plan-2026-10.json")
    section = text[text.index("## Changes since `plan-2026-10.json`") :]
    old_total = float(before.totals.current_monthly_cost_usd)
    assert (
        f"| today, per month | ${old_total:,.0f} | ${old_total + 100:,.0f} | +$100 "
        f"({100 / old_total:+.1%}) |" in section
    )
    assert f"| `agent-research` | ${old_agent:,.0f} | ${old_agent + 100:,.0f} | +$100 (" in section
    assert (
        "| `code-assistant` | `openai/gpt-oss-120b via novita` | `claude-sonnet-4-5 via anthropic (today)` |"
        in section
    )
    support = next(w for w in before.workloads if w.workload == "support-rag")
    assert support.breakeven is not None and support.breakeven.payback_month is None
    assert "| `support-rag` | not crossed, no payback in the horizon | crossed, payback month 4 |" in section
    assert "Workloads gone: `doc-extraction`." in section
    assert "`exec \\|" not in section  # unchanged workloads are not listed


def test_compare_of_identical_reports_says_nothing_changed() -> None:
    doc = plan_doc()
    text = render_text(doc, "md", previous=doc)
    assert "No workload's spend, decision or break-even changed." in text
    assert "| today, per month |" in text and "| +$0.00 (+0.0%) |" in text


def test_audit_compare_by_workload() -> None:
    before = audit_doc()
    data = before.model_dump(mode="json")
    data["by_workload"][0]["cost_usd"] = str(Decimal(data["by_workload"][0]["cost_usd"]) - Decimal("12.5"))
    after = parse_document(data, "after")
    text = render_text(after, "md", previous=before)
    name = before.by_workload[0].workload
    assert f"| `{name}` |" in text and "| −$12.50 (" in text


def test_csv_is_the_option_table() -> None:
    doc = plan_doc()
    rows = list(csv.DictReader(io.StringIO(render_csv(doc))))
    assert tuple(rows[0]) == PLAN_COLUMNS
    assert len(rows) == sum(len(w.options) for w in doc.workloads)
    recommended = [r for r in rows if r["recommended"] == "true"]
    assert [r["workload"] for r in recommended] == [w.workload for w in doc.workloads]
    first = doc.workloads[0].options[0]
    row = next(r for r in rows if r["workload"] == doc.workloads[0].workload and r["option_id"] == first.id)
    assert first.horizon_cost_usd is not None
    assert float(row["horizon_cost_usd"]) == float(first.horizon_cost_usd)  # every decimal, not cents


def test_csv_defuses_formulas_in_names() -> None:
    data = plan_data()
    data["workloads"][0]["workload"] = '=HYPERLINK("http://x","y")'
    rows = list(csv.reader(io.StringIO(render_csv(plan_doc(data)))))
    assert rows[1][0] == '\'=HYPERLINK("http://x","y")'
    assert all(not cell.startswith("=") for row in rows for cell in row)

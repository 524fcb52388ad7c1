"""Langfuse observations export (FORMATS.md 9): the API envelope as JSON, and the UI's CSV export.

Convention: usageDetails keys are free-form; the adapter never sums all keys into a total. With a
``total`` the reading whose parts add up to it wins; without one, cache keys are parts of ``input``
unless they exceed it.
"""

from __future__ import annotations

from decimal import Decimal

from _formats import DATA, assert_accounting, canonical_rows, ingest, quarantine, tokens

LANGFUSE = DATA / "langfuse"


def test_generations_with_every_usage_reading() -> None:
    con, report = ingest(LANGFUSE / "observations.json")
    assert report.files[0].format == "langfuse"
    # 4 generations; the SPAN and the EVENT are not usage records and are not read.
    assert (report.read, report.accepted) == (4, 4)
    rows = canonical_rows(con)
    documented = rows["id:langfuse:obs-1"]  # FORMATS.md's example: total 1550 = input 1200 + output 350
    assert tokens(documented) == (1200, 800, 0, 0, 350, 120)
    assert documented["reported_cost_usd"] == Decimal("0.0046")  # costDetails.total
    assert (documented["workload"], documented["model_raw"]) == ("support-chat", "gpt-4o")
    disjoint = rows["id:langfuse:obs-2"]
    # total 3570 = input 2140 + cached 1024 + output 96 + reasoning 310: every key disjoint, so
    # input = 2140 + 1024 = 3164 and output = 96 + 310 = 406.
    assert tokens(disjoint) == (3164, 1024, 0, 0, 406, 310)
    assert disjoint["reported_cost_usd"] == Decimal("0.001144")  # no total: 0.000535 + 0.000609
    assert disjoint["workload"] == "gemini-2.5-flash"  # no trace name: the model
    anthropic_style = rows["id:langfuse:obs-3"]
    # No total, cache 9000 + 200 > input 50: only the exclusive reading fits -> 50 + 9000 + 200 = 9250.
    assert tokens(anthropic_style) == (9250, 9000, 200, 0, 100, 0)
    no_total = rows["id:langfuse:obs-4"]
    # No total: input 1200 includes cached 800 (not Langfuse's summed total of 2350).
    assert tokens(no_total) == (1200, 800, 0, 0, 350, 0)


def test_csv_export_columns() -> None:
    con, report = ingest(LANGFUSE / "generations_export.csv")
    assert (report.read, report.accepted) == (2, 2)
    rows = canonical_rows(con)
    assert tokens(rows["id:langfuse:gen-10"]) == (900, 0, 0, 0, 100, 0)
    assert rows["id:langfuse:gen-10"]["reported_cost_usd"] == Decimal("0.000195")
    assert rows["id:langfuse:gen-10"]["workload"] == "support-chat"
    assert tokens(rows["id:langfuse:gen-11"]) == (512, 0, 0, 0, 0, 0)


def test_malformed_observations_are_quarantined_with_reasons() -> None:
    con, report = ingest(LANGFUSE / "malformed" / "bad_observations.jsonl")
    assert_accounting(report)
    reasons = quarantine(con)
    assert reasons[1] == "generation without usage"
    assert reasons[2] == "usageDetails total (999) matches no reading of its parts"
    assert reasons[3] == "non-numeric input_tokens 'many'"
    assert reasons[4] == "missing model"
    assert reasons[5].startswith("malformed JSON line (")

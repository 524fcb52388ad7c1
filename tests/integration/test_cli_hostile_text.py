"""Names from users' files are data: the terminal audit and plan render them literally (golden files).

Workload, model, team and file names carry Rich markup (``[/red]x``, ``[bold]``), ANSI escapes, newlines,
a right-to-left override (U+202E), an emoji code and a 500-character name. The commands run end to end in a
subprocess on a real store with a fixed "now" and a fixed width (stdout is a pipe: 150 columns, no colour),
and their exit code, stdout and stderr are compared with the expected files under ``tests/golden/``.

The expected files were written once with ``LLM_TCO_UPDATE_GOLDEN=1`` and then checked by reading them;
each test also asserts, independently of them, that no raw control character reaches the output and that
every hostile name appears in its escaped form.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("LLM_TCO_UPDATE_GOLDEN") == "1"
SRC = Path(__file__).resolve().parents[2] / "src"

LONG = "long-" + "x" * 495
WORKLOADS = ["[/red]x", "[bold]big", "\x1b[31mred\x1b[0m", "two\nlines", LONG, "cost\u202etxt.exe", ":smile:"]
MODELS = ["[bold]model", "m\x1b[2Jclear"]
TEAMS = ["[/x]team", "t\u202emaet", "tab\there"]
GOOD_FILE = "usage \x1b[1m\u202e.csv"
"""The ingested file's name: an ANSI escape and a right-to-left override (no glob characters)."""
BAD_FILE = "bad[/y]\nname.csv"
"""A rejected file (no usable columns) in a folder ``bad[``: markup and a newline in its path, still one
warning line, still exit 2."""


def _write_inputs(folder: Path) -> None:
    header = ["request_id", "timestamp", "provider", "model", "prompt_tokens", "completion_tokens"]
    rows: list[list[str]] = []
    for i, workload in enumerate(WORKLOADS):
        team = TEAMS[i % len(TEAMS)]
        # distinct sizes: every group has its own cost, so the tables' order is fixed
        tokens = [str(1000 + 300 * i), str(100 + 30 * i)]
        rows.append([f"w{i}", f"2026-09-{1 + i:02d}T10:00:00Z", "openai", "gpt-4o-mini", *tokens])
        rows[-1] += [workload, team]
    for j, model in enumerate(MODELS):
        size = [str(500 + 100 * j), str(50 + 10 * j)]
        rows.append([f"m{j}", "2026-10-02T10:00:00Z", "openai", model, *size, WORKLOADS[j], TEAMS[j]])
    # a timestamp cell holding markup: quarantined, its reason quotes the cell
    rows.append(["q1", "[/x]", "openai", "gpt-4o-mini", "1", "1", "[bold]big", TEAMS[0]])
    with (folder / GOOD_FILE).open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*header, "workload", "team"])
        writer.writerows(rows)
    (folder / BAD_FILE).parent.mkdir()
    (folder / BAD_FILE).write_text("nothing,useful\n1,2\n")


def _run(folder: Path, *args: str) -> str:
    """Run the CLI in ``folder`` and return 'exit: N', stdout and stderr as one text."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FORCE_COLOR", "COLUMNS", "LINES", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "LLM_TCO_DB")
    }
    env.update(
        LLM_TCO_NOW="2026-11-25T12:00:00Z",
        LLM_TCO_PRICES_FILE="/nonexistent/llm-tco-test-prices.json",
        NO_COLOR="1",
        TERM="dumb",
        PYTHONPATH=str(SRC),
        PYTHONIOENCODING="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "llm_tco.cli.main", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        timeout=300,
    )
    out = proc.stdout.decode("utf-8")
    err = proc.stderr.decode("utf-8")
    return f"exit: {proc.returncode}\n--- stdout\n{out}--- stderr\n{err}"


def _check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} missing: run once with LLM_TCO_UPDATE_GOLDEN=1, then read it"
    assert actual == path.read_text(encoding="utf-8")


def _assert_safe(text: str) -> None:
    """No character that a terminal would act on, other than the line breaks Rich itself writes."""
    bad = {c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 or c == "\u202e"}
    assert not bad, f"raw control characters in the output: {sorted(map(hex, map(ord, bad)))}"


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("hostile")
    _write_inputs(folder)
    return {
        "ingest": _run(
            folder, "audit", GOOD_FILE, BAD_FILE, "--db", "s.duckdb", "--workload-from", "workload"
        ),
        "reaudit": _run(folder, "audit", "--db", "s.duckdb"),
        "by_team": _run(folder, "audit", "--db", "s.duckdb", "--by", "team"),
        "plan": _run(folder, "plan", "--db", "s.duckdb"),
    }


@pytest.mark.parametrize("name", ["ingest", "reaudit", "by_team", "plan"])
def test_hostile_names_render_as_the_golden_files(renders: dict[str, str], name: str) -> None:
    _check_golden(f"hostile_{name}.txt", renders[name])


def test_exit_codes_follow_the_contract(renders: dict[str, str]) -> None:
    # the rejected file makes the ingesting audit exit 2 (bad input), never 3; everything else succeeds
    assert renders["ingest"].startswith("exit: 2\n")
    for name in ("reaudit", "by_team", "plan"):
        assert renders[name].startswith("exit: 0\n"), renders[name]
        assert "internal error" not in renders[name]


def test_no_raw_control_character_reaches_the_terminal(renders: dict[str, str]) -> None:
    for text in renders.values():
        _assert_safe(text)


def test_hostile_names_appear_escaped_and_with_their_brackets(renders: dict[str, str]) -> None:
    audit = renders["reaudit"]
    for shown in (
        "[/red]x",
        "[bold]big",
        "\\x1b[31mred\\x1b[0m",
        "two\\nlines",
        "cost\\u202etxt.exe",
        ":smile:",
    ):
        assert shown in audit, shown
    assert "[bold]model" in audit and "m\\x1b[2Jclear" in audit  # spend by model, unpriced usage
    assert "usage \\x1b[1m\\u202e.csv:" in audit  # the quarantined record names its file
    team = renders["by_team"]
    for shown in ("[/x]team", "t\\u202emaet", "tab\\there"):
        assert shown in team, shown
    plan = renders["plan"]
    for shown in ("[/red]x", "two\\nlines", "\\x1b[31mred\\x1b[0m"):
        assert shown in plan, shown


def test_a_rejected_file_is_one_warning_line_naming_it_escaped(renders: dict[str, str]) -> None:
    err = renders["ingest"].split("--- stderr\n", 1)[1]
    warnings = [w for w in err.splitlines() if w.startswith("warning: rejected")]
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: rejected bad[/y]\\nname.csv: ")


def test_the_error_line_stays_one_line_with_a_hostile_file_name(tmp_path: Path, cli: Any) -> None:
    name = tmp_path / "bad\n[" / "x]\x1b[2J.toml"
    name.parent.mkdir()
    name.write_text("x = [")  # not TOML
    result = cli("plan", "--db", ":memory:", "--config", name)
    assert result.code == 2
    assert result.err.count("\n") == 1 and result.err.startswith("llm-tco: error: ")
    assert "bad\\n[/x]\\x1b[2J.toml" in result.err
    _assert_safe(result.err)

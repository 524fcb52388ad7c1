"""How a command's process ends (``llm_tco.cli.main._end_process``): without the interpreter's teardown,
but with everything the teardown would have done for the outside — the buffered output written, the exit
handlers run (a one-shot audit's spill folder removed), the exit code kept; and under a profiler, the
ordinary exit, so that the profiler writes what it gathered.

Real subprocesses through the console script's path (``python -m llm_tco.cli.main``), with the output to
a file, which Python buffers by the block: whatever a writer left in the buffer must still arrive. One
input is a vendor export as users have them, large enough that its hash runs on a thread of its own."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from _formats import vendor_generator
from _subprocess import cli_command, cli_env

from llm_tco.ingest.early_digest import MIN_EARLY_BYTES


def _run(
    args: list[str], tmp: Path, stdout: Path, profile: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``llm-tco ARGS`` with its temporary directory ``tmp`` and its output written to ``stdout``;
    ``profile``: run under ``python -m cProfile``, its statistics written there."""
    profiler = ("-m", "cProfile", "-o", str(profile)) if profile is not None else ()
    with stdout.open("w") as out:
        return subprocess.run(
            cli_command(*args, python_args=profiler),
            env=cli_env(TMPDIR=str(tmp)),
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            check=False,
        )


def _usage(path: Path, workloads: int) -> Path:
    """One request of 1,000 input and 100 output tokens of gpt-4o-mini per workload, each with an id."""
    lines = ["request_id,timestamp,model,prompt_tokens,completion_tokens,workload"]
    lines += [f"r{i},2026-09-01T10:00:00Z,gpt-4o-mini,1000,100,w{i}" for i in range(workloads)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_one_shot_audit_writes_its_whole_document_and_removes_its_spill_folder(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    usage = _usage(tmp_path / "usage.csv", workloads=400)
    out = tmp_path / "audit.json"
    done = _run(["audit", str(usage), "--db", ":memory:", "--workload-from", "workload", "--json"], tmp, out)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert out.stat().st_size > 64 * 1024  # many buffers' worth
    document = json.loads(out.read_text())
    # 400 requests × (1,000 × $0.15 + 100 × $0.60) per million tokens = $0.084
    assert document["totals"]["cost_usd"] == pytest.approx(0.084, abs=1e-9)
    assert document["totals"]["requests"] == 400
    # a one-shot store spills under TMPDIR in a folder of its own, removed by an exit handler
    assert not [p.name for p in tmp.iterdir() if p.name.startswith("llm-tco-spill-")]


def test_a_large_vendor_export_ends_with_the_same_document_as_in_process(tmp_path: Path, cli: Any) -> None:
    # an export as users have them (request ids, nested metadata, repeats, broken records), large enough
    # that its hash starts on a thread of its own while the command's modules import
    export = vendor_generator().generate(
        "litellm-json", tmp_path / "spend.jsonl", 26_000, duplicates=0.02, bad=0.01, seed=3
    )
    assert export.stat().st_size >= MIN_EARLY_BYTES
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "audit.json"
    done = _run(["audit", str(export), "--db", ":memory:", "--json"], tmp, out)
    assert done.returncode == 0, done.stderr
    ended = json.loads(out.read_text())
    in_process = cli("audit", export, "--db", ":memory:", "--json").json()
    assert ended["rows"]["duplicates"] > 0 and ended["rows"]["quarantined"] > 0  # the shape asked for
    for key in ("rows", "totals", "quarantine"):
        assert ended[key] == in_process[key], key
    # the file's fingerprint (hashed on the early thread) too; only the time of the ingest differs
    fingerprints = [[(f["path"], f["fingerprint"]) for f in d["inputs"]] for d in (ended, in_process)]
    assert fingerprints[0] == fingerprints[1]
    assert not [p.name for p in tmp.iterdir() if p.name.startswith("llm-tco-spill-")]


def test_a_refused_input_keeps_exit_code_2_and_its_one_line(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    missing = tmp_path / "nowhere.csv"
    done = _run(["audit", str(missing), "--db", ":memory:"], tmp, tmp_path / "out.txt")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "nowhere.csv" in done.stderr


def test_a_profiler_watching_the_command_still_gets_to_write_its_results(tmp_path: Path) -> None:
    # a profiler writes what it gathered after the command's main returns: the process must not end first
    stats = tmp_path / "audit.prof"
    usage = _usage(tmp_path / "usage.csv", workloads=3)
    out = tmp_path / "audit.json"
    done = _run(["audit", str(usage), "--db", ":memory:", "--json"], tmp_path, out, profile=stats)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["totals"]["requests"] == 3
    assert stats.stat().st_size > 0

"""A reader that closes the pipe early, and Ctrl-C: real subprocesses, real pipes, a real SIGINT.

- ``llm-tco audit --json | head -1`` and ``llm-tco plan | head -1``: the output is larger than a pipe's
  buffer (64 KiB), so the command is still writing when the reader goes away; it must end quietly with
  exit 0 (not 1, the code of a tripped policy, and no traceback).
- Ctrl-C in the middle of a large ingest: one line ``llm-tco: interrupted`` on stderr, exit 130, and the
  store opens and audits afterwards; ingesting the file again then gives exactly the clean totals.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from _subprocess import cli_command, cli_env

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes and signals")


def _generate_csv(path: Path, rows: int, workloads: int, prefix: str = "r") -> None:
    """``rows`` requests (ids ``PREFIX0``, ``PREFIX1``…) of 1,000 input and 100 output tokens, one a second
    from 1 August 2026, spread round-robin over ``workloads`` workloads."""
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT '{prefix}' || i AS request_id,
                         TIMESTAMP '2026-08-01' + i * INTERVAL 1 SECOND AS timestamp,
                         'gpt-4o-mini' AS model, 1000 AS prompt_tokens, 100 AS completion_tokens,
                         'workload-' || (i % {workloads}) AS workload
                  FROM range({rows}) t(i)) TO '{path}' (HEADER)"""
    )
    con.close()


def _holds_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has ``path`` open (Linux: its file descriptors in /proc)."""
    fds = Path(f"/proc/{pid}/fd")
    try:
        return any(fd.readlink() == path for fd in fds.iterdir())
    except OSError:  # the process ended, or a descriptor closed while listing
        return False


def _first_line_then_close(args: list[str]) -> tuple[int, bytes, str]:
    """Start the command, read one line of its stdout, close the pipe, and wait for it to end."""
    proc = subprocess.Popen(args, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(timeout=300), first, err


def _store(folder: Path, workloads: int) -> Path:
    _generate_csv(folder / "usage.csv", rows=20 * workloads, workloads=workloads)
    db = folder / "s.duckdb"
    usage = str(folder / "usage.csv")
    args = cli_command("audit", usage, "--db", str(db), "--workload-from", "workload", "--json")
    done = subprocess.run(args, env=cli_env(), capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return db


@pytest.fixture(scope="module")
def many_workloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of 500 workloads: its audit JSON (about 160 kB) outgrows a pipe's buffer."""
    return _store(tmp_path_factory.mktemp("pipe-json"), 500)


@pytest.fixture(scope="module")
def some_workloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of 60 workloads: its plan (about 100 kB of tables) outgrows a pipe's buffer."""
    return _store(tmp_path_factory.mktemp("pipe-plan"), 60)


def test_audit_json_into_a_closed_pipe_ends_quietly_with_exit_0(many_workloads: Path) -> None:
    args = cli_command("audit", "--db", str(many_workloads), "--json")
    full = subprocess.run(args, env=cli_env(), capture_output=True)
    assert len(full.stdout) > 64 * 1024  # larger than the pipe: the writer meets the closed end
    code, first, err = _first_line_then_close(args)
    assert first == b"{\n"
    assert code == 0
    assert err == ""


def test_plan_tables_into_a_closed_pipe_end_quietly_with_exit_0(some_workloads: Path) -> None:
    plan = cli_command("plan", "--db", str(some_workloads))
    full = subprocess.run(plan, env=cli_env(), capture_output=True)
    assert len(full.stdout) > 64 * 1024
    code, first, err = _first_line_then_close(plan)
    assert first.startswith(b"Plan from ")
    assert code == 0
    assert "Traceback" not in err and "error" not in err
    assert err == ""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see the ingest begin")
def test_ctrl_c_during_an_ingest_says_interrupted_exits_130_and_leaves_the_store_usable(
    tmp_path: Path,
) -> None:
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    _generate_csv(small, rows=100, workloads=2, prefix="small-")
    rows = 1_500_000
    _generate_csv(big, rows=rows, workloads=5)
    db = tmp_path / "s.duckdb"
    first = subprocess.run(
        cli_command("audit", str(small), "--db", str(db), "--json"), env=cli_env(), capture_output=True
    )
    assert first.returncode == 0, first.stderr
    before = json.loads(first.stdout)["totals"]["requests"]
    assert before == 100

    proc = subprocess.Popen(
        cli_command("audit", str(big), "--db", str(db), "--json"),
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # the ingest has begun once the process holds the file open; then let it run a little longer
    deadline = time.monotonic() + 120
    while not _holds_open(proc.pid, big) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    assert proc.poll() is None, "the ingest ended before it could be interrupted: make the file larger"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)

    assert proc.returncode == 130
    assert err.decode() == "llm-tco: interrupted\n"
    assert out == b""

    # the store opens and audits; what the interrupted run left is at most whole committed steps, and
    # ingesting the file again completes it to exactly the clean totals (100 + 1,500,000 requests)
    audit = cli_command("audit", "--db", str(db), "--json")
    after = subprocess.run(audit, env=cli_env(), capture_output=True)
    assert after.returncode == 0, after.stderr
    assert 100 <= json.loads(after.stdout)["totals"]["requests"] <= 100 + rows
    again = subprocess.run(
        cli_command("audit", str(big), "--db", str(db), "--json"), env=cli_env(), capture_output=True
    )
    assert again.returncode == 0, again.stderr
    totals = json.loads(again.stdout)["totals"]
    assert totals["requests"] == 100 + rows
    assert totals["input_tokens"] == (100 + rows) * 1000
    assert totals["output_tokens"] == (100 + rows) * 100

"""Process-wide settings of the command: one OpenBLAS thread unless the user chose a number, and the cyclic
garbage collector paused around ``plan``'s work (and restored after it)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

from llm_tco.cli.common import collector_paused

_PROBE = (
    "import os, sys; import llm_tco.cli; "
    "print(os.environ.get('OPENBLAS_NUM_THREADS'), 'numpy' in sys.modules)"
)


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("4", "4")])
def test_openblas_threads_default_to_one_before_numpy_loads(given: str | None, expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    # OpenBLAS reads the variable when it loads (with NumPy): the package that every command module
    # lives in sets it before any of them can import NumPy
    assert out == [expected, "False"]


@pytest.mark.parametrize("enabled_before", [True, False])
def test_collector_paused_restores_the_collector_as_it_was(enabled_before: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled_before else gc.disable)()
        with pytest.raises(RuntimeError), collector_paused():
            assert not gc.isenabled()
            raise RuntimeError("the block fails")
        assert gc.isenabled() is enabled_before
    finally:
        (gc.enable if was else gc.disable)()

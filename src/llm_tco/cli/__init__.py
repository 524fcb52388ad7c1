"""The ``llm-tco`` command line (``llm_tco.cli.main``).

Before NumPy is first imported, the command asks OpenBLAS for one thread unless ``OPENBLAS_NUM_THREADS`` is
already set (set it to use more). The plan's matrix products are small — a workload's options × 36 months ×
10,000 draws — so a pool of BLAS threads spends more time waking and spinning than multiplying: on a
2-core machine, ``plan``'s Monte Carlo took three times the CPU and twice the wall time with the default
pool (benchmarks/README.md, plan speed). The results are the same bits either way (OpenBLAS divides a
product's rows and columns among threads, not its sums; the plan's JSON was compared byte for byte).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

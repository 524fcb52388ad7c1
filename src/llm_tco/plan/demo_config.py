"""The assumptions the demo plans with (``llm-tco demo``, ``llm-tco init --demo``).

The demo's five workloads (``llm_tco.demo.generate``) get requirements chosen to show the three outcomes:

- ``exec-summaries`` (low volume, frontier model) needs near-frontier quality (floor 0.97): no open model
  qualifies and its volume cannot pay back a migration — it **stays on its closed API**;
- ``doc-extraction`` (high-volume, cheap model) already runs on a $0.15/$0.60 model: the saving of moving
  cannot repay the migration — it **stays closed** too;
- ``support-rag`` and ``code-assistant`` have open models within 10% (5% for code) of their quality at a
  fraction of the price — they **move to a hosted open-weight model**;
- ``agent-research`` handles confidential research and is **air-gapped**: no API and no cloud GPU is
  allowed, so it **must self-host** on owned hardware, whatever it costs.
"""

from __future__ import annotations

import tomllib

from llm_tco.config.load import parse_config
from llm_tco.config.model import Config

__all__ = ["DEMO_CONFIG_TOML", "demo_config"]

DEMO_CONFIG_TOML = """\
# llm-tco.toml for the demo data (`llm-tco demo`). Unlisted keys take the documented defaults; run
# `llm-tco init` for the full commented file.

[planning]
horizon_months = 36
region = "eu"            # our own data centre, for owned hardware

[growth]
max_fitted_monthly_rate = 0.10   # do not extrapolate a three-month trend beyond +10%/month

[migration]
hours_per_prompt = 4.0   # the demo's prompts are short and already have regression tests
evaluation_hours = 24.0

[workloads.exec-summaries]
# Board-level summaries: only a frontier-class model will do.
quality_floor = 0.97
criticality = "high"

[workloads.doc-extraction]
# High-volume classification and field extraction.
quality_floor = 0.9
sovereignty = "any"

[workloads.support-rag]
# Customer-support answers over the help centre.
quality_floor = 0.9
ttft_p99_ms = 1500.0
prompts_to_port = 3

[workloads.code-assistant]
# In-IDE assistant.
quality_floor = 0.95

[workloads.agent-research]
# Confidential research agent: runs inside the air-gapped enclave.
sovereignty = "air-gapped"
criticality = "standard"
ttft_p99_ms = 10000.0
tpot_p99_ms = 150.0
"""


def demo_config() -> Config:
    """The demo's configuration (validated like any user file)."""
    return parse_config(tomllib.loads(DEMO_CONFIG_TOML), "demo llm-tco.toml")

"""The plan as a portfolio: one shared self-hosting platform, pooled replicas, and the cheapest assignment
of every workload to one option, found by a mixed-integer programme (``llm_tco.plan.portfolio.build``).

This package's ``__init__`` imports nothing, so that ``llm_tco.plan.doc`` can import its document models
without a cycle.
"""

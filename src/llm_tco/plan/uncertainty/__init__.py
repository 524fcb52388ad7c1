"""The plan under uncertainty: Monte Carlo ranges of every option's cost, and one-at-a-time sensitivity.

Modules: ``distributions`` (sampling), ``defaults`` (the distributions in force and their sources),
``costs`` (each option's cost lines), ``scenarios`` (vectorised evaluation, ``option_npv_draws``),
``ranges`` (percentiles into the plan document), ``sensitivity`` (tornado and break-even surface).
The package imports nothing here, so that the plan document's models can import its ``document`` module.
"""

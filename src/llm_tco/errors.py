"""The one error hierarchy of llm-tco.

Every failure the user can cause or fix is an ``LlmTcoError``; the CLI translates it, in one place
(``llm_tco.cli.main``), into a one-line message on stderr and an exit code. Anything else that escapes
is a bug and exits 3.

::

    LlmTcoError                       exit 2 unless stated otherwise
    ├── UsageError                    bad command-line usage (conflicting or missing options)
    ├── ConfigError                   llm-tco.toml or another config file is invalid (names the key path)
    ├── InputFileError                a whole input file cannot be read as usage data (names the file)
    │   └── UnknownFormatError        no adapter recognises the file's content
    ├── DataFileError                 a bundled or user data file fails validation (names file and field)
    ├── LookupFailedError             a single look-up (model, GPU, provider) found nothing; "did you mean"
    ├── DoesNotFitError               a model does not fit the GPUs (names the smallest config that fits)
    ├── StoreError                    the store cannot be opened or written (disk full), is damaged,
    │                                 is not a local DuckDB file, or is from a newer llm-tco
    └── PolicyTrippedError            a ``--fail-on`` policy tripped (exit 1)

Batch work never raises for a bad record: records are quarantined with a reason and counted instead.
Two ends of a run are not errors: Ctrl-C (one line ``interrupted``, exit 130; ``llm_tco.cli.interrupt``)
and a reader that closes stdout early (exit 0).
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataFileError",
    "DoesNotFitError",
    "InputFileError",
    "LlmTcoError",
    "LookupFailedError",
    "PolicyTrippedError",
    "SparkJobError",
    "StoreError",
    "UnknownFormatError",
    "UsageError",
]


class LlmTcoError(Exception):
    """Base class: a failure with a message fit to show the user as it is."""

    exit_code: int = 2


class UsageError(LlmTcoError):
    """The command line is inconsistent (e.g. two options that exclude each other)."""


class ConfigError(LlmTcoError):
    """A configuration file is invalid; the message names the file and the key path."""


class InputFileError(LlmTcoError):
    """A whole input file is not usable as usage data; the message names the file and the problem."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class UnknownFormatError(InputFileError):
    """No adapter recognises the file's content."""


class DataFileError(LlmTcoError):
    """A catalog or data file (bundled or user-supplied) fails validation."""


class LookupFailedError(LlmTcoError):
    """A single look-up (model, GPU, provider, ...) found nothing; the message carries suggestions."""

    def __init__(self, kind: str, name: str, suggestions: list[str] | None = None) -> None:
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")
        self.kind = kind
        self.name = name
        self.suggestions = suggestions or []


class DoesNotFitError(LlmTcoError):
    """The model's weights and minimum KV cache do not fit the chosen GPUs."""


class StoreError(LlmTcoError):
    """The DuckDB store cannot be opened or written, is damaged or not a local DuckDB file, or was
    written by a newer llm-tco."""


class PolicyTrippedError(LlmTcoError):
    """A ``--fail-on`` policy tripped; the analysis itself ran and was printed."""

    exit_code = 1


class SparkJobError(LlmTcoError):
    """The Spark job an audit ran failed in Spark (out of memory, a result past the driver's limit, a
    lost executor): not bad input, and not llm-tco's own fault — the session needs other settings."""

    exit_code = 3

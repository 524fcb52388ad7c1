"""llm-tco: audit LLM token spend and plan closed API vs open-weight API vs self-hosted, with full TCO.

The library works without the CLI; the CLI (``llm_tco.cli``) only parses, calls the library and renders.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("llm-tco")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]

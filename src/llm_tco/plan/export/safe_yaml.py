"""YAML out for the exports: PyYAML's safe dumper (plain data only: no Python tags, whatever a name from
a log holds), without anchors and aliases (``&id001``/``*id001``), which some consumers reject and no
reader of a manifest expects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

__all__ = ["dump_yaml"]


class _PlainSafeDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(documents: Iterable[Any]) -> str:
    """The documents as one YAML stream (``---`` between them), keys in the order given."""
    return yaml.dump_all(
        list(documents), Dumper=_PlainSafeDumper, sort_keys=False, allow_unicode=False, width=110
    )

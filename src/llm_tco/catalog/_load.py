"""Shared loading of catalog data files: YAML/JSON → strict pydantic models, and name look-ups.

Every catalog (GPUs, open models, and later ones such as quality scores or hosted prices) goes through
``load_bundled`` / ``load_file``: the document is parsed, validated by a pydantic model whose config forbids
unknown keys, and any failure becomes one ``DataFileError`` naming the file and the field path. Bundled files
are read once per process (``functools.cache``).

``AliasIndex`` resolves user spellings to catalog ids case- and punctuation-insensitively and fails with
"did you mean" suggestions (``difflib``).
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from llm_tco.errors import DataFileError, LookupFailedError

__all__ = [
    "AliasIndex",
    "StrictModel",
    "load_bundled",
    "load_file",
    "normalise_name",
    "parse_document",
]

ModelT = TypeVar("ModelT", bound=BaseModel)


class StrictModel(BaseModel):
    """Base for catalog entries: unknown keys are errors, values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _format_validation_error(label: str, exc: ValidationError) -> str:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "(document)"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{label}: field {location}: {first['msg']}{more}"


def parse_document(label: str, text: str, schema: type[ModelT]) -> ModelT:
    """Parse YAML (a superset of JSON) ``text`` and validate it; ``label`` names the file in errors."""
    try:
        raw: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataFileError(f"{label}: not valid YAML/JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise DataFileError(f"{label}: expected a mapping at the top level")
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        raise DataFileError(_format_validation_error(label, exc)) from exc


@functools.cache
def _bundled_text(filename: str) -> str:
    resource = resources.files("llm_tco.data").joinpath(filename)
    try:
        return resource.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataFileError(f"bundled data file {filename} is missing from the installation") from exc


@functools.cache
def _load_bundled_cached(filename: str, schema: type[BaseModel]) -> BaseModel:
    return parse_document(f"llm_tco/data/{filename}", _bundled_text(filename), schema)


def load_bundled(filename: str, schema: type[ModelT]) -> ModelT:
    """Load and validate a data file shipped in ``llm_tco/data`` (cached per process)."""
    document = _load_bundled_cached(filename, schema)
    assert isinstance(document, schema)
    return document


def load_file(path: Path, schema: type[ModelT]) -> ModelT:
    """Load and validate a user-supplied YAML or JSON file (not cached)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if path.suffix.lower() == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataFileError(f"{path}: not valid JSON: line {exc.lineno}: {exc.msg}") from exc
    return parse_document(str(path), text, schema)


_SEPARATORS = re.compile(r"[\s_]+")


def normalise_name(name: str) -> str:
    """Case- and separator-insensitive key: ``'H100 SXM'`` → ``'h100-sxm'``."""
    return _SEPARATORS.sub("-", name.strip().lower())


class AliasIndex:
    """Maps every accepted spelling of an entry to its id; unknown names fail with suggestions."""

    def __init__(self, kind: str, entries: Iterable[tuple[str, Iterable[str]]]) -> None:
        self.kind = kind
        self._ids: list[str] = []
        self._keys: dict[str, str] = {}
        for entry_id, names in entries:
            self._ids.append(entry_id)
            for name in (entry_id, *names):
                key = normalise_name(name)
                previous = self._keys.setdefault(key, entry_id)
                if previous != entry_id:
                    raise DataFileError(f"{kind} alias {name!r} names both {previous!r} and {entry_id!r}")

    @property
    def ids(self) -> list[str]:
        """Catalog ids in file order."""
        return list(self._ids)

    def keys(self) -> Mapping[str, str]:
        """Every accepted normalised spelling and the id it resolves to."""
        return dict(self._keys)

    def get(self, name: str) -> str | None:
        """The id ``name`` resolves to, or None."""
        return self._keys.get(normalise_name(name))

    def resolve(self, name: str, *candidates: str) -> str:
        """The id for ``name`` (or the first of ``candidates`` that resolves); else ``LookupFailedError``
        with up to three close spellings."""
        for attempt in (name, *candidates):
            found = self.get(attempt)
            if found is not None:
                return found
        close = difflib.get_close_matches(normalise_name(name), list(self._keys), n=3, cutoff=0.5)
        suggestions = list(dict.fromkeys(self._keys[key] for key in close))
        raise LookupFailedError(self.kind, name, suggestions or None)

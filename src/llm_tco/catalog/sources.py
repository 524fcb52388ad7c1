"""The published sources behind the defaults and catalogs (``llm_tco/data/sources.yaml``).

Every figure llm-tco ships names where it comes from. A ``source`` text either cites entries of the sources
file by id — ``"id: what was read there"`` or ``"id-a + id-b: …"`` — or says plainly that no publication
backs it: an llm-tco assumption, rule, default or judgement (``"llm-tco …"``), a value the user sets
(``"none…"``) or another setting it follows (``"[section].key"``). The sources file ships inside the package,
so a user in an air-gapped site can read every citation without the llm-tco repository.
"""

from __future__ import annotations

import functools
import re
from datetime import date

from pydantic import Field

from llm_tco.catalog._load import StrictModel, load_bundled

__all__ = [
    "Source",
    "SourcesFile",
    "citation_problem",
    "cited_ids",
    "cited_text",
    "load_sources",
]

_ID = r"[a-z0-9][a-z0-9.-]*"
_CITATION = re.compile(rf"^({_ID}(?: \+ {_ID})*): \S")
"""``id: text`` or ``id + id: text`` at the start of a source text."""

UNCITED_PREFIXES = ("llm-tco ", "none", "[")
"""Source texts that cite no publication on purpose: llm-tco's own assumption, rule, default or judgement;
``none`` (a value the user supplies, or no figure was found); ``[section].key`` (follows another setting)."""


class Source(StrictModel):
    """One publication (or, where ``url`` is null, a body of material with no single address)."""

    id: str = Field(pattern=rf"^{_ID}$")
    title: str
    publisher: str
    url: str | None
    published: date | None
    """The source's own date; null when it gives none."""
    as_of: date
    """When llm-tco read it."""
    says: str = Field(min_length=1)
    """What it says that llm-tco uses."""


class SourcesFile(StrictModel):
    schema_version: int
    sources: list[Source]


@functools.cache
def load_sources() -> dict[str, Source]:
    """The bundled sources by id (read once per process)."""
    document = load_bundled("sources.yaml", SourcesFile)
    return {source.id: source for source in document.sources}


def cited_ids(text: str) -> list[str]:
    """The source ids ``text`` cites (empty when it cites none)."""
    if text.startswith(UNCITED_PREFIXES):
        return []
    match = _CITATION.match(text)
    return match.group(1).split(" + ") if match else []


def citation_problem(text: str) -> str | None:
    """Why ``text`` is not a valid source text, or None when it is: it must cite known ids, or say that it
    is llm-tco's own or the user's value."""
    ids = cited_ids(text)
    if not ids:
        if text.startswith(UNCITED_PREFIXES):
            return None
        return f"cites no source id and is not marked as an llm-tco assumption or 'none': {text[:80]!r}"
    known = load_sources()
    missing = [source_id for source_id in ids if source_id not in known]
    return f"cites unknown source id(s) {', '.join(missing)}" if missing else None


def cited_text(text: str) -> str:
    """``text`` with the source ids it cites spelt out for a reader (title, publisher, date and address),
    so that a report names its sources without the reader looking them up."""
    ids = cited_ids(text)
    known = load_sources()
    if not ids or any(source_id not in known for source_id in ids):
        return text
    says = text.split(": ", 1)[1]
    named = []
    for source_id in ids:
        source = known[source_id]
        when = source.published.isoformat() if source.published else "undated"
        where = f", {source.url}" if source.url else ""
        named.append(f"{source.title} ({source.publisher}, {when}{where})")
    return f"{'; '.join(named)}: {says}"

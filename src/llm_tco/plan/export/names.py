"""Names derived from workload and pool names for files other programs read: LiteLLM aliases and
Kubernetes object names.

Workload names come from logs and are untrusted: they may hold any character, be empty after cleaning,
or differ only in case or punctuation. Every name written out is a DNS-1123 label (at most 63 lower-case
letters, digits and ``-``, starting and ending with a letter or digit), which Kubernetes requires of
object names and which is a safe LiteLLM alias. A name already valid is kept as it is; any other is
cleaned and given a suffix of its own SHA-256, so that the name depends only on the original (stable
from one plan to the next, whatever other workloads appear) and two originals that clean to the same
label stay apart.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["DNS_LABEL_MAX", "dns_label", "is_dns_label"]

DNS_LABEL_MAX = 63
"""Characters in a DNS-1123 label at most (RFC 1123; Kubernetes object and Service names)."""

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")
_SUFFIX_HEX = 8
"""Hex digits of the SHA-256 suffix: 32 bits, so two of a few thousand names collide with odds of
about one in a thousand million."""


def is_dns_label(name: str) -> bool:
    """Whether ``name`` is a valid DNS-1123 label."""
    return bool(_LABEL.match(name))


def dns_label(name: str, *, prefix: str = "") -> str:
    """``prefix + name`` as a DNS-1123 label: itself when valid, else cleaned (runs of other characters
    become one ``-``, letters lower-cased) and suffixed with ``-`` and 8 hex digits of the SHA-256 of
    the original, cut so the whole fits in 63 characters. ``prefix`` (itself a valid label start, e.g.
    ``llm-``) makes a name that must begin with a letter (a Kubernetes Service) do so."""
    whole = prefix + name
    if is_dns_label(whole):
        return whole
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:_SUFFIX_HEX]
    cleaned = _NOT_ALLOWED.sub("-", whole.lower()).strip("-")
    room = DNS_LABEL_MAX - _SUFFIX_HEX - 1
    cleaned = cleaned[:room].rstrip("-")
    return f"{cleaned}-{digest}" if cleaned else digest

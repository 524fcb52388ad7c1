"""Escaping and formatting for the HTML report: every piece of text that reaches the page goes through here.

Names in the documents (workloads, models, files, quarantine reasons) come from users' logs and configs: they
are untrusted text. ``esc`` makes them inert in element content and attribute values; ``json_for_script``
makes a JSON document safe inside ``<script>`` (no ``</script>``, comment or entity can end or change it);
``chart_text`` escapes a name for Plotly, which reads a few HTML-like tags (``<b>``, ``<br>``, ``<a>``) in
labels and decodes entities only after it has split the tags off, so an escaped name shows as typed.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

__all__ = [
    "CHART_NAME_CHARS",
    "chart_text",
    "esc",
    "json_for_script",
    "pct",
    "table",
    "tokens",
    "usd",
    "usd_short",
]

CHART_NAME_CHARS = 48
"""Longest name a chart shows (legend entries and axis labels); the tables show names in full."""

_SCRIPT_SAFE = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",  # line and paragraph separators: valid in JSON, line breaks in older JS parsers
    0x2029: "\\u2029",
}


def esc(value: object) -> str:
    """Text as HTML element content or a quoted attribute value: ``& < > " '`` become entities."""
    return html.escape(str(value), quote=True)


def json_for_script(document: Any) -> str:
    """``document`` as JSON to embed in a ``<script>`` element: ``<``, ``>`` and ``&`` are written as
    ``\\u003c``, ``\\u003e`` and ``\\u0026`` (the parsed value is unchanged; no tag can close the element)."""
    text = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.translate(_SCRIPT_SAFE)


def chart_text(value: object, limit: int = CHART_NAME_CHARS) -> str:
    """A name as Plotly shows it literally: control characters written as escapes (``\\n``, ``\\x1b``),
    shortened to ``limit`` characters, and ``& < >`` as entities (Plotly decodes them back for display,
    after it has looked for its own tags)."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=False)


def usd(value: Decimal | float | None, *, lower_bound: bool = False) -> str:
    """Whole dollars (cents under $100); ``unpriced`` for None; ``≥`` when it prices only part."""
    if value is None:
        return "unpriced"
    amount = float(value)
    text = f"${amount:,.0f}" if abs(amount) >= 100 else f"${amount:,.2f}"
    if text.startswith("$-"):
        text = "−$" + text[2:]
    return ("≥ " if lower_bound else "") + text


def usd_short(value: Decimal | float) -> str:
    """An amount for a sentence: $1.3M, $84k, $950."""
    amount = float(value)
    sign = "−" if amount < 0 else ""
    amount = abs(amount)
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if amount >= size:
            return f"{sign}${amount / size:,.1f}".removesuffix(".0") + unit
    return f"{sign}${amount:,.0f}"


def tokens(value: float | None) -> str:
    if value is None:
        return "—"
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:,.1f}{unit}"
    return f"{value:,.0f}"


def pct(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def table(
    headers: Iterable[str], rows: Iterable[Iterable[str]], *, numeric: Iterable[int] = (), caption: str = ""
) -> str:
    """A table of already-escaped cells (``numeric``: column indexes aligned right)."""
    right = set(numeric)
    head = "".join(
        f'<th{" class=num" if i in right else ""} scope="col">{h}</th>' for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=num' if i in right else ''}>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    cap = f"<caption>{caption}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

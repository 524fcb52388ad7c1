"""Markdown building blocks for the pull-request summary: escaped text, tables, and a size budget.

Names from logs (workloads, models, files) are untrusted: rendered on GitHub, a ``|`` would split a table
cell, a backtick open a code span, ``<img …>`` become HTML, ``*``/``_``/``[`` restyle or link the text
around them. Names are therefore shown as code spans (:func:`code`), in which Markdown interprets nothing
but the table's ``|`` (escaped); free text that embeds names (reasons, notes) is escaped character by
character (:func:`prose`). Control characters are made visible first (``report.text.literal``), so a
name never breaks a line or a table row.

GitHub refuses a comment longer than 65,536 characters: :func:`fit` renders the blocks with every
table shortened, step by step, until the whole fits, and says so under each shortened table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from llm_tco.report.text import literal

__all__ = ["GITHUB_COMMENT_LIMIT", "Block", "Table", "code", "fit", "prose"]

GITHUB_COMMENT_LIMIT = 65_536
"""Characters GitHub accepts in one issue or pull-request comment."""

_PROSE_SPECIAL = re.compile(r"([\\`*_\[\]|~#!$@])")
"""Characters that format, link, mention or split a table cell (``$`` opens GitHub's inline math); line-
start markers (``-``, ``1.``) need no escape, as escaped text never starts a line here."""
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def prose(value: object) -> str:
    """Untrusted text as inert Markdown: HTML characters as entities, Markdown punctuation backslashed."""
    text = _PROSE_SPECIAL.sub(r"\\\1", literal(value))
    return "".join(_HTML.get(c, c) for c in text)


def code(value: object) -> str:
    """An untrusted name as a code span: shown exactly, nothing in it interpreted.

    The fence is one backtick longer than the longest run inside the name; a space pads a name that
    starts or ends with a backtick or a space (CommonMark strips one from each side). ``|`` is escaped
    because GitHub splits table cells before it parses code spans."""
    text = literal(value).replace("|", "\\|")
    if not text:
        return "(empty)"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


@dataclass(frozen=True)
class Table:
    """A Markdown table whose cells are already escaped; ``right`` marks right-aligned columns."""

    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    right: frozenset[int] = frozenset()

    def render(self, max_rows: int | None) -> str:
        align = ["---:" if i in self.right else "---" for i in range(len(self.headers))]
        lines = [_row(self.headers), _row(align)]
        shown = self.rows if max_rows is None else self.rows[:max_rows]
        lines.extend(_row(r) for r in shown)
        hidden = len(self.rows) - len(shown)
        if hidden:
            lines.append("")
            lines.append(f"*{hidden:,} more rows not shown here (the JSON report has them all).*")
        return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


Block = str | Table

_ROW_CAPS = (None, 200, 100, 50, 20, 10, 5, 3, 1)
_CUT_NOTE = "\n\n*The summary was cut here to fit in one GitHub comment; the JSON report has it all.*\n"


def fit(blocks: Sequence[Block], limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The blocks as one Markdown text of at most ``limit`` characters: tables shortened until it fits,
    and as a last resort (text alone too long) the text cut at a line break, with a note saying so."""
    text = ""
    for cap in _ROW_CAPS:
        text = "\n\n".join(b if isinstance(b, str) else b.render(cap) for b in blocks) + "\n"
        if len(text) <= limit:
            return text
    room = limit - len(_CUT_NOTE)
    cut = text.rfind("\n", 0, room)
    return text[: cut if cut > 0 else room] + _CUT_NOTE

"""Untrusted text shown as data: names, paths and values from logs, configs and the command line.

A workload name, a model name, a file name or a quarantine reason that quotes a cell is data, never
instructions to the terminal. Two things could otherwise turn data into instructions:

- Rich markup: ``[/red]x`` in a string given to Rich is parsed as a closing tag (and raises when nothing
  is open), ``[bold]`` restyles the rest of the line, ``:smile:`` becomes an emoji. Everything this
  package prints is therefore built as ``rich.text.Text`` (never parsed) with :func:`line` and
  :func:`cell`, and the CLI's consoles have markup and emoji codes switched off as well.
- Control characters: an ANSI escape (``\\x1b[31m``) recolours or clears the screen, a newline splits a
  one-line reason in two, a right-to-left override (U+202E) reverses what follows. :func:`literal`
  shows each of them as a visible escape instead (``\\x1b``, ``\\n``, ``\\u202e``).

Backslashes themselves are left as they are, so that Windows paths read naturally; the escapes only
need to make the hidden characters visible, not to be reversible.
"""

from __future__ import annotations

import unicodedata

from rich.text import Text

__all__ = ["cell", "line", "literal"]

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

_INVISIBLE = frozenset(
    "\u061c"  # Arabic letter mark
    "\u200b\u200e\u200f"  # zero-width space, left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # bidi isolates
    "\ufeff"  # zero-width no-break space (byte-order mark)
)
"""Format characters that change how the text around them is shown (bidi controls) or hide in it."""

_ESCAPED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
"""Control characters (C0, DEL, C1), lone surrogates (undecodable bytes of a file name, which a UTF-8
terminal could not print at all), and the Unicode line and paragraph separators."""


def _escape(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def literal(value: object) -> str:
    """``value`` as a string with every control, separator and bidi character shown as an escape.

    The result is safe to print on one line of a terminal: it holds no character that moves the cursor,
    changes colours, breaks the line or reorders the text after it.
    """
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():
        return text  # the common case (every escaped character is non-printable), without a loop
    return "".join(
        _escape(c) if c in _INVISIBLE or unicodedata.category(c) in _ESCAPED_CATEGORIES else c for c in text
    )


def cell(value: object, style: str = "") -> Text:
    """One table cell (or title) holding ``value`` literally: never parsed as markup, controls escaped."""
    return Text(literal(value), style=style)


def line(*parts: object | tuple[object, str]) -> Text:
    """A line assembled from parts, each shown literally; a ``(value, style)`` pair styles its part.

    The styles are the only formatting, and they come from the code, never from the data.
    """
    result = Text()
    for part in parts:
        if isinstance(part, tuple):
            value, style = part
            result.append(literal(value), style=style)
        else:
            result.append(literal(part))
    return result

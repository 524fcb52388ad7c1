"""``report.text``: untrusted text made visible and inert (escapes written out by hand here)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from llm_tco.report.text import cell, line, literal


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain name", "plain name"),
        ("[/red]x [bold]y", "[/red]x [bold]y"),  # brackets are not this function's business: kept
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("two\nlines\r\tand tab", "two\\nlines\\r\\tand tab"),
        ("nul\x00 del\x7f c1\x9b", "nul\\x00 del\\x7f c1\\x9b"),
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),  # right-to-left override
        ("a\u2066b\u2069c\u200fd", "a\\u2066b\\u2069c\\u200fd"),  # isolates, right-to-left mark
        ("line\u2028sep", "line\\u2028sep"),
        ("bad byte \udcff", "bad byte \\udcff"),  # an undecodable file-name byte (surrogateescape)
        ("café 東京 😀 e\u0301", "café 東京 😀 e\u0301"),  # printable text, combining marks: unchanged
        ("C:\\Users\\me", "C:\\Users\\me"),  # backslashes left alone
    ],
)
def test_literal_escapes_what_a_terminal_would_act_on(raw: str, shown: str) -> None:
    assert literal(raw) == shown


def _render(renderable: object, *, markup: bool) -> str:
    out = io.StringIO()
    console = Console(file=out, width=200, markup=markup, color_system=None, emoji=True)
    console.print(renderable)
    return out.getvalue()


def test_cells_and_lines_are_never_parsed_as_markup_even_on_a_console_with_markup_on() -> None:
    assert _render(cell("[/red]x :smile: [bold]"), markup=True) == "[/red]x :smile: [bold]\n"
    assert (
        _render(line(("name: ", "bold"), "[/x]\n", ("[dim]", "dim")), markup=True) == "name: [/x]\\n[dim]\n"
    )


def test_line_styles_only_the_parts_the_code_marks() -> None:
    text = line(("warning:", "yellow"), " ", "[red]data[/red]")
    assert text.plain == "warning: [red]data[/red]"
    assert [(span.start, span.end, str(span.style)) for span in text.spans] == [(0, 8, "yellow")]

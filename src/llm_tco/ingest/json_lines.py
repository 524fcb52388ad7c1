"""The lines of a JSON-lines file as text, each checked once for being JSON: what the per-record reader
(``llm_tco.ingest.json_readers.json_documents``) and the lenient reading (``llm_tco.ingest.lenient``)
number or list, with the same reason for a line that is not JSON."""

from __future__ import annotations

from llm_tco.ingest.files import MAX_RECORD_BYTES, fast_read_bytes

__all__ = ["checked_lines", "malformed_line_reason", "malformed_lines", "unparsed_lines"]


def malformed_line_reason(line: str) -> str:
    """The reason of a line that is not JSON (SQL of the line's text ``line``): its start, quoted."""
    return f"'malformed JSON line (' || left({line}, 40) || '...)'"


def checked_lines(strip_line_prefix: bool = False) -> str:
    """The non-blank lines of a JSON lines file (parameters: its path and compression) in file order, as
    ``_line`` with ``_ok``, whether it is valid JSON: computed once per line (each JSON function parses the
    text again)."""
    return (
        f"(SELECT _line, json_valid(_line) AS _ok FROM (SELECT {_line(strip_line_prefix)} AS _line"
        f" FROM {_lines(MAX_RECORD_BYTES)}) WHERE _line IS NOT NULL AND trim(_line) <> '')"
    )


def unparsed_lines() -> str:
    """A query of the lines of a JSON-lines file (parameters: its path and compression) that are not JSON
    as written, ``line``, in file order: one parallel check of each line, no copy of it. Run it into a
    table and give that to :func:`malformed_lines`. It fails on a line past the fast read's size
    (``files.FAST_READ_BYTES``; its caller then reads the file record by record)."""
    return f"SELECT line FROM {_lines(fast_read_bytes('jsonl'))} WHERE NOT json_valid(line)"


def malformed_lines(failed: str, strip_line_prefix: bool = False) -> str:
    """Of the table ``failed`` (:func:`unparsed_lines`), the lines :func:`checked_lines` holds not JSON
    (``_line``), in file order. Trimming a carriage return or a prefix cannot make a line that is JSON stop
    being JSON (a prefix is text before a ``{``, which a JSON document has only inside an array or a
    string, which the lenient reading does not take), so only the lines that failed are trimmed and
    checked again. (In one query the optimizer would push these conditions down to every line.)"""
    return (
        f"(SELECT _line FROM (SELECT {_line(strip_line_prefix)} AS _line FROM {failed})"
        " WHERE _line IS NOT NULL AND trim(_line) <> '' AND NOT json_valid(_line))"
    )


def _lines(max_line_bytes: int) -> str:
    """A JSON-lines file as one text column ``line`` (parameters: its path and compression); a line past
    ``max_line_bytes`` fails the read."""
    return (
        "read_csv(?, columns = {'line': 'VARCHAR'}, header = false, delim = chr(1), quote = '', escape = '',"
        f" auto_detect = false, strict_mode = false, new_line = '\\n', max_line_size = {max_line_bytes},"
        " compression = ?)"
    )


def _line(strip_line_prefix: bool) -> str:
    """A line's text as the readers take it: without a carriage return at its end and, with
    ``strip_line_prefix``, without the text before its first ``{``."""
    line = "rtrim(line, chr(13))"
    if not strip_line_prefix:
        return line
    return f"CASE WHEN strpos({line}, '{{') > 1 THEN substr({line}, strpos({line}, '{{')) ELSE {line} END"

"""The ``--json`` text of a document, written in one pass.

``json.dumps(to_jsonable(doc), indent=2, ...)`` walks a plan document twice (half a million values for 50
workloads): once to convert library values, once in the pure-Python encoder that ``indent`` forces (the C
encoder has no indentation). :func:`json_text` converts and writes in the same walk, dispatching on the
exact type of the common values (strings, floats, ``Decimal`` money, ints, lists, dicts) and converting
any other value as :func:`~llm_tco.cli.common.to_jsonable` does (its checks, in its order), so its text is
byte for byte what that ``json.dumps`` call gives (tested against it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

__all__ = ["json_text"]

_INDENT = "  "


def _float_text(value: float) -> str:
    """A float as ``to_jsonable`` + ``json`` write it: its repr, ``null`` when not finite."""
    return float.__repr__(value) if math.isfinite(value) else "null"


def _decimal_text(value: Decimal) -> str:
    """Money: the float of the Decimal (as ``to_jsonable``); a non-finite one is an error, as in ``json``
    with ``allow_nan=False``."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("Out of range float values are not JSON compliant: " + repr(number))
    return float.__repr__(number)


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


def _null_text(_: None) -> str:
    return "null"


_SCALAR_TEXT: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    float: _float_text,
    Decimal: _decimal_text,
    int: int.__repr__,
    bool: _bool_text,
    type(None): _null_text,
}
"""Text of the values written as they are, by exact type (subclasses go through ``to_jsonable``)."""


def json_text(value: Any) -> str:
    """``json.dumps(to_jsonable(value), indent=2, ensure_ascii=False, allow_nan=False)``, faster."""
    out: list[str] = []
    _write(value, "\n", out)
    return "".join(out)


def _write(value: Any, level: str, out: list[str]) -> None:
    """Append ``value``'s text to ``out``; ``level`` is the newline and indentation of its own line."""
    text_of = _SCALAR_TEXT.get(type(value))
    if text_of is not None:
        out.append(text_of(value))
    elif type(value) is dict:
        _write_dict(value, level, out)
    elif type(value) is list or type(value) is tuple:
        _write_list(value, level, out)
    else:
        _write_converted(value, level, out)


def _write_dict(value: dict[Any, Any], level: str, out: list[str]) -> None:
    if not value:
        out.append("{}")
        return
    if any(type(key) is not str for key in value):
        value = {str(key): item for key, item in value.items()}  # as ``to_jsonable`` names keys
    inner = level + _INDENT
    separator = "," + inner
    append = out.append
    scalar = _SCALAR_TEXT.get
    append("{" + inner)
    first = True
    for key, item in value.items():
        if first:
            append(encode_basestring(key) + ": ")
            first = False
        else:
            append(separator + encode_basestring(key) + ": ")
        text_of = scalar(type(item))
        if text_of is not None:
            append(text_of(item))
        else:
            _write(item, inner, out)
    append(level + "}")


def _write_list(value: list[Any] | tuple[Any, ...], level: str, out: list[str]) -> None:
    if not value:
        out.append("[]")
        return
    inner = level + _INDENT
    separator = "," + inner
    if type(value[0]) is Decimal and all(type(item) is Decimal for item in value):
        # a month-by-month series of money: one C-level pass per step
        texts = list(map(float.__repr__, map(float, value)))
        if "nan" in texts or "inf" in texts or "-inf" in texts:
            texts = [_decimal_text(item) for item in value]  # raises, as json does
        out.append("[" + inner + separator.join(texts) + level + "]")
        return
    append = out.append
    scalar = _SCALAR_TEXT.get
    append("[" + inner)
    first = True
    for item in value:
        if first:
            first = False
        else:
            append(separator)
        text_of = scalar(type(item))
        if text_of is not None:
            append(text_of(item))
        else:
            _write(item, inner, out)
    append(level + "]")


def _write_converted(value: Any, level: str, out: list[str]) -> None:
    """Any other value, as ``to_jsonable`` converts it (one level at a time, its checks in its order) and
    ``json`` then writes it."""
    text: str
    if isinstance(value, Decimal):
        text = _decimal_text(value)
    elif isinstance(value, float):
        text = _float_text(value)
    elif isinstance(value, datetime):
        text = encode_basestring(value.isoformat().replace("+00:00", "Z"))
    elif isinstance(value, date):
        text = encode_basestring(value.isoformat())
    elif isinstance(value, Enum):
        _write(value.value, level, out)
        return
    elif isinstance(value, Path):
        text = encode_basestring(str(value))
    elif isinstance(value, Mapping):
        _write_dict({str(k): v for k, v in value.items()}, level, out)
        return
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        _write_list(list(value), level, out)
        return
    elif hasattr(value, "model_dump"):
        _write(value.model_dump(mode="python"), level, out)
        return
    # what ``to_jsonable`` returns unchanged, written as ``json`` writes it
    elif isinstance(value, str):
        text = encode_basestring(value)
    elif isinstance(value, int):
        text = int.__repr__(value)
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    out.append(text)

"""``json_text`` writes what ``json.dumps(to_jsonable(x), indent=2, ensure_ascii=False, allow_nan=False)``
writes, byte for byte: the standard library's encoder is the reference here."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum, IntEnum
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

from llm_tco.cli.common import to_jsonable
from llm_tco.cli.json_text import json_text


def _reference(value: Any) -> str:
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False, allow_nan=False)


class Colour(Enum):
    RED = "red"
    NESTED = (1, 2.5)


class Level(IntEnum):
    HIGH = 3


class Named(str, Enum):  # noqa: UP042 - the mixin form, whose str() differs from its value
    A = "a"


class Inner(BaseModel):
    amount: Decimal
    when: date
    tags: list[str]


class Outer(BaseModel):
    name: str
    inner: Inner
    items: list[Inner]
    ratio: float | None
    extra: dict[str, Any]


def _outer() -> Outer:
    inner = Inner(amount=Decimal("12.345678"), when=date(2026, 1, 2), tags=["a", "é", 'q"uote\n'])
    return Outer(
        name="ünïcode ✓",
        inner=inner,
        items=[inner, inner.model_copy(update={"tags": []})],
        ratio=math.inf,
        extra={"nested": {"deep": [[], {}, [Decimal("1E-7"), Decimal("0.000000")]]}},
    )


CASES: list[Any] = [
    None,
    True,
    False,
    0,
    -12,
    10**30,
    1.5,
    1e-7,
    1e22,
    -0.0,
    math.nan,
    math.inf,
    "",
    "tab\tand \u2028 and \x00",
    Decimal("3.000000"),
    Decimal("-0.5"),
    Decimal("123456789.123456"),
    [],
    {},
    (),
    [Decimal("1.000000"), Decimal("2.5"), Decimal("1E+3")],
    [Decimal("1"), 2.0, "three", None, True, [], {}],
    {"a": 1, "b": [1, [2, [3, {}]]], "c": {"d": {"e": None}}},
    {1: "int key", 2.5: "float key", None: "none key", False: "bool key"},
    {Colour.RED: "enum key", Named.A: "str enum key"},
    (1, (2, 3), [4]),
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5),
    date(2026, 12, 31),
    Colour.RED,
    Colour.NESTED,
    Level.HIGH,
    Named.A,
    Path("/tmp/x y"),
    np.float64(2.25),
    np.float64(np.nan),
    [np.float64(1.0), np.float64(np.inf)],
    {"model": _outer()},
    _outer(),
    [_outer(), {"x": [_outer()]}],
]


@pytest.mark.parametrize("value", CASES, ids=range(len(CASES)))
def test_same_text_as_json_dumps_of_to_jsonable(value: Any) -> None:
    assert json_text(value) == _reference(value)


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), [Decimal("1"), Decimal("Infinity")], {"x": Decimal("-inf")}]
)
def test_non_finite_money_is_an_error_as_in_json(value: Any) -> None:
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        _reference(value)
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        json_text(value)


@pytest.mark.parametrize("value", [{1, 2}, b"bytes", object(), [np.int64(3)]])
def test_values_json_cannot_write_are_a_type_error_as_in_json(value: Any) -> None:
    with pytest.raises(TypeError, match="is not JSON serializable"):
        _reference(value)
    with pytest.raises(TypeError, match="is not JSON serializable"):
        json_text(value)


def test_random_nested_documents() -> None:
    """Random trees of the value kinds a plan document holds."""
    rng = np.random.default_rng(7)

    def leaf() -> Any:
        kind = int(rng.integers(0, 7))
        number = float(rng.lognormal(0.0, 6.0)) * (1 if rng.random() < 0.8 else -1)
        return [
            number,
            Decimal(f"{number:.6f}"),
            int(rng.integers(-(10**9), 10**9)),
            f"name-{number:.3g}-ß",
            None,
            bool(rng.random() < 0.5),
            [Decimal(f"{v:.6f}") for v in rng.normal(1e4, 1e4, int(rng.integers(0, 40)))],
        ][kind]

    def tree(depth: int) -> Any:
        if depth == 0 or rng.random() < 0.3:
            return leaf()
        width = int(rng.integers(0, 6))
        if rng.random() < 0.5:
            return [tree(depth - 1) for _ in range(width)]
        return {f"k{i}": tree(depth - 1) for i in range(width)}

    for _ in range(200):
        value = tree(6)
        assert json_text(value) == _reference(value)

"""Help text is shown as written: it names config keys in square brackets, which Rich would read as markup."""

from __future__ import annotations

from typing import Any


def test_audit_help_shows_config_keys_in_brackets(cli: Any) -> None:
    result = cli("audit", "--help")
    assert result.code == 0
    assert "[[attribution]]" in " ".join(result.out.split())


def test_catalog_help_is_plain_text(cli: Any) -> None:
    result = cli("catalog", "--help")
    assert result.code == 0
    assert "update-prices" in result.out

"""Which price data is in force: bundled by default; an explicit update is saved and reused offline.

The update is exercised against a real HTTP server on 127.0.0.1 (no outside network).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import genai_prices
import pytest
from genai_prices import Usage, calc_price

from llm_tco.catalog.price_data import PRICES_FILE_ENV_VAR, current_snapshot
from llm_tco.errors import DataFileError
from llm_tco.pricing import price_data_version, resolve_model, update_prices

_DATA = [
    {
        "id": "openai",
        "name": "OpenAI",
        "api_pattern": "https://api\\.openai\\.com",
        "models": [
            {"id": "gpt-4o", "match": {"equals": "gpt-4o"}, "prices": {"input_mtok": 7, "output_mtok": 21}}
        ],
    }
]


@pytest.fixture
def server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(_DATA).encode() if self.path == "/data.json" else b"{}"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def saved(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "prices.json"
    monkeypatch.setenv(PRICES_FILE_ENV_VAR, str(path))
    yield path
    monkeypatch.setenv(PRICES_FILE_ENV_VAR, str(tmp_path / "gone.json"))
    current_snapshot()  # back to the bundled data for the other tests


def test_bundled_by_default(saved: Path) -> None:
    version = price_data_version()
    assert version.source == "bundled" and version.genai_prices_version == genai_prices.__version__
    assert version.models > 2000
    assert "bundled" in version.label


def test_update_is_saved_then_used_offline(saved: Path, server: str) -> None:
    version = update_prices(url=f"{server}/data.json")
    assert version.source == "updated" and version.providers == 1 and version.path == str(saved)
    assert saved.is_file()
    # this process and genai-prices' own calc_price now read the updated data
    assert resolve_model("openai", "gpt-4o").model == "gpt-4o"
    usage = Usage(input_tokens=1_000_000)
    assert calc_price(
        usage, "gpt-4o", provider_id="openai", genai_request_timestamp=datetime(2025, 1, 1)
    ).total_price == Decimal(7)


def test_bad_update_keeps_the_data(saved: Path, server: str) -> None:
    with pytest.raises(DataFileError, match="expected a list of providers"):
        update_prices(url=f"{server}/other.json")
    with pytest.raises(DataFileError, match="cannot update prices"):
        update_prices(url="http://127.0.0.1:9/unreachable.json", timeout_s=2)
    assert not saved.exists()
    assert price_data_version().source == "bundled"


def test_a_corrupt_saved_file_is_reported(saved: Path) -> None:
    saved.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataFileError, match="not a saved genai-prices update"):
        current_snapshot()

"""Which genai-prices data is in force, and the one explicit way to update it.

By default llm-tco prices with the data bundled in the installed genai-prices package: no network, ever.
genai-prices' own background updater (``UpdatePrices``, hourly fetches) is never started. The user can ask
for the latest data with :func:`update_prices` (``llm-tco catalog update-prices``); the fetched data is
validated, saved under the user's data directory and, from then on, loaded from that file by every later
(offline) run. Deleting the file returns to the bundled data.

The data in force is installed as genai-prices' custom snapshot, so that llm-tco's price tables and
``genai_prices.calc_price`` always read the same prices.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import genai_prices
import platformdirs
from genai_prices import data_snapshot
from genai_prices.data_snapshot import DataSnapshot
from genai_prices.update_prices import DEFAULT_UPDATE_URL

from llm_tco.errors import DataFileError

__all__ = [
    "PRICES_FILE_ENV_VAR",
    "PriceDataVersion",
    "current_snapshot",
    "price_data_version",
    "prices_file_path",
    "update_prices",
]

PRICES_FILE_ENV_VAR = "LLM_TCO_PRICES_FILE"
_FILE_FORMAT = 1


@dataclass(frozen=True)
class PriceDataVersion:
    """Where the prices in force come from; reported with every priced result."""

    source: Literal["bundled", "updated"]
    genai_prices_version: str
    """Version of the installed genai-prices package (its bundled data is that release's)."""
    fetched_at: datetime | None
    """UTC time of the explicit update, for ``source='updated'``."""
    url: str | None
    path: str | None
    providers: int
    models: int

    @property
    def label(self) -> str:
        """One line for people, e.g. ``genai-prices 0.2.3 bundled data``."""
        if self.source == "bundled" or self.fetched_at is None:
            return f"genai-prices {self.genai_prices_version} bundled data"
        return f"genai-prices data fetched {self.fetched_at:%Y-%m-%d %H:%M}Z"


_state: dict[str, PriceDataVersion] = {}


def prices_file_path() -> Path:
    """Where an explicit update is saved: ``$LLM_TCO_PRICES_FILE``, else ``genai-prices-data.json`` in the
    user data directory (next to the default store)."""
    env = os.environ.get(PRICES_FILE_ENV_VAR)
    if env:
        return Path(env)
    return _default_prices_file(os.environ.get("XDG_DATA_HOME"), os.environ.get("HOME"))


@functools.lru_cache(maxsize=8)
def _default_prices_file(_xdg_data_home: str | None, _home: str | None) -> Path:
    """The default file, cached per value of the variables platformdirs reads: pricing asks for it once per
    series resolved, and platformdirs costs ~0.1 ms a call (1.3 s for a 10k-series store)."""
    return Path(platformdirs.user_data_dir("llm-tco", appauthor=False)) / "genai-prices-data.json"


def current_snapshot() -> DataSnapshot:
    """The genai-prices data in force: a saved explicit update if there is one, else the bundled data.

    The saved file is read once per process (and per path). A custom snapshot the caller installed
    through genai-prices itself is respected.
    """
    path = prices_file_path()
    key = str(path)
    if key not in _state:
        if path.is_file():
            snapshot, version = _load_saved(path)
            data_snapshot.set_custom_snapshot(snapshot)
        else:
            if any(v.source == "updated" for v in _state.values()):
                data_snapshot.set_custom_snapshot(None)  # we installed a saved update: back to bundled
            version = _version_of(data_snapshot.get_snapshot(), "bundled", None, None, None)
        _state.clear()
        _state[key] = version
    return data_snapshot.get_snapshot()


def price_data_version() -> PriceDataVersion:
    """Which price data :func:`current_snapshot` serves."""
    current_snapshot()
    return _state[str(prices_file_path())]


def update_prices(*, url: str = DEFAULT_UPDATE_URL, timeout_s: float = 30.0) -> PriceDataVersion:
    """Fetch the latest genai-prices data once (network!), validate it, save it and put it in force.

    Only ever called on the user's explicit request. The data is validated with genai-prices' own
    parser before the saved file is replaced, so a bad download never replaces good data.
    """
    import httpx2  # genai-prices' HTTP client; imported here so offline runs never load it

    try:
        response = httpx2.get(url, timeout=httpx2.Timeout(timeout=timeout_s, connect=min(timeout_s, 10.0)))
        response.raise_for_status()
        raw = json.loads(response.content)
    except Exception as exc:  # network, HTTP status or JSON: all mean "no update"
        raise DataFileError(f"cannot update prices from {url}: {type(exc).__name__}: {exc}") from exc
    snapshot = _snapshot_from_raw(raw, url)
    fetched_at = datetime.now(UTC).replace(microsecond=0)
    path = prices_file_path()
    document = {
        "format": _FILE_FORMAT,
        "fetched_at": fetched_at.isoformat(),
        "url": url,
        "genai_prices_version": genai_prices.__version__,
        "providers": raw,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(document), encoding="utf-8")
    tmp.replace(path)
    data_snapshot.set_custom_snapshot(snapshot)
    version = _version_of(snapshot, "updated", fetched_at, url, str(path))
    _state.clear()
    _state[str(path)] = version
    return version


def _load_saved(path: Path) -> tuple[DataSnapshot, PriceDataVersion]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        fetched_at = datetime.fromisoformat(document["fetched_at"])
        url = str(document["url"])
        raw = document["providers"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataFileError(
            f"{path}: not a saved genai-prices update ({type(exc).__name__}: {exc}); "
            "delete it or run `llm-tco catalog update-prices`"
        ) from exc
    snapshot = _snapshot_from_raw(raw, str(path))
    return snapshot, _version_of(snapshot, "updated", fetched_at, url, str(path))


def _snapshot_from_raw(raw: Any, origin: str) -> DataSnapshot:
    from genai_prices.types import _providers_from_raw  # the parser genai-prices' own updater uses

    if not isinstance(raw, list):
        raise DataFileError(f"{origin}: expected a list of providers in the genai-prices data")
    try:
        providers = _providers_from_raw(raw)
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        raise DataFileError(f"{origin}: invalid genai-prices data: {exc}") from exc
    return DataSnapshot(providers=providers, from_auto_update=True)


def _version_of(
    snapshot: DataSnapshot,
    source: Literal["bundled", "updated"],
    fetched_at: datetime | None,
    url: str | None,
    path: str | None,
) -> PriceDataVersion:
    return PriceDataVersion(
        source=source,
        genai_prices_version=genai_prices.__version__,
        fetched_at=fetched_at,
        url=url,
        path=path,
        providers=len(snapshot.providers),
        models=sum(len(p.models) for p in snapshot.providers),
    )

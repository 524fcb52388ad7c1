"""Serving windows shift the peak: the fleet is sized for the busiest hour inside the window, in the
window's time zone (its DST in the plan's first month), and load outside the window is flagged."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from _plan_fixtures import make_profile

from llm_tco.config import parse_config
from llm_tco.cost.serving_hours import serving_window_utc
from llm_tco.plan import PlanInputs, build_plan

WEEKS_PER_MONTH = 730 / (24 * 7)

# Load only on weekdays 08:00-16:00 UTC (09-17 in Berlin in winter), flat: 40 hours a week, each a 1/40
# share of the volume, each hour 168/40 = 4.2 times the mean hour of the week.
BUSY_UTC = frozenset(day * 24 + hour for day in range(5) for hour in range(8, 16))
PEAK = 168 / 40


def _weekdays(first_utc_hour: int, last_utc_hour: int) -> frozenset[int]:
    return frozenset(day * 24 + hour for day in range(5) for hour in range(first_utc_hour, last_utc_hour))


def test_window_in_utc_follows_the_zone_and_its_dst() -> None:
    # Berlin is UTC+1 in November (CET) and UTC+2 in July (CEST): 08-20 local is 07-19 / 06-18 UTC.
    assert serving_window_utc("weekdays 08-20 Europe/Berlin", datetime(2026, 11, 1)) == _weekdays(7, 19)
    assert serving_window_utc("weekdays 08-20 Europe/Berlin", datetime(2027, 7, 1)) == _weekdays(6, 18)
    # No zone: UTC. Daily: all seven days.
    assert serving_window_utc("daily 00-02", datetime(2026, 11, 1)) == frozenset(
        day * 24 + hour for day in range(7) for hour in (0, 1)
    )
    # New York 20-24 on Friday is Saturday 01-05 UTC in November (EST, UTC-5): it wraps into the next day.
    friday_late = serving_window_utc("weekdays 20-24 America/New_York", datetime(2026, 11, 1))
    assert friday_late is not None and {5 * 24 + h for h in range(1, 5)} <= friday_late
    assert serving_window_utc("24/7", datetime(2026, 11, 1)) is None
    assert serving_window_utc(176, datetime(2026, 11, 1)) is None


def _profile() -> Any:
    profile = make_profile("w", monthly_tokens=3e11, peak=PEAK)
    return dataclasses.replace(
        profile,
        hour_of_week_peak=tuple(PEAK if h in BUSY_UTC else 0.0 for h in range(168)),
        hour_of_week_share=tuple(1 / 40 if h in BUSY_UTC else 0.0 for h in range(168)),
    )


def _self_hosted(serving_hours: str | None, profile: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "gpu": {"deployment_modes": ["on-demand"], "hourly_usd": {"h100-sxm": {"on-demand": 2.0}}},
        "workloads": {"w": {} if serving_hours is None else {"serving_hours": serving_hours}},
    }
    doc = build_plan([profile], parse_config(raw), PlanInputs.bundled())
    assert doc.start_month == "2026-11"
    return {o.id: o for o in doc.workloads[0].options if o.placement == "self-hosted"}


def test_load_inside_the_window_gets_the_replicas_of_its_24_7_peak() -> None:
    # 24/7: peak = V/730 h × 4.2. Window weekdays 08-20 Berlin (H = 60 h/week × 730/168): sized with
    # ratio H/730 × 4.2, so the peak is V/H × H/730 × 4.2 = the same. Sizing the window with the 24/7 ratio
    # (V/H × 4.2) would ask 730/H ≈ 2.8 times the throughput.
    profile = _profile()
    always = _self_hosted(None, profile)
    windowed = _self_hosted("weekdays 08-20 Europe/Berlin", profile)
    assert always.keys() == windowed.keys() and always
    assert {k: o.replicas for k, o in windowed.items()} == {k: o.replicas for k, o in always.items()}
    assert max(o.replicas or 0 for o in always.values()) >= 3  # large enough for 2.8× to show
    for option in windowed.values():
        assert not any("outside" in note for note in option.notes)


def test_window_that_misses_the_peak_is_flagged() -> None:
    # Weekdays 18-22 Berlin = 17-21 UTC in November: none of the load (08-16 UTC) falls inside.
    windowed = _self_hosted("weekdays 18-22 Europe/Berlin", _profile())
    for option in windowed.values():
        assert any(
            "100% of the load falls outside them" in note and "busiest hour is outside" in note
            for note in option.notes
        ), option.notes


def test_window_that_catches_half_the_load() -> None:
    # Weekdays 13-21 Berlin = 12-20 UTC: of the busy hours 08-16 UTC, 12-16 are inside (4 of 8: half).
    option = next(iter(_self_hosted("weekdays 13-21 Europe/Berlin", _profile()).values()))
    assert any("50% of the load falls outside" in note for note in option.notes)
    assert not any("busiest hour is outside" in note for note in option.notes)


def test_no_hourly_shape_keeps_the_24_7_ratio() -> None:
    # A profile without an hourly shape (peak assumed) is sized as before: V/H × its ratio.
    plain = make_profile("w", monthly_tokens=3e11, peak=PEAK)
    windowed = _self_hosted("weekdays 08-20 Europe/Berlin", plain)
    shaped = _self_hosted("weekdays 08-20 Europe/Berlin", _profile())
    assert sum(o.replicas or 0 for o in windowed.values()) > sum(o.replicas or 0 for o in shaped.values())

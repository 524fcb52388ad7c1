"""Serving hours: when a workload's self-hosted GPUs run, as hours per month.

A workload served only in business hours needs its GPUs only then: cloud GPUs are rented only for those
hours (the fleet is started and stopped), owned ones are paid for always but draw power only then, and
the fleet is sized for the volume served within those hours. Written as

- ``"24/7"`` (the default): every hour, 730 a month;
- ``"weekdays HH-HH [Zone/Name]"`` or ``"daily HH-HH [Zone/Name]"``: that window on Monday-Friday or every
  day in that time zone (UTC when none is named); the hours per month do not depend on the zone, but
  which UTC hours of the week the window covers does, and so the peak the fleet must serve;
- a number: hours per month (e.g. 176 for 8 h × 22 working days; no window, so sized as 24/7).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from llm_tco.units import HOURS_PER_MONTH

__all__ = ["WindowPeak", "serving_hours_per_month", "serving_window_utc", "window_peak"]

_DAYS_PER_WEEK = 7.0
_WEEKS_PER_MONTH = HOURS_PER_MONTH / (24.0 * _DAYS_PER_WEEK)
_SCHEDULE = re.compile(r"^(weekdays|daily)\s+(\d{1,2})-(\d{1,2})(?:\s+(\S+))?$")


def serving_hours_per_month(value: str | float | None) -> float:
    """Hours per month the GPUs serve (see the module docstring); ``ValueError`` naming what is wrong."""
    if value is None:
        return HOURS_PER_MONTH
    if isinstance(value, int | float):
        hours = float(value)
        if not 0.0 < hours <= HOURS_PER_MONTH:
            raise ValueError(f"{hours:g} hours per month is not in (0, {HOURS_PER_MONTH:g}]")
        return hours
    text = value.strip()
    if text == "24/7":
        return HOURS_PER_MONTH
    match = _SCHEDULE.fullmatch(text)
    if match is None:
        raise ValueError(
            f"{value!r} is not '24/7', 'weekdays HH-HH [Zone/Name]', 'daily HH-HH [Zone/Name]' "
            "or hours per month"
        )
    days, start, end, zone = match.groups()
    first, last = int(start), int(end)
    if not 0 <= first < last <= 24:
        raise ValueError(f"{value!r}: the window must be HH-HH with 0 <= start < end <= 24")
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r}: unknown time zone {zone!r}") from None
    days_per_week = 5.0 if days == "weekdays" else _DAYS_PER_WEEK
    return (last - first) * days_per_week * _WEEKS_PER_MONTH


def serving_window_utc(value: str | float | None, first_month: datetime) -> frozenset[int] | None:
    """The UTC hours of the week (0 = Monday 00:00 UTC … 167) a ``weekdays``/``daily`` window covers.

    None for ``"24/7"``, hours per month, or no value: every hour may serve. The window is laid on the
    first full local week starting in ``first_month`` (the plan's first month), so summer or winter time
    is that month's; a zone's DST switch later in the horizon shifts the window by an hour, ignored here.
    """
    if value is None or isinstance(value, int | float):
        return None
    serving_hours_per_month(value)  # validates
    match = _SCHEDULE.fullmatch(value.strip())
    if match is None:
        return None
    days, start, end, zone_name = match.groups()
    zone = ZoneInfo(zone_name) if zone_name is not None else ZoneInfo("UTC")
    first_day = datetime(first_month.year, first_month.month, 1)
    monday = first_day + timedelta(days=(7 - first_day.weekday()) % 7)
    weekdays = range(5) if days == "weekdays" else range(7)
    hours: set[int] = set()
    for day in weekdays:
        for hour in range(int(start), int(end)):
            local = (monday + timedelta(days=day, hours=hour)).replace(tzinfo=zone)
            utc = local.astimezone(UTC)
            hours.add(utc.weekday() * 24 + utc.hour)
    return frozenset(hours)


@dataclass(frozen=True)
class WindowPeak:
    """The peak the fleet must serve within its serving window, as a ratio the sizing formula takes."""

    peak_to_mean_ratio: float
    """Peak hour inside the window ÷ (monthly volume ÷ serving hours): sizing with it provisions the
    busiest hour inside the window, nothing more."""
    share_outside: float
    """Share of the load that falls outside the window (it cannot be served by this fleet)."""
    peak_outside: bool
    """The workload's busiest hour of the week is outside the window."""


def window_peak(
    hour_of_week_peak: tuple[float, ...],
    hour_of_week_share: tuple[float, ...],
    window: frozenset[int],
    serving_hours: float,
) -> WindowPeak:
    """Size for the load inside ``window`` (UTC hours of the week) from the profile's hourly shape.

    ``hour_of_week_peak[h]`` is the busiest single hour seen at UTC hour-of-week ``h`` ÷ the mean hour of
    the whole week, so the peak in tokens/hour is ``max(peak[h] for h in window) × V / 730``. The sizing
    formula computes ``V / (H × 3600) × ratio``; equating the two gives ``ratio = H / 730 × max``. It is
    kept at least 1 (the formula's floor, and never below the volume inside the window spread evenly).
    """
    inside = max((hour_of_week_peak[h] for h in window), default=0.0)
    overall = max(hour_of_week_peak)
    ratio = max(1.0, serving_hours / HOURS_PER_MONTH * inside)
    outside = sum(share for h, share in enumerate(hour_of_week_share) if h not in window)
    return WindowPeak(ratio, outside, inside < overall)

"""Serving hours: when a workload's self-hosted GPUs run, as hours per month.

A workload served only in business hours needs its GPUs only then: cloud GPUs are rented only for those
hours (the fleet is started and stopped), owned ones are paid for always but draw power only then, and
the fleet is sized for the volume served within those hours. Written as

- ``"24/7"`` (the default): every hour, 730 a month;
- ``"weekdays HH-HH [Zone/Name]"`` or ``"daily HH-HH [Zone/Name]"``: that window on Monday-Friday or every
  day (the time zone, an IANA name, is checked and recorded; the hours per month do not depend on it);
- a number: hours per month (e.g. 176 for 8 h × 22 working days).
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from llm_tco.units import HOURS_PER_MONTH

__all__ = ["serving_hours_per_month"]

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

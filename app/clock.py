"""The injectable clock: every deadline is computed from `Clock.now()`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to (tests, demos)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment


def end_of_day_count(start: datetime, days: int) -> datetime:
    """End of the `days`-th day after the day `start` falls on, in Europe/Paris, as UTC.

    A process that begins on 2 March at 23:30 in Paris with a 60-day deadline may finish
    until 1 May 23:59:59.999 Paris time: the first instant of the 61st day is the deadline.
    """
    local_day: date = start.astimezone(PARIS).date()
    boundary = datetime.combine(local_day + timedelta(days=days + 1), time(0), tzinfo=PARIS)
    return boundary.astimezone(UTC)

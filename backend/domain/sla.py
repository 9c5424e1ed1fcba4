"""Deadlines in working days on China's official calendar (法定节假日与调休).

`chinese_calendar` knows the State Council's holiday notices up to the year it was
released. Dates it does not know come from the county's override table; for dates neither
knows we fall back to Monday–Friday and log it, rather than fail a dispatch.
"""
import functools
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

CHINA = ZoneInfo("Asia/Shanghai")
log = logging.getLogger(__name__)

UTC = ZoneInfo("UTC")
# resolve within N working days, claim within N working hours, by severity; the county's
# SLA table overrides both per category × severity.
DEFAULT_RESOLVE_DAYS = {"general": 15, "serious": 10, "urgent": 3}
DEFAULT_CLAIM_HOURS = {"general": 16, "serious": 8, "urgent": 2}
# Working hours count from 09:00 to 18:00 on working days (Asia/Shanghai).
START_OF_WORKDAY = time(9, 0)
END_OF_WORKDAY = time(18, 0)
REMIND_AT_FRACTION = 0.75          # 催办 when this share of the working time is used
ESCALATION_WORKING_DAYS = (1, 3)   # 督办 level 1 and level 2, after the deadline
_MAX_DAYS = 3660                   # no deadline lies ten years ahead: stop a runaway loop


@dataclass(frozen=True)
class Deadlines:
    """Every clock point of one dispatch, as aware UTC."""
    claim_due_at: datetime
    remind_at: datetime
    due_at: datetime
    escalate1_at: datetime
    escalate2_at: datetime


_WARNED_YEARS: set[int] = set()


@functools.lru_cache(maxsize=8192)
def _official_workday(day: date) -> bool | None:
    """The State Council's answer for `day` (cached: it never changes), None if unknown."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


class WorkCalendar:
    def __init__(self, overrides: dict[date, bool] | None = None):
        self.overrides = dict(overrides or {})

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        official = _official_workday(day)
        if official is None:
            if day.year not in _WARNED_YEARS:  # once per year and process, not per call
                _WARNED_YEARS.add(day.year)
                log.warning("no official holiday data for %s; counting Monday-Friday as "
                            "working days (add overrides for that year)", day.year)
            return day.weekday() < 5
        return official

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end of the `days`-th working day after `start` (Asia/Shanghai), as UTC."""
        day = start.astimezone(CHINA).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return datetime.combine(day, END_OF_WORKDAY, CHINA).astimezone(UTC)

    def _windows(self, start: datetime):
        """Working-time windows (local start, local end) from `start` on, day by day."""
        local = start.astimezone(CHINA)
        day = local.date()
        for _ in range(_MAX_DAYS):
            if self.is_workday(day):
                opens = datetime.combine(day, START_OF_WORKDAY, CHINA)
                closes = datetime.combine(day, END_OF_WORKDAY, CHINA)
                begin = max(opens, local)
                if begin < closes:
                    yield begin, closes
            day += timedelta(days=1)
        raise ValueError("no working time within ten years; check the calendar overrides")

    def add_working_time(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of working time (09:00–18:00 on working days) after `start`."""
        remaining = max(0.0, seconds)
        for begin, end in self._windows(start):
            available = (end - begin).total_seconds()
            if remaining <= available:
                return (begin + timedelta(seconds=remaining)).astimezone(UTC)
            remaining -= available
        raise AssertionError("unreachable")

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        return self.add_working_time(start, hours * 3600)

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        if end <= start:
            return 0.0
        total = 0.0
        for begin, close in self._windows(start):
            if begin >= end:
                break
            total += (min(close, end) - begin).total_seconds()
        return total

    def deadlines(self, start: datetime, claim_hours: float, resolve_days: int) -> Deadlines:
        """Claim, reminder (75% of the working time to resolve), deadline and escalations."""
        due = self.add_working_days(start, resolve_days)
        remind = self.add_working_time(start, REMIND_AT_FRACTION * self.working_seconds_between(start, due))
        level1, level2 = (self.add_working_days(due, n) for n in ESCALATION_WORKING_DAYS)
        return Deadlines(claim_due_at=self.add_working_hours(start, claim_hours), remind_at=remind,
                         due_at=due, escalate1_at=level1, escalate2_at=level2)


def resolve_days(table: dict[tuple[str, str], int], category: str, severity: str) -> int:
    """Working days allowed to resolve: the county's table first, then the default."""
    return table.get((category, severity), DEFAULT_RESOLVE_DAYS.get(severity, 15))


def claim_hours(table: dict[tuple[str, str], int], category: str, severity: str) -> int:
    """Working hours allowed to claim: the county's table first, then the default."""
    return table.get((category, severity)) or DEFAULT_CLAIM_HOURS.get(severity, 16)


def in_quiet_hours(moment: datetime, quiet: tuple[time, time]) -> datetime | None:
    """If `moment` lies in the quiet hours (e.g. 21:00–08:00 Asia/Shanghai), when they end."""
    begin, end = quiet
    local = moment.astimezone(CHINA)
    t = local.time()
    if begin == end:
        return None
    if begin < end:
        inside, end_day = begin <= t < end, local.date()
    else:  # over midnight
        inside = t >= begin or t < end
        end_day = local.date() + timedelta(days=1) if t >= begin else local.date()
    return datetime.combine(end_day, end, CHINA).astimezone(UTC) if inside else None

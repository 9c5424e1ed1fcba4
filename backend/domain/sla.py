"""Deadlines in working days on China's official calendar (法定节假日与调休).

`chinese_calendar` knows the State Council's holiday notices up to the year it was
released. Dates it does not know come from the county's override table; for dates neither
knows we fall back to Monday–Friday and log it, rather than fail a dispatch.
"""
import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

CHINA = ZoneInfo("Asia/Shanghai")
log = logging.getLogger(__name__)

# resolve within N working days, by severity; the SLA table overrides per category.
DEFAULT_RESOLVE_DAYS = {"general": 15, "serious": 10, "urgent": 3}
END_OF_WORKDAY = time(18, 0)


class WorkCalendar:
    def __init__(self, overrides: dict[date, bool] | None = None):
        self.overrides = dict(overrides or {})
        self._warned_years: set[int] = set()

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self._warned_years:
                self._warned_years.add(day.year)
                log.warning("no official holiday data for %s; counting Monday-Friday as "
                            "working days (add overrides for that year)", day.year)
            return day.weekday() < 5

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end of the `days`-th working day after `start` (Asia/Shanghai), as UTC."""
        day = start.astimezone(CHINA).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return datetime.combine(day, END_OF_WORKDAY, CHINA).astimezone(ZoneInfo("UTC"))


def resolve_days(table: dict[tuple[str, str], int], category: str, severity: str) -> int:
    """Working days allowed to resolve: the county's table first, then the default."""
    return table.get((category, severity), DEFAULT_RESOLVE_DAYS.get(severity, 15))

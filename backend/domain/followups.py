"""What clues, suggestions and accountability share: the clocks of a reply owed to the
office (催办 before it, 超期 at it, 督办 after it), and numbers like 371323-XS-2026-0001.
Their state machines are `lifecycle.Machine`s. Plain Python: no Flask, no database."""
import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .sla import CHINA


def end_of_day(day: date) -> datetime:
    """The last millisecond of an Asia/Shanghai day, as an aware datetime."""
    return datetime.combine(day, time(23, 59, 59, 999000), tzinfo=CHINA)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, the month's last day where it has fewer days."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Clocks:
    due_at: datetime
    remind_at: datetime
    escalate1_at: datetime
    escalate2_at: datetime

    def fields(self) -> dict:
        """The document fields a new deadline sets, resetting the reminders and the level."""
        return {"due_at": self.due_at, "remind_at": self.remind_at, "escalate1_at": self.escalate1_at,
                "escalate2_at": self.escalate2_at, "overdue": False, "escalation_level": 0,
                "sla_marks": {}, "sla_pending": []}


def clocks(due_day: date, remind_days_before: int, escalate_days_after: tuple[int, int]) -> Clocks:
    """A reply due by the end of `due_day` (Asia/Shanghai): reminded that many days before,
    escalated to level 1 and 2 that many days after."""
    due = end_of_day(due_day)
    return Clocks(due_at=due, remind_at=due - timedelta(days=remind_days_before),
                  escalate1_at=due + timedelta(days=escalate_days_after[0]),
                  escalate2_at=due + timedelta(days=escalate_days_after[1]))


def local_day(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def number(county_code: str, prefix: str, year: int, value: int) -> str:
    """371323-XS-2026-0001: county, kind (XS 线索, JY 建议, WZ 问责), year, running number."""
    return f"{county_code}-{prefix}-{year}-{value:04d}"

"""Deadlines from the county's SLA table and the working-day calendar."""
from datetime import date, datetime

from ..domain.sla import WorkCalendar, resolve_days
from ..models import HolidayOverride, SlaPolicy


def calendar() -> WorkCalendar:
    overrides = {date.fromisoformat(o.day): o.is_workday for o in HolidayOverride.objects}
    return WorkCalendar(overrides)


def due_at(county_code: str, category: str, severity: str, start: datetime) -> datetime:
    table = {(p.category, p.severity): p.resolve_days
             for p in SlaPolicy.objects(county_code=county_code, category=category)}
    return calendar().add_working_days(start, resolve_days(table, category, severity))

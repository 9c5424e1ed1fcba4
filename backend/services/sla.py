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


# ---------------------------------------------------------------- admin edits

def policies(actor) -> list[dict]:
    """The effective table: every category × severity with the county's value or the default."""
    from ..domain.codes import Category, Severity
    from ..domain.sla import DEFAULT_RESOLVE_DAYS

    table = {(p.category, p.severity): p.resolve_days for p in SlaPolicy.objects(county_code=actor.county_code)}
    return [{"category": c.value, "severity": s.value,
             "resolve_days": table.get((c.value, s.value), DEFAULT_RESOLVE_DAYS[s.value]),
             "is_default": (c.value, s.value) not in table}
            for c in Category for s in Severity]


def set_policy(actor, category: str, severity: str, resolve_days: int) -> dict:
    from ..domain.codes import Category, Severity, values
    from ..errors import NotFound
    if category not in values(Category) or severity not in values(Severity):
        raise NotFound(f"No SLA entry {category}/{severity}; use a category and a severity code.")
    SlaPolicy.objects(county_code=actor.county_code, category=category, severity=severity).update_one(
        upsert=True, set__resolve_days=resolve_days)
    return {"category": category, "severity": severity, "resolve_days": resolve_days, "is_default": False}


def holidays() -> list[HolidayOverride]:
    return list(HolidayOverride.objects.order_by("day"))


def _day(text: str) -> date:
    from ..errors import InvalidInput
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"'{text}' is not a date; use YYYY-MM-DD.", errors={"day": ["Not a date."]})


def set_holiday(text: str, is_workday: bool, note: str | None) -> HolidayOverride:
    day = _day(text)
    HolidayOverride.objects(day=day.isoformat()).update_one(upsert=True, set__is_workday=is_workday, set__note=note)
    return HolidayOverride.objects.get(day=day.isoformat())


def delete_holiday(text: str) -> None:
    from ..errors import NotFound
    day = _day(text)
    if not HolidayOverride.objects(day=day.isoformat()).delete():
        raise NotFound(f"No calendar override for {day.isoformat()}.")

"""Deadlines from the county's SLA table and the working-day calendar."""
from datetime import date, datetime

from ..domain.sla import Deadlines, WorkCalendar, claim_hours, resolve_days
from ..models import HolidayOverride, SlaPolicy
from ..i18n import _


def calendar() -> WorkCalendar:
    overrides = {date.fromisoformat(o.day): o.is_workday for o in HolidayOverride.objects}
    return WorkCalendar(overrides)


def _tables(county_code: str, category: str) -> tuple[dict, dict]:
    policies = list(SlaPolicy.objects(county_code=county_code, category=category))
    return ({(p.category, p.severity): p.resolve_days for p in policies if p.resolve_days},
            {(p.category, p.severity): p.claim_hours for p in policies if p.claim_hours})


def due_at(county_code: str, category: str, severity: str, start: datetime) -> datetime:
    days, _ = _tables(county_code, category)
    return calendar().add_working_days(start, resolve_days(days, category, severity))


def deadlines(county_code: str, category: str, severity: str, start: datetime) -> Deadlines:
    days, hours = _tables(county_code, category)
    return calendar().deadlines(start, claim_hours(hours, category, severity),
                                resolve_days(days, category, severity))


def clock_fields(d: Deadlines, *, with_claim: bool = True) -> dict:
    """The ticket fields of a new deadline: its clock points, and every reminder,
    the overdue flag and the escalation level reset (each is sent once per deadline)."""
    fields = {"due_at": d.due_at, "remind_at": d.remind_at, "escalate1_at": d.escalate1_at,
              "escalate2_at": d.escalate2_at, "overdue": False, "escalation_level": 0, "sla_marks": {}}
    if with_claim:
        fields["claim_due_at"] = d.claim_due_at
    return fields


def extended_fields(current_due: datetime, extra_working_days: int, start: datetime) -> dict:
    """The clock after an approved extension: the deadline moves `extra_working_days` on;
    the reminder is again at 75% of the working time from `start` (the approval)."""
    from ..domain.sla import ESCALATION_WORKING_DAYS, REMIND_AT_FRACTION
    cal = calendar()
    due = cal.add_working_days(current_due, extra_working_days)
    remind = cal.add_working_time(start, REMIND_AT_FRACTION * cal.working_seconds_between(start, due))
    level1, level2 = (cal.add_working_days(due, n) for n in ESCALATION_WORKING_DAYS)
    fields = clock_fields(Deadlines(claim_due_at=None, remind_at=remind, due_at=due,
                                    escalate1_at=level1, escalate2_at=level2), with_claim=False)
    return fields


# ---------------------------------------------------------------- admin edits

def policies(actor) -> list[dict]:
    """The effective table: every category × severity with the county's value or the default."""
    from ..domain.codes import Category, Severity
    from ..domain.sla import DEFAULT_RESOLVE_DAYS

    from ..domain.sla import DEFAULT_CLAIM_HOURS

    table = {(p.category, p.severity): p for p in SlaPolicy.objects(county_code=actor.county_code)}
    return [_row(c.value, s.value, table.get((c.value, s.value)))
            for c in Category for s in Severity]


def _row(category: str, severity: str, policy: SlaPolicy | None) -> dict:
    from ..domain.sla import DEFAULT_CLAIM_HOURS, DEFAULT_RESOLVE_DAYS
    days = policy.resolve_days if policy and policy.resolve_days else None
    hours = policy.claim_hours if policy and policy.claim_hours else None
    return {"category": category, "severity": severity,
            "resolve_days": days or DEFAULT_RESOLVE_DAYS[severity],
            "claim_hours": hours or DEFAULT_CLAIM_HOURS[severity],
            "is_default": days is None and hours is None}


def set_policy(actor, category: str, severity: str, data: dict) -> dict:
    """Set working days to resolve and/or working hours to claim; values left out stay."""
    from ..domain.codes import Category, Severity, values
    from ..errors import InvalidInput, NotFound
    if category not in values(Category) or severity not in values(Severity):
        raise NotFound(_("No SLA entry %(category)s/%(severity)s; use a category and a severity code.",
                         category=category, severity=severity))
    changes = {f"set__{k}": data[k] for k in ("resolve_days", "claim_hours") if data.get(k) is not None}
    if not changes:
        raise InvalidInput(_("Send resolve_days (working days) and/or claim_hours (working hours)."),
                           errors={"resolve_days": [_("One of resolve_days, claim_hours is required.")]})
    SlaPolicy.objects(county_code=actor.county_code, category=category, severity=severity).update_one(
        upsert=True, **changes)
    return _row(category, severity, SlaPolicy.objects.get(county_code=actor.county_code,
                                                         category=category, severity=severity))


def holidays() -> list[HolidayOverride]:
    return list(HolidayOverride.objects.order_by("day"))


def _day(text: str) -> date:
    from ..errors import InvalidInput
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("'%(text)s' is not a date; use YYYY-MM-DD.",
                             text=text), errors={"day": [_("Not a date.")]})


def set_holiday(text: str, is_workday: bool, note: str | None) -> HolidayOverride:
    day = _day(text)
    HolidayOverride.objects(day=day.isoformat()).update_one(upsert=True, set__is_workday=is_workday, set__note=note)
    return HolidayOverride.objects.get(day=day.isoformat())


def delete_holiday(text: str) -> None:
    from ..errors import NotFound
    day = _day(text)
    if not HolidayOverride.objects(day=day.isoformat()).delete():
        raise NotFound(_("No calendar override for %(day)s.", day=day.isoformat()))

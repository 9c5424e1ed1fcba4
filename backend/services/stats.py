"""Resolution rates for the county office.

Reads the county's tickets created in the window (a county makes a few thousand a year)
and counts them with the pure functions of `domain.metrics`.
"""
from datetime import date, datetime, time, timedelta

from ..auth import Actor
from ..domain.metrics import grouped, summarize
from ..domain.sla import CHINA
from ..errors import InvalidInput
from ..models import Department, Ticket, Township, Village
from ..models.common import utcnow

FIELDS = ("status", "outcome", "dispatched_at", "first_claim_hours", "resolved_at", "due_at",
          "closed_at", "created_at", "reopen_count", "return_count", "department_code",
          "township_code", "village_code", "category")
GROUPS = ("department", "township", "village", "category", "month")


def _bounds(start: date | None, end: date | None):
    if start and end and end < start:
        raise InvalidInput("'to' must not be before 'from'.", errors={"to": ["Before 'from'."]})
    lo = datetime.combine(start, time.min, CHINA) if start else None
    hi = datetime.combine(end + timedelta(days=1), time.min, CHINA) if end else None
    return lo, hi


def _labels(county_code: str, group_by: str) -> dict:
    if group_by == "department":
        return {d.code: d.name for d in Department.objects(county_code=county_code).only("code", "name")}
    if group_by == "township":
        return {t.code: t.name for t in Township.objects(county_code=county_code).only("code", "name")}
    if group_by == "village":
        return {v.code: v.name for v in Village.objects(county_code=county_code).only("code", "name")}
    return {}


def _key(group_by: str):
    if group_by == "month":
        return lambda t: t["created_at"].astimezone(CHINA).strftime("%Y-%m")
    field = {"department": "department_code", "township": "township_code",
             "village": "village_code", "category": "category"}[group_by]
    return lambda t: t.get(field) or "(none)"


def resolution(actor: Actor, group_by: str, start: date | None, end: date | None,
               min_tickets: int) -> dict:
    lo, hi = _bounds(start, end)
    query = Ticket.objects(county_code=actor.county_code)
    if lo:
        query = query.filter(created_at__gte=lo)
    if hi:
        query = query.filter(created_at__lt=hi)
    rows = list(query.only(*FIELDS).as_pymongo())  # times come back aware (tz_aware=True)
    now = utcnow()
    labels = _labels(actor.county_code, group_by)
    groups = grouped(rows, _key(group_by), now, min_tickets)
    for group in groups:
        group["label"] = labels.get(group["key"], group["key"])
    return {"group_by": group_by, "from": start, "to": end, "min_tickets_to_rank": min_tickets,
            "total": summarize(rows, now), "groups": groups}

"""The county office's figures: rates from the counters, overdue tickets, common problems.

Rates read the county's day counters (one small document per creation day, by id; see
`services/counters.py`), never the tickets, so a dashboard costs the same with a thousand
tickets or a million. The windows are Asia/Shanghai creation days, inclusive.
"""
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from bson import ObjectId

from ..auth import Actor
from ..domain import metrics, windows
from ..domain.sla import CHINA
from ..errors import InvalidInput
from ..models import Department, Ticket, Township, Village
from ..models.common import utcnow
from ..extensions import find_by_ids
from . import counters
from ..i18n import _

GROUPS = ("department", "township", "village", "category", "month")
FILTERS = ("department", "township", "village", "category")
NONE_KEY = "(none)"  # tickets not (or no longer) with a department: pending routing, triage


def today() -> date:
    return utcnow().astimezone(CHINA).date()


def ticket_filters(filters: dict | None) -> dict:
    """The window's filters as Ticket field filters."""
    fields = {"department": "department_code", "township": "township_code",
              "village": "village_code", "category": "category"}
    return {fields[name]: (None if name == "department" and value == NONE_KEY else value)
            for name, value in (filters or {}).items() if name in fields and value}


def _check_window(start: date | None, end: date | None) -> None:
    """Every report and export passes here (the schemas check the same rule first)."""
    errors = windows.window_errors(start, end, today())
    if errors:
        raise InvalidInput(_("The date window is out of range; see errors."), errors=errors)


def _days(county_code: str, start: date | None, end: date | None) -> list[str]:
    """The creation days of the window that can hold tickets (none before the county's first)."""
    _check_window(start, end)
    first = counters.first_day(county_code)
    if first is None:
        return []
    lo = max(first, start.strftime("%Y%m%d")) if start else first
    hi = min(end or today(), today()).strftime("%Y%m%d")  # no ticket is created in the future
    return metrics.days_between(lo, hi) if lo <= hi else []


def _matches(cell: dict, filters: dict) -> bool:
    """`filters` holds only the filters asked for; "(none)" matches tickets without a department."""
    return all((cell[name] or NONE_KEY) == wanted for name, wanted in filters.items())


def _group_key(group_by: str, cell: dict, day: str) -> str:
    if group_by == "month":
        return f"{day[:4]}-{day[4:6]}"
    return cell[group_by] or NONE_KEY


def labels(county_code: str, group_by: str) -> dict:
    if group_by == "department":
        return {d.code: d.name for d in Department.objects(county_code=county_code).only("code", "name")}
    if group_by == "township":
        return {t.code: t.name for t in Township.objects(county_code=county_code).only("code", "name")}
    if group_by == "village":
        return {v.code: v.name for v in Village.objects(county_code=county_code).only("code", "name")}
    return {}


def _whole_months(county_code: str, days: list[str]) -> tuple[list[str], list[str]]:
    """(months whose every possible day is in `days`, the other days). A month's possible
    days run from the county's first day to today: no ticket lies outside them."""
    if not days:
        return [], []
    first, until = counters.first_day(county_code), today().strftime("%Y%m%d")
    by_month = defaultdict(list)
    for day in days:
        by_month[day[:6]].append(day)
    whole, rest = [], []
    for month, month_days in by_month.items():
        last = (date(int(month[:4]), int(month[4:]), 1) + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        possible = metrics.days_between(max(first, f"{month}01"), min(until, last.strftime("%Y%m%d")))
        if len(month_days) == len(possible):
            whole.append(month)
        else:
            rest += month_days
    return whole, rest


def _aggregate(county_code: str, group_by: str, start, end, filters: dict):
    now = utcnow()
    total, groups = metrics.Accumulator(), defaultdict(metrics.Accumulator)
    days = _days(county_code, start, end)
    if not filters and group_by in counters.ROLLUP_DIMENSIONS + ("month",):
        # Whole months from their month documents (a few dozen groups each), the edges by day.
        months, days = _whole_months(county_code, days)
        dimension = "category" if group_by == "month" else group_by  # every ticket has one category
        for doc in counters.read_months(county_code, months):
            for key, values in doc.get("g", {}).get(dimension, {}).items():
                if not values.get("tickets"):
                    continue
                group = f"{doc['month'][:4]}-{doc['month'][4:]}" if group_by == "month" else (
                    NONE_KEY if key == metrics.NO_DEPARTMENT else key)
                total.add_cell(values)
                groups[group].add_cell(values)
            for entry in doc.get("o", {}).values():
                if entry["due"] < now:
                    total.open_overdue += 1
                    groups[_group_key(group_by, metrics.split_cell(entry["cell"]), doc["month"] + "01")].open_overdue += 1
    for doc in counters.read_days(county_code, days):
        cells = {}
        for key, values in doc.get("c", {}).items():
            if not values.get("tickets"):
                continue  # only zeros (its last ticket left it as a cell was being dropped)
            cell = cells[key] = metrics.split_cell(key)
            if _matches(cell, filters):
                total.add_cell(values)
                groups[_group_key(group_by, cell, doc["day"])].add_cell(values)
        for entry in doc.get("o", {}).values():
            cell = cells.get(entry["cell"]) or metrics.split_cell(entry["cell"])
            if entry["due"] < now and _matches(cell, filters):
                total.open_overdue += 1
                groups[_group_key(group_by, cell, doc["day"])].open_overdue += 1
    return total, groups


def score_weights() -> dict[str, int]:
    """The composite score's weights (settings SCORE_WEIGHT_*; 12345 practice: 30/35/35)."""
    from flask import current_app
    return {part: current_app.config[f"SCORE_WEIGHT_{part.upper()}"] for part in metrics.SCORE_PARTS}


def _scored(values: dict, weights: dict) -> dict:
    return {**values, "composite_score": metrics.composite_score(values, weights)}


def resolution(actor: Actor, group_by: str, start: date | None, end: date | None,
               min_tickets: int, filters: dict | None = None, rank_by: str = "resolution_rate") -> dict:
    """Every PRODUCT.md metric (and satisfaction_rate, the composite score) for the window,
    in total and per group, as a league table ranked by `rank_by`."""
    filters = {k: v for k, v in (filters or {}).items() if v}
    total, groups = _aggregate(actor.county_code, group_by, start, end, filters)
    names = labels(actor.county_code, group_by)
    weights = score_weights()
    rows = [{"key": key, "label": names.get(key, key), **_scored(acc.metrics(), weights)}
            for key, acc in groups.items() if not acc.empty]
    return {"group_by": group_by, "rank_by": rank_by, "score_weights": weights, "from": start, "to": end,
            "filters": filters, "min_tickets_to_rank": min_tickets, "total": _scored(total.metrics(), weights),
            "groups": metrics.rank(rows, min_tickets, unranked={NONE_KEY}, by=rank_by)}


def trend(actor: Actor, start: date | None, end: date | None, filters: dict | None = None) -> dict:
    """The metrics month by month (every month of the window, empty ones included)."""
    filters = {k: v for k, v in (filters or {}).items() if v}
    total, groups = _aggregate(actor.county_code, "month", start, end, filters)
    months = sorted(key for key, acc in groups.items() if not acc.empty)
    if months:
        first = start.strftime("%Y-%m") if start else months[0]
        last = (end or today()).strftime("%Y-%m")
        months = _month_range(min(first, months[0]), max(last, months[-1]))
    return {"from": start, "to": end, "filters": filters, "total": total.metrics(),
            "months": [{"key": m, "label": m, **groups.get(m, metrics.Accumulator()).metrics()}
                       for m in months]}


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


OVERDUE_FIELDS = ("number", "title", "category", "status", "department_code", "village_code",
                  "township_code", "due_at", "created_at")


def overdue(actor: Actor, start: date | None, end: date | None, filters: dict | None = None,
            limit: int = 100) -> dict:
    """Open tickets past their deadline, most overdue first, with how long they are overdue
    and how old they are (days)."""
    filters = {k: v for k, v in (filters or {}).items() if v}
    now = utcnow()
    late = []
    # Whole months' open tickets from their month documents, the edges from the days.
    months, days = _whole_months(actor.county_code, _days(actor.county_code, start, end))
    for doc in counters.read_months(actor.county_code, months) + counters.read_days(actor.county_code, days):
        for ticket_id, entry in doc.get("o", {}).items():
            if entry["due"] < now and _matches(metrics.split_cell(entry["cell"]), filters):
                late.append((entry["due"], ticket_id))
    late.sort()
    departments = labels(actor.county_code, "department")
    # The shown tickets in one read by _id, their villages in one more.
    found = find_by_ids(Ticket._get_collection(), [ObjectId(ticket_id) for _, ticket_id in late[:limit]])
    villages = {v.code: v.name for v in Village.objects(code__in=sorted({t["village_code"] for t in found}))
                .only("code", "name")}
    rows = []
    for ticket in found:
        if ticket.get("county_code") != actor.county_code:
            continue
        rows.append({
            "id": str(ticket["_id"]), **{name: ticket.get(name) for name in OVERDUE_FIELDS if name != "township_code"},
            "department_name": departments.get(ticket.get("department_code"), ticket.get("department_code")),
            "village_name": villages.get(ticket["village_code"]),
            "overdue_days": round((now - ticket["due_at"]).total_seconds() / 86400, 1),
            "age_days": round((now - ticket["created_at"]).total_seconds() / 86400, 1),
        })
    return {"total": len(late), "limit": limit, "tickets": rows}


def bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """The window as UTC instants: [start 00:00, end+1 00:00) Asia/Shanghai."""
    _check_window(start, end)
    lo = datetime.combine(start, time.min, CHINA) if start else None
    hi = datetime.combine(end + timedelta(days=1), time.min, CHINA) if end else None
    return lo, hi


def common_problems(actor: Actor, start: date | None, end: date | None, min_villages: int,
                    min_townships: int, filters: dict | None = None) -> dict:
    """共性问题 among the tickets created in the window (duplicates and invalid left out).

    Reads the county's tickets of the window (index county_code, created_at): a county makes
    a few thousand a year."""
    from ..domain import problems
    from ..models import RoutingRule

    lo, hi = bounds(start, end)
    query = Ticket.objects(county_code=actor.county_code)
    if lo:
        query = query.filter(created_at__gte=lo)
    if hi:
        query = query.filter(created_at__lt=hi)
    query = query.filter(**ticket_filters(filters))
    rows = [dict(t, id=t["_id"]) for t in query.only(
        "id", "number", "title", "description", "category", "village_code", "township_code",
        "department_code", "outcome").order_by("created_at").as_pymongo() if metrics.counted(t)]
    rule_words = {w for r in RoutingRule.objects(county_code=actor.county_code, active=True).only("keywords")
                  for w in r.keywords}
    found = problems.find(rows, tuple(sorted(set(problems.KEYWORDS) | rule_words)),
                          min_villages, min_townships)
    villages = labels(actor.county_code, "village")
    townships = labels(actor.county_code, "township")
    departments = labels(actor.county_code, "department")
    for problem in found:
        problem["villages"] = [{"code": c, "name": villages.get(c, c)} for c in problem.pop("village_codes")]
        problem["townships"] = [{"code": c, "name": townships.get(c, c)} for c in problem.pop("township_codes")]
        problem["department_name"] = departments.get(problem["department_code"], problem["department_code"])
    return {"from": start, "to": end, "min_villages": min_villages, "min_townships": min_townships,
            "problems": found}

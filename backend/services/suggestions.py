"""Suggestions to departments (意见建议): written by the office from a common problem
(GET stats/common-problems) or a round's report, answered by the department with the
measures taken and the rules changed, accepted or sent back by the office. A reply owed
past its deadline is reminded (催办), flagged overdue and escalated (督办) like a ticket."""
from collections import defaultdict
from datetime import date, datetime, timedelta

from bson import ObjectId
from flask import current_app
from mongoengine.errors import NotUniqueError
from mongoengine.queryset.visitor import Q

from ..auth import Actor
from ..domain import suggestions as domain
from ..domain.codes import RESTRICTED_CATEGORIES, Role
from ..domain.followups import clocks, local_day
from ..domain.suggestions import SuggestionSource, SuggestionStatus
from ..errors import InvalidInput, NotFound
from ..i18n import _
from ..models import Suggestion, Ticket
from ..models.common import utcnow
from . import departments, followups, reply_clock

S = SuggestionStatus
TALLIES = followups.Tallies("suggestion", Suggestion, domain.FIELDS, domain.contribution)
PREFIX = "JY"                  # 建议
REMIND_DAYS_BEFORE = 5
ESCALATE_DAYS_AFTER = (3, 10)  # 督办: the department head three days after, the office ten
SOURCE_REF = {SuggestionSource.COMMON_PROBLEM.value: ("category:", "keyword:")}


def scope(actor: Actor) -> Q:
    if actor.role == Role.OFFICE:
        return Q(county_code=actor.county_code)
    if actor.role == Role.DEPARTMENT:
        return Q(county_code=actor.county_code, department_code=actor.department_code)
    return Q(id=None)


def get_visible(actor: Actor, suggestion_id: str) -> Suggestion:
    found = (Suggestion.objects(scope(actor), id=suggestion_id).first()
             if ObjectId.is_valid(suggestion_id) else None)
    if found is None:
        raise NotFound(_("No suggestion %(id)s that you can see.", id=suggestion_id))
    return found


def list_suggestions(actor: Actor, filters: dict, offset: int, limit: int) -> dict:
    query = Suggestion.objects(scope(actor))
    for name in ("status", "department_code", "source"):
        if filters.get(name):
            query = query.filter(**{name: filters[name]})
    if filters.get("overdue") is not None:
        query = query.filter(status=S.SENT.value, overdue=filters["overdue"])
    total = query.count()
    page = list(query.exclude("events").order_by("-created_at")[offset:offset + limit])
    return {"total": total, "offset": offset, "limit": limit, "suggestions": page}


def _clocks(due_day: date):
    return clocks(due_day, REMIND_DAYS_BEFORE, ESCALATE_DAYS_AFTER)


def _due_day(reply_due_on: date | None) -> date:
    today = local_day(utcnow())
    day = reply_due_on or today + timedelta(days=current_app.config["SUGGESTION_REPLY_DAYS"])
    if day < today:
        raise InvalidInput(_("The reply deadline lies in the past."), errors={"reply_due_on": [_("In the past.")]})
    return day


def create(actor: Actor, data: dict) -> Suggestion:
    """The office writes a suggestion to a department, with a reply deadline (default
    SUGGESTION_REPLY_DAYS days). From a common problem, `source_ref` names it
    (`category:<code>` or `keyword:<word>`) and `ticket_ids` the tickets behind it."""
    departments.require(actor.county_code, data["department_code"])
    source = SuggestionSource(data.get("source") or SuggestionSource.OTHER.value).value
    ref = data.get("source_ref")
    prefixes = SOURCE_REF.get(source)
    if prefixes and not (ref and ref.startswith(prefixes)):
        raise InvalidInput(_("Name the common problem as category:<code> or keyword:<word>."),
                           errors={"source_ref": [_("category:<code> or keyword:<word>")]})
    ticket_ids = _tickets(actor, data.get("ticket_ids") or [])
    now = utcnow()
    suggestion = Suggestion(number=followups.next_number(actor.county_code, PREFIX, now),
                            county_code=actor.county_code, department_code=data["department_code"],
                            title=data["title"], content=data["content"], source=source, source_ref=ref,
                            ticket_ids=ticket_ids, created_by=actor.id, status=S.SENT.value)
    for name, value in _clocks(_due_day(data.get("reply_due_on"))).fields().items():
        setattr(suggestion, name, value)
    return followups.create(suggestion, domain.MACHINE, TALLIES, "send", actor, note=data.get("note"),
                            data={"department_code": data["department_code"]})


def from_review(actor: Actor, entry, *, department_code: str, title: str, content: str,
                note: str | None = None) -> Suggestion:
    """A 底稿 entry the round's reviewer approved as a suggestion to `department_code`
    becomes one (source: the round's report), once per entry."""
    existing = Suggestion.objects(review_entry_id=entry.id).first()
    if existing:
        return existing
    departments.require(entry.county_code, department_code)
    now = utcnow()
    suggestion = Suggestion(number=followups.next_number(entry.county_code, PREFIX, now),
                            county_code=entry.county_code, department_code=department_code, title=title,
                            content=content, source=SuggestionSource.ROUND_REPORT.value,
                            source_ref=f"round:{entry.round_id}" if entry.round_id else None,
                            review_entry_id=entry.id, created_by=actor.id, status=S.SENT.value)
    for name, value in _clocks(_due_day(None)).fields().items():
        setattr(suggestion, name, value)
    try:
        return followups.create(suggestion, domain.MACHINE, TALLIES, "send", actor, note=note,
                                data={"department_code": department_code, "review_entry_id": str(entry.id)})
    except NotUniqueError:  # handed off concurrently
        return Suggestion.objects.get(review_entry_id=entry.id)


def _tickets(actor: Actor, ids: list[str]) -> list[ObjectId]:
    valid = [ObjectId(i) for i in dict.fromkeys(ids) if ObjectId.is_valid(i)]
    found = {t.id for t in Ticket.objects(id__in=valid, county_code=actor.county_code,
                                          category__nin=list(RESTRICTED_CATEGORIES)).only("id")}
    unknown = [i for i in ids if not ObjectId.is_valid(i) or ObjectId(i) not in found]
    if unknown:
        raise InvalidInput(_("Unknown tickets: %(ids)s.", ids=", ".join(unknown[:5])),
                           errors={"ticket_ids": [_("Tickets of your county.")]})
    return valid


def reply(actor: Actor, suggestion_id: str, measures: str, rules: list[str]) -> Suggestion:
    """The department answers: the measures taken (整改措施) and the rules made or changed."""
    suggestion = get_visible(actor, suggestion_id)
    now = utcnow()
    fields = {"measures": measures, "rules": rules, "replied_by": actor.id, "replied_at": now}
    if suggestion.first_replied_at is None:
        fields.update(first_replied_at=now, replied_on_time=bool(suggestion.due_at and now <= suggestion.due_at
                                                      and not suggestion.overdue))
    return followups.transition(suggestion, domain.MACHINE, TALLIES, "reply", S.REPLIED.value, actor,
                                note=measures, data={"rules": rules}, set_fields=fields)


def accept(actor: Actor, suggestion_id: str, note: str | None) -> Suggestion:
    suggestion = get_visible(actor, suggestion_id)
    return followups.transition(suggestion, domain.MACHINE, TALLIES, "accept", S.ACCEPTED.value, actor,
                                note=note, set_fields={"accepted_at": utcnow()})


def send_back(actor: Actor, suggestion_id: str, note: str, reply_due_on: date | None) -> Suggestion:
    """The reply is not enough: the department answers again by a new deadline."""
    suggestion = get_visible(actor, suggestion_id)
    clock = _clocks(_due_day(reply_due_on))
    return followups.transition(suggestion, domain.MACHINE, TALLIES, "send_back", S.SENT.value, actor,
                                note=note, data={"due_at": clock.due_at.isoformat()}, set_fields=clock.fields())


def detail(actor: Actor, suggestion_id: str) -> Suggestion:
    return get_visible(actor, suggestion_id)


def figures(actor: Actor) -> dict:
    """Sent, replied (on time), accepted, overdue: in total and by department."""
    c = TALLIES.read(actor.county_code)
    names = departments.names(actor.county_code)
    keys = ("sent", "replied", "replied_on_time", "accepted", "overdue")
    rows = [{"department_code": code, "department_name": names.get(code, code),
             **{k: row.get(k, 0) for k in keys}} for code, row in c.get("department", {}).items()]
    rows.sort(key=lambda r: (-r["sent"], r["department_code"]))
    return {**{k: c.get(k, 0) for k in keys}, "departments": rows}


def in_month(county_code: str, start: datetime, end: datetime) -> list[Suggestion]:
    """For the bulletin: suggestions sent in the month, or still owed, or replied in it."""
    query = Suggestion.objects(Q(county_code=county_code) & (
        Q(created_at__gte=start, created_at__lt=end) | Q(status=S.SENT.value, created_at__lt=end)
        | Q(replied_at__gte=start, replied_at__lt=end)))
    return list(query.exclude("events").order_by("department_code", "created_at")[:500])


AUDIENCES = {"remind": "department", "overdue": "department", "escalate1": "department_head",
             "escalate2": "office"}


def _notify(stage: str, run_id: str, marked: list[dict]) -> None:
    from . import notifications
    groups = defaultdict(list)
    for s in marked:
        groups[(s["county_code"], s["department_code"])].append(
            {"_id": s["_id"], "number": s["number"], "title": s["title"], "due_at": s.get("due_at")})
    for (county, department), rows in groups.items():
        notifications.publish(key=f"suggestion_{stage}:{run_id}:{county}:{department}",
                              kind=f"suggestion_{stage}", county_code=county, department_code=department,
                              audience=AUDIENCES[stage], tickets=rows)


# 催办 the department before the reply is due, flag it overdue, 督办 its head, then the office.
CLOCK = reply_clock.Clock(
    kind="suggestions", model=Suggestion, machine=domain.MACHINE, stages=reply_clock.reply_stages(domain.OWED),
    row={f: 1 for f in (*domain.FIELDS, "number", "title", "due_at")}, notify=_notify, record=TALLIES.record)

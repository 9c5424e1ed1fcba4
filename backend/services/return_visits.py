"""回访: when a ticket that came from a villager's report (码上巡视) closes as fixed, its
reporter is asked how it was dealt with: on the receipt page (满意 / 基本满意 / 不满意, with a
comment), or by the office's phone call, whose answer the office records. 不满意 waits for
the office: confirmed, the ticket goes back to the same department with a new deadline;
otherwise it stays closed, with the office's reason.

Every answer and decision is a ticket event through `tickets._transition` (actions
`return_visit` and `return_visit_reopen`), which also keeps `satisfaction_rate` in the counters:
the ticket's latest rating counts (a reopened ticket stays 不满意 until rated again).
A 回访 is due for `RETURN_VISIT_DAYS` after each closing.
"""
from datetime import timedelta

from bson import ObjectId
from flask import current_app

from ..auth import Actor
from ..domain.public_reports import RATING_LABELS, ReturnVisitStatus, Rating, mask_phone
from ..domain.states import Action, Outcome, TicketStatus
from ..errors import Conflict, InvalidInput, NotFound
from ..i18n import _
from ..models import Ticket
from ..models.common import utcnow
from ..models.public_reports import PublicReport
from ..models.tickets import ReturnVisit
from .tickets import _dispatch_fields, _transition

F = ReturnVisitStatus


def is_due(ticket: Ticket, now=None) -> bool:
    """Closed as fixed, from a villager's report, not yet answered for this closing, and
    within RETURN_VISIT_DAYS of it."""
    if not ticket.public_report_id or ticket.status != TicketStatus.CLOSED or ticket.outcome != Outcome.FIXED:
        return False
    if ticket.return_visit and ticket.return_visit.for_closed_at == ticket.closed_at:
        return False
    window = timedelta(days=current_app.config["RETURN_VISIT_DAYS"])
    return ticket.closed_at is not None and (now or utcnow()) - ticket.closed_at <= window


def for_receipt(ticket: Ticket | None) -> dict | None:
    """The 回访 as the reporter sees it on the receipt."""
    if ticket is None:
        return None
    due = is_due(ticket)
    answered = ticket.return_visit if ticket.return_visit and ticket.return_visit.rating else None
    if not due and answered is None:
        return None
    rating = answered.rating if answered and not due else None
    return {"status": F.DUE.value if due else answered.status, "can_rate": due, "rating": rating,
            "rating_label": RATING_LABELS[Rating(rating)] if rating else None,
            "comment": answered.comment if rating else None}


# ---------------------------------------------------------------- answers

VILLAGER = "villager"


def rate_by_reporter(code: str, rating: str, comment: str | None) -> dict:
    """The reporter rates on the receipt page (by its code)."""
    from .public_reports import by_receipt, receipt
    report = by_receipt(code)
    ticket = Ticket.objects(id=report.ticket_id).first() if report.ticket_id else None
    reporter = Actor(None, VILLAGER, VILLAGER, report.county_code, None)
    _record(reporter, ticket, rating, comment, source="reporter")
    return receipt(report.receipt_code)


def record_call(actor: Actor, ticket_id: str, rating: str, comment: str | None) -> Ticket:
    """The office called the reporter and records the answer."""
    return _record(actor, _villager_ticket(actor, ticket_id), rating, comment, source="phone")


def _record(actor: Actor, ticket: Ticket | None, rating: str, comment: str | None, source: str) -> Ticket:
    if ticket is None or not is_due(ticket):
        raise Conflict(_("No 回访 is due for this report: it is rated already, not dealt with yet, "
                         "or closed more than %(days)s days ago.", days=current_app.config["RETURN_VISIT_DAYS"]),
                       code="return_visit_not_due")
    rating = Rating(rating).value
    status = F.AWAITING_OFFICE if rating == Rating.DISSATISFIED else F.RATED
    return_visit = ReturnVisit(status=status.value, rating=rating, comment=comment, source=source,
                         for_closed_at=ticket.closed_at, rated_at=utcnow(), recorded_by=actor.id)
    return _transition(ticket, Action.RETURN_VISIT, TicketStatus.CLOSED, actor, note=comment,
                       data={"rating": rating, "source": source},
                       set_fields={"satisfaction": rating, "return_visit": return_visit},
                       expect={"closed_at": ticket.closed_at})


# ---------------------------------------------------------------- the office

def _villager_ticket(actor: Actor, ticket_id: str) -> Ticket:
    ticket = (Ticket.objects(id=ticket_id, county_code=actor.county_code, public_report_id__ne=None).first()
              if ObjectId.is_valid(ticket_id) else None)
    if ticket is None:
        raise NotFound(_("No ticket %(id)s from a villager's report in your county.", id=ticket_id))
    return ticket


def decide(actor: Actor, ticket_id: str, reopen: bool, note: str | None) -> Ticket:
    """不满意: the office confirms it (the ticket goes back to the same department, with a new
    deadline) or keeps the ticket closed, saying why."""
    ticket = _villager_ticket(actor, ticket_id)
    if not (ticket.return_visit and ticket.return_visit.status == F.AWAITING_OFFICE
            and ticket.status == TicketStatus.CLOSED):
        raise Conflict(_("Only a 不满意 answer waits for the office's decision."), code="return_visit_not_awaiting")
    if not note:
        raise InvalidInput(_("Say why, for the record."), errors={"note": [_("Required.")]})
    return_visit = ReturnVisit(**{**ticket.return_visit.to_mongo().to_dict(), "decided_at": utcnow(),
                            "decided_by": actor.id, "decision_note": note})
    expect = {"return_visit__status": F.AWAITING_OFFICE.value, "closed_at": ticket.closed_at}
    if not reopen:
        return_visit.status = F.KEPT_CLOSED.value
        return _transition(ticket, Action.RETURN_VISIT, TicketStatus.CLOSED, actor, note=note,
                           data={"decision": "kept_closed"}, set_fields={"return_visit": return_visit}, expect=expect)
    return_visit.status = F.REOPENED.value
    fields = _dispatch_fields(ticket, ticket.department_code, utcnow())
    return _transition(ticket, Action.RETURN_VISIT_REOPEN, TicketStatus.DISPATCHED, actor, note=note,
                       data={"rating": ticket.return_visit.rating}, inc={"reopen_count": 1}, expect=expect,
                       set_fields={**fields, "return_visit": return_visit, "closed_at": None, "resolved_at": None,
                                   "outcome": None, "plan": None})


def worklist(actor: Actor, status: str) -> list[dict]:
    """The office's 回访 list: `due` (closed within RETURN_VISIT_DAYS, not answered: call the
    ones who do not rate) or `awaiting_office` (不满意 to confirm). The phone is masked here;
    the report's detail shows it whole."""
    since = utcnow() - timedelta(days=current_app.config["RETURN_VISIT_DAYS"])
    query = Ticket.objects(county_code=actor.county_code, status=TicketStatus.CLOSED.value,
                           public_report_id__exists=True, closed_at__gte=since)
    if status == F.AWAITING_OFFICE:
        query = query.filter(return_visit__status=F.AWAITING_OFFICE.value)
    tickets = [t for t in query.exclude("events", "routing_trace").order_by("closed_at")
               if status != F.DUE or is_due(t)]
    reports = {r.id: r for r in PublicReport.objects(id__in=[t.public_report_id for t in tickets]).only(
        "id", "receipt_code", "reporter_phone", "anonymous")}
    rows = []
    for ticket in tickets:
        report = reports.get(ticket.public_report_id)
        rows.append({"ticket_id": str(ticket.id), "number": ticket.number, "title": ticket.title,
                     "department_code": ticket.department_code, "village_code": ticket.village_code,
                     "closed_at": ticket.closed_at, "report_id": str(ticket.public_report_id),
                     "receipt_code": report.receipt_code if report else None,
                     "reporter_phone": mask_phone(report.reporter_phone) if report else None,
                     "return_visit": ticket.return_visit.to_mongo().to_dict() if ticket.return_visit else None})
    return rows

"""The ticket use cases. `_transition` is the only writer of a ticket's state.

Each change is one conditional update on the ticket document, guarded by the version the
caller read, that sets the new state and appends the event in the same write. Two
concurrent actors cannot both win: the loser's update matches nothing and gets a 409.
"""
from datetime import datetime

from bson import ObjectId
from flask import current_app
from mongoengine.errors import NotUniqueError
from mongoengine.queryset.visitor import Q
from rq import Retry

from workers.queues import ROUTING, enqueue

from ..auth import Actor
from ..domain.codes import DISCIPLINE_DEPARTMENT, RESTRICTED_CATEGORIES, Role
from ..domain.states import (INITIAL_STATE, OPEN_STATES, Action, Outcome, TicketStatus,
                             TransitionNotAllowed, check_transition)
from ..errors import Conflict, InvalidInput, NotFound
from ..models import Finding, Location, Sequence, Ticket, TicketEvent
from ..models.common import utcnow
from . import departments, sla
from . import counters  # the office's rates: every ticket write updates them

S = TicketStatus
OPEN = [s.value for s in OPEN_STATES]


# ---------------------------------------------------------------- visibility

def scope(actor: Actor) -> Q:
    """What `actor` may see: their county; a department only its own tickets; misconduct
    clues only the discipline commission and the office."""
    q = Q(county_code=actor.county_code)
    if actor.role == Role.OFFICE:
        return q
    if actor.role == Role.DEPARTMENT:
        q &= Q(department_code=actor.department_code)
        if actor.department_code != DISCIPLINE_DEPARTMENT:
            q &= Q(category__nin=list(RESTRICTED_CATEGORIES))
        return q
    if actor.role == Role.INSPECTOR:
        from ..models import InspectionTask
        task_ids = [t.id for t in InspectionTask.objects(county_code=actor.county_code,
                                                         inspector_ids=actor.id).only("id")]
        return q & Q(task_id__in=task_ids) & Q(category__nin=list(RESTRICTED_CATEGORIES))
    return Q(id=None)  # nothing


def get_visible(actor: Actor, ticket_id: str) -> Ticket:
    ticket = Ticket.objects(scope(actor), id=ticket_id).first() if ObjectId.is_valid(ticket_id) else None
    if ticket is None:
        raise NotFound(f"No ticket {ticket_id} that you can see.")
    return ticket


def list_tickets(actor: Actor, filters: dict, mine_only: bool = False):
    q = scope(actor)
    if mine_only:
        q &= Q(inspector_id=actor.id)
    for field in ("status", "category", "township_code", "village_code", "department_code", "severity"):
        if filters.get(field):
            q &= Q(**{field: filters[field]})
    if filters.get("overdue") is True:
        q &= Q(status__in=OPEN, due_at__lt=utcnow())
    elif filters.get("overdue") is False:
        q &= Q(status__in=OPEN) & (Q(due_at=None) | Q(due_at__gte=utcnow()))
    return Ticket.objects(q).exclude("events", "routing_trace").order_by("-created_at")


# ---------------------------------------------------------------- the one writer

def _transition(ticket: Ticket, action: Action, target: TicketStatus, actor: Actor | None, *,
                note: str | None = None, location: dict | None = None, data: dict | None = None,
                set_fields: dict | None = None, inc: dict | None = None) -> Ticket:
    try:
        check_transition(action, ticket.status, target)
    except TransitionNotAllowed as exc:
        raise Conflict(str(exc), code="invalid_transition")
    now = utcnow()
    set_fields = dict(set_fields or {})
    event = TicketEvent(
        seq=ticket.version + 1, action=Action(action).value, at=now,
        actor_id=actor.id if actor else None, actor_name=actor.username if actor else "system",
        actor_role=actor.role if actor else "system", from_status=ticket.status,
        to_status=TicketStatus(target).value,
        department_code=set_fields.get("department_code", ticket.department_code),
        note=note, location=Location(**location) if location else None, data=data or {})
    update = {f"set__{k}": v for k, v in set_fields.items()}
    update.update({f"inc__{k}": v for k, v in (inc or {}).items()})
    update.update(set__status=TicketStatus(target).value, set__updated_at=now, inc__version=1,
                  push__events=event)
    updated = Ticket.objects(id=ticket.id, version=ticket.version).modify(new=True, **update)
    if updated is None:
        current = Ticket.objects(id=ticket.id).only("status", "department_code").first()
        raise Conflict(f"The ticket changed while you were acting on it (it is now "
                       f"{current.status if current else 'gone'}); reload it and try again.",
                       code="stale_ticket")
    counters.record(ticket, updated)
    return updated


def _dispatch_fields(ticket: Ticket, department_code: str, now: datetime) -> dict:
    return {"department_code": department_code, "dispatched_at": now,
            "first_dispatched_at": ticket.first_dispatched_at or now,
            "handler_id": None, "claimed_at": None,
            "due_at": sla.due_at(ticket.county_code, ticket.category, ticket.severity, now)}


# ---------------------------------------------------------------- opening and routing (system)

def _next_number(county_code: str, year: int) -> str:
    seq = Sequence.objects(key=f"ticket:{county_code}:{year}").modify(upsert=True, new=True, inc__value=1)
    return f"{county_code}-{year}-{seq.value:06d}"


def open_from_finding(finding: Finding) -> Ticket:
    """Create the finding's ticket as pending_routing with its first event, then enqueue
    its routing. Idempotent: one ticket per finding (unique finding_id)."""
    ticket = Ticket.objects(finding_id=finding.id).first()
    if ticket is None:
        now = utcnow()
        ticket = Ticket(
            number=_next_number(finding.county_code, now.year), county_code=finding.county_code,
            finding_id=finding.id, task_id=finding.task_id, inspector_id=finding.inspector_id,
            village_code=finding.village_code, township_code=finding.township_code,
            category=finding.category, severity=finding.severity, title=finding.title,
            description=finding.description, location=finding.location, point=finding.point,
            status=INITIAL_STATE.value, version=1, created_at=now, updated_at=now,
            events=[TicketEvent(seq=1, action=Action.OPEN.value, at=now, actor_id=finding.inspector_id,
                                actor_role="inspector", from_status=None, to_status=INITIAL_STATE.value,
                                note="opened from finding", location=finding.location,
                                data={"finding_id": str(finding.id)})])
        try:
            ticket.save(force_insert=True)
            counters.record(None, ticket)
        except NotUniqueError:
            # Expected only when the same finding's ticket was opened concurrently.
            ticket = Ticket.objects(finding_id=finding.id).first()
            if ticket is None:
                raise
    Finding.objects(id=finding.id, ticket_id=None).update_one(set__ticket_id=ticket.id)
    finding.ticket_id = ticket.id
    if ticket.status == INITIAL_STATE:
        enqueue_routing(ticket.id)
    return ticket


def enqueue_routing(ticket_id) -> str | None:
    """One routing job per ticket at a time: the job id is the ticket's."""
    return enqueue("workers.jobs.route_ticket", str(ticket_id), queue=ROUTING,
                   job_id=f"route-{ticket_id}", retry=Retry(max=3, interval=[5, 30, 120]))


def route(ticket_id: str) -> Ticket | None:
    """Route a pending ticket. Safe to run any number of times: only the first does anything."""
    from . import routing

    ticket = Ticket.objects(id=ticket_id).first()
    if ticket is None or ticket.status != S.PENDING_ROUTING:
        return ticket
    decision = routing.decide_for(ticket, excluded=set())
    now = utcnow()
    try:
        if decision.department:
            fields = _dispatch_fields(ticket, decision.department, now)
            return _transition(ticket, Action.ROUTE, S.DISPATCHED, None, data={"rule_id": decision.rule_id},
                               set_fields={**fields, "routing_rule_id": decision.rule_id,
                                           "routing_trace": decision.trace})
        return _transition(ticket, Action.ROUTE, S.TRIAGE, None, note="no routing rule matched",
                           set_fields={"routing_trace": decision.trace})
    except Conflict:
        return Ticket.objects(id=ticket_id).first()  # someone else routed it first


# ---------------------------------------------------------------- departments

def claim(actor: Actor, ticket_id: str, note: str | None = None) -> Ticket:
    """签收: exactly one claim wins."""
    ticket = get_visible(actor, ticket_id)
    now = utcnow()
    fields = {"handler_id": actor.id, "claimed_at": now}
    if ticket.first_claim_hours is None and ticket.dispatched_at:
        fields["first_claim_hours"] = round((now - ticket.dispatched_at).total_seconds() / 3600, 3)
    return _transition(ticket, Action.CLAIM, S.CLAIMED, actor, note=note, set_fields=fields)


def return_ticket(actor: Actor, ticket_id: str, reason: str) -> Ticket:
    """退单: send a wrongly routed ticket on to the next candidate, or to triage."""
    from . import routing

    ticket = get_visible(actor, ticket_id)
    returned_by = list(dict.fromkeys([*ticket.returned_by, actor.department_code]))
    max_returns = current_app.config["MAX_RETURNS"]
    decision = None
    if ticket.return_count + 1 < max_returns:
        decision = routing.decide_for(ticket, excluded=set(returned_by))
    now = utcnow()
    common = {"returned_by": returned_by, "routing_trace": decision.trace if decision else ticket.routing_trace}
    data = {"returned_by": actor.department_code}
    if decision and decision.department:
        fields = {**_dispatch_fields(ticket, decision.department, now), **common,
                  "routing_rule_id": decision.rule_id}
        return _transition(ticket, Action.RETURN, S.DISPATCHED, actor, note=reason, data=data,
                           set_fields=fields, inc={"return_count": 1})
    data["to_triage"] = "too many returns" if decision is None else "no other department matches"
    return _transition(ticket, Action.RETURN, S.TRIAGE, actor, note=reason, data=data,
                       set_fields={**common, "department_code": None, "handler_id": None, "due_at": None},
                       inc={"return_count": 1})


def _photos_named(ticket: Ticket, photo_ids: list[str] | None) -> dict | None:
    """Event data naming photos that were added to the ticket before."""
    from . import photos
    return {"photo_ids": photos.check_attached(ticket.id, photo_ids)} if photo_ids else None


def report_progress(actor: Actor, ticket_id: str, note: str, photo_ids: list[str] | None = None) -> Ticket:
    ticket = get_visible(actor, ticket_id)
    data = _photos_named(ticket, photo_ids)
    return _transition(ticket, Action.PROGRESS, S.CLAIMED, actor, note=note, data=data)


def resolve(actor: Actor, ticket_id: str, note: str, location: dict | None = None,
            photo_ids: list[str] | None = None) -> Ticket:
    """办结: the department says it is fixed; the note and the evidence photos prove it."""
    ticket = get_visible(actor, ticket_id)
    data = _photos_named(ticket, photo_ids)
    return _transition(ticket, Action.RESOLVE, S.RESOLVED, actor, note=note, location=location,
                       data=data, set_fields={"resolved_at": utcnow()})


# ---------------------------------------------------------------- inspectors and office

def verify(actor: Actor, ticket_id: str, outcome: str, note: str | None,
           location: dict | None, photo_ids: list[str] | None = None) -> Ticket:
    """核查: confirmed closes the ticket; not_fixed reopens it to the same department."""
    ticket = get_visible(actor, ticket_id)
    data = _photos_named(ticket, photo_ids)
    now = utcnow()
    if outcome == "confirmed":
        return _transition(ticket, Action.VERIFY_CONFIRMED, S.CLOSED, actor, note=note, location=location,
                           data=data, set_fields={"closed_at": now, "outcome": Outcome.FIXED.value})
    if not note:
        raise InvalidInput("Say what is still wrong when a fix is not accepted.",
                           errors={"note": ["Required when outcome is not_fixed."]})
    due = sla.due_at(ticket.county_code, ticket.category, ticket.severity, now)
    return _transition(ticket, Action.VERIFY_NOT_FIXED, S.CLAIMED, actor, note=note, location=location,
                       data=data, set_fields={"due_at": due}, inc={"reopen_count": 1})


def assign(actor: Actor, ticket_id: str, department_code: str, note: str | None) -> Ticket:
    """Office triage: hand a ticket no rule could route to a department."""
    ticket = get_visible(actor, ticket_id)
    departments.require(actor.county_code, department_code)
    if ticket.category in RESTRICTED_CATEGORIES and department_code != DISCIPLINE_DEPARTMENT:
        raise InvalidInput("Misconduct clues go only to the discipline commission.",
                           errors={"department_code": [f"Must be {DISCIPLINE_DEPARTMENT}."]})
    fields = _dispatch_fields(ticket, department_code, utcnow())
    return _transition(ticket, Action.ASSIGN, S.DISPATCHED, actor, note=note, set_fields=fields)


def close_as(actor: Actor, ticket_id: str, outcome: str, reason: str) -> Ticket:
    """The office ends a ticket as a duplicate or invalid, with a reason."""
    ticket = get_visible(actor, ticket_id)
    return _transition(ticket, Action.CLOSE, S.CLOSED, actor, note=reason, data={"outcome": outcome},
                       set_fields={"closed_at": utcnow(), "outcome": Outcome(outcome).value})


def detail(actor: Actor, ticket_id: str) -> Ticket:
    """The ticket with its finding's three bases and its photos attached for display."""
    from ..models import Finding
    from . import photos

    ticket = get_visible(actor, ticket_id)
    ticket.finding = Finding.objects(id=ticket.finding_id).first()
    ticket.photos = photos.for_ticket(ticket)
    return ticket

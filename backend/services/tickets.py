"""The ticket use cases. `_transition` is the only writer of a ticket's state.

Each change is one conditional update on the ticket document, guarded by the version the
caller read, that sets the new state and appends the event in the same write. Two
concurrent actors cannot both win: the loser's update matches nothing and gets a 409.
"""
import logging
from collections import Counter
from datetime import datetime

from bson import ObjectId
from flask import current_app
from mongoengine.errors import NotUniqueError
from mongoengine.queryset.visitor import Q
from rq import Retry

from ..auth import Actor
from ..domain.codes import DISCIPLINE_DEPARTMENT, RESTRICTED_CATEGORIES, Role
from ..domain.states import (DEADLINE_STATES, INITIAL_STATE, OPEN_STATES, Action, Outcome,
                             TicketStatus, TransitionNotAllowed, check_transition, named_status)
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import update_each
from ..models import Finding, Location, Sequence, Ticket, TicketEvent, User
from ..models.common import utcnow
from ..queue import ROUTING, enqueue
from . import changes, departments, sla
from . import counters  # the office's rates: every ticket write updates them
from ..i18n import _, shown

log = logging.getLogger(__name__)

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
        # their own findings' tickets, and the closed tickets they re-inspect (回头看)
        return q & (Q(task_id__in=task_ids) | Q(lookback_task_id__in=task_ids)) \
            & Q(category__nin=list(RESTRICTED_CATEGORIES))
    return Q(id=None)  # nothing


def get_visible(actor: Actor, ticket_id: str) -> Ticket:
    ticket = Ticket.objects(scope(actor), id=ticket_id).first() if ObjectId.is_valid(ticket_id) else None
    if ticket is None:
        raise NotFound(_("No ticket %(ticket_id)s that you can see.", ticket_id=ticket_id))
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
    if filters.get("escalation_level"):
        q &= Q(status__in=OPEN, escalation_level__gte=filters["escalation_level"])
    return Ticket.objects(q).exclude("events", "routing_trace").order_by("-created_at")


# ---------------------------------------------------------------- the one writer

def _event(version: int, status: str, department_code: str | None, action: Action,
           target: TicketStatus, actor: Actor | None, now: datetime, *, note: str | None = None,
           location: dict | None = None, data: dict | None = None) -> TicketEvent:
    return TicketEvent(
        seq=version + 1, action=Action(action).value, at=now,
        actor_id=actor.id if actor else None, actor_name=actor.username if actor else "system",
        actor_role=actor.role if actor else "system", from_status=status,
        to_status=TicketStatus(target).value, department_code=department_code,
        note=note, location=Location(**location) if location else None, data=data or {})


def _transition(ticket: Ticket, action: Action, target: TicketStatus, actor: Actor | None, *,
                note: str | None = None, location: dict | None = None, data: dict | None = None,
                set_fields: dict | None = None, inc: dict | None = None,
                expect: dict | None = None) -> Ticket:
    """`expect`: more conditions the stored ticket must meet (MongoEngine filter keywords),
    checked by the same update; when they fail the caller gets the stale-ticket 409.

    `ticket` must be loaded with every field the counters rate (domain.metrics.FIELDS):
    the counters take the difference between it and the updated ticket."""
    try:
        check_transition(action, ticket.status, target)
    except TransitionNotAllowed as exc:
        raise Conflict(exc.args[0], code="invalid_transition")
    now = utcnow()
    set_fields = dict(set_fields or {})
    event = _event(ticket.version, ticket.status, set_fields.get("department_code", ticket.department_code),
                   action, target, actor, now, note=note, location=location, data=data)
    update = {f"set__{k}": v for k, v in set_fields.items()}
    update.update({f"inc__{k}": v for k, v in (inc or {}).items()})
    update.update(set__status=TicketStatus(target).value, set__updated_at=now, inc__version=1,
                  push__events=event)
    update.update(changes.stamp(ticket.county_code))  # sync cursor: the inspector's phone learns of every change
    updated = Ticket.objects(id=ticket.id, version=ticket.version, **(expect or {})).modify(new=True, **update)
    if updated is None:
        current = Ticket.objects(id=ticket.id).only("status", "department_code").first()
        raise Conflict(_("The ticket changed while you were acting on it (it is now %(status)s); reload it and "
                         "try again.", status=shown(named_status(current.status)) if current else _("deleted")),
                       code="stale_ticket")
    counters.record(ticket, updated)
    return updated


def transition_many(rows: list[dict], action: Action, *, guard: dict, set_fields: dict,
                    data: dict | None = None, note: str | None = None) -> int:
    """The system's bulk form of `_transition` for the deadline sweep: each row (a raw
    ticket with _id, version, status, department_code) gets one conditional update —
    guarded by its version and by `guard`, the stage's own condition — that sets
    `set_fields`, bumps the version and appends its event, exactly as `_transition` would.
    All of them go in one bulk write (pymongo splits it into batches of up to 100,000).
    Returns how many tickets changed; a ticket that changed meanwhile is left for the next run."""
    if not rows:
        return 0
    now = utcnow()
    collection = Ticket._get_collection()
    per_county = Counter(row["county_code"] for row in rows)
    # sync cursor numbers: one $inc per county for the batch (rows must carry county_code)
    next_number = {county: changes.reserve(county, n) for county, n in per_county.items()}
    ops = []
    for row in rows:
        seq = next_number[row["county_code"]]
        next_number[row["county_code"]] += 1
        target = TicketStatus(row["status"])
        check_transition(action, target, target)
        event = _event(row["version"], row["status"], row.get("department_code"), action, target, None,
                       now, note=note, data=data)
        ops.append(({"_id": row["_id"], "version": row["version"], **guard},
                    {"$set": {**set_fields, "updated_at": now, "change_seq": seq, "changed_at": now},
                     "$inc": {"version": 1},
                     "$push": {"events": event.to_mongo().to_dict()}}))
    return update_each(collection, ops)


def _dispatch_fields(ticket: Ticket, department_code: str, now: datetime) -> dict:
    clocks = sla.deadlines(ticket.county_code, ticket.category, ticket.severity, now)
    return {"department_code": department_code, "dispatched_at": now,
            "first_dispatched_at": ticket.first_dispatched_at or now,
            "handler_id": None, "claimed_at": None, "extension": None,
            **sla.clock_fields(clocks)}


# ---------------------------------------------------------------- opening and routing (system)

def _next_number(county_code: str, year: int) -> str:
    seq = Sequence.objects(key=f"ticket:{county_code}:{year}").modify(upsert=True, new=True, inc__value=1)
    return f"{county_code}-{year}-{seq.value:06d}"


def open_from_finding(finding: Finding) -> Ticket:
    """Create the finding's ticket as pending_routing with its first event, then enqueue
    its routing. Idempotent: one ticket per finding (unique finding_id)."""
    ticket = Ticket.objects(county_code=finding.county_code, finding_id=finding.id).first()
    # The new ticket and the finding's link to it: two sync change numbers with one $inc.
    seq = changes.reserve(finding.county_code, 2)
    now = utcnow()
    if ticket is None:
        inspector = User.objects(id=finding.inspector_id).only("username").first()
        ticket = Ticket(
            number=_next_number(finding.county_code, now.year), county_code=finding.county_code,
            finding_id=finding.id, task_id=finding.task_id, inspector_id=finding.inspector_id,
            village_code=finding.village_code, township_code=finding.township_code,
            category=finding.category, severity=finding.severity, title=finding.title,
            description=finding.description, location=finding.location, point=finding.point,
            public_report_id=finding.public_report_id, status=INITIAL_STATE.value, version=1, created_at=now, updated_at=now,
            events=[TicketEvent(seq=1, action=Action.OPEN.value, at=now, actor_id=finding.inspector_id,
                                actor_name=inspector.username if inspector else None, actor_role="inspector",
                                from_status=None, to_status=INITIAL_STATE.value,
                                note="opened from finding", location=finding.location,
                                data={"finding_id": str(finding.id)})],
            change_seq=seq, changed_at=now)
        try:
            ticket.save(force_insert=True)
            counters.record(None, ticket)
        except NotUniqueError:
            # Expected only when the same finding's ticket was opened concurrently.
            ticket = Ticket.objects(county_code=finding.county_code, finding_id=finding.id).first()
            if ticket is None:
                raise
    Finding.objects(id=finding.id, ticket_id=None).update_one(set__ticket_id=ticket.id, set__change_seq=seq + 1,
                                                              set__changed_at=now)
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
            routed = _transition(ticket, Action.ROUTE, S.DISPATCHED, None, data={"rule_id": decision.rule_id},
                                 set_fields={**fields, "routing_rule_id": decision.rule_id,
                                             "routing_trace": decision.trace})
        else:
            routed = _transition(ticket, Action.ROUTE, S.TRIAGE, None, note="no routing rule matched",
                                 set_fields={"routing_trace": decision.trace})
        log.info("ticket %s routed: %s", ticket.id, routed.status,
                 extra={"ticket_id": str(ticket.id), "county_code": ticket.county_code, "status": routed.status,
                        "department_code": routed.department_code,
                        "routing_seconds": round((now - ticket.created_at).total_seconds(), 3)})
        return routed
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


def return_ticket(actor: Actor, ticket_id: str, reason: str, reason_code: str = "other") -> Ticket:
    """退单: send a wrongly routed ticket on to the next candidate, or to triage, with a
    reason from the fixed list plus words. Each department's returns are counted."""
    from ..domain.states import ReturnReason
    from . import routing

    reason_code = ReturnReason(reason_code).value
    ticket = get_visible(actor, ticket_id)
    returned_by = list(dict.fromkeys([*ticket.returned_by, actor.department_code]))
    max_returns = current_app.config["MAX_RETURNS"]
    decision = None
    if ticket.return_count + 1 < max_returns:
        decision = routing.decide_for(ticket, excluded=set(returned_by))
    now = utcnow()
    common = {"returned_by": returned_by, "routing_trace": decision.trace if decision else ticket.routing_trace}
    data = {"returned_by": actor.department_code, "reason_code": reason_code}
    if decision and decision.department:
        fields = {**_dispatch_fields(ticket, decision.department, now), **common,
                  "routing_rule_id": decision.rule_id}
        returned = _transition(ticket, Action.RETURN, S.DISPATCHED, actor, note=reason, data=data,
                               set_fields=fields, inc={"return_count": 1})
    else:
        data["to_triage"] = "too many returns" if decision is None else "no other department matches"
        returned = _transition(ticket, Action.RETURN, S.TRIAGE, actor, note=reason, data=data,
                               set_fields={**common, "department_code": None, "handler_id": None,
                                           "due_at": None, "claim_due_at": None, "remind_at": None,
                                           "escalate1_at": None, "escalate2_at": None,
                                           "overdue": False, "escalation_level": 0, "extension": None},
                               inc={"return_count": 1})
    _count_return(ticket.county_code, actor.department_code, reason_code)
    return returned


def _count_return(county_code: str, department_code: str, reason_code: str) -> None:
    for key in (f"returns:{county_code}:{department_code}", f"returns:{county_code}:{department_code}:{reason_code}"):
        Sequence.objects(key=key).update_one(upsert=True, inc__value=1)


def return_counts(actor: Actor) -> list[dict]:
    """Returns (退单) per department of the county, in total and by reason."""
    prefix = f"returns:{actor.county_code}:"
    rows: dict[str, dict] = {}
    for counter in Sequence.objects(key__startswith=prefix):
        department, _, reason = counter.key[len(prefix):].partition(":")
        row = rows.setdefault(department, {"department_code": department, "returns": 0, "by_reason": {}})
        if reason:
            row["by_reason"][reason] = counter.value
        else:
            row["returns"] = counter.value
    return sorted(rows.values(), key=lambda r: (-r["returns"], r["department_code"]))


def _photos_named(ticket: Ticket, photo_ids: list[str] | None) -> dict | None:
    """Event data naming photos that were added to the ticket before."""
    from . import photos
    return {"photo_ids": photos.check_attached(ticket.id, photo_ids)} if photo_ids else None


def report_progress(actor: Actor, ticket_id: str, note: str, photo_ids: list[str] | None = None,
                    plan_step: int | None = None) -> Ticket:
    """进展: optionally about one step of the approved rectification plan."""
    from . import plans
    ticket = get_visible(actor, ticket_id)
    data = _photos_named(ticket, photo_ids) or {}
    if plan_step is not None:
        data["plan_step"] = plans.check_step(ticket, plan_step)
    return _transition(ticket, Action.PROGRESS, S.CLAIMED, actor, note=note, data=data or None)


def resolve(actor: Actor, ticket_id: str, note: str, location: dict | None = None,
            photo_ids: list[str] | None = None) -> Ticket:
    """办结: the department says it is fixed; the note and the evidence photos prove it (at
    least one photo, unless the admin relaxed that for the category)."""
    from . import plans, settings
    ticket = get_visible(actor, ticket_id)
    if not photo_ids and settings.photo_required(ticket.county_code, ticket.category):
        raise InvalidInput(_("A resolution needs at least one evidence photo: add it to the ticket "
                           "(POST tickets/{id}/photos) and name it in photo_ids."),
                           errors={"photo_ids": [_("At least one photo of the fix.")]}, code="evidence_required")
    data = _photos_named(ticket, photo_ids)
    plans.require_approved(ticket)
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
        raise InvalidInput(_("Say what is still wrong when a fix is not accepted."),
                           errors={"note": [_("Required when outcome is not_fixed.")]})
    clocks = sla.deadlines(ticket.county_code, ticket.category, ticket.severity, now)
    return _transition(ticket, Action.VERIFY_NOT_FIXED, S.CLAIMED, actor, note=note, location=location,
                       data=data, set_fields={**sla.clock_fields(clocks, with_claim=False), "extension": None},
                       inc={"reopen_count": 1})


def assign(actor: Actor, ticket_id: str, department_code: str, note: str | None) -> Ticket:
    """Office triage: hand a ticket no rule could route to a department."""
    ticket = get_visible(actor, ticket_id)
    departments.require(actor.county_code, department_code)
    if ticket.category in RESTRICTED_CATEGORIES and department_code != DISCIPLINE_DEPARTMENT:
        raise InvalidInput(_("Misconduct clues go only to the discipline commission."),
                           errors={"department_code": [_("Must be %(department)s.", department=DISCIPLINE_DEPARTMENT)]})
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


# ---------------------------------------------------------------- the inspectors' phones (sync, duplicates)

def add_finding_as_evidence(ticket_id, finding_id, county_code: str) -> bool:
    """A finding about the same problem joins an open ticket as evidence (not a state
    change): one atomic $addToSet. Returns whether it was new; repeating it is harmless."""
    added = Ticket.objects(id=ticket_id, linked_finding_ids__ne=finding_id).update_one(
        add_to_set__linked_finding_ids=finding_id, **changes.stamp(county_code))
    return bool(added)


def set_location_from_finding(ticket_id, location: Location, point, county_code: str) -> None:
    """The finding got a better position (a photo's GPS): the ticket shows it too."""
    Ticket.objects(id=ticket_id).update_one(set__location=location, set__point=point, **changes.stamp(county_code))


def close_as_duplicate_of(actor: Actor, ticket_id, original: Ticket) -> Ticket:
    """The inspector says their finding repeats `original`: their own ticket, while no
    department has taken it on, ends as a duplicate (the routing job may race us: retry)."""
    for _ in range(3):
        ticket = Ticket.objects(id=ticket_id).first()
        if ticket is None or ticket.status == S.CLOSED:
            return ticket
        if ticket.status not in (S.PENDING_ROUTING, S.TRIAGE, S.DISPATCHED):
            raise Conflict(_("Ticket %(number)s is already %(status)s by a department; ask the office to close it"
                             " as a duplicate.", number=ticket.number, status=ticket.status), code="ticket_taken")
        try:
            return _transition(ticket, Action.CLOSE, S.CLOSED, actor,
                               note=f"duplicate of {original.number}",
                               data={"outcome": Outcome.DUPLICATE.value, "duplicate_of": str(original.id)},
                               set_fields={"closed_at": utcnow(), "outcome": Outcome.DUPLICATE.value})
        except Conflict as exc:
            if exc.code != "stale_ticket":
                raise
    raise Conflict(_("The ticket keeps changing; try again."), code="stale_ticket")

"""The deadline sweep (催办 · 超期 · 督办) and extension requests (延期申请).

The sweep runs often (RQ cron, or the in-process tick). Each stage is one indexed range
query for the tickets whose clock point has passed and whose stage is not yet marked, then
one bulk write of conditional updates: an update marks the stage (with this run's id),
bumps the version and appends the ticket's event, and applies only if the ticket is still
as read and the stage still unmarked. That update is the gate: a ticket's reminder is
notified only by the run whose mark it carries, so running the sweep twice, or two sweeps
at once, sends each reminder once. Notifications go out per department and stage, one
document each in the outbox (unique key run:stage:department), then through RQ.
"""
import logging
import uuid
from collections import defaultdict
from datetime import datetime

from ..auth import Actor
from ..domain.states import DEADLINE_STATES, Action, TicketStatus, named_status
from ..errors import Conflict, InvalidInput
from ..models import Department, SweepRun, Ticket
from ..models.common import utcnow
from . import notifications, sla
from .tickets import _transition, get_visible, transition_many
from ..i18n import _, shown

log = logging.getLogger(__name__)
DEADLINE = [s.value for s in DEADLINE_STATES]
ROW_FIELDS = {"_id": 1, "version": 1, "status": 1, "department_code": 1, "county_code": 1,
              "number": 1, "title": 1, "due_at": 1, "escalation_level": 1}


# stage: (clock field, statuses, "not yet" condition, fields set, action, event data, audience)
STAGES = (
    ("claim_reminder", "claim_due_at", [TicketStatus.DISPATCHED.value],
     {"sla_marks.claim_reminder": {"$exists": False}}, {}, Action.CLAIM_REMINDER, {}, "department"),
    ("remind", "remind_at", DEADLINE,
     {"sla_marks.remind": {"$exists": False}}, {}, Action.REMIND, {}, "department"),
    ("overdue", "due_at", DEADLINE,
     {"overdue": {"$ne": True}}, {"overdue": True}, Action.OVERDUE, {}, "department"),
    ("escalate1", "escalate1_at", DEADLINE,
     {"escalation_level": {"$lt": 1}}, {"escalation_level": 1}, Action.ESCALATE, {"level": 1},
     "department_head"),
    ("escalate2", "escalate2_at", DEADLINE,
     {"escalation_level": {"$lt": 2}}, {"escalation_level": 2}, Action.ESCALATE, {"level": 2}, "office"),
)


def sweep(now: datetime | None = None, run_id: str | None = None) -> dict:
    """One pass over every stage. Returns {stage: tickets marked by this run}."""
    now = now or utcnow()
    run_id = run_id or uuid.uuid4().hex
    SweepRun(run_id=run_id, started_at=utcnow()).save(force_insert=True)
    counts = {}
    collection = Ticket._get_collection()
    for name, clock, statuses, not_yet, fields, action, data, audience in STAGES:
        guard = {clock: {"$lte": now}, **not_yet}
        rows = list(collection.find({"status": {"$in": statuses}, **guard}, ROW_FIELDS))
        counts[name] = transition_many(rows, action, guard=guard,
                                       set_fields={**fields, f"sla_marks.{name}": run_id, "sla_run": run_id},
                                       data={**data, "run": run_id})
    _notify(run_id)
    SweepRun.objects(run_id=run_id).update_one(set__finished_at=utcnow(), set__counts=counts)
    if any(counts.values()):
        log.info("deadline sweep %s: %s", run_id, counts)
    return counts


def _notify(run_id: str) -> int:
    """Put one notification per stage and department in the outbox for the tickets this run
    marked (found by the run's mark), and enqueue their delivery. Safe to repeat."""
    collection = Ticket._get_collection()
    marked = collection.find({"sla_run": run_id}, {**ROW_FIELDS, "sla_marks": 1})
    groups: dict[tuple, list] = defaultdict(list)
    for row in marked:
        for name, *_rest, audience in STAGES:
            if row.get("sla_marks", {}).get(name) == run_id:
                groups[(name, audience, row["county_code"], row.get("department_code"))].append(row)
    names = {(d.county_code, d.code): d.name for d in Department.objects.only("county_code", "code", "name")} \
        if groups else {}
    for (name, audience, county, department), rows in groups.items():
        notifications.publish(
            key=f"{name}:{run_id}:{county}:{department}", kind=name, county_code=county,
            department_code=department, audience=audience, tickets=rows,
            department_name=names.get((county, department), ""))
    return len(groups)


def finish_stopped_runs(older_than: datetime) -> int:
    """A run that stopped between marking and notifying: notify what it marked."""
    stopped = [r.run_id for r in SweepRun.objects(finished_at=None, started_at__lt=older_than)]
    for run_id in stopped:
        log.warning("deadline sweep %s stopped before notifying; notifying now", run_id)
        _notify(run_id)
        SweepRun.objects(run_id=run_id).update_one(set__finished_at=utcnow())
    return len(stopped)


# ---------------------------------------------------------------- 延期申请

MAX_EXTRA_WORKING_DAYS = 30


def request_extension(actor: Actor, ticket_id: str, reason: str, extra_working_days: int) -> Ticket:
    """The department asks for more time, before the deadline, with a reason."""
    from ..models.tickets import ExtensionRequest
    ticket = get_visible(actor, ticket_id)
    now = utcnow()
    if ticket.status not in DEADLINE_STATES or ticket.due_at is None:
        raise Conflict(_("Only a dispatched or claimed ticket with a deadline can be extended; this one is "
                         "%(status)s.", status=shown(named_status(ticket.status))), code="invalid_transition")
    if ticket.due_at <= now:
        raise Conflict(_("The deadline (%(deadline)s) has passed: an extension must be asked for before it. "
                         "Resolve the ticket, or ask the office to reassign it.", deadline=_local(ticket.due_at)),
                       code="extension_too_late")
    if ticket.extension and ticket.extension.status == "pending":
        raise Conflict(_("An extension request is already waiting for the office's decision."),
                       code="extension_pending")
    request = ExtensionRequest(status="pending", reason=reason, extra_working_days=extra_working_days,
                               requested_at=now, requested_by=actor.id, due_at_before=ticket.due_at)
    return _transition(ticket, Action.EXTENSION_REQUEST, ticket.status, actor, note=reason,
                       data={"extra_working_days": extra_working_days},
                       set_fields={"extension": request})


def decide_extension(actor: Actor, ticket_id: str, approve: bool, note: str | None) -> Ticket:
    """The office approves (the deadline moves on) or refuses a pending request."""
    ticket = get_visible(actor, ticket_id)
    request = ticket.extension
    if request is None or request.status != "pending":
        raise Conflict(_("This ticket has no extension request waiting for a decision."),
                       code="no_pending_extension")
    now = utcnow()
    request.decided_at, request.decided_by, request.decision_note = now, actor.id, note
    if not approve:
        if not note:
            raise InvalidInput(_("Say why the extension is refused."), errors={"note": [_("Required when refusing.")]})
        request.status = "refused"
        return _transition(ticket, Action.EXTENSION_REFUSE, ticket.status, actor, note=note,
                           set_fields={"extension": request}, expect={"extension__status": "pending"})
    clocks = sla.extended_fields(ticket.due_at, request.extra_working_days, now)
    request.status, request.new_due_at = "approved", clocks["due_at"]
    return _transition(ticket, Action.EXTENSION_APPROVE, ticket.status, actor, note=note,
                       data={"due_at_before": ticket.due_at.isoformat(), "due_at": clocks["due_at"].isoformat()},
                       set_fields={**clocks, "extension": request}, expect={"extension__status": "pending"})


def _local(moment: datetime) -> str:
    from ..domain.sla import CHINA
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")

"""回头看 (looking back): re-inspect a sample of closed tickets some time after closing.

The sampling job takes, per county, the tickets closed as fixed at least LOOKBACK_AFTER_DAYS
ago that no run has considered yet; it claims them for this run with one conditional update
(so two runs never take the same ticket), samples LOOKBACK_PERCENT of each department (at
least one), and creates one re-inspection task (kind "lookback") for the county's active
inspectors. A re-inspection that finds the problem back reopens the ticket to the same
department with a new deadline, and counts against its reopen rate (reopen_count + 1).
"""
import logging
import math
import random
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app

from ..auth import Actor
from ..domain.codes import Role
from ..domain.sla import CHINA
from ..domain.states import Action, Outcome, TicketStatus
from ..errors import Conflict, InvalidInput
from ..models import InspectionTask, Ticket, User, Village
from ..models.common import utcnow

from . import changes
from .tasks import task_villages
from .tickets import _dispatch_fields, _transition, get_visible
from ..i18n import _

log = logging.getLogger(__name__)


def sample(now: datetime | None = None, rng: random.Random | None = None) -> list[InspectionTask]:
    """One sampling run over every county. Returns the re-inspection tasks it created."""
    now = now or utcnow()
    rng = rng or random.Random()
    config = current_app.config
    cutoff = now - timedelta(days=config["LOOKBACK_AFTER_DAYS"])
    run_id = uuid.uuid4().hex
    Ticket.objects(status=TicketStatus.CLOSED.value, outcome=Outcome.FIXED.value, closed_at__lte=cutoff,
                   lookback_round=None).update(set__lookback_round=run_id)
    population = defaultdict(lambda: defaultdict(list))
    # Whole tickets (but their logs): _transition's counter update needs every rated field.
    for ticket in Ticket.objects(lookback_round=run_id).exclude("events", "routing_trace"):
        population[ticket.county_code][ticket.department_code].append(ticket)
    tasks = []
    for county_code, by_department in population.items():
        chosen = []
        for tickets in by_department.values():
            k = max(1, math.ceil(len(tickets) * config["LOOKBACK_PERCENT"] / 100))
            chosen += rng.sample(sorted(tickets, key=lambda t: str(t.id)), min(k, len(tickets)))
        task = _create_task(county_code, chosen, now)
        if task:
            tasks.append(task)
    return tasks


def _create_task(county_code: str, tickets: list[Ticket], now: datetime) -> InspectionTask | None:
    inspectors = [u.id for u in User.objects(county_code=county_code, role=Role.INSPECTOR.value,
                                             active=True).only("id")]
    if not inspectors:
        log.warning("回头看 %s: no active inspector to re-inspect %d tickets", county_code, len(tickets))
        Ticket.objects(id__in=[t.id for t in tickets]).update(set__lookback_round=None)  # next run
        return None
    today = now.astimezone(CHINA).date()
    codes = list(dict.fromkeys(t.village_code for t in tickets))
    villages = {v.code: v for v in Village.objects(code__in=codes)}
    task = InspectionTask(county_code=county_code, name=f"回头看 {today.isoformat()}（{len(tickets)} 件）",
                          village_codes=codes, villages=task_villages([villages[c] for c in codes if c in villages]),
                          inspector_ids=inspectors, starts_on=today.isoformat(),
                          ends_on=(today + timedelta(days=current_app.config["LOOKBACK_TASK_DAYS"])).isoformat(),
                          focus_categories=[], kind="lookback", ticket_ids=[t.id for t in tickets],
                          change_seq=changes.next_seq(county_code), changed_at=utcnow())  # phones learn of it
    task.save()
    for ticket in tickets:
        _transition(ticket, Action.LOOKBACK_SAMPLED, ticket.status, None, note="回头看抽查",
                    data={"task_id": str(task.id)}, set_fields={"lookback_task_id": task.id})
    log.info("回头看 %s: task %s re-inspects %d tickets", county_code, task.id, len(tickets))
    return task


def record(actor: Actor, ticket_id: str, outcome: str, note: str | None, location: dict | None) -> Ticket:
    """The re-inspection's result: `confirmed` (still fixed) or `problem_back` (reopen)."""
    ticket = get_visible(actor, ticket_id)
    if ticket.lookback_task_id is None:
        raise Conflict(_("This ticket was not picked for re-inspection (回头看)."), code="not_in_lookback")
    if ticket.lookback_outcome:
        raise Conflict(_("The re-inspection of this ticket was already recorded (%(lookback_outcome)s).",
                         lookback_outcome=ticket.lookback_outcome),
                       code="lookback_recorded")
    if actor.role == Role.INSPECTOR and not InspectionTask.objects(id=ticket.lookback_task_id,
                                                                    inspector_ids=actor.id).first():
        raise Conflict(_("The re-inspection task of this ticket is not yours."), code="not_your_task")
    data = {"task_id": str(ticket.lookback_task_id)}
    if outcome == "confirmed":
        return _transition(ticket, Action.LOOKBACK_CONFIRMED, ticket.status, actor, note=note, location=location,
                           data=data, set_fields={"lookback_outcome": "confirmed"}, expect={"lookback_outcome": None})
    if not note:
        raise InvalidInput(_("Say what is back when the problem has returned."),
                           errors={"note": [_("Required when outcome is problem_back.")]})
    now = utcnow()
    fields = _dispatch_fields(ticket, ticket.department_code, now)
    return _transition(ticket, Action.REOPEN, TicketStatus.DISPATCHED, actor, note=note, location=location,
                       data=data, inc={"reopen_count": 1}, expect={"lookback_outcome": None},
                       set_fields={**fields, "lookback_outcome": "problem_back", "closed_at": None,
                                   "resolved_at": None, "outcome": None, "plan": None})




"""Rectification plans (整改方案) for serious and urgent tickets.

The department submits steps with dates while the ticket is claimed; the office approves it
or sends it back with a note; progress reports name a step; the ticket is resolved only
with an approved plan.
"""
from ..auth import Actor
from ..domain.sla import CHINA
from ..domain.states import Action
from ..errors import Conflict, InvalidInput
from ..models import Ticket
from ..models.common import utcnow
from ..models.tickets import PlanStep, RectificationPlan
from .tickets import _transition, get_visible
from ..domain.messages import Named
from ..i18n import _, shown

NEEDS_PLAN = frozenset({"serious", "urgent"})
PLAN_LABELS = {"submitted": "待审核", "approved": "已批准", "returned": "已退回"}


def submit(actor: Actor, ticket_id: str, summary: str, steps: list[dict]) -> Ticket:
    ticket = get_visible(actor, ticket_id)
    if ticket.severity not in NEEDS_PLAN:
        raise InvalidInput(_("Only serious and urgent tickets take a rectification plan; this one is "
                             "%(severity)s.",
                             severity=ticket.severity), errors={"severity": [_("Not serious or urgent.")]})
    if ticket.plan and ticket.plan.status in ("submitted", "approved"):
        raise Conflict(_("The plan is already %(status)s; a new one can be submitted only after the office sends "
                         "it back.", status=shown(Named(ticket.plan.status, PLAN_LABELS[ticket.plan.status]))),
                       code="plan_exists")
    today = utcnow().astimezone(CHINA).date()
    deadline = ticket.due_at.astimezone(CHINA).date() if ticket.due_at else None
    errors = {}
    for n, step in enumerate(steps, start=1):
        if step["due_on"] < today:
            errors[f"steps.{n}.due_on"] = [_("Lies in the past.")]
        elif deadline and step["due_on"] > deadline:
            errors[f"steps.{n}.due_on"] = [_("After the ticket's deadline %(deadline)s; ask for an extension first.",
                                               deadline=deadline)]
    if [s["due_on"] for s in steps] != sorted(s["due_on"] for s in steps):
        errors["steps"] = [_("Give the steps in the order of their dates.")]
    if errors:
        raise InvalidInput(_("The plan's dates do not fit; see errors."), errors=errors)
    plan = RectificationPlan(status="submitted", summary=summary,
                             steps=[PlanStep(title=s["title"], due_on=s["due_on"].isoformat()) for s in steps],
                             revision=(ticket.plan.revision + 1) if ticket.plan else 1,
                             submitted_at=utcnow(), submitted_by=actor.id)
    return _transition(ticket, Action.PLAN_SUBMIT, ticket.status, actor, note=summary,
                       data={"revision": plan.revision, "steps": len(steps)}, set_fields={"plan": plan})


def decide(actor: Actor, ticket_id: str, approve: bool, note: str | None) -> Ticket:
    ticket = get_visible(actor, ticket_id)
    plan = ticket.plan
    if plan is None or plan.status != "submitted":
        raise Conflict(_("This ticket has no submitted plan waiting for a decision."), code="no_submitted_plan")
    if not approve and not note:
        raise InvalidInput(_("Say what the plan must change."), errors={"note": [_("Required when sending it back.")]})
    plan.status = "approved" if approve else "returned"
    plan.decided_at, plan.decided_by, plan.decision_note = utcnow(), actor.id, note
    return _transition(ticket, Action.PLAN_APPROVE if approve else Action.PLAN_RETURN, ticket.status, actor,
                       note=note, data={"revision": plan.revision}, set_fields={"plan": plan},
                       expect={"plan__status": "submitted"})


def check_step(ticket: Ticket, step: int) -> int:
    """The step a progress report names must be one of the approved plan's."""
    if ticket.plan is None or ticket.plan.status != "approved":
        raise InvalidInput(_("This ticket has no approved plan whose step a report could name."),
                           errors={"plan_step": [_("No approved plan.")]})
    if not 1 <= step <= len(ticket.plan.steps):
        raise InvalidInput(_("The plan has steps 1 to %(steps)s.", steps=len(ticket.plan.steps)),
                           errors={"plan_step": [_("No such step.")]})
    return step


def require_approved(ticket: Ticket) -> None:
    if ticket.severity in NEEDS_PLAN and (ticket.plan is None or ticket.plan.status != "approved"):
        state = ticket.plan.status if ticket.plan else "not submitted"
        raise Conflict(_("A %(severity)s ticket is resolved only with an approved rectification plan (整改方案); its "
                         "plan is %(state)s.", severity=ticket.severity, state=state), code="plan_not_approved")


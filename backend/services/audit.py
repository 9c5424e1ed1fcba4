"""Personal data shown whole: only to a ticket's current handler, on an explicit reveal,
and every reveal is written to the audit log the office reads (PRODUCT.md, Privacy)."""
from bson import ObjectId

from ..auth import Actor
from ..domain.codes import Role
from ..errors import Forbidden
from ..models import Finding
from ..models.audit import AuditEntry
from . import tickets
from ..i18n import _


def reveal(actor: Actor, ticket_id: str, address: str | None = None) -> dict:
    """The ticket's texts whole (phone and ID numbers unmasked) for the department user who
    handles it now; logged first, so no reveal goes unrecorded."""
    ticket = tickets.get_visible(actor, ticket_id)
    if actor.role != Role.DEPARTMENT or ticket.handler_id != actor.id \
            or ticket.department_code != actor.department_code:
        raise Forbidden(_("Only the ticket's current handler may see its personal data whole."),
                        code="not_handler")
    AuditEntry(county_code=actor.county_code, actor_id=actor.id, actor_name=actor.username,
               department_code=actor.department_code, ticket_id=ticket.id, ticket_number=ticket.number,
               address=address).save()
    finding = Finding.objects(id=ticket.finding_id).only(
        "fact_basis", "policy_basis", "responsibility_basis").first()
    return {"id": str(ticket.id), "number": ticket.number, "title": ticket.title,
            "description": ticket.description,
            "fact_basis": finding.fact_basis if finding else None,
            "policy_basis": finding.policy_basis if finding else None,
            "responsibility_basis": finding.responsibility_basis if finding else None,
            "notes": [{"seq": e.seq, "action": e.action, "note": e.note} for e in ticket.events if e.note]}


def entries(actor: Actor, ticket_id: str | None = None):
    """The county's audit log, newest first (optionally one ticket's)."""
    query = AuditEntry.objects(county_code=actor.county_code)
    if ticket_id:
        query = query.filter(ticket_id=ticket_id if ObjectId.is_valid(ticket_id) else None)
    return query.order_by("-at")

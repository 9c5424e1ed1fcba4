"""Responsibility handover (责任交接): a leaving handler's open tickets pass to a successor."""
from bson import ObjectId

from ..auth import Actor
from ..domain.codes import Role
from ..domain.states import Action
from ..errors import Conflict, InvalidInput
from ..models import Ticket, User
from .tickets import OPEN, _transition
from ..i18n import _


def open_tickets_of(user_id) -> list[Ticket]:
    return list(Ticket.objects(handler_id=user_id, status__in=OPEN))


def check_successor(actor: Actor, leaving: User, successor_id: str | None, department_code: str) -> User:
    if not successor_id or not ObjectId.is_valid(successor_id):
        raise InvalidInput(_("Name the successor (successor_id) who takes over this user's open tickets."),
                           errors={"successor_id": [_("Required: the user has open tickets.")]})
    successor = User.objects(id=successor_id, county_code=actor.county_code).first()
    if successor is None or not successor.active or successor.role != Role.DEPARTMENT.value \
            or successor.department_code != department_code or successor.id == leaving.id:
        raise InvalidInput(_("The successor must be another active user of department %(department_code)s.",
                             department_code=department_code),
                           errors={"successor_id": [_("Not an active user of the same department.")]})
    return successor


def hand_over(actor: Actor, leaving: User, successor: User, reason: str) -> int:
    """Pass every open ticket `leaving` handles to `successor`, one event each. Returns how
    many moved. A ticket that changes meanwhile is read again and moved."""
    moved = 0
    for ticket in open_tickets_of(leaving.id):
        for _attempt in range(3):
            if ticket.handler_id != leaving.id or ticket.status not in OPEN:
                break
            try:
                _transition(ticket, Action.HANDOVER, ticket.status, actor, note=reason,
                            data={"from_user": str(leaving.id), "to_user": str(successor.id),
                                  "to_username": successor.username},
                            set_fields={"handler_id": successor.id}, expect={"handler_id": leaving.id})
                moved += 1
                break
            except Conflict:
                ticket = Ticket.objects(id=ticket.id).first()
    return moved

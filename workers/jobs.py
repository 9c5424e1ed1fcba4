"""RQ job functions. They take string ids, reload, and are safe to run twice."""
import logging
from datetime import timedelta

from . import runtime

log = logging.getLogger(__name__)


def route_ticket(ticket_id: str) -> str | None:
    """Route one pending ticket; a second run finds it routed and does nothing.

    Returns the ticket's status after the job."""
    from backend.services import tickets

    with runtime.app().app_context():
        ticket = tickets.route(ticket_id)
        return ticket.status if ticket else None


def sweep_pending_routing() -> int:
    """Enqueue routing again for tickets left pending (Redis was down, or a job was lost)."""
    from backend.models import Ticket
    from backend.models.common import utcnow
    from backend.services.findings import enqueue_routing

    app = runtime.app()
    with app.app_context():
        cutoff = utcnow() - timedelta(seconds=app.config["ROUTING_SWEEP_GRACE_SECONDS"])
        ids = [t.id for t in Ticket.objects(status="pending_routing", created_at__lt=cutoff).only("id")]
        enqueued = sum(1 for tid in ids if enqueue_routing(tid))
        if ids:
            log.info("sweep: %d tickets pending routing, %d enqueued again", len(ids), enqueued)
        return enqueued

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
    """Enqueue routing again for tickets left pending (Redis was down, or a job was lost),
    open the tickets of findings stored without one, and queue for review the villagers'
    reports stored without their entry. A ticket whose routing job is still
    waiting in the queue gets no second one. Returns how many tickets have a routing job
    waiting afterwards (none of them twice)."""
    from backend.models import Ticket
    from backend.models.common import utcnow
    from backend.services.findings import open_missing_tickets
    from backend.services.tickets import enqueue_routing

    app = runtime.app()
    with app.app_context():
        cutoff = utcnow() - timedelta(seconds=app.config["ROUTING_SWEEP_GRACE_SECONDS"])
        if opened := open_missing_tickets(cutoff):
            log.warning("sweep: opened %d tickets of findings stored without one", opened)
        from backend.services.public_reports import queue_missing
        if queued := queue_missing(cutoff):
            log.warning("sweep: %d villagers' reports stored without their review entry queued", queued)
        ids = [t.id for t in Ticket.objects(status="pending_routing", created_at__lt=cutoff).only("id")]
        enqueued = sum(1 for tid in ids if enqueue_routing(tid))
        if ids:
            log.info("sweep: %d tickets pending routing, %d with a routing job waiting", len(ids), enqueued)
        return enqueued


def derive_photo(photo_id: str) -> str | None:
    """Derive a photo's web version and thumbnail (the `media` queue); a second run finds
    it ready (or failed) and does nothing. Returns the photo's status after the job."""
    from backend.services import photos

    with runtime.app().app_context():
        photo = photos.derive(photo_id)
        return photo.status if photo else None


def sweep_processing_photos() -> int:
    """Enqueue derivation again for photos left processing (Redis was down when they were
    uploaded, or the job was lost). Returns how many were enqueued."""
    from backend.models.common import utcnow
    from backend.services import photos

    app = runtime.app()
    with app.app_context():
        cutoff = utcnow() - timedelta(seconds=app.config["ROUTING_SWEEP_GRACE_SECONDS"])
        return sum(1 for photo_id in photos.processing_since(cutoff) if photos.enqueue_derivation(photo_id))


def sweep_deadlines(now: str | None = None) -> dict:
    """催办, overdue, 督办: mark and notify every ticket whose clock point has passed, each
    stage once per deadline however often this runs. `now` (ISO) is for the CLI and tests.
    Also notifies for an earlier run that stopped between marking and notifying."""
    from datetime import datetime

    from backend.models.common import utcnow
    from backend.services import deadlines

    with runtime.app().app_context():
        deadlines.finish_stopped_runs(utcnow() - timedelta(minutes=10))
        return deadlines.sweep(datetime.fromisoformat(now) if now else None)


def sample_lookback(now: str | None = None) -> list[str]:
    """回头看: sample closed tickets for re-inspection. Returns the new tasks' ids."""
    from datetime import datetime

    from backend.services import lookback

    with runtime.app().app_context():
        return [str(t.id) for t in lookback.sample(datetime.fromisoformat(now) if now else None)]


def deliver_notification(notification_id: str, channel: str) -> str:
    """Send one notification on one channel; a second run finds it sent and does nothing.
    Raises when the channel fails, so that RQ retries it with back-off."""
    from backend.services import notifications

    with runtime.app().app_context():
        return notifications.deliver(notification_id, channel)


def sweep_reply_clocks(now: str | None = None) -> dict:
    """The reply clocks of what is owed to the inspection office: clues' feedback,
    suggestions' replies, rectification problems (超期, 督办), units' plans and reports.
    Each stage once per deadline however often this runs; the notices of a run that
    stopped before sending them go out with the next. `now` (ISO) is for the CLI and tests.
    Returns {kind: {stage: marked by this run}}."""
    from datetime import datetime

    from backend.services import reply_clock

    with runtime.app().app_context():
        return reply_clock.sweep_all(reply_clock.clocks(), datetime.fromisoformat(now) if now else None)

"""Findings (巡察发现): idempotent submission, and the ticket a finding opens."""
import hashlib
import json
from datetime import UTC, datetime

from bson import ObjectId
from mongoengine.errors import NotUniqueError

from workers.queues import ROUTING, enqueue

from ..auth import Actor
from ..domain.states import Action, TicketStatus
from ..errors import Conflict, NotFound
from ..models import Finding, Location, Sequence, Ticket, TicketEvent
from ..models.common import to_millis, utcnow
from .tasks import my_task, task_village

CONTENT_FIELDS = ("task_id", "village_code", "category", "severity", "title", "description",
                  "location", "observed_at", "fact_basis", "policy_basis", "responsibility_basis",
                  "needs_action")


def _fingerprint(data: dict) -> str:
    def norm(value):
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
        return value
    content = {k: norm(data.get(k)) for k in CONTENT_FIELDS}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def submit(actor: Actor, data: dict) -> tuple[Finding, bool]:
    """Store a finding once. Returns (finding, created). A replay with the same content
    returns the stored finding; the same client_id with other content is a conflict."""
    fingerprint = _fingerprint(data)
    existing = Finding.objects(client_id=data["client_id"]).first()
    if existing:
        return _replay(actor, existing, fingerprint), False
    task = my_task(actor, data["task_id"])
    village = task_village(task, data["village_code"])
    finding = Finding(
        client_id=data["client_id"], fingerprint=fingerprint, county_code=actor.county_code,
        task_id=task.id, inspector_id=actor.id, village_code=village.code,
        township_code=village.township_code, category=data["category"], severity=data["severity"],
        title=data["title"], description=data["description"], location=Location(**data["location"]),
        point=[data["location"]["lon"], data["location"]["lat"]], observed_at=to_millis(data["observed_at"]),
        fact_basis=data["fact_basis"], policy_basis=data["policy_basis"],
        responsibility_basis=data["responsibility_basis"], needs_action=data.get("needs_action", True))
    try:
        finding.save()
    except NotUniqueError:  # the same submission raced in on another connection
        return _replay(actor, Finding.objects.get(client_id=data["client_id"]), fingerprint), False
    if finding.needs_action:
        open_ticket(finding)
    return finding, True


def _replay(actor: Actor, existing: Finding, fingerprint: str) -> Finding:
    if existing.inspector_id != actor.id or existing.fingerprint != fingerprint:
        raise Conflict(f"client_id {existing.client_id} was already used for a different finding; "
                       "generate a new UUID for a new finding.", code="client_id_conflict")
    if existing.needs_action and existing.ticket_id is None:
        open_ticket(existing)  # the first attempt stopped between finding and ticket
    return Finding.objects.get(id=existing.id)


def _next_number(county_code: str, year: int) -> str:
    seq = Sequence.objects(key=f"ticket:{county_code}:{year}").modify(upsert=True, new=True, inc__value=1)
    return f"{county_code}-{year}-{seq.value:06d}"


def open_ticket(finding: Finding) -> Ticket:
    """Create the finding's ticket as pending_routing, then enqueue its routing.

    Idempotent: one ticket per finding (unique finding_id)."""
    ticket = Ticket.objects(finding_id=finding.id).first()
    if ticket is None:
        now = utcnow()
        ticket = Ticket(
            number=_next_number(finding.county_code, now.year), county_code=finding.county_code,
            finding_id=finding.id, task_id=finding.task_id, inspector_id=finding.inspector_id,
            village_code=finding.village_code, township_code=finding.township_code,
            category=finding.category, severity=finding.severity, title=finding.title,
            description=finding.description, location=finding.location, point=finding.point,
            status=TicketStatus.PENDING_ROUTING.value, version=1, created_at=now, updated_at=now,
            events=[TicketEvent(seq=1, action="open", at=now, actor_id=finding.inspector_id,
                                actor_role="inspector", from_status=None,
                                to_status=TicketStatus.PENDING_ROUTING.value,
                                note="opened from finding", location=finding.location,
                                data={"finding_id": str(finding.id)})])
        try:
            ticket.save(force_insert=True)
        except NotUniqueError:
            # Expected only when the same finding's ticket was opened concurrently.
            ticket = Ticket.objects(finding_id=finding.id).first()
            if ticket is None:
                raise
    Finding.objects(id=finding.id, ticket_id=None).update_one(set__ticket_id=ticket.id)
    finding.ticket_id = ticket.id
    if ticket.status == TicketStatus.PENDING_ROUTING:
        enqueue_routing(ticket.id)
    return ticket


def enqueue_routing(ticket_id) -> str | None:
    """One routing job per ticket at a time: the job id is the ticket's."""
    from rq import Retry
    return enqueue("workers.jobs.route_ticket", str(ticket_id), queue=ROUTING,
                   job_id=f"route-{ticket_id}", retry=Retry(max=3, interval=[5, 30, 120]))


def open_missing_tickets(older_than) -> int:
    """Open the tickets of findings that were stored but whose ticket was not (the process
    stopped in between). Returns how many were opened."""
    orphans = Finding.objects(needs_action=True, ticket_id=None, created_at__lt=older_than)
    return sum(1 for finding in orphans if open_ticket(finding))


def get_mine(actor: Actor, finding_id: str) -> Finding:
    finding = (Finding.objects(id=finding_id, inspector_id=actor.id).first()
               if ObjectId.is_valid(finding_id) else None)
    if finding is None:
        raise NotFound(f"No finding {finding_id} of yours.")
    return finding

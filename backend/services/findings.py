"""Findings (巡察发现): idempotent submission; a finding that needs action opens a ticket."""
import hashlib
import json
from datetime import UTC, datetime

from bson import ObjectId
from mongoengine.errors import NotUniqueError

from ..auth import Actor
from ..errors import Conflict, NotFound
from ..models import Finding, Location
from ..models.common import to_millis
from . import tickets
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
        tickets.open_from_finding(finding)
    return finding, True


def _replay(actor: Actor, existing: Finding, fingerprint: str) -> Finding:
    if existing.inspector_id != actor.id or existing.fingerprint != fingerprint:
        raise Conflict(f"client_id {existing.client_id} was already used for a different finding; "
                       "generate a new UUID for a new finding.", code="client_id_conflict")
    if existing.needs_action and existing.ticket_id is None:
        tickets.open_from_finding(existing)  # the first attempt stopped between finding and ticket
    return Finding.objects.get(id=existing.id)


def open_missing_tickets(older_than) -> int:
    """Open the tickets of findings that were stored but whose ticket was not (the process
    stopped in between). Returns how many were opened."""
    orphans = Finding.objects(needs_action=True, ticket_id=None, created_at__lt=older_than)
    return sum(1 for finding in orphans if tickets.open_from_finding(finding))


def get_mine(actor: Actor, finding_id: str) -> Finding:
    finding = (Finding.objects(id=finding_id, inspector_id=actor.id).first()
               if ObjectId.is_valid(finding_id) else None)
    if finding is None:
        raise NotFound(f"No finding {finding_id} of yours.")
    return finding

"""Findings (巡察发现): idempotent submission; a finding that needs action opens a ticket,
or joins an open ticket about the same problem as its evidence."""
import hashlib
import json
from datetime import UTC, datetime

from bson import ObjectId
from flask import current_app
from mongoengine.errors import NotUniqueError

from ..auth import Actor
from ..domain import geo
from ..domain.codes import RESTRICTED_CATEGORIES
from ..domain.states import OPEN_STATES
from ..errors import Conflict, InvalidInput, NotFound
from ..i18n import _
from ..models import Finding, Location, Ticket, Village
from ..models.common import to_millis, utcnow
from . import changes, places, tickets
from .tasks import my_task, task_village
from ..i18n import _

CONTENT_FIELDS = ("task_id", "village_code", "category", "severity", "title", "description",
                  "location", "observed_at", "fact_basis", "policy_basis", "responsibility_basis",
                  "needs_action", "link_to_ticket_id", "immediate", "responsible_post", "reopens_problem_id")


def _fingerprint(data: dict) -> str:
    def norm(value):
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
        return value
    content = {k: norm(data.get(k)) for k in CONTENT_FIELDS}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def location_from(sent: dict | None) -> Location | None:
    """WGS-84 from what the phone sent (lat, lon, accuracy_m, crs), keeping what it sent."""
    if not sent:
        return None
    crs = sent.get("crs") or geo.Crs.WGS84.value
    lat, lon = places.wgs84_of(sent["lat"], sent["lon"], crs, "location")
    return Location(lat=lat, lon=lon, accuracy_m=sent.get("accuracy_m"), crs=crs,
                    sent_lat=sent["lat"], sent_lon=sent["lon"], source="phone")


def submit(actor: Actor, data: dict) -> tuple[Finding, bool]:
    """Store a finding once. Returns (finding, created). A replay with the same content
    returns the stored finding; the same client_id with other content is a conflict.

    With `link_to_ticket_id` the finding becomes evidence of that open ticket (the
    inspector said it is the same problem) and opens no ticket of its own."""
    from . import rectification, review, rounds
    fingerprint = _fingerprint(data)
    existing = Finding.objects(county_code=actor.county_code, client_id=data["client_id"]).first()
    if existing:
        if existing.inspector_id == actor.id and existing.fingerprint != fingerprint \
                and existing.review_status == "returned":
            return _with_nearby(actor, review.resubmit_finding(existing, data, fingerprint)), False  # a new revision
        return _replay(actor, existing, fingerprint), False
    task = my_task(actor, data["task_id"])
    village = task_village(task, data["village_code"])
    target = None
    if data.get("link_to_ticket_id"):
        target = _linkable_ticket(actor, data["link_to_ticket_id"], data["category"])
    reopens = rectification.check_reopen(actor, task, data["reopens_problem_id"]) \
        if data.get("reopens_problem_id") else None
    location = location_from(data.get("location"))
    finding = Finding(
        client_id=data["client_id"], fingerprint=fingerprint, county_code=actor.county_code,
        task_id=task.id, inspector_id=actor.id, village_code=village.code,
        township_code=village.township_code, category=data["category"], severity=data["severity"],
        title=data["title"], description=data["description"], location=location,
        point=[location.lon, location.lat] if location else None, observed_at=to_millis(data["observed_at"]),
        fact_basis=data["fact_basis"], policy_basis=data["policy_basis"],
        responsibility_basis=data["responsibility_basis"], needs_action=data.get("needs_action", True),
        linked_ticket_id=target.id if target else None, responsible_post=data.get("responsible_post"),
        immediate=bool(data.get("immediate")), reopens_problem_id=reopens.id if reopens else None,
        # 边巡边改: the inspector's 立行立改 mark dispatches it before review where the county allows
        dispatch=rounds.fast_track(actor.county_code, data["category"], bool(data.get("immediate"))))
    _check_place(finding, village)
    finding.change_seq, finding.changed_at = changes.next_seq(finding.county_code), utcnow()
    try:
        finding.save()
    except NotUniqueError:  # the same submission raced in on another connection
        return _replay(actor, Finding.objects.get(county_code=actor.county_code, client_id=data["client_id"]), fingerprint), False
    _follow_up(finding)
    return _with_nearby(actor, Finding.objects.get(id=finding.id)), True


def submit_from_report(actor: Actor, report, data: dict) -> Finding:
    """码上巡视: a villager's report, accepted by the office (or the round's reviewer), becomes
    the finding they completed (category, severity, the three bases), and from here on
    follows an inspector's finding's path: place checks, its ticket, routing.

    Idempotent: one finding per report (its client_id names the report)."""
    client_id = f"public-report:{report.id}"
    existing = Finding.objects(client_id=client_id).first()
    if existing:
        _follow_up(existing)
        return existing
    village = Village.objects(code=data["village_code"], county_code=report.county_code).first()
    if village is None:
        raise InvalidInput(_("No village %(code)s in this county.", code=data["village_code"]),
                           errors={"village_code": [_("Unknown village.")]})
    content = {**data, "task_id": str(report.task_id) if report.task_id else None,
               "observed_at": report.created_at, "location": None, "link_to_ticket_id": None}
    finding = Finding(
        client_id=client_id, fingerprint=_fingerprint(content), county_code=report.county_code,
        task_id=report.task_id, inspector_id=actor.id, village_code=village.code,
        township_code=village.township_code, category=data["category"], severity=data["severity"],
        title=data["title"], description=data["description"], location=report.location,
        point=report.point, observed_at=to_millis(report.created_at), fact_basis=data["fact_basis"],
        policy_basis=data["policy_basis"], responsibility_basis=data["responsibility_basis"],
        # the office accepted it for action: dispatched at once, its 底稿 entry recorded so
        dispatch=True, public_report_id=report.id)
    _check_place(finding, village)
    finding.change_seq, finding.changed_at = changes.next_seq(finding.county_code), utcnow()
    try:
        finding.save()
    except NotUniqueError:  # the same decision raced in on another connection
        finding = Finding.objects.get(client_id=client_id)
    _follow_up(finding)
    return Finding.objects.get(id=finding.id)


def _follow_up(finding: Finding) -> None:
    """What a stored finding leads to: joining its linked ticket; reopening the closed problem
    a 回头看 finding names; or, as a 问题底稿 entry, the review queue, and its own ticket
    at once where it is dispatched before review (边巡边改)."""
    from . import rectification, review
    if finding.linked_ticket_id:
        tickets.add_finding_as_evidence(finding.linked_ticket_id, finding.id, finding.county_code)
    elif finding.reopens_problem_id:
        rectification.reopen_from_finding(finding)
    elif finding.needs_action:
        review.queue_finding(finding)
        if finding.dispatch and finding.ticket_id is None:
            ticket = tickets.open_from_finding(finding)  # stamps the ticket and the finding's link for the sync feed
            review.record_dispatch(finding, ticket)


def _replay(actor: Actor, existing: Finding, fingerprint: str) -> Finding:
    if existing.inspector_id != actor.id or existing.fingerprint != fingerprint:
        raise Conflict(_("client_id %(client_id)s was already used for a different finding; generate a new UUID "
                         "for a new finding.", client_id=existing.client_id), code="client_id_conflict")
    _follow_up(existing)  # the first attempt may have stopped between finding and ticket
    return _with_nearby(actor, Finding.objects.get(id=existing.id))


def _with_nearby(actor: Actor, finding: Finding) -> Finding:
    finding.nearby_open_tickets = nearby_open_tickets(actor, finding)
    return finding


def open_missing_tickets(older_than) -> int:
    """Open the tickets of findings that were stored but whose ticket was not (the process
    stopped in between). Returns how many were opened."""
    from . import review
    for finding in Finding.objects(needs_action=True, review_status=None, linked_ticket_id=None,
                                   reopens_problem_id=None, created_at__lt=older_than):
        review.queue_finding(finding)  # its 底稿 entry, lost the same way
    orphans = Finding.objects(needs_action=True, dispatch=True, ticket_id=None, linked_ticket_id=None,
                              created_at__lt=older_than)
    return sum(1 for finding in orphans if tickets.open_from_finding(finding))


def get_mine(actor: Actor, finding_id: str) -> Finding:
    finding = (Finding.objects(id=finding_id, inspector_id=actor.id).first()
               if ObjectId.is_valid(finding_id) else None)
    if finding is None:
        raise NotFound(_("No finding %(finding_id)s of yours.", finding_id=finding_id))
    return finding


# ---------------------------------------------------------------- place checks

def _check_place(finding: Finding, village: Village, photo_points=()) -> None:
    """Flags for the office; they never block a submission."""
    if finding.location is None:
        finding.flags, finding.distance_to_village_m = [], None
        return
    known = (village.lat, village.lon) if village.lat is not None and village.lon is not None else None
    check = geo.check_place(finding.location.lat, finding.location.lon, finding.location.accuracy_m,
                            county_code=finding.county_code, village=known,
                            far_m=current_app.config["FAR_FROM_VILLAGE_M"], photo_points=list(photo_points))
    finding.flags, finding.distance_to_village_m = check.flags, check.distance_to_village_m


def apply_photo_location(finding: Finding, photo) -> None:
    """A photo's GPS becomes the finding's location where the phone had no fix or a worse
    one (recorded as source `photo`); the place checks are run again with every photo."""
    from . import photos

    finding = Finding.objects.get(id=finding.id)
    gps = photo.gps or {}
    current = finding.location
    better = gps and (current is None or (gps.get("accuracy_m") is not None and current.accuracy_m is not None
                                          and gps["accuracy_m"] < current.accuracy_m))
    if better:
        finding.location = Location(lat=gps["lat"], lon=gps["lon"], accuracy_m=gps.get("accuracy_m"),
                                    altitude_m=gps.get("altitude_m"), crs=geo.Crs.WGS84.value,
                                    sent_lat=gps["lat"], sent_lon=gps["lon"], source="photo", photo_id=photo.id)
        finding.point = [gps["lon"], gps["lat"]]
    points = [(p.gps["lat"], p.gps["lon"]) for p in photos.for_finding(finding.id) if p.gps]
    _check_place(finding, Village.objects.get(code=finding.village_code), points)
    update = {"set__flags": finding.flags, "set__distance_to_village_m": finding.distance_to_village_m}
    if better:
        update.update(set__location=finding.location, set__point=finding.point)
    Finding.objects(id=finding.id).update_one(**update, **changes.stamp(finding.county_code))
    if better and finding.ticket_id:
        tickets.set_location_from_finding(finding.ticket_id, finding.location, finding.point, finding.county_code)


# ---------------------------------------------------------------- duplicate guard

NEARBY_MAX = 10
NEARBY_SCAN_MAX = 200  # candidates read at most: a submission costs the same in a crowded spot


def nearby_open_tickets(actor: Actor, finding: Finding) -> list[dict]:
    """Open tickets of the same category within DUPLICATE_RADIUS_M of the finding that the
    inspector may open (tickets.scope), the nearest NEARBY_MAX first, so the phone can
    offer "this is the same problem".

    A bounding box on the tickets' stored lat/lon narrows the county's open tickets in the
    query (this works on mongomock and real MongoDB alike); great-circle distances filter
    in Python, and the geodesic distance is computed for the few shown."""
    if finding.location is None or finding.category in RESTRICTED_CATEGORIES:
        return []
    radius = current_app.config["DUPLICATE_RADIUS_M"]
    here = (finding.location.lat, finding.location.lon)
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(*here, radius)
    candidates = Ticket.objects(
        tickets.scope(actor), county_code=finding.county_code, status__in=[s.value for s in OPEN_STATES],
        category=finding.category,
        location__lat__gte=min_lat, location__lat__lte=max_lat,
        location__lon__gte=min_lon, location__lon__lte=max_lon,
    ).order_by().only("id", "number", "title", "status", "village_code", "location", "created_at",
                      "finding_id").limit(NEARBY_SCAN_MAX).as_pymongo()
    near = []
    for ticket in candidates:
        if ticket["finding_id"] == finding.id or ticket["_id"] == finding.linked_ticket_id:
            continue
        there = (ticket["location"]["lat"], ticket["location"]["lon"])
        if geo.roughly_within(here, there, radius * 1.01):
            near.append((geo.great_circle_m(here, there), there, ticket))
    shown = []
    for _, there, ticket in sorted(near, key=lambda t: t[0])[:NEARBY_MAX]:
        distance = geo.distance_m(here, there)
        if distance <= radius:
            shown.append({"id": str(ticket["_id"]), "number": ticket["number"], "title": ticket["title"],
                          "status": ticket["status"], "village_code": ticket["village_code"],
                          "distance_m": distance, "created_at": ticket["created_at"]})
    return shown


def _linkable_ticket(actor: Actor, ticket_id: str, category: str) -> Ticket:
    ticket = (Ticket.objects(tickets.scope(actor), id=ticket_id).first()
              if ObjectId.is_valid(ticket_id) else None)
    if ticket is None or ticket.category in RESTRICTED_CATEGORIES:
        raise InvalidInput(_("No open ticket %(ticket_id)s that you can see to add this finding to.",
                             ticket_id=ticket_id),
                           errors={"link_to_ticket_id": [_("Unknown ticket.")]})
    if ticket.category != category:
        raise InvalidInput(_("A finding can only be evidence for a ticket of the same category."),
                           errors={"link_to_ticket_id": [_("The ticket's category is %(category)s.",
                                                           category=ticket.category)]})
    if ticket.status not in {s.value for s in OPEN_STATES}:
        raise Conflict(_("Ticket %(number)s is %(status)s; submit the finding on its own so that it opens a new "
                         "ticket.", number=ticket.number, status=ticket.status), code="ticket_not_open")
    return ticket


def link_to_ticket(actor: Actor, finding_id: str, ticket_id: str) -> Finding:
    """After submitting, the inspector says the finding is the same problem as an open
    ticket: the finding becomes that ticket's evidence. Its own ticket, if one was opened
    and no department has claimed it yet, is closed as a duplicate of the other."""
    finding = get_mine(actor, finding_id)
    if finding.linked_ticket_id:
        if str(finding.linked_ticket_id) == ticket_id:
            return finding  # a retry
        raise Conflict(_("This finding is already evidence of another ticket."), code="already_linked")
    target = _linkable_ticket(actor, ticket_id, finding.category)
    if finding.ticket_id == target.id:
        raise InvalidInput(_("That is this finding's own ticket."), errors={"ticket_id": [_("Its own ticket.")]})
    if finding.ticket_id:
        tickets.close_as_duplicate_of(actor, finding.ticket_id, target)
    updated = Finding.objects(id=finding.id, linked_ticket_id=None).modify(
        new=True, set__linked_ticket_id=target.id, **changes.stamp(finding.county_code))
    if updated is None:
        raise Conflict(_("This finding was linked to a ticket meanwhile; reload it."), code="already_linked")
    tickets.add_finding_as_evidence(target.id, finding.id, finding.county_code)
    return updated


def list_mine(actor: Actor):
    return Finding.objects(inspector_id=actor.id, county_code=actor.county_code).order_by("-created_at")

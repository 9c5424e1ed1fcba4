"""Open311 GeoReport v2 over the same data: the county's categories are its services, its
tickets its service requests, and a POSTed request is a villager's report (码上巡视) that the
office reviews before anything is dispatched; its token is the report's receipt code.

Restricted categories (misconduct: clues) never appear, neither as a service nor as a
request. Personal data never leaves: descriptions are masked, reporters are not shown.
Rendering (JSON or XML) is the API layer's (backend/api/open311.py).
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from bson import ObjectId
from flask import current_app, request

from ..auth import Actor
from ..domain.codes import RESTRICTED_CATEGORIES, Category
from ..domain.problems import CATEGORY_LABELS
from ..domain.sla import CHINA
from ..domain.states import Outcome, TicketStatus
from ..errors import DomainError, Forbidden, InvalidInput, NotFound
from ..i18n import _
from ..models import County, Department, Ticket, Township, Village
from ..models.common import utcnow
from ..models.open311 import Open311Key
from . import public_reports
from ..domain.privacy import mask

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-28T00:00:00+08:00"  # when the endpoints last changed
MAX_REQUESTS = 1000
MAX_DAYS = 90


class BadRequest(DomainError):
    status, code = 400, "bad_request"


# ---------------------------------------------------------------- keys (the admin issues them)

def _hash(key: str) -> str:
    # Keys are 256 random bits: a plain SHA-256 cannot be reversed or guessed.
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(actor: Actor, name: str) -> tuple[Open311Key, str]:
    """A new api_key for one client of the admin's county; the key itself is shown once."""
    key = "o311_" + secrets.token_urlsafe(32)
    doc = Open311Key(county_code=actor.county_code, name=name, key_hash=_hash(key), prefix=key[:10],
                     created_by=actor.id)
    doc.save()
    return doc, key


def list_keys(actor: Actor):
    return Open311Key.objects(county_code=actor.county_code).order_by("-created_at")


def revoke_key(actor: Actor, key_id: str) -> Open311Key:
    key = Open311Key.objects(id=key_id, county_code=actor.county_code).first() if ObjectId.is_valid(key_id) else None
    if key is None:
        raise NotFound(_("No Open311 key %(id)s in your county.", id=key_id))
    Open311Key.objects(id=key.id).update_one(set__active=False, set__revoked_at=utcnow())
    return Open311Key.objects.get(id=key.id)


def key_for(api_key: str | None, county_code: str) -> Open311Key:
    key = Open311Key.objects(key_hash=_hash(api_key), active=True).first() if api_key else None
    if key is None or key.county_code != county_code:
        raise Forbidden(_("Invalid api_key for this jurisdiction; ask the county's administrator for one."))
    return key


# ---------------------------------------------------------------- jurisdiction and services

def jurisdiction(jurisdiction_id: str | None) -> str:
    """The county a request is about: jurisdiction_id (its 6-digit code), which may be left
    out where the deployment serves a single county."""
    if jurisdiction_id:
        if not County.objects(code=jurisdiction_id).first():
            raise NotFound(_("Unknown jurisdiction_id %(id)s.", id=jurisdiction_id[:20]))
        return jurisdiction_id
    counties = list(County.objects.only("code").limit(2))
    if len(counties) != 1:
        raise BadRequest(_("jurisdiction_id is required: this server serves several counties."))
    return counties[0].code


def services() -> list[dict]:
    return [{"service_code": c.value, "service_name": CATEGORY_LABELS.get(c, c.value),
             "description": CATEGORY_LABELS.get(c, c.value), "metadata": False, "type": "batch",
             "keywords": "", "group": ""}
            for c in Category if c.value not in RESTRICTED_CATEGORIES]


def service_definition(code: str) -> dict:
    _service(code)
    return {"service_code": code, "attributes": []}


def _service(code: str) -> str:
    if code in RESTRICTED_CATEGORIES or code not in {c.value for c in Category}:
        raise NotFound(_("No service %(code)s.", code=code[:40]))
    return code


def discovery() -> dict:
    base = current_app.config["PUBLIC_BASE_URL"] or request.url_root.rstrip("/")
    return {"changeset": CHANGESET, "contact": _("The county inspection office (县委巡察办)."),
            "key_service": _("API keys are issued by the county's administrator."),
            "endpoints": [{"specification": SPECIFICATION, "url": f"{base}/open311/v2", "changeset": CHANGESET,
                           "type": "production", "formats": ["text/xml", "application/json"]}]}


# ---------------------------------------------------------------- requests

def post_request(county_code: str, form: dict) -> dict:
    """A client's request becomes a villager's report, reviewed before any dispatch: the
    answer is a token (the report's receipt code), never a service_request_id yet."""
    key = key_for(form.get("api_key"), county_code)
    code = _service(form.get("service_code") or "")
    if not (form.get("lat") is not None and form.get("long") is not None) and not form.get("address_string") \
            and not form.get("address_id"):
        raise BadRequest(_("Give a location: lat and long, address_string or address_id."))
    village = None
    if form.get("address_id"):
        village = Village.objects(code=form["address_id"], county_code=county_code).first()
        if village is None:
            raise BadRequest(_("address_id must be the 12-digit code of a village of the jurisdiction."))
    name = " ".join(p for p in (form.get("last_name"), form.get("first_name")) if p) or None
    data = {"text": form.get("description") or "", "category": code, "address": form.get("address_string"),
            "name": name, "phone": form.get("phone"),
            "location": {"lat": form["lat"], "lon": form["long"], "crs": "wgs84"}
            if form.get("lat") is not None and form.get("long") is not None else None}
    report = public_reports.submit_open311(key, data, village)
    return {"token": report.receipt_code, "service_notice": NOTICE(), "account_id": None}


def NOTICE() -> str:
    return _("The county inspection office reviews every request before it is dispatched; "
             "follow it with its token.")


def token(token_id: str) -> dict:
    report = public_reports.by_receipt(token_id)
    number = None
    if report.ticket_id:
        ticket = Ticket.objects(id=report.ticket_id).only("number", "category").first()
        if ticket and ticket.category not in RESTRICTED_CATEGORIES:
            number = ticket.number
    return {"service_request_id": number, "token": report.receipt_code}


def _when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadRequest(_("%(name)s must be a w3 date-time with its zone, e.g. 2026-01-01T00:00:00Z.", name=name))
    return moment


def requests(county_code: str, query: dict) -> list[dict]:
    """Service requests of the county: by service_request_id (comma list), or those made
    between start_date and end_date (at most 90 days; default the last 90), by service_code
    and status (open, closed): at most 1000, newest first."""
    visible = Ticket.objects(county_code=county_code, category__nin=list(RESTRICTED_CATEGORIES))
    if query.get("service_request_id"):
        numbers = [n.strip() for n in query["service_request_id"].split(",") if n.strip()][:MAX_REQUESTS]
        tickets = visible.filter(number__in=numbers)
    else:
        end = _when(query.get("end_date"), "end_date") or utcnow()
        start = _when(query.get("start_date"), "start_date") or end - timedelta(days=MAX_DAYS)
        if end - start > timedelta(days=MAX_DAYS) or end < start:
            raise BadRequest(_("start_date and end_date may span at most 90 days."))
        tickets = visible.filter(created_at__gte=start, created_at__lte=end)
        if query.get("service_code"):
            tickets = tickets.filter(category__in=[c.strip() for c in query["service_code"].split(",")])
        statuses = {s.strip() for s in (query.get("status") or "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise BadRequest(_("status is open, closed or both."))
        if statuses == {"closed"}:
            tickets = tickets.filter(status=TicketStatus.CLOSED.value)
        elif statuses == {"open"}:
            tickets = tickets.filter(status__ne=TicketStatus.CLOSED.value)
    rows = list(tickets.exclude("events", "routing_trace").order_by("-created_at").limit(MAX_REQUESTS))
    return _as_requests(county_code, rows)


def one_request(county_code: str, number: str) -> list[dict]:
    ticket = Ticket.objects(county_code=county_code, number=number,
                            category__nin=list(RESTRICTED_CATEGORIES)).exclude("events").first()
    if ticket is None:
        raise NotFound(_("No service request %(id)s.", id=number[:40]))
    return _as_requests(county_code, [ticket])


def _as_requests(county_code: str, tickets: list[Ticket]) -> list[dict]:
    departments = {d.code: d.name for d in Department.objects(county_code=county_code).only("code", "name")}
    codes = {t.village_code for t in tickets}
    villages = {v.code: v for v in Village.objects(code__in=list(codes)).only("code", "name", "township_code")}
    townships = {t.code: t.name for t in Township.objects(
        code__in=list({v.township_code for v in villages.values()})).only("code", "name")}
    rows = []
    for t in tickets:
        village = villages.get(t.village_code)
        agency = departments.get(t.department_code, t.department_code) if t.department_code else ""
        address = "".join(p for p in (townships.get(village.township_code) if village else None,
                                      village.name if village else None) if p)
        rows.append({
            "service_request_id": t.number, "status": "closed" if t.status == TicketStatus.CLOSED else "open",
            "status_notes": _status_notes(t, agency), "service_name": CATEGORY_LABELS.get(t.category, t.category),
            "service_code": t.category, "description": mask(f"{t.title}：{t.description}"),
            "agency_responsible": agency, "service_notice": "",
            "requested_datetime": _w3(t.created_at), "updated_datetime": _w3(t.updated_at),
            "expected_datetime": _w3(t.due_at) if t.status != TicketStatus.CLOSED else None,
            "address": address, "address_id": t.village_code, "zipcode": None,
            "lat": t.location.lat if t.location else None, "long": t.location.lon if t.location else None,
            "media_url": None})
    return rows


def _w3(moment: datetime | None) -> str | None:
    return moment.astimezone(CHINA).isoformat(timespec="seconds") if moment else None


def _status_notes(ticket: Ticket, agency: str) -> str:
    status = ticket.status
    if status == TicketStatus.CLOSED:
        if ticket.outcome == Outcome.DUPLICATE:
            return _("Closed as a duplicate of another request.")
        if ticket.outcome == Outcome.INVALID:
            return _("Closed: the problem was not confirmed.")
        return _("Fixed, and the fix checked on site.")
    if status in (TicketStatus.PENDING_ROUTING, TicketStatus.TRIAGE) or not agency:
        return _("Being assigned to the department responsible.")
    if status == TicketStatus.DISPATCHED:
        return _("Assigned to %(agency)s.", agency=agency)
    if status == TicketStatus.CLAIMED:
        return _("%(agency)s is dealing with it.", agency=agency)
    return _("%(agency)s reports it fixed; awaiting an on-site check.", agency=agency)

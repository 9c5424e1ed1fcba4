"""码上巡视: villagers report through a village's (or a task's) QR code, without an account.

- The QR code holds a URL with a token signed (itsdangerous, the app's SECRET_KEY) with a salt
  of its own per county: it names the village (and the task). A forged token, or one made for
  another county, is refused.
- A report needs a solved proof-of-work challenge issued by this server (no third party),
  used once; the rate limits are on the views (backend/limits.py).
- The reporter gets a receipt code: it shows the state and the public reply, never personal
  data or internal notes.
- Nothing is dispatched unreviewed: a received report is a 底稿 entry (`source_kind`
  "public_report") in the review queue of whoever reviews an inspector's finding of the same
  task or village (the round's 组长, or the office outside any round), and the review's
  decisions on it are the only way to decide it (`apply_review`): approved as a problem
  (立行立改: its ticket, through the findings service), a suggestion or a clue (confidential:
  never a ticket), or rejected with a reason the reporter reads on the receipt.

A report's state has one writer, `_transition` (`lifecycle.transition`).
"""
import io
import logging
from dataclasses import dataclass

import qrcode
from bson import ObjectId
from flask import current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from mongoengine.queryset.visitor import Q

from ..auth import Actor
from ..domain import public_reports as domain
from ..domain.public_reports import ReportAction, ReportState
from ..errors import InvalidInput, NotFound
from ..i18n import _
from ..models import County, InspectionTask, Ticket, Village
from ..models.common import utcnow
from ..domain.privacy import mask
from ..models.public_reports import PublicReport
from . import findings, lifecycle, photos

log = logging.getLogger(__name__)
QR_SALT = "xuncha.public-qr"
CHALLENGE_SALT = "xuncha.public-challenge"


# ---------------------------------------------------------------- QR codes

@dataclass
class Place:
    county: County
    village: Village
    task: InspectionTask | None = None


def _qr_serializer(county_code: str) -> URLSafeSerializer:
    # One salt per county: a token made for one county does not verify for another.
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"{QR_SALT}:{county_code}")


def qr_token(county_code: str, village_code: str, task_id=None) -> str:
    payload = {"v": village_code}
    if task_id:
        payload["t"] = str(task_id)
    return _qr_serializer(county_code).dumps(payload)


def qr_url(county_code: str, token: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"] or request.url_root.rstrip("/")
    return f"{base}/report/?c={county_code}&t={token}"


def qr_png(url: str) -> bytes:
    """A printable QR code (medium error correction: a notice on a wall gets dirty)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return out.getvalue()


def village_qr(actor: Actor, village_code: str) -> tuple[str, bytes]:
    """The village's QR code (URL, PNG) for its notice board."""
    village = Village.objects(code=village_code, county_code=actor.county_code).first()
    if village is None:
        raise NotFound(_("No village %(code)s in your county.", code=village_code))
    url = qr_url(actor.county_code, qr_token(actor.county_code, village.code))
    return url, qr_png(url)


def task_qr(actor: Actor, task_id: str, village_code: str | None) -> tuple[str, bytes]:
    """The QR code of an inspection task at one of its villages (the only one by default)."""
    from .tasks import task_village
    task = (InspectionTask.objects(id=task_id, county_code=actor.county_code).first()
            if ObjectId.is_valid(task_id) else None)
    if task is None:
        raise NotFound(_("No inspection task %(id)s in your county.", id=task_id))
    village = task_village(task, village_code)
    url = qr_url(actor.county_code, qr_token(actor.county_code, village.code, task.id))
    return url, qr_png(url)


def read_qr(county_code: str, token: str) -> Place:
    """The village (and task) a QR code names; 404 for a forged token or another county's."""
    invalid = NotFound(_("This QR code is not valid. Scan the code on the village's notice again, "
                         "or ask the county inspection office."), code="invalid_qr")
    try:
        payload = _qr_serializer(county_code).loads(token)
    except BadSignature:
        raise invalid
    county = County.objects(code=county_code).first()
    village = Village.objects(code=payload.get("v"), county_code=county_code).first() \
        if isinstance(payload, dict) else None
    if county is None or village is None:
        raise invalid
    task = None
    if payload.get("t"):
        task = InspectionTask.objects(id=payload["t"], county_code=county_code,
                                      village_codes=village.code).first() \
            if ObjectId.is_valid(payload["t"]) else None
        if task is None:
            raise invalid
    return Place(county, village, task)


def place_info(county_code: str, token: str) -> dict:
    place = read_qr(county_code, token)
    from ..models import Township
    township = Township.objects(code=place.village.township_code).only("name").first()
    config = current_app.config
    return {"county_name": place.county.name, "township_name": township.name if township else None,
            "village_name": place.village.name, "task_name": place.task.name if place.task else None,
            "max_photos": config["PUBLIC_MAX_PHOTOS"], "max_photo_mb": config["PUBLIC_MAX_PHOTO_MB"]}


# ---------------------------------------------------------------- the challenge

def _challenge_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CHALLENGE_SALT)


def issue_challenge() -> dict:
    """A proof-of-work challenge: the page finds a number n such that
    SHA-256("<challenge>:<n>") starts with `bits` zero bits. Signed, so we keep nothing."""
    import secrets
    bits = current_app.config["PUBLIC_POW_BITS"]
    challenge = _challenge_serializer().dumps({"n": secrets.token_hex(8), "b": bits})
    return {"challenge": challenge, "bits": bits,
            "expires_in": current_app.config["PUBLIC_CHALLENGE_SECONDS"]}


def _checked_challenge(challenge: str, solution: str) -> str:
    """The challenge's nonce, if the work is done and the challenge is ours and fresh."""
    failed = _("The anti-spam check failed; reload the page and send again.")
    try:
        payload = _challenge_serializer().loads(challenge,
                                                max_age=current_app.config["PUBLIC_CHALLENGE_SECONDS"])
    except SignatureExpired:
        raise InvalidInput(_("The anti-spam check expired; send again."), code="challenge_expired",
                           errors={"challenge": [_("Expired.")]})
    except BadSignature:
        raise InvalidInput(failed, code="challenge_failed", errors={"challenge": [_("Not ours.")]})
    if not domain.work_is_done(challenge, solution, int(payload["b"])):
        raise InvalidInput(failed, code="challenge_failed", errors={"solution": [_("Wrong answer.")]})
    return payload["n"]


def _spend_challenge(nonce: str) -> None:
    """A challenge is good for one report (Redis SET NX, kept as long as it is valid)."""
    redis = current_app.extensions["redis"]
    fresh = redis.set(f"xuncha:challenge:{nonce}", 1, nx=True,
                      ex=current_app.config["PUBLIC_CHALLENGE_SECONDS"] + 60)
    if not fresh:
        raise InvalidInput(_("This anti-spam check was used already; send again."), code="challenge_used",
                           errors={"challenge": [_("Already used.")]})


# ---------------------------------------------------------------- submitting

def submit(county_code: str, token: str, data: dict, uploads: list) -> PublicReport:
    """A villager's report through a QR code: checked (token, challenge, photos) before
    anything is stored; then the report, its photos, and the receipt code."""
    place = read_qr(county_code, token)
    _check_text(data)
    nonce = _checked_challenge(data["challenge"], data["solution"])
    checked = _checked_photos(uploads)
    _spend_challenge(nonce)
    report = _new_report(place.county.code, data, source="qr", village=place.village, task=place.task)
    return _store(report, checked)


def _check_text(data: dict) -> None:
    if not (data.get("text") or "").strip():
        raise InvalidInput(_("Say what the problem is."), errors={"text": [_("Empty.")]})


def submit_open311(key, data: dict, village: Village | None = None) -> PublicReport:
    """An Open311 client's POST: a report like a villager's, reviewed before any dispatch."""
    _check_text(data)
    return _store(_new_report(key.county_code, data, source="open311", village=village,
                              open311_key_id=key.id), [])


def _checked_photos(uploads: list) -> list:
    uploads = [u for u in uploads or [] if u and u.filename]
    limit = current_app.config["PUBLIC_MAX_PHOTOS"]
    if len(uploads) > limit:
        raise InvalidInput(_("Send at most %(n)s photos.", n=limit), errors={"photo": [_("Too many photos.")]})
    return photos.check_report_uploads(uploads, current_app.config["PUBLIC_MAX_PHOTO_MB"] * 1024 * 1024)


def _new_report(county_code: str, data: dict, *, source: str, village: Village | None = None,
                task: InspectionTask | None = None, open311_key_id=None) -> PublicReport:
    location = findings.location_from(data.get("location"))
    anonymous = bool(data.get("anonymous"))
    report = PublicReport(
        id=ObjectId(), receipt_code=domain.new_receipt_code(), county_code=county_code,
        village_code=village.code if village else None,
        township_code=village.township_code if village else None, task_id=task.id if task else None,
        source=source, text=data["text"], category=data.get("category"), location=location,
        point=[location.lon, location.lat] if location else None, address=data.get("address"),
        anonymous=anonymous, reporter_name=None if anonymous else data.get("name"),
        reporter_phone=None if anonymous else data.get("phone"), open311_key_id=open311_key_id,
        status=ReportState.RECEIVED.value)
    return report


def _store(report: PublicReport, checked: list) -> PublicReport:
    stored = photos.add_to_report(report, checked) if checked else []
    report.photo_ids = [p.id for p in stored]
    lifecycle.create(report, domain.MACHINE, ReportAction.SUBMIT, lifecycle.VILLAGER, data={"source": report.source})
    return queue(report)


# ---------------------------------------------------------------- the receipt

def by_receipt(code: str) -> PublicReport:
    normalised = domain.normalise_receipt_code(code)
    report = PublicReport.objects(receipt_code=normalised).first() if normalised else None
    if report is None:
        raise NotFound(_("No report with receipt code %(code)s; check the code.", code=code[:20]),
                       code="unknown_receipt")
    return report


def receipt(code: str) -> dict:
    """What the reporter sees: the state and the public reply. Never the name or phone, the
    office's notes, the department handling it or who decided."""
    report = by_receipt(code)
    village = Village.objects(code=report.village_code).only("name").first() if report.village_code else None
    from . import return_visits
    ticket = Ticket.objects(id=report.ticket_id).only(
        "status", "closed_at", "outcome", "public_report_id", "return_visit").first() if report.ticket_id else None
    closed_at = ticket.closed_at if ticket and ticket.status == "closed" else None
    if ticket is None and report.status == ReportState.ACCEPTED and report.review_entry_id:
        # a 限期/长期 problem of the organisation or a department: closed by 销号
        from ..models import RectificationProblem
        problem = RectificationProblem.objects(review_entry_id=report.review_entry_id).only(
            "status", "closed_at").first()
        closed_at = problem.closed_at if problem and problem.status == "closed" else None
    status, label = _public_status(report, closed_at is not None)
    return {"receipt_code": report.receipt_code, "status": status, "status_label": label,
            "submitted_at": report.created_at, "village_name": village.name if village else None,
            "text": mask(report.text), "photos": len(report.photo_ids),
            "public_reply": report.public_reply, "reason": report.reason, "closed_at": closed_at,
            "return_visit": return_visits.for_receipt(ticket)}


def _public_status(report: PublicReport, closed: bool) -> tuple[str, str]:
    if report.status == ReportState.RECEIVED:
        return "received", _("Received; the inspection office is reviewing it.")
    if report.status == ReportState.NOT_ACCEPTED:
        return "not_accepted", _("Not accepted.")
    if report.status == ReportState.CLUE:
        return "transferred", _("Accepted and transferred to the competent authority.")
    if closed:
        return "closed", _("Dealt with.")
    return "in_progress", _("Accepted; being dealt with.")


# ---------------------------------------------------------------- the office

def _office_report(actor: Actor, report_id: str) -> PublicReport:
    report = (PublicReport.objects(id=report_id, county_code=actor.county_code).first()
              if ObjectId.is_valid(report_id) else None)
    if report is None:
        raise NotFound(_("No public report %(id)s in your county.", id=report_id))
    return report


def list_reports(actor: Actor, filters: dict):
    q = Q(county_code=actor.county_code)
    if filters.get("state"):
        q &= Q(status=filters["state"])
    for name in ("village_code", "source"):
        if filters.get(name):
            q &= Q(**{name: filters[name]})
    return PublicReport.objects(q).exclude("events").order_by("-created_at")


def detail(actor: Actor, report_id: str) -> PublicReport:
    """One report with its photos and events; the whole phone number is shown to the office,
    and each time that is recorded on the report (who, when)."""
    report = _office_report(actor, report_id)
    if report.reporter_phone:
        PublicReport.objects(id=report.id).update_one(
            push__phone_reveals={"by": actor.id, "username": actor.username, "at": utcnow()})
        report.phone_revealed = True
    from ..models import Photo
    report.photos = list(Photo.objects(id__in=report.photo_ids).order_by("created_at"))
    return report


def _transition(report: PublicReport, action: ReportAction, target: ReportState, actor: Actor,
                **kw) -> PublicReport:
    """The only writer of a report's state (`lifecycle.transition`), called by the review."""
    return lifecycle.transition(report, domain.MACHINE, action, target, actor, **kw)


# ---------------------------------------------------------------- the review decides

def queue(report: PublicReport) -> PublicReport:
    """A received report joins the 底稿 review queue (once) and keeps its entry's id."""
    from . import review
    entry = review.queue_report(report)
    if report.review_entry_id != entry.id:
        PublicReport.objects(id=report.id).update_one(set__review_entry_id=entry.id)
        report.review_entry_id = entry.id
    return report


def queue_missing(older_than) -> int:
    """Reports stored before `older_than` without their entry (the process stopped between
    the two writes) join the queue now. Returns how many."""
    missing = list(PublicReport.objects(status=ReportState.RECEIVED.value, review_entry_id=None,
                                        created_at__lt=older_than).limit(500))
    for report in missing:
        queue(report)
    return len(missing)


def apply_review(entry, actor: Actor | None) -> None:
    """What the review's decision on a report's entry makes of the report (the review's
    `SOURCES` hook; the only way a report is decided):

    - approved as a clue: `clue`, shown as "transferred" on the receipt (the clue loop
      takes it: review_handoff);
    - approved as a problem or a suggestion, or merged into another entry: `accepted`
      (a 立行立改 problem also opens its ticket: `dispatch_now`);
    - rejected: `not_accepted`, with the review's reason shown on the receipt.
    Anything else (queued, absorbing another entry) leaves the report as it is."""
    from ..domain.rounds import ProblemType, ReviewStatus
    report = PublicReport.objects(id=entry.source_id).first()
    if report is None or report.status != ReportState.RECEIVED:
        return
    decision = entry.decision
    fields = {"decided_at": utcnow(), "decided_by": actor.id if actor else None}
    data = {"entry_id": str(entry.id)}
    if entry.status == ReviewStatus.APPROVED:
        fields.update(public_reply=decision.public_reply, internal_note=decision.note)
        data["problem_type"] = decision.problem_type
        if decision.problem_type == ProblemType.CLUE:
            action, target = ReportAction.ACCEPT_AS_CLUE, ReportState.CLUE
        else:
            action, target = ReportAction.ACCEPT, ReportState.ACCEPTED
    elif entry.status == ReviewStatus.MERGED:
        action, target = ReportAction.ACCEPT, ReportState.ACCEPTED
        data["merged_into"] = str(entry.merged_into)
    elif entry.status == ReviewStatus.REJECTED:
        action, target = ReportAction.NOT_ACCEPT, ReportState.NOT_ACCEPTED
        fields["reason"] = entry.return_reason
    else:
        return
    _transition(report, action, target, actor, note=decision.note if decision else None, data=data,
                set_fields=fields)


# The 底稿 fields a report's entry needs before it becomes a problem (the reviewer completes them).
FINDING_FIELDS = ("village_code", "category", "severity", "title", "description", "fact_basis",
                  "policy_basis", "responsibility_basis")


def dispatch_now(entry, actor: Actor | None):
    """立行立改 of an approved report: it becomes the finding the reviewer completed and
    follows an inspector's finding's path from there (place checks, its ticket, routing);
    its photos become the finding's. Idempotent (one finding per report). Returns the ticket id."""
    report = PublicReport.objects.get(id=entry.source_id)
    finding = findings.submit_from_report(actor, report, {name: getattr(entry, name) for name in FINDING_FIELDS})
    photos.move_report_photos(report.id, finding.id)
    PublicReport.objects(id=report.id).update_one(set__finding_id=finding.id, set__ticket_id=finding.ticket_id)
    return finding.ticket_id


def register_clue(actor: Actor | None, entry):
    """To the confidential clue loop (问题线索): the report is registered as a clue once and
    keeps the clue's id. From then the report is seen by the office only, never a ticket,
    never in Open311, and its receipt says only "transferred"."""
    from . import clues
    report = PublicReport.objects.get(id=entry.source_id)
    clue = clues.register_from_report(actor, report)
    PublicReport.objects(id=report.id, clue_id=None).update_one(set__clue_id=clue.id)
    return clue


def for_reviewer(actor: Actor, report_id) -> dict:
    """The report as its reviewer reads it in the entry: the whole text and the reporter's
    phone (each such view recorded on the report, as the office's)."""
    report = PublicReport.objects.get(id=report_id)
    if report.reporter_phone:
        PublicReport.objects(id=report.id).update_one(
            push__phone_reveals={"by": actor.id, "username": actor.username, "at": utcnow()})
    return {"id": str(report.id), "source": report.source, "text": report.text, "category": report.category,
            "location": report.location, "address": report.address, "anonymous": report.anonymous,
            "reporter_name": report.reporter_name, "reporter_phone": report.reporter_phone,
            "photo_ids": [str(i) for i in report.photo_ids], "state": report.status,
            "created_at": report.created_at}

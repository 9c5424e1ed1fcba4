"""Photos of findings and of tickets (proof of the fix, verification): stored once per
owner and content (SHA-256).

While the phone waits: the size limit, the format, a structural check of the file and its
EXIF (GPS, time taken, camera); the original is stored privately and the photo is
`processing`. The `media` queue's job then derives the web version and the thumbnail
(`derive`) and marks it `ready`, or `failed` with the reason.
"""
import hashlib
import logging

from bson import ObjectId
from flask import current_app
from mongoengine.errors import NotUniqueError

from ..auth import Actor
from ..domain import images
from ..domain.codes import Role
from ..errors import Conflict, InvalidInput, NotFound, UnsupportedDocument
from ..models import Finding, Photo
from ..models.common import utcnow
from ..models.findings import PhotoStatus
from ..queue import MEDIA, enqueue
from ..storage import MissingFile, photo_storage
from . import tickets
from .documents import read_upload
from .findings import apply_photo_location, get_mine
from ..domain.messages import Named
from ..domain.states import named_status
from ..i18n import _, shown

SIZES = ("web", "thumbnail", "original")
log = logging.getLogger(__name__)


def _inspect(data: bytes) -> images.PhotoFacts:
    try:
        return images.inspect(data, current_app.config["PHOTO_MAX_PIXELS"])
    except images.ImageRejected as exc:
        error = UnsupportedDocument if exc.kind == "unsupported" else InvalidInput
        raise error(exc.args[0], errors={"file": [exc.args[0]]})


def _store(actor: Actor, owner: str, upload, **fields) -> tuple[Photo, bool]:
    """Check the image, keep the original and queue its derivation; once per owner and content."""
    data = read_upload(upload, current_app.config["MAX_CONTENT_LENGTH"])
    digest = hashlib.sha256(data).hexdigest()
    existing = Photo.objects(county_code=actor.county_code, owner=owner, sha256=digest).first()
    if existing:
        return existing, False
    return _keep(actor, owner, data, digest, _inspect(data), **fields)


def _keep(actor: Actor, owner: str, data: bytes, digest: str, facts: images.PhotoFacts,
          **fields) -> tuple[Photo, bool]:
    """Store a checked image's original and queue its derivation."""
    photo = Photo(id=ObjectId(), owner=owner, county_code=actor.county_code, uploaded_by=actor.id,
                  sha256=digest, content_type=facts.content_type, size=len(data), width=facts.width,
                  height=facts.height, orientation=facts.orientation, taken_at=facts.taken_at,
                  camera_make=facts.camera_make, camera_model=facts.camera_model, gps=facts.gps,
                  status=PhotoStatus.PROCESSING, **fields)
    photo.original_key = f"{photo.id}/original"
    storage = photo_storage()
    storage.put(photo.original_key, data, photo.content_type)
    try:
        photo.save(force_insert=True)
    except NotUniqueError:  # the same upload raced in on another connection
        storage.delete(photo.original_key)
        return Photo.objects.get(county_code=actor.county_code, owner=owner, sha256=digest), False
    enqueue_derivation(photo.id)
    return photo, True


def store_evidence(actor: Actor, owner: str, upload, **fields) -> tuple[Photo, bool]:
    """A rectification problem's evidence photo (services/rectification.py): the same checks,
    storage and derivation as every photo."""
    return _store(actor, owner, upload, purpose="evidence", **fields)


def enqueue_derivation(photo_id) -> str | None:
    return enqueue("workers.jobs.derive_photo", str(photo_id), queue=MEDIA, job_id=f"derive-{photo_id}")


def derive(photo_id: str, reduced: bool = True) -> Photo | None:
    """Make the web version and the thumbnail of a processing photo. Safe to run twice:
    the storage keys are fixed, and a photo that is no longer processing is left alone."""
    photo = Photo.objects(id=photo_id).first()
    if photo is None or photo.status != PhotoStatus.PROCESSING:
        return photo
    storage = photo_storage()
    try:
        result = images.derive(storage.get(photo.original_key), current_app.config["PHOTO_MAX_PIXELS"],
                               reduced=reduced)
    except images.ImageRejected as exc:
        return _fail(photo, str(exc))
    except MissingFile:
        return _fail(photo, "The original file is missing; upload it again.")
    except Exception:  # a photo that breaks the decoder must not be retried by every sweep
        log.exception("deriving photo %s failed", photo.id)
        return _fail(photo, "The photo could not be processed; try another photo.")
    web_key, thumbnail_key = f"{photo.id}/web", f"{photo.id}/thumbnail"
    storage.put(web_key, result.web, "image/jpeg")
    storage.put(thumbnail_key, result.thumbnail, "image/jpeg")
    Photo.objects(id=photo.id, status=PhotoStatus.PROCESSING).update_one(
        set__status=PhotoStatus.READY, set__web_key=web_key, set__thumbnail_key=thumbnail_key,
        set__processed_at=utcnow())
    return Photo.objects(id=photo.id).first()


def _fail(photo: Photo, reason: str) -> Photo:
    Photo.objects(id=photo.id, status=PhotoStatus.PROCESSING).update_one(
        set__status=PhotoStatus.FAILED, set__failure_reason=reason, set__processed_at=utcnow())
    return Photo.objects(id=photo.id).first()


def processing_since(cutoff) -> list[str]:
    """Photos still processing since before `cutoff` (their job was lost)."""
    return [str(p.id) for p in Photo.objects(status=PhotoStatus.PROCESSING, created_at__lt=cutoff).only("id")]


def add(actor: Actor, finding_id: str, upload) -> tuple[Photo, bool]:
    """A photo of the inspector's own finding. Its GPS becomes the finding's location where
    the phone had no fix or a worse one."""
    finding = get_mine(actor, finding_id)
    photo, created = _store(actor, f"finding:{finding.id}", upload, purpose="finding", finding_id=finding.id)
    if created:
        apply_photo_location(finding, photo)
    return photo, created


# Who may add photos to a ticket, and while it is in which state.
TICKET_PHOTOS = {Role.DEPARTMENT.value: (Named("evidence", "整改佐证"), "claimed"),
                 Role.INSPECTOR.value: (Named("verification", "核查"), "resolved"),
                 Role.OFFICE.value: (Named("verification", "核查"), "resolved")}


def add_to_ticket(actor: Actor, ticket_id: str, upload) -> tuple[Photo, bool]:
    """A department's proof of the fix while it works on the ticket, or a verifier's photo
    of the result while the ticket waits for verification."""
    ticket = tickets.get_visible(actor, ticket_id)
    purpose, state = TICKET_PHOTOS[actor.role]
    if ticket.status != state:
        raise Conflict(_("%(purpose)s photos can be added while the ticket is %(allowed)s; it is %(status)s.",
                         purpose=shown(purpose), allowed=shown(named_status(state)),
                         status=shown(named_status(ticket.status))),
                       code="invalid_transition")
    return _store(actor, f"ticket:{ticket.id}", upload, purpose=str(purpose), ticket_id=ticket.id)


def check_report_uploads(uploads, limit: int) -> list[tuple[bytes, images.PhotoFacts]]:
    """A villager's photos (码上巡视), each read (at most `limit` bytes) and checked like an
    inspector's, all of them before anything is stored."""
    checked = []
    for upload in uploads:
        data = read_upload(upload, limit)
        checked.append((data, _inspect(data)))
    return checked


def add_to_report(report, checked: list[tuple[bytes, images.PhotoFacts]]) -> list[Photo]:
    """Store a report's checked photos (owner `report:<id>`; uploaded by the report itself)."""
    villager = Actor(report.id, "villager", "villager", report.county_code, None)
    owner = f"report:{report.id}"
    stored = []
    for data, facts in checked:
        digest = hashlib.sha256(data).hexdigest()
        existing = Photo.objects(owner=owner, sha256=digest).first()
        stored.append(existing or _keep(villager, owner, data, digest, facts, purpose="report")[0])
    return stored


def move_report_photos(report_id, finding_id) -> None:
    """The report became a finding: its photos are the finding's (and so its ticket's)."""
    Photo.objects(owner=f"report:{report_id}").update(set__owner=f"finding:{finding_id}",
                                                      set__finding_id=finding_id)


def check_attached(ticket_id, photo_ids: list[str]) -> list[str]:
    """The ids, if every one is a photo already added to this ticket."""
    valid = [ObjectId(i) for i in photo_ids if ObjectId.is_valid(i)]
    found = {str(p.id) for p in Photo.objects(id__in=valid, ticket_id=ticket_id).only("id")}
    if missing := [i for i in photo_ids if i not in found]:
        raise InvalidInput(_("Add the photos to this ticket first (POST .../photos), then name them."),
                           errors={"photo_ids": [_("Not photos of this ticket: %(ids)s", ids=", ".join(missing))]})
    return list(photo_ids)


def for_ticket(ticket) -> list[Photo]:
    """The finding's photos (and those of findings linked to it as evidence), then the
    evidence and verification photos, oldest first."""
    finding_ids = [ticket.finding_id, *[f.id for f in Finding.objects(linked_ticket_id=ticket.id).only("id")]]
    owners = [f"finding:{i}" for i in finding_ids] + [f"ticket:{ticket.id}"]
    return list(Photo.objects(owner__in=owners).order_by("created_at"))


def for_finding(finding_id) -> list[Photo]:
    return list(Photo.objects(owner=f"finding:{finding_id}").order_by("created_at"))


def get_visible(actor: Actor, photo_id: str) -> Photo:
    """A photo is visible to whoever may see its finding's ticket, and to its inspector."""
    photo = Photo.objects(id=photo_id, county_code=actor.county_code).first() if ObjectId.is_valid(photo_id) else None
    if photo is not None and photo.purpose == "report" and photo.finding_id is None:
        if actor.role != Role.OFFICE:  # a villager's photo awaiting review: the office's alone
            photo = None
    elif photo is not None and photo.problem_id is not None:  # evidence of a rectification problem
        from . import rectification
        if photo.uploaded_by != actor.id and not rectification.can_see(actor, photo.problem_id):
            photo = None
    elif photo is not None and photo.uploaded_by != actor.id:
        ticket_ids = [photo.ticket_id]
        if photo.ticket_id is None:  # a finding's photo: its ticket, or the ticket it is evidence of
            finding = Finding.objects(id=photo.finding_id).only("ticket_id", "linked_ticket_id").first()
            ticket_ids = [finding.linked_ticket_id, finding.ticket_id] if finding else []
        if not any(_can_see_ticket(actor, i) for i in ticket_ids if i):
            photo = None
    if photo is None:
        raise NotFound(_("No photo %(photo_id)s that you can see.", photo_id=photo_id))
    return photo


def _can_see_ticket(actor: Actor, ticket_id) -> bool:
    try:
        tickets.get_visible(actor, str(ticket_id))
        return True
    except NotFound:
        return False


def open_file(actor: Actor, photo_id: str, size: str) -> tuple[Photo, bytes, str]:
    """The photo's bytes in one of SIZES. The original (with its EXIF, GPS included) is
    private: only its uploader and the office get it."""
    photo = get_visible(actor, photo_id)
    if size == "original":
        if photo.uploaded_by != actor.id and actor.role != Role.OFFICE:
            raise NotFound(_("The original is kept for its uploader and the office; ask for size=web."))
        return photo, photo_storage().get(photo.original_key), photo.content_type
    if photo.status != PhotoStatus.READY:
        detail = f": {photo.failure_reason}" if photo.status == PhotoStatus.FAILED else "; try again shortly"
        raise Conflict(_("The photo is %(status)s%(detail)s.",
                         status=photo.status, detail=detail), code=f"photo_{photo.status}")
    key = photo.web_key if size == "web" else photo.thumbnail_key
    return photo, photo_storage().get(key), "image/jpeg"

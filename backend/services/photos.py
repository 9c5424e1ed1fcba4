"""Photos of findings and of tickets (proof of the fix, verification): stored once per
owner and content (SHA-256), with a thumbnail.

This is the first, synchronous pipeline: the image is checked and a 320 px thumbnail is
made during the upload. Reduced-size decoding and the web version come with the photo work.
"""
import hashlib
import io
import warnings

from bson import ObjectId
from mongoengine.errors import NotUniqueError
from PIL import Image, ImageOps, UnidentifiedImageError

from ..auth import Actor
from ..domain.codes import Role
from ..errors import Conflict, DomainError, InvalidInput, NotFound
from ..models import Finding, Photo
from . import tickets
from .findings import get_mine

ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMBNAIL_PX = 320
MAX_PIXELS = 50_000_000


class UnsupportedImage(DomainError):
    status, code = 415, "unsupported_media_type"


def _decode(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED:
                raise UnsupportedImage(f"Photos must be JPEG, PNG or WebP; this is {image.format}.")
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInput(f"The image has {image.width}x{image.height} pixels; the limit is "
                                   f"{MAX_PIXELS:,} pixels.")
            image.load()
            return image
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise InvalidInput("The image is too large to decode safely (decompression bomb guard).")
        except UnidentifiedImageError:
            raise UnsupportedImage("The file is not an image we can read (JPEG, PNG or WebP).")
        except (OSError, SyntaxError, ValueError) as exc:
            raise InvalidInput(f"The image is broken or truncated ({exc}).")


def _store(actor: Actor, owner: str, upload, **fields) -> tuple[Photo, bool]:
    """Check the image, make its thumbnail and store both, once per owner and content."""
    data = upload.read()
    if not data:
        raise InvalidInput("The photo file is empty.", errors={"file": ["Empty file."]})
    digest = hashlib.sha256(data).hexdigest()
    existing = Photo.objects(owner=owner, sha256=digest).first()
    if existing:
        return existing, False
    image = _decode(data)
    upright = ImageOps.exif_transpose(image)
    thumb = upright.convert("RGB")
    thumb.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=80)
    photo = Photo(owner=owner, county_code=actor.county_code, uploaded_by=actor.id, sha256=digest,
                  content_type=ACCEPTED[image.format], size=len(data), width=upright.width,
                  height=upright.height, **fields)
    photo.original.put(data, content_type=photo.content_type)
    photo.thumbnail.put(buffer.getvalue(), content_type="image/jpeg")
    try:
        photo.save()
    except NotUniqueError:  # the same upload raced in on another connection
        photo.original.delete()
        photo.thumbnail.delete()
        return Photo.objects.get(owner=owner, sha256=digest), False
    return photo, True


def add(actor: Actor, finding_id: str, upload) -> tuple[Photo, bool]:
    """A photo of the inspector's own finding."""
    finding = get_mine(actor, finding_id)
    return _store(actor, f"finding:{finding.id}", upload, purpose="finding", finding_id=finding.id)


# Who may add photos to a ticket, and while it is in which state.
TICKET_PHOTOS = {Role.DEPARTMENT.value: ("evidence", {"claimed"}),
                 Role.INSPECTOR.value: ("verification", {"resolved"}),
                 Role.OFFICE.value: ("verification", {"resolved"})}


def add_to_ticket(actor: Actor, ticket_id: str, upload) -> tuple[Photo, bool]:
    """A department's proof of the fix while it works on the ticket, or a verifier's photo
    of the result while the ticket waits for verification."""
    ticket = tickets.get_visible(actor, ticket_id)
    purpose, states = TICKET_PHOTOS[actor.role]
    if ticket.status not in states:
        raise Conflict(f"{purpose.capitalize()} photos can be added while the ticket is "
                       f"{' or '.join(sorted(states))}; it is {ticket.status}.", code="invalid_transition")
    return _store(actor, f"ticket:{ticket.id}", upload, purpose=purpose, ticket_id=ticket.id)


def check_attached(ticket_id, photo_ids: list[str]) -> list[str]:
    """The ids, if every one is a photo already added to this ticket."""
    valid = [ObjectId(i) for i in photo_ids if ObjectId.is_valid(i)]
    found = {str(p.id) for p in Photo.objects(id__in=valid, ticket_id=ticket_id).only("id")}
    if missing := [i for i in photo_ids if i not in found]:
        raise InvalidInput("Add the photos to this ticket first (POST .../photos), then name them.",
                           errors={"photo_ids": [f"Not photos of this ticket: {', '.join(missing)}"]})
    return list(photo_ids)


def for_ticket(ticket) -> list[Photo]:
    """The finding's photos, then the evidence and verification photos, oldest first."""
    return list(Photo.objects(owner__in=[f"finding:{ticket.finding_id}", f"ticket:{ticket.id}"])
                .order_by("created_at"))


def get_visible(actor: Actor, photo_id: str) -> Photo:
    """A photo is visible to whoever may see its finding's ticket, and to its inspector."""
    photo = Photo.objects(id=photo_id, county_code=actor.county_code).first() if ObjectId.is_valid(photo_id) else None
    if photo is not None and photo.uploaded_by != actor.id:
        ticket_id = photo.ticket_id
        if ticket_id is None:
            finding = Finding.objects(id=photo.finding_id).only("ticket_id").first()
            ticket_id = finding.ticket_id if finding else None
        try:
            tickets.get_visible(actor, str(ticket_id or ""))
        except NotFound:
            photo = None
    if photo is None:
        raise NotFound(f"No photo {photo_id} that you can see.")
    return photo


def open_file(actor: Actor, photo_id: str, size: str):
    photo = get_visible(actor, photo_id)
    stored = photo.thumbnail if size == "thumbnail" else photo.original
    content_type = "image/jpeg" if size == "thumbnail" else photo.content_type
    return photo, io.BytesIO(stored.read()), content_type

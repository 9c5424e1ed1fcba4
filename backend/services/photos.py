"""Finding photos: stored once per content (SHA-256), with a thumbnail.

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
from ..errors import DomainError, InvalidInput, NotFound
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


def add(actor: Actor, finding_id: str, upload) -> tuple[Photo, bool]:
    finding = get_mine(actor, finding_id)
    data = upload.read()
    if not data:
        raise InvalidInput("The photo file is empty.", errors={"file": ["Empty file."]})
    digest = hashlib.sha256(data).hexdigest()
    existing = Photo.objects(finding_id=finding.id, sha256=digest).first()
    if existing:
        return existing, False
    image = _decode(data)
    upright = ImageOps.exif_transpose(image)
    thumb = upright.convert("RGB")
    thumb.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=80)
    photo = Photo(finding_id=finding.id, county_code=finding.county_code, uploaded_by=actor.id,
                  sha256=digest, content_type=ACCEPTED[image.format], size=len(data),
                  width=upright.width, height=upright.height)
    photo.original.put(data, content_type=photo.content_type)
    photo.thumbnail.put(buffer.getvalue(), content_type="image/jpeg")
    try:
        photo.save()
    except NotUniqueError:
        photo.original.delete()
        photo.thumbnail.delete()
        return Photo.objects.get(finding_id=finding.id, sha256=digest), False
    return photo, True


def for_finding(finding_id) -> list[Photo]:
    return list(Photo.objects(finding_id=finding_id).order_by("created_at"))


def get_visible(actor: Actor, photo_id: str) -> Photo:
    """A photo is visible to whoever may see its finding's ticket, and to its inspector."""
    photo = Photo.objects(id=photo_id, county_code=actor.county_code).first() if ObjectId.is_valid(photo_id) else None
    if photo is not None and not (actor.role == Role.INSPECTOR and photo.uploaded_by == actor.id):
        finding = Finding.objects(id=photo.finding_id).only("ticket_id").first()
        try:
            tickets.get_visible(actor, str(finding.ticket_id) if finding and finding.ticket_id else "")
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

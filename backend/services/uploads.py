"""Resumable photo uploads for phones on failing 3G links.

A 10 MB photo sent in one request starts again from zero when the link drops at 90 %. Here
the phone announces the file by its SHA-256 and size, sends it in chunks (`PATCH` with
`Upload-Offset`, as in the tus protocol), and after a cut asks where to resume (`GET`): at
most the one chunk that was in flight is sent again. A chunk is stored before the upload's
offset moves past it, with one conditional update guarded by the offset the phone named,
so a chunk sent twice, or two connections sending the same chunk, store it once; bytes
below the offset are never written again. Of a chunk cut short by a dropped link, the
server keeps what arrived (gunicorn hands the view the bytes that came, as tus servers
do), and the phone resumes at the byte after. When the
last byte arrives the SHA-256 is checked; the complete file then becomes a photo of a
finding or ticket through the usual photo path (format checks, EXIF, derivation).
"""
import hashlib
import io

from flask import current_app
from mongoengine.errors import NotUniqueError

from ..auth import Actor
from ..errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from ..i18n import _
from ..models.common import utcnow
from ..models.uploads import Upload, UploadPart
from . import photos


class OffsetMismatch(Conflict):
    code = "offset_mismatch"


def chunk_limit() -> int:
    return current_app.config["UPLOAD_CHUNK_MAX_KB"] * 1024


def start(actor: Actor, sha256: str, size: int) -> tuple[Upload, bool]:
    """Announce a file; the same SHA-256 again answers the upload as it stands (where to resume)."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if size > limit:
        raise PayloadTooLarge(_("The photo is larger than the limit of %(mb)s MB.", mb=limit // (1024 * 1024)))
    existing = _find(actor, sha256)
    if existing:
        if existing.size != size:
            raise Conflict(_("An upload with this SHA-256 and another size is already under way."),
                           code="upload_size_conflict")
        return existing, False
    try:
        upload = Upload(county_code=actor.county_code, uploaded_by=actor.id, sha256=sha256, size=size)
        upload.save(force_insert=True)
        return upload, True
    except NotUniqueError:  # the same announcement on another connection
        return _find(actor, sha256), False


def status(actor: Actor, sha256: str) -> Upload:
    upload = _find(actor, sha256)
    if upload is None:
        raise NotFound(_("No upload %(sha256)s of yours; announce it first.", sha256=sha256))
    return upload


def _find(actor: Actor, sha256: str) -> Upload | None:
    return Upload.objects(county_code=actor.county_code, uploaded_by=actor.id, sha256=sha256).first()


def append(actor: Actor, sha256: str, offset: int, chunk: bytes) -> Upload:
    """Store `chunk` at `offset`, which must be where the upload stands. Returns the upload
    with its new offset; the last chunk checks the whole file's SHA-256."""
    upload = status(actor, sha256)
    if offset != upload.offset:
        raise OffsetMismatch(_("The upload stands at byte %(offset)s, not %(sent)s; resume from there.",
                               offset=upload.offset, sent=offset), errors={"offset": [upload.offset]})
    if not chunk:
        raise InvalidInput(_("The chunk is empty."), errors={"body": [_("Empty chunk.")]})
    if len(chunk) > chunk_limit():
        raise PayloadTooLarge(_("A chunk may hold at most %(kb)s KB.", kb=chunk_limit() // 1024))
    if offset + len(chunk) > upload.size:
        raise InvalidInput(_("The chunk goes past the announced size of %(size)s bytes.", size=upload.size),
                           errors={"body": [_("Past the end of the file.")]})
    UploadPart.objects(county_code=upload.county_code, upload_id=upload.id, offset=offset).update_one(
        upsert=True, set__data=chunk, set_on_insert__created_at=utcnow())
    moved = Upload.objects(id=upload.id, county_code=upload.county_code, offset=offset).modify(
        new=True, inc__offset=len(chunk), set__updated_at=utcnow())
    if moved is None:  # another connection stored this chunk first
        current = status(actor, sha256)
        raise OffsetMismatch(_("The upload stands at byte %(offset)s, not %(sent)s; resume from there.",
                               offset=current.offset, sent=offset), errors={"offset": [current.offset]})
    if moved.offset == moved.size and hashlib.sha256(_bytes(moved)).hexdigest() != moved.sha256:
        _restart(moved)
        raise InvalidInput(_("The bytes received do not match their SHA-256; send the file again from the start."),
                           errors={"sha256": [_("Does not match the bytes.")]})
    return moved


def _bytes(upload: Upload) -> bytes:
    parts = UploadPart.objects(county_code=upload.county_code, upload_id=upload.id).order_by("offset")
    data, expected = bytearray(), 0
    for part in parts:
        if part.offset != expected:  # a part replaced by a shorter resend leaves a stale tail: skip it
            continue
        data += part.data
        expected += len(part.data)
    return bytes(data[: upload.size])


def _restart(upload: Upload) -> None:
    UploadPart.objects(county_code=upload.county_code, upload_id=upload.id).delete()
    Upload.objects(id=upload.id, county_code=upload.county_code).update_one(set__offset=0, set__updated_at=utcnow())


def attach(actor: Actor, sha256: str, finding_id: str | None, ticket_id: str | None):
    """The complete file becomes a photo of the inspector's finding, or of a ticket (a
    department's evidence, a verifier's photo). Attaching it again returns the same photo."""
    upload = status(actor, sha256)
    if upload.offset != upload.size:
        raise Conflict(_("The upload has %(offset)s of %(size)s bytes; send the rest first.",
                         offset=upload.offset, size=upload.size), code="upload_incomplete")
    if bool(finding_id) == bool(ticket_id):
        raise InvalidInput(_("Name either a finding or a ticket."),
                           errors={"finding_id": [_("One of finding_id or ticket_id.")]})
    file = io.BytesIO(_bytes(upload))
    return photos.add(actor, finding_id, file) if finding_id else photos.add_to_ticket(actor, ticket_id, file)

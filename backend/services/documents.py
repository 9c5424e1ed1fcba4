"""Uploads and stored documents: one reader for every upload (photos included) and one
store for every document (clues' transfer letters and feedback, accountability
decisions, rectification evidence).

Each use names the kinds it accepts; the type is read from the bytes
(domain/documents.py), never from the file name or the claimed type. The same bytes
for the same owner and use are kept once.
"""
import hashlib

from bson import ObjectId
from flask import current_app
from mongoengine.errors import NotUniqueError

from ..auth import Actor
from ..domain import documents
from ..errors import InvalidInput, PayloadTooLarge, UnsupportedDocument
from ..i18n import _
from ..models import Attachment

MB = 1024 * 1024
NAMES = {"pdf": "PDF", "docx": "Word (DOCX)", "xlsx": "Excel (XLSX)", "jpeg": "JPEG", "png": "PNG"}


def read_upload(upload, limit_bytes: int) -> bytes:
    """The bytes of an uploaded file: 413 over `limit_bytes` (read no further), 422 if empty."""
    data = upload.read(limit_bytes + 1)
    if len(data) > limit_bytes:
        raise PayloadTooLarge(_("The file is larger than the limit of %(limit)s MB.", limit=limit_bytes // MB),
                              errors={"file": [_("Too large.")]})
    if not data:
        raise InvalidInput(_("The file is empty."), errors={"file": [_("Empty.")]})
    return data


def document_limit() -> int:
    """The largest document, in bytes (`EVIDENCE_MAX_MB`)."""
    return current_app.config["EVIDENCE_MAX_MB"] * MB


def store(actor: Actor | None, *, county_code: str, owner: str, kind: str, data: bytes, accepted: frozenset,
          filename: str | None = None, generated: bool = False) -> tuple[Attachment, bool]:
    """Keep a document whose bytes prove it one of the `accepted` kinds (415 for another
    kind, 422 for a broken file). Returns (document, created): the same bytes again for
    the same owner and use return the stored one."""
    try:
        file_type = documents.sniff(data, accepted)
    except documents.DocumentRejected as exc:
        error = UnsupportedDocument if exc.kind == "unsupported" else InvalidInput
        raise error(_("Send one of these kinds of document: %(kinds)s (%(reason)s).",
                      kinds=", ".join(NAMES[k] for k in sorted(accepted)), reason=_(str(exc))),
                    errors={"file": [_(str(exc))]})
    digest = hashlib.sha256(data).hexdigest()
    existing = Attachment.objects(owner=owner, kind=kind, sha256=digest).exclude("file").first()
    if existing:
        return existing, False
    stem = _stem(filename) or f"{kind}-{digest[:12]}"
    doc = Attachment(county_code=county_code, owner=owner, kind=kind, file_type=file_type,
                     content_type=documents.CONTENT_TYPES[file_type],
                     filename=f"{stem}.{documents.extension(file_type)}", size=len(data), sha256=digest,
                     generated=generated, uploaded_by=actor.id if actor else None)
    doc.file.put(data, content_type=doc.content_type, filename=doc.filename)
    try:
        doc.save(force_insert=True)
    except NotUniqueError:  # the same bytes raced in
        doc.file.delete()
        return Attachment.objects.get(owner=owner, kind=kind, sha256=digest), False
    return doc, True


def _stem(filename: str | None) -> str | None:
    """A safe name for a download: the uploaded name without its path or extension."""
    if not filename:
        return None
    name = filename.replace("/", "_").replace("\\", "_")[:200]
    return (name.rsplit(".", 1)[0] if "." in name else name) or None


def of(owner: str, document_id: str, kind: str | None = None, *, with_file: bool = False) -> Attachment | None:
    """The document `document_id` of `owner` (and use), or None."""
    if not ObjectId.is_valid(document_id):
        return None
    query = Attachment.objects(id=document_id, owner=owner, **({"kind": kind} if kind else {}))
    return query.first() if with_file else query.exclude("file").first()


def of_owner(owner: str) -> list[Attachment]:
    return list(Attachment.objects(owner=owner).exclude("file").order_by("created_at"))

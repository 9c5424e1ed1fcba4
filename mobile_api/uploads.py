"""Resumable photo uploads (tus-style, keyed by the photo's SHA-256): phones on weak links."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.api.schemas import Code, ObjectIdStr, PhotoSchema
from backend.auth import current_actor, requires
from backend.domain.codes import Role
from backend.services import uploads

blp = Blueprint("uploads", __name__, url_prefix="/api/v1/mobile/uploads",
                description="Resumable photo uploads: announce by SHA-256, send chunks, resume after a cut")

UPLOADERS = (Role.INSPECTOR, Role.DEPARTMENT, Role.OFFICE)
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="A SHA-256 in lowercase hex (64 characters).")


class UploadStartSchema(Schema):
    sha256 = Code(64, required=True, validate=SHA256)
    size = fields.Int(required=True, validate=validate.Range(min=1), metadata={"description": "bytes"})


class UploadSchema(Schema):
    sha256 = fields.Str()
    size = fields.Int()
    offset = fields.Int(metadata={"description": "bytes received: send the next chunk from here"})
    complete = fields.Method("is_complete")
    chunk_max = fields.Method("max_chunk", metadata={"description": "largest chunk accepted, in bytes"})

    def is_complete(self, upload) -> bool:
        return upload.offset == upload.size

    def max_chunk(self, _upload) -> int:
        return uploads.chunk_limit()


class UploadOffsetSchema(Schema):
    offset = fields.Int(required=True, data_key="Upload-Offset", validate=validate.Range(min=0))


class AttachSchema(Schema):
    finding_id = ObjectIdStr(load_default=None)
    ticket_id = ObjectIdStr(load_default=None)


def _with_offset(upload, status):
    return upload, status, {"Upload-Offset": str(upload.offset), "Upload-Length": str(upload.size)}


@blp.route("")
class Uploads(MethodView):
    @requires(*UPLOADERS)
    @blp.arguments(UploadStartSchema)
    @blp.response(201, UploadSchema, description="Announced: send the chunks from offset 0")
    @blp.alt_response(200, schema=UploadSchema, description="Already announced: resume from `offset`")
    def post(self, data):
        """Announce a photo by its SHA-256 and size"""
        upload, created = uploads.start(current_actor(), data["sha256"], data["size"])
        return _with_offset(upload, 201 if created else 200)


@blp.route("/<sha256>")
class OneUpload(MethodView):
    @requires(*UPLOADERS)
    @blp.response(200, UploadSchema)
    def get(self, sha256):
        """Where the upload stands (also in the `Upload-Offset` header): resume from `offset`"""
        return _with_offset(uploads.status(current_actor(), sha256), 200)

    @requires(*UPLOADERS)
    @blp.arguments(UploadOffsetSchema, location="headers")
    @blp.response(200, UploadSchema)
    def patch(self, headers, sha256):
        """Send the next chunk: the raw bytes as `application/offset+octet-stream`, with
        `Upload-Offset` saying where they start (409 `offset_mismatch` names where to resume)"""
        return _with_offset(uploads.append(current_actor(), sha256, headers["offset"], request.get_data()), 200)


@blp.route("/<sha256>/attach")
class AttachUpload(MethodView):
    @requires(*UPLOADERS)
    @blp.arguments(AttachSchema)
    @blp.response(201, PhotoSchema, description="The photo was stored")
    @blp.alt_response(200, schema=PhotoSchema, description="The same bytes were attached before")
    def post(self, data, sha256):
        """Make the complete upload a photo of a finding (inspector) or a ticket (evidence,
        verification), exactly as `POST …/photos` does with the whole file"""
        photo, created = uploads.attach(current_actor(), sha256, data["finding_id"], data["ticket_id"])
        return photo, (201 if created else 200)

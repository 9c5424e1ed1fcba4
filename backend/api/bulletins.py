"""The monthly bulletin (通报): built by a job, downloaded by the office as a PDF."""
from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import bulletins

blp = Blueprint("bulletins", __name__, url_prefix="/api/v1/bulletins",
                description="The monthly bulletin (通报): rates, overdue tickets, common problems, "
                            "suggestions and their replies, accountability — a printable PDF")


class BulletinRequestSchema(Schema):
    month = fields.Str(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="YYYY-MM"))


class BulletinSchema(Schema):
    id = fields.Str()
    month = fields.Str()
    status = fields.Str(metadata={"description": "queued, running, done or failed"})
    error = fields.Str(allow_none=True)
    pages = fields.Int(allow_none=True)
    summary = fields.Dict()
    created_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)
    download_url = fields.Method("_download_url", allow_none=True)

    def _download_url(self, bulletin):
        return url_for("bulletins.BulletinFile", bulletin_id=str(bulletin.id)) if bulletin.status == "done" else None


class BulletinListQuerySchema(Schema):
    limit = fields.Int(load_default=24, validate=validate.Range(1, 200))


@blp.route("")
class Bulletins(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(BulletinListQuerySchema, location="query")
    @blp.response(200, BulletinSchema(many=True))
    def get(self, query):
        """The county's bulletins, newest first"""
        return bulletins.list_bulletins(current_actor(), query["limit"])

    @requires(Role.OFFICE)
    @blp.arguments(BulletinRequestSchema)
    @blp.response(202, BulletinSchema)
    def post(self, data):
        """Queue the bulletin of a month (YYYY-MM); poll it for its link"""
        return bulletins.request(current_actor(), data["month"])


@blp.route("/<bulletin_id>")
class BulletinStatus(MethodView):
    @requires(Role.OFFICE)
    @blp.response(200, BulletinSchema)
    def get(self, bulletin_id):
        """A bulletin's status, and its `download_url` once done"""
        return bulletins.get(current_actor(), bulletin_id)


@blp.route("/<bulletin_id>/file")
class BulletinFile(MethodView):
    @requires(Role.OFFICE)
    @blp.response(200, content_type="application/pdf")
    def get(self, bulletin_id):
        """Download a finished bulletin (PDF, Chinese font embedded)"""
        bulletin, data = bulletins.download(current_actor(), bulletin_id)
        return Response(data, content_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{bulletins.filename(bulletin)}"',
                                 "Cache-Control": "no-store"})

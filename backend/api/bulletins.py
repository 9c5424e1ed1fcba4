"""The monthly bulletin (通报): built by a job, downloaded by the office as a PDF."""
import re
from datetime import date

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..i18n import _
from ..services import bulletins
from .schemas import check_day
from .downloads import file_response

blp = Blueprint("bulletins", __name__, url_prefix="/api/v1/bulletins",
                description="The monthly bulletin (通报): rates, overdue tickets, common problems, "
                            "suggestions and their replies, accountability — a printable PDF")


class Month(fields.Str):
    """YYYY-MM, its first day a day people may type (api/schemas.py check_day): 0001-01 or
    9999-12 is a 422, not a date overflow in the job."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            first = date.fromisoformat(f"{value}-01") if re.fullmatch(r"\d{4}-\d{2}", value) else None
        except ValueError:   # month 13, year 0
            first = None
        if first is None:
            raise ValidationError(_("A month is YYYY-MM."))
        check_day(first)
        return value


class BulletinRequestSchema(Schema):
    month = Month(required=True, metadata={"pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2026-01"})


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
        return file_response(data, bulletins.filename(bulletin), "application/pdf",
                             ascii_name=bulletins.ascii_filename(bulletin))

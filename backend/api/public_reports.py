"""码上巡视 for the office: the QR codes to print, and the villagers' reports (each decided
in the 底稿 review, `reviews/{review_entry_id}`)."""
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..domain.public_reports import ReportState, mask_phone
from ..services import public_reports
from .round_schemas import LifecycleEventSchema
from .schemas import PhoneLocationSchema, PhotoSchema, QuerySetPage, VillageCode
from .downloads import file_response

blp = Blueprint("public_reports", __name__, url_prefix="/api/v1",
                description="码上巡视: village QR codes, and the villagers' reports (decided in the 底稿 review)")


class QrQuerySchema(Schema):
    village_code = VillageCode(load_default=None, metadata={
        "description": "which of the task's villages (required when it has several)"})


def _png(url: str, png: bytes, name: str) -> Response:
    return file_response(png, name, "image/png", inline=True, headers={"X-QR-URL": url})


@blp.route("/villages/<code>/qr.png")
class VillageQr(MethodView):
    @requires(Role.OFFICE, Role.ADMIN)
    @blp.response(200, content_type="image/png")
    def get(self, code):
        """The village's QR code (码上巡视) to print on its notice board: it opens the report
        page for this village (the URL is also in the `X-QR-URL` header)"""
        url, png = public_reports.village_qr(current_actor(), code)
        return _png(url, png, f"qr-{code}.png")


@blp.route("/tasks/<task_id>/qr.png")
class TaskQr(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(QrQuerySchema, location="query")
    @blp.response(200, content_type="image/png")
    def get(self, query, task_id):
        """The QR code of an inspection task at one of its villages: reports through it name the task"""
        url, png = public_reports.task_qr(current_actor(), task_id, query["village_code"])
        return _png(url, png, f"qr-task-{task_id}.png")


class ReportFilterSchema(Schema):
    state = fields.Str(validate=validate.OneOf([s.value for s in ReportState]))
    village_code = VillageCode()
    source = fields.Str(validate=validate.OneOf(["qr", "open311"]))


class PublicReportSchema(Schema):
    """A villager's report as the office lists it: the phone masked."""
    id = fields.Str()
    receipt_code = fields.Str()
    county_code = fields.Str()
    village_code = fields.Str(allow_none=True)
    township_code = fields.Str(allow_none=True)
    task_id = fields.Str(allow_none=True)
    source = fields.Str()
    text = fields.Str()
    category = fields.Str(allow_none=True, metadata={"description": "the reporter's choice (Open311), a hint"})
    location = fields.Nested(PhoneLocationSchema, allow_none=True)
    address = fields.Str(allow_none=True)
    anonymous = fields.Bool()
    reporter_name = fields.Str(allow_none=True)
    reporter_phone = fields.Function(lambda r: mask_phone(r.reporter_phone))
    photo_ids = fields.List(fields.Str())
    state = fields.Str(attribute="status")
    version = fields.Int()
    public_reply = fields.Str(allow_none=True)
    reason = fields.Str(allow_none=True)
    internal_note = fields.Str(allow_none=True, metadata={"description": "the reviewer's note"})
    review_entry_id = fields.Str(allow_none=True, metadata={"description": "its 底稿 entry: decide it there"})
    finding_id = fields.Str(allow_none=True)
    ticket_id = fields.Str(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()


class PublicReportDetailSchema(PublicReportSchema):
    """One report for the office: the whole phone number (the reveal is recorded)."""
    reporter_phone = fields.Str(allow_none=True)
    photos = fields.List(fields.Nested(PhotoSchema))
    events = fields.List(fields.Nested(LifecycleEventSchema))


@blp.route("/public-reports")
class PublicReports(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(ReportFilterSchema, location="query")
    @blp.response(200, PublicReportSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self, filters):
        """Villagers' reports of the county, newest first (`state=received`: the ones waiting in
        the review), the reporter's phone masked"""
        return public_reports.list_reports(current_actor(), filters)


@blp.route("/public-reports/<report_id>")
class PublicReport(MethodView):
    @requires(Role.OFFICE)
    @blp.response(200, PublicReportDetailSchema)
    def get(self, report_id):
        """One report with its photos and events; the reporter's whole phone number (recorded)"""
        return public_reports.detail(current_actor(), report_id)

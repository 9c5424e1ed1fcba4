"""码上巡视: the villagers' door, without an account (`/public/v1`), behind rate limits.

The page that uses it is backend/public/ (`/report/`), opened from a village's QR code.
"""
from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..i18n import lazy_
from ..limits import limiter, setting
from ..services import public_reports, return_visits
from .schemas import Code, CrsField, Text

blp = Blueprint("public", __name__, url_prefix="/public/v1",
                description="码上巡视: villagers report through a village's QR code, no account needed")

MOBILE = validate.Regexp(r"^1[3-9]\d{9}$", error=lazy_("A mainland mobile number: 11 digits starting with 1."))


def _qr_key() -> str:
    """The per-QR-code limit counts the reports stored through one code (by the token in the
    query string, never the body), so that refused attempts from one address cannot use up a
    village's code for everyone."""
    return "qr:" + (request.args.get("t") or "")[:400]


@blp.before_request
def public_body_limit():
    """A smaller body limit than the API's, enforced while the body is read (chunked too)."""
    limit = current_app.config["PUBLIC_MAX_BODY_MB"] * 1024 * 1024
    if request.content_length and request.content_length > limit:
        from ..errors import PayloadTooLarge
        from ..i18n import _
        raise PayloadTooLarge(_("The report is larger than %(mb)s MB; send fewer or smaller photos.",
                                mb=current_app.config["PUBLIC_MAX_BODY_MB"]))
    request.max_content_length = limit


class QrSchema(Schema):
    c = fields.Str(required=True, validate=validate.Regexp(r"^\d{6}$"), metadata={"description": "county code"})
    t = Code(400, required=True, metadata={"description": "the QR code's token"})


class QrPlaceSchema(Schema):
    county_name = fields.Str()
    township_name = fields.Str(allow_none=True)
    village_name = fields.Str()
    task_name = fields.Str(allow_none=True)
    max_photos = fields.Int()
    max_photo_mb = fields.Int()


class ChallengeSchema(Schema):
    challenge = fields.Str()
    bits = fields.Int(metadata={"description": "find n: SHA-256(\"<challenge>:<n>\") starts with this many zero bits"})
    expires_in = fields.Int()


class ReportInSchema(Schema):
    """The report as the page sends it (multipart/form-data, photos as `photo` files)."""
    text = Text(1000, required=True, metadata={"description": "what is wrong (at most 1000 characters)"})
    lat = fields.Float(load_default=None, validate=validate.Range(-90, 90))
    lon = fields.Float(load_default=None, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(load_default=None, validate=validate.Range(0, 100_000))
    crs = CrsField()
    name = Text(50, load_default=None)
    phone = fields.Str(load_default=None, validate=MOBILE)
    anonymous = fields.Bool(load_default=False)
    challenge = Code(500, required=True)
    solution = Code(32, required=True)


class PhotosInSchema(Schema):
    photo = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}), load_default=list)


class ReceiptSchema(Schema):
    receipt_code = fields.Str()
    status = fields.Str(metadata={"description": "received, in_progress, closed, not_accepted or transferred"})
    status_label = fields.Str()
    submitted_at = fields.AwareDateTime()
    village_name = fields.Str(allow_none=True)
    text = fields.Str(metadata={"description": "what was reported, phone and ID numbers masked"})
    photos = fields.Int()
    public_reply = fields.Str(allow_none=True)
    reason = fields.Str(allow_none=True, metadata={"description": "why it was not accepted"})
    closed_at = fields.AwareDateTime(allow_none=True)
    return_visit = fields.Dict(allow_none=True, metadata={
        "description": "回访, once it is dealt with: status (due, rated, awaiting_office, reopened, "
                       "kept_closed), can_rate, rating, rating_label, comment"})


class RatingInSchema(Schema):
    rating = fields.Str(required=True, validate=validate.OneOf(["satisfied", "basically_satisfied", "dissatisfied"]),
                        metadata={"description": "满意 / 基本满意 / 不满意"})
    comment = Text(500, load_default=None)


def _location(data: dict) -> dict:
    if data.get("lat") is None or data.get("lon") is None:
        return {**data, "location": None}
    return {**data, "location": {"lat": data["lat"], "lon": data["lon"], "crs": data["crs"],
                                 "accuracy_m": data.get("accuracy_m")}}


@blp.route("/place")
class Place(MethodView):
    @limiter.limit(setting("PUBLIC_RATE_READ"))
    @blp.doc(security=[])
    @blp.arguments(QrSchema, location="query")
    @blp.response(200, QrPlaceSchema)
    def get(self, query):
        """The village (and task) a QR code names; 404 `invalid_qr` for a forged code or
        another county's"""
        return public_reports.place_info(query["c"], query["t"])


@blp.route("/challenge")
class Challenge(MethodView):
    @limiter.limit(setting("PUBLIC_RATE_READ"))
    @blp.doc(security=[])
    @blp.response(200, ChallengeSchema)
    def get(self):
        """A proof-of-work challenge for one report (signed by the server, valid 10 minutes)"""
        return public_reports.issue_challenge()


@blp.route("/reports")
class Reports(MethodView):
    @limiter.limit(setting("PUBLIC_RATE_PER_QR"), key_func=_qr_key, deduct_when=lambda r: r.status_code == 201)
    @limiter.limit(setting("PUBLIC_RATE_PER_ADDRESS"))
    @blp.doc(security=[])
    @blp.arguments(QrSchema, location="query")
    @blp.arguments(ReportInSchema, location="form")
    @blp.arguments(PhotosInSchema, location="files")
    @blp.response(201, ReceiptSchema)
    def post(self, query, data, files):
        """Report a problem (multipart/form-data): text, up to `PUBLIC_MAX_PHOTOS` photos
        (`photo`), optional location (`crs` wgs84/gcj02/bd09), optional name and phone, or
        `anonymous`; with a solved challenge. Answers the receipt (keep its code)"""
        report = public_reports.submit(query["c"], query["t"], _location(data), files["photo"])
        return public_reports.receipt(report.receipt_code)


@blp.route("/receipts/<code>")
class Receipt(MethodView):
    @limiter.limit(setting("PUBLIC_RATE_READ"))
    @blp.doc(security=[])
    @blp.response(200, ReceiptSchema)
    def get(self, code):
        """The report's state and public reply, by its receipt code"""
        return public_reports.receipt(code)


@blp.route("/receipts/<code>/return-visit")
class ReceiptReturnVisit(MethodView):
    @limiter.limit(setting("PUBLIC_RATE_PER_ADDRESS"))
    @blp.doc(security=[])
    @blp.arguments(RatingInSchema)
    @blp.response(200, ReceiptSchema)
    def post(self, data, code):
        """回访: rate how the report was dealt with (满意 / 基本满意 / 不满意, with a comment),
        once, after it is closed; 不满意 goes to the office, which may reopen it"""
        return return_visits.rate_by_reporter(code, data["rating"], data.get("comment"))

"""Accountability (问责): the office records decisions and reads the 整改不力 list."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current_actor, requires
from ..domain.accountability import Form
from ..domain.codes import Role, values
from ..services import accountability
from .schemas import Code, IsoDate, ObjectIdStr, PhotoUploadSchema, Text
from .downloads import file_response

blp = Blueprint("accountability", __name__, url_prefix="/api/v1/accountability",
                description="Accountability (问责): decisions against tickets, suggestions (and, once they exist, "
                            "problems and organisations), the 整改不力 list, figures")


class AccountabilityDecisionSchema(Schema):
    id = fields.Str(dump_only=True)
    number = fields.Str(dump_only=True, metadata={"example": "371323-WZ-2026-0001"})
    target_kind = Code(32, required=True, metadata={
        "description": "ticket, suggestion, problem (a round's rectification problem) or organisation "
                       "(an inspected party organisation)"})
    target_id = ObjectIdStr(required=True)
    target_label = fields.Str(dump_only=True)
    department_code = Code(64, load_default=None, allow_none=True, metadata={
        "description": "default: the department that holds the target"})
    organisation_code = fields.Str(dump_only=True, allow_none=True)
    person_name = Text(100, required=True)
    person_position = Text(100, load_default=None)
    form = fields.Str(required=True, validate=validate.OneOf(values(Form)), metadata={
        "description": "interview 约谈, public_criticism 通报批评, admonition 诫勉, organisational 组织处理, "
                       "disciplinary 纪律处分"})
    decided_on = IsoDate(required=True)
    reason = Text(5000, required=True)
    document_id = fields.Str(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class AccountabilityDecisionListSchema(Schema):
    total = fields.Int()
    offset = fields.Int()
    limit = fields.Int()
    decisions = fields.List(fields.Nested(AccountabilityDecisionSchema))


class AccountabilityFilterSchema(Schema):
    target_kind = Code(32)
    target_id = ObjectIdStr()
    form = fields.Str(validate=validate.OneOf(values(Form)))
    department_code = Code(64)
    offset = fields.Int(load_default=0, validate=validate.Range(0, 100_000))
    limit = fields.Int(load_default=50, validate=validate.Range(1, 200))


class UnderperformingQuerySchema(Schema):
    limit = fields.Int(load_default=200, validate=validate.Range(1, 1000))


class UnderperformingItemSchema(Schema):
    kind = fields.Str(metadata={"enum": ["ticket", "suggestion", "problem"]})
    organisation_name = fields.Str(allow_none=True, metadata={"description": "a problem's party organisation"})
    id = fields.Str()
    number = fields.Str()
    title = fields.Str()
    status = fields.Str()
    department_code = fields.Str(allow_none=True)
    department_name = fields.Str(allow_none=True)
    reopen_count = fields.Int()
    escalation_level = fields.Int()
    due_at = fields.DateTime(allow_none=True)
    reasons = fields.List(fields.Str(), metadata={"description": "reopened (twice or more), escalated (督办 level 2)"})
    decisions = fields.List(fields.Dict(), metadata={"description": "decisions already recorded against it"})


class UnderperformingSchema(Schema):
    total = fields.Int()
    items = fields.List(fields.Nested(UnderperformingItemSchema))


class AccountabilityFiguresSchema(Schema):
    decisions = fields.Int()
    by_form = fields.List(fields.Dict())
    departments = fields.List(fields.Dict())
    organisations = fields.List(fields.Dict())


@blp.route("/decisions")
class Decisions(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(AccountabilityFilterSchema, location="query")
    @blp.response(200, AccountabilityDecisionListSchema)
    def get(self, query):
        """The county's accountability decisions, newest first"""
        return accountability.list_decisions(current_actor(), query, query.pop("offset"), query.pop("limit"))

    @requires(Role.OFFICE)
    @blp.arguments(AccountabilityDecisionSchema)
    @blp.response(201, AccountabilityDecisionSchema)
    def post(self, data):
        """Record a decision: the person, the form, the date, the reason and its target"""
        return accountability.record(current_actor(), data)


@blp.route("/decisions/<decision_id>")
class Decision(MethodView):
    @requires(Role.OFFICE)
    @blp.response(200, AccountabilityDecisionSchema)
    def get(self, decision_id):
        """One decision"""
        return accountability.get(current_actor(), decision_id)


@blp.route("/decisions/<decision_id>/document")
class DecisionDocument(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(PhotoUploadSchema, location="files")
    @blp.response(200, AccountabilityDecisionSchema)
    def post(self, files, decision_id):
        """Attach the decision document (问责决定书): PDF, DOCX, JPEG or PNG, checked by content"""
        return accountability.attach_document(current_actor(), decision_id, files["file"])

    @requires(Role.OFFICE)
    @blp.response(200, content_type="application/octet-stream")
    def get(self, decision_id):
        """Download the decision document"""
        document = accountability.document(current_actor(), decision_id)
        return file_response(document.file.read(), document.filename, document.content_type)


@blp.route("/underperforming")
class Underperforming(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(UnderperformingQuerySchema, location="query")
    @blp.response(200, UnderperformingSchema)
    def get(self, query):
        """整改不力: tickets reopened twice or more, tickets and suggestions past 督办 level 2"""
        return accountability.underperforming(current_actor(), query["limit"])


@blp.route("/figures")
class Figures(MethodView):
    @requires(Role.OFFICE)
    @blp.response(200, AccountabilityFiguresSchema)
    def get(self):
        """Decisions by form, and by department (and organisation) with their forms"""
        return accountability.figures(current_actor())

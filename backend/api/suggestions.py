"""Suggestions to departments (意见建议): the office writes them, the department replies."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current_actor, requires
from ..domain.codes import Role, values
from ..domain.suggestions import SuggestionSource, SuggestionStatus
from ..services import suggestions
from .round_schemas import LifecycleEventSchema
from .schemas import Code, IsoDate, ObjectIdStr, Text

blp = Blueprint("suggestions", __name__, url_prefix="/api/v1/suggestions",
                description="Suggestions to departments (意见建议) from common problems or a round's report, "
                            "and the departments' replies")


class SuggestionSchema(Schema):
    id = fields.Str()
    number = fields.Str(metadata={"example": "371323-JY-2026-0001"})
    status = fields.Str(metadata={"enum": values(SuggestionStatus)})
    department_code = fields.Str()
    title = fields.Str()
    content = fields.Str()
    source = fields.Str(metadata={"enum": values(SuggestionSource)})
    source_ref = fields.Str(allow_none=True)
    ticket_ids = fields.List(fields.Str())
    measures = fields.Str(allow_none=True, metadata={"description": "整改措施 of the latest reply"})
    rules = fields.List(fields.Str(), metadata={"description": "rules made or changed (建章立制)"})
    replied_at = fields.DateTime(allow_none=True)
    replied_on_time = fields.Bool(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(metadata={"description": "the reply is due by then"})
    remind_at = fields.DateTime(allow_none=True)
    escalate1_at = fields.DateTime(allow_none=True)
    escalate2_at = fields.DateTime(allow_none=True)
    overdue = fields.Bool()
    escalation_level = fields.Int()
    version = fields.Int()
    created_at = fields.DateTime()


class SuggestionDetailSchema(SuggestionSchema):
    events = fields.List(fields.Nested(LifecycleEventSchema))


class SuggestionListSchema(Schema):
    total = fields.Int()
    offset = fields.Int()
    limit = fields.Int()
    suggestions = fields.List(fields.Nested(SuggestionSchema))


class SuggestionFilterSchema(Schema):
    status = fields.Str(validate=validate.OneOf(values(SuggestionStatus)))
    department_code = Code(64)
    source = fields.Str(validate=validate.OneOf(values(SuggestionSource)))
    overdue = fields.Bool(load_default=None)
    offset = fields.Int(load_default=0, validate=validate.Range(0, 100_000))
    limit = fields.Int(load_default=50, validate=validate.Range(1, 200))


class SuggestionCreateSchema(Schema):
    department_code = Code(64, required=True)
    title = Text(200, required=True)
    content = Text(10_000, required=True)
    source = fields.Str(load_default=SuggestionSource.OTHER.value, validate=validate.OneOf(values(SuggestionSource)))
    source_ref = Text(200, load_default=None, metadata={
        "description": "common_problem: `category:<code>` or `keyword:<word>` from GET stats/common-problems; "
                       "round_report: the report's name"})
    ticket_ids = fields.List(ObjectIdStr(), load_default=list, validate=validate.Length(max=500))
    reply_due_on = IsoDate(load_default=None, metadata={"description": "default: SUGGESTION_REPLY_DAYS days on"})
    note = Text(2000, load_default=None)


class SuggestionReplySchema(Schema):
    measures = Text(10_000, required=True, metadata={"description": "整改措施: what was done"})
    rules = fields.List(Text(200), load_default=list, validate=validate.Length(max=50),
                        metadata={"description": "the rules made or changed (制度名称)"})


class SuggestionNoteSchema(Schema):
    note = Text(2000, load_default=None)


class SuggestionSendBackSchema(Schema):
    note = Text(2000, required=True)
    reply_due_on = IsoDate(load_default=None)


class SuggestionFiguresSchema(Schema):
    sent = fields.Int()
    replied = fields.Int()
    replied_on_time = fields.Int()
    accepted = fields.Int()
    overdue = fields.Int()
    departments = fields.List(fields.Dict())


@blp.route("")
class Suggestions(MethodView):
    @requires(Role.OFFICE, Role.DEPARTMENT)
    @blp.arguments(SuggestionFilterSchema, location="query")
    @blp.response(200, SuggestionListSchema)
    def get(self, query):
        """Suggestions: the county's for the office, its own for a department"""
        return suggestions.list_suggestions(current_actor(), query, query.pop("offset"), query.pop("limit"))

    @requires(Role.OFFICE)
    @blp.arguments(SuggestionCreateSchema)
    @blp.response(201, SuggestionDetailSchema)
    def post(self, data):
        """Write a suggestion to a department, with a reply deadline"""
        return suggestions.create(current_actor(), data)


@blp.route("/figures")
class Figures(MethodView):
    @requires(Role.OFFICE)
    @blp.response(200, SuggestionFiguresSchema)
    def get(self):
        """Sent, replied (on time), accepted, overdue: in total and by department"""
        return suggestions.figures(current_actor())


@blp.route("/<suggestion_id>")
class SuggestionDetail(MethodView):
    @requires(Role.OFFICE, Role.DEPARTMENT)
    @blp.response(200, SuggestionDetailSchema)
    def get(self, suggestion_id):
        """One suggestion with its events"""
        return suggestions.detail(current_actor(), suggestion_id)


@blp.route("/<suggestion_id>/reply")
class Reply(MethodView):
    @requires(Role.DEPARTMENT)
    @blp.arguments(SuggestionReplySchema)
    @blp.response(200, SuggestionDetailSchema)
    def post(self, data, suggestion_id):
        """The department replies: the measures taken and the rules made or changed"""
        return suggestions.reply(current_actor(), suggestion_id, data["measures"], data["rules"])


@blp.route("/<suggestion_id>/accept")
class Accept(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(SuggestionNoteSchema)
    @blp.response(200, SuggestionDetailSchema)
    def post(self, data, suggestion_id):
        """The office accepts the reply: the suggestion is done (办结)"""
        return suggestions.accept(current_actor(), suggestion_id, data["note"])


@blp.route("/<suggestion_id>/send-back")
class SendBack(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(SuggestionSendBackSchema)
    @blp.response(200, SuggestionDetailSchema)
    def post(self, data, suggestion_id):
        """The reply is not enough: the department answers again by a new deadline"""
        return suggestions.send_back(current_actor(), suggestion_id, data["note"], data["reply_due_on"])

"""回访 for the office: the list of villagers' tickets to call, the phone call's answer, and
the decision on a 不满意."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import return_visits
from .schemas import Text, TicketDetailSchema

blp = Blueprint("return_visits", __name__, url_prefix="/api/v1",
                description="回访: villagers rate how their reports were dealt with; 不满意 can reopen the ticket")


class WorklistQuerySchema(Schema):
    status = fields.Str(load_default="due", validate=validate.OneOf(["due", "awaiting_office"]))


class WorklistRowSchema(Schema):
    ticket_id = fields.Str()
    number = fields.Str()
    title = fields.Str()
    department_code = fields.Str(allow_none=True)
    village_code = fields.Str()
    closed_at = fields.AwareDateTime()
    report_id = fields.Str()
    receipt_code = fields.Str(allow_none=True)
    reporter_phone = fields.Str(allow_none=True, metadata={"description": "masked; whole in the report's detail"})
    return_visit = fields.Dict(allow_none=True)


class CallSchema(Schema):
    rating = fields.Str(required=True, validate=validate.OneOf(["satisfied", "basically_satisfied", "dissatisfied"]))
    comment = Text(500, load_default=None)


class ReturnVisitDecisionSchema(Schema):
    reopen = fields.Bool(required=True, metadata={"description": "true: 不满意 confirmed, back to the same department"})
    note = Text(1000, required=True)


@blp.route("/return-visits")
class Worklist(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(WorklistQuerySchema, location="query")
    @blp.response(200, WorklistRowSchema(many=True))
    def get(self, query):
        """回访 to do: `due` (closed villagers' tickets not rated yet: call them) or
        `awaiting_office` (不满意 to confirm or not)"""
        return return_visits.worklist(current_actor(), query["status"])


@blp.route("/tickets/<ticket_id>/return-visit")
class PhoneCall(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(CallSchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """Record the answer of a 回访 phone call (满意 / 基本满意 / 不满意, with a comment)"""
        return return_visits.record_call(current_actor(), ticket_id, data["rating"], data.get("comment"))


@blp.route("/tickets/<ticket_id>/return-visit/decision")
class Decision(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(ReturnVisitDecisionSchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """不满意: confirm it (`reopen`: the ticket goes back to the same department with a new
        deadline) or keep the ticket closed, with a note"""
        return return_visits.decide(current_actor(), ticket_id, data["reopen"], data["note"])

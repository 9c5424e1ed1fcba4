from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import audit, deadlines, lookback, photos, plans, tickets
from .schemas import (AssignSchema, CloseSchema, DecisionSchema, ExtensionRequestSchema,
                      LookbackResultSchema, NoteSchema, PhotoSchema, PhotoUploadSchema,
                      PlanSubmitSchema, QuerySetPage, ReportSchema, ReturnCountSchema,
                      ReturnReasonSchema, ReturnSchema, RevealSchema, TicketDetailSchema, TicketFilterSchema,
                      TicketSchema, VerifySchema)

blp = Blueprint("tickets", __name__, url_prefix="/api/v1/tickets",
                description="Livelihood tickets (民生工单): departments claim, return, report and "
                            "resolve; the office triages, verifies and closes")


@blp.route("")
class Tickets(MethodView):
    @requires(Role.OFFICE, Role.DEPARTMENT)
    @blp.arguments(TicketFilterSchema, location="query")
    @blp.response(200, TicketSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self, filters):
        """Tickets: the whole county for the office, its own for a department"""
        return tickets.list_tickets(current_actor(), filters)


@blp.route("/return-reasons")
class ReturnReasons(MethodView):
    @requires(Role.OFFICE, Role.DEPARTMENT)
    @blp.response(200, ReturnReasonSchema(many=True))
    def get(self):
        """The fixed list of return reasons (退单理由)"""
        from ..domain.states import RETURN_REASON_LABELS
        return [{"code": c.value, "label": label} for c, label in RETURN_REASON_LABELS.items()]


@blp.route("/returns")
class ReturnCounts(MethodView):
    @requires(Role.OFFICE)
    @blp.response(200, ReturnCountSchema(many=True))
    def get(self):
        """Returns (退单) per department, in total and by reason"""
        return tickets.return_counts(current_actor())


@blp.route("/<ticket_id>")
class TicketDetail(MethodView):
    @requires(Role.OFFICE, Role.DEPARTMENT, Role.INSPECTOR)
    @blp.response(200, TicketDetailSchema)
    def get(self, ticket_id):
        """One ticket with its finding's bases, photos, routing trace and event timeline"""
        return tickets.detail(current_actor(), ticket_id)


@blp.route("/<ticket_id>/claim")
class Claim(MethodView):
    @requires(Role.DEPARTMENT)
    @blp.arguments(NoteSchema, required=False)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """Claim (签收) a dispatched ticket; of concurrent claims exactly one wins"""
        return tickets.claim(current_actor(), ticket_id, (data or {}).get("note"))


@blp.route("/<ticket_id>/return")
class Return(MethodView):
    @requires(Role.DEPARTMENT)
    @blp.arguments(ReturnSchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """Return (退单) a wrongly routed ticket with a reason from the fixed list and words; it
        goes to the next candidate or triage"""
        return tickets.return_ticket(current_actor(), ticket_id, data["reason"], data["reason_code"])


@blp.route("/<ticket_id>/progress")
class Progress(MethodView):
    @requires(Role.DEPARTMENT)
    @blp.arguments(ReportSchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """Report progress (进展) on a claimed ticket, optionally naming photos added to it"""
        return tickets.report_progress(current_actor(), ticket_id, data["note"], data["photo_ids"],
                                       data["plan_step"])


@blp.route("/<ticket_id>/resolve")
class Resolve(MethodView):
    @requires(Role.DEPARTMENT)
    @blp.arguments(ReportSchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """Mark a claimed ticket resolved (办结): the note says what was done, `photo_ids`
        name the evidence photos added to the ticket"""
        return tickets.resolve(current_actor(), ticket_id, data["note"], data.get("location"),
                               data["photo_ids"])


@blp.route("/<ticket_id>/photos")
class TicketPhotos(MethodView):
    @requires(Role.DEPARTMENT, Role.OFFICE)
    @blp.arguments(PhotoUploadSchema, location="files")
    @blp.response(201, PhotoSchema, description="The photo was stored")
    @blp.alt_response(200, schema=PhotoSchema, description="The same bytes were added before")
    def post(self, files, ticket_id):
        """Add a photo to a ticket: the department's proof of the fix while it is claimed, the
        office's verification photo while it is resolved (multipart field `file`)"""
        photo, created = photos.add_to_ticket(current_actor(), ticket_id, files["file"])
        return photo, (201 if created else 200)


@blp.route("/<ticket_id>/assign")
class Assign(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(AssignSchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """Triage: dispatch a ticket no rule could route to a department"""
        return tickets.assign(current_actor(), ticket_id, data["department_code"], data.get("note"))


@blp.route("/<ticket_id>/verify")
class Verify(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(VerifySchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """The office verifies a resolved ticket: confirmed closes it, not_fixed reopens it"""
        return tickets.verify(current_actor(), ticket_id, data["outcome"], data.get("note"),
                              data.get("location"), data["photo_ids"])


@blp.route("/<ticket_id>/close")
class Close(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(CloseSchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """End an open ticket as a duplicate or invalid, with a reason"""
        return tickets.close_as(current_actor(), ticket_id, data["outcome"], data["reason"])


@blp.route("/<ticket_id>/extension")
class Extension(MethodView):
    @requires(Role.DEPARTMENT)
    @blp.arguments(ExtensionRequestSchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """Ask for more time (延期申请), before the deadline, with a reason"""
        return deadlines.request_extension(current_actor(), ticket_id, data["reason"], data["extra_working_days"])


@blp.route("/<ticket_id>/extension/decision")
class ExtensionDecision(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(DecisionSchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """Approve (the deadline moves) or refuse (with a note) a pending extension request"""
        return deadlines.decide_extension(current_actor(), ticket_id, data["approve"], data.get("note"))


@blp.route("/<ticket_id>/plan")
class Plan(MethodView):
    @requires(Role.DEPARTMENT)
    @blp.arguments(PlanSubmitSchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """Submit the rectification plan (整改方案) of a claimed serious or urgent ticket"""
        return plans.submit(current_actor(), ticket_id, data["summary"], data["steps"])


@blp.route("/<ticket_id>/plan/decision")
class PlanDecision(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(DecisionSchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """Approve the submitted plan, or send it back with a note"""
        return plans.decide(current_actor(), ticket_id, data["approve"], data.get("note"))


@blp.route("/<ticket_id>/lookback")
class Lookback(MethodView):
    @requires(Role.INSPECTOR, Role.OFFICE)
    @blp.arguments(LookbackResultSchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """Record a re-inspection (回头看): confirmed, or problem_back (reopens the ticket)"""
        return lookback.record(current_actor(), ticket_id, data["outcome"], data.get("note"), data.get("location"))


@blp.route("/<ticket_id>/reveal")
class Reveal(MethodView):
    @requires(Role.DEPARTMENT)
    @blp.response(200, RevealSchema)
    def post(self, ticket_id):
        """The ticket's texts with phone and ID numbers whole, for its current handler only;
        every reveal is written to the audit log the office reads"""
        return audit.reveal(current_actor(), ticket_id, request.remote_addr)

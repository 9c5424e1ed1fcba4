from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import photos, tickets
from .schemas import (AssignSchema, CloseSchema, NoteSchema, PhotoSchema, PhotoUploadSchema,
                      QuerySetPage, ReportSchema, ReturnSchema,
                      TicketDetailSchema, TicketFilterSchema, TicketSchema, VerifySchema)

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
        """Return (退单) a wrongly routed ticket with a reason; it goes to the next candidate or triage"""
        return tickets.return_ticket(current_actor(), ticket_id, data["reason"])


@blp.route("/<ticket_id>/progress")
class Progress(MethodView):
    @requires(Role.DEPARTMENT)
    @blp.arguments(ReportSchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """Report progress (进展) on a claimed ticket, optionally naming photos added to it"""
        return tickets.report_progress(current_actor(), ticket_id, data["note"], data["photo_ids"])


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

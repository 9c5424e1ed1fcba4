from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.schemas import (CheckInSchema, FindingSchema, PhotoSchema, PhotoUploadSchema,
                                 QuerySetPage, TaskSchema, TicketDetailSchema, TicketFilterSchema,
                                 TicketSchema, VerifySchema)
from backend.auth import current_actor, requires
from backend.domain.codes import Role
from backend.services import findings, photos, tasks, tickets

blp = Blueprint("mobile", __name__, url_prefix="/api/v1/mobile",
                description="Inspectors in the field: tasks, check-ins, findings, photos, verification")


@blp.route("/tasks")
class MyTasks(MethodView):
    @requires(Role.INSPECTOR)
    @blp.response(200, TaskSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self):
        """My inspection tasks"""
        return tasks.list_tasks(current_actor())


@blp.route("/tasks/<task_id>/check-in")
class CheckIn(MethodView):
    @requires(Role.INSPECTOR)
    @blp.arguments(CheckInSchema)
    @blp.response(201, CheckInSchema)
    def post(self, data, task_id):
        """Check in at one of the task's villages (GPS); a repeated client_id returns the first"""
        if data.get("client_id"):
            data["client_id"] = str(data["client_id"])
        return tasks.check_in(current_actor(), task_id, data)


@blp.route("/findings")
class Findings(MethodView):
    @requires(Role.INSPECTOR)
    @blp.arguments(FindingSchema)
    @blp.response(201, FindingSchema, description="The finding was stored")
    @blp.alt_response(200, schema=FindingSchema, description="A replay: the finding stored earlier")
    def post(self, data):
        """Submit a finding; one that needs action opens a ticket. Replaying the same client_id
        with the same content returns the stored finding (200); other content is a 409"""
        data["client_id"] = str(data["client_id"])
        finding, created = findings.submit(current_actor(), data)
        return finding, (201 if created else 200)


@blp.route("/findings/<finding_id>/photos")
class FindingPhotos(MethodView):
    @requires(Role.INSPECTOR)
    @blp.arguments(PhotoUploadSchema, location="files")
    @blp.response(201, PhotoSchema, description="The photo was stored")
    @blp.alt_response(200, schema=PhotoSchema, description="The same bytes were uploaded before")
    def post(self, files, finding_id):
        """Attach a photo (multipart field `file`; JPEG, PNG or WebP)"""
        photo, created = photos.add(current_actor(), finding_id, files["file"])
        return photo, (201 if created else 200)


@blp.route("/tickets")
class MyTickets(MethodView):
    @requires(Role.INSPECTOR)
    @blp.arguments(TicketFilterSchema, location="query")
    @blp.response(200, TicketSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self, filters):
        """Tickets opened from my findings"""
        return tickets.list_tickets(current_actor(), filters, mine_only=True)


@blp.route("/tickets/<ticket_id>/verify")
class Verify(MethodView):
    @requires(Role.INSPECTOR)
    @blp.arguments(VerifySchema)
    @blp.response(200, TicketDetailSchema)
    def post(self, data, ticket_id):
        """Verify a fix on site: confirmed closes the ticket, not_fixed reopens it"""
        return tickets.verify(current_actor(), ticket_id, data["outcome"], data.get("note"),
                              data.get("location"), data["photo_ids"])


@blp.route("/tickets/<ticket_id>/photos")
class TicketPhotos(MethodView):
    @requires(Role.INSPECTOR)
    @blp.arguments(PhotoUploadSchema, location="files")
    @blp.response(201, PhotoSchema, description="The photo was stored")
    @blp.alt_response(200, schema=PhotoSchema, description="The same bytes were added before")
    def post(self, files, ticket_id):
        """Add a verification photo to a resolved ticket, before verifying it"""
        photo, created = photos.add_to_ticket(current_actor(), ticket_id, files["file"])
        return photo, (201 if created else 200)

import gzip

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.schemas import (CheckInSchema, FindingSchema, PhotoSchema, PhotoUploadSchema,
                                 QuerySetPage, TaskSchema, TicketDetailSchema, TicketFilterSchema,
                                 TicketSchema, VerifySchema)
from backend.auth import current_actor, requires
from backend.domain.codes import Role
from backend.services import findings, photos, sync, tasks, tickets

from .schemas import LinkSchema, SyncPullSchema, SyncPushResultSchema, SyncPushSchema, SyncQuerySchema

blp = Blueprint("mobile", __name__, url_prefix="/api/v1/mobile",
                description="Inspectors in the field: tasks, check-ins, findings, photos, verification")


GZIP_MIN_BYTES = 512


@blp.after_request
def compress(response):
    """Phones on 3G: JSON answers are gzip-compressed when the phone accepts it."""
    if (response.status_code == 200 and not response.direct_passthrough and response.is_json
            and "gzip" in request.headers.get("Accept-Encoding", "").lower()
            and "Content-Encoding" not in response.headers):
        body = response.get_data()
        if len(body) >= GZIP_MIN_BYTES:
            response.set_data(gzip.compress(body, compresslevel=6))
            response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


@blp.route("/tasks")
class MyTasks(MethodView):
    @requires(Role.INSPECTOR)
    @blp.etag
    @blp.response(200, TaskSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self):
        """My inspection tasks"""
        return tasks.list_tasks(current_actor())


@blp.route("/tasks/<task_id>/check-in")
class CheckIn(MethodView):
    @requires(Role.INSPECTOR)
    @blp.arguments(CheckInSchema)
    @blp.response(201, CheckInSchema, description="The check-in was stored")
    @blp.alt_response(200, schema=CheckInSchema, description="A replay: the check-in stored earlier")
    def post(self, data, task_id):
        """Check in at one of the task's villages (GPS, `crs` wgs84/gcj02/bd09); a repeated
        client_id returns the first. Place flags are for the office and never block"""
        if data.get("client_id"):
            data["client_id"] = str(data["client_id"])
        checkin, created = tasks.check_in(current_actor(), task_id, data)
        return checkin, (201 if created else 200)


@blp.route("/findings")
class Findings(MethodView):
    @requires(Role.INSPECTOR)
    @blp.etag
    @blp.response(200, FindingSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self):
        """My findings, newest first"""
        return findings.list_mine(current_actor())

    @requires(Role.INSPECTOR)
    @blp.arguments(FindingSchema)
    @blp.response(201, FindingSchema, description="The finding was stored")
    @blp.alt_response(200, schema=FindingSchema, description="A replay: the finding stored earlier")
    def post(self, data):
        """Submit a finding; one that needs action opens a ticket, or with `link_to_ticket_id`
        joins that open ticket as evidence. The answer lists `nearby_open_tickets` (same
        category, within 250 m) and the place `flags`. Replaying the same client_id with the
        same content returns the stored finding (200); other content is a 409"""
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
        """Attach a photo (multipart field `file`; JPEG, PNG, WebP or HEIC/HEIF). The same
        bytes again return the stored photo (200). It is `processing` until its web version
        and thumbnail are made; its EXIF GPS can become the finding's location"""
        photo, created = photos.add(current_actor(), finding_id, files["file"])
        return photo, (201 if created else 200)


@blp.route("/findings/<finding_id>/link")
class FindingLink(MethodView):
    @requires(Role.INSPECTOR)
    @blp.arguments(LinkSchema)
    @blp.response(200, FindingSchema)
    def post(self, data, finding_id):
        """The same problem as an open ticket: the finding becomes its evidence, and the
        finding's own ticket (if no department has claimed it) is closed as a duplicate"""
        return findings.link_to_ticket(current_actor(), finding_id, data["ticket_id"])


@blp.route("/sync")
class Sync(MethodView):
    @requires(Role.INSPECTOR)
    @blp.etag
    @blp.arguments(SyncQuerySchema, location="query")
    @blp.response(200, SyncPullSchema)
    def get(self, query):
        """What changed for me since the cursor: tasks, findings, tickets and removals, and
        the next cursor (`has_more`: ask again at once)"""
        return sync.pull(current_actor(), query["since"], query["limit"])

    @requires(Role.INSPECTOR)
    @blp.arguments(SyncPushSchema)
    @blp.response(200, SyncPushResultSchema)
    def post(self, data):
        """Up to 50 queued findings and check-ins; one result per item (created, replayed,
        conflict, invalid with the reason), so one bad item never sinks the batch"""
        return {"results": sync.push(current_actor(), data["items"])}


@blp.route("/tickets")
class MyTickets(MethodView):
    @requires(Role.INSPECTOR)
    @blp.etag
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

"""Problem clues (问题线索): the office registers and transfers them; the receiving body's
named handlers feed back. Nobody else sees one; every read is audited."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current_actor, requires
from ..domain.clues import ClueSource, ClueStatus, Disposition, Receiver
from ..domain.codes import Role, values
from ..services import clues
from .round_schemas import LifecycleEventSchema
from .schemas import ObjectIdStr, PhotoUploadSchema, Text, VillageCode
from .downloads import file_response

blp = Blueprint("clues", __name__, url_prefix="/api/v1/clues",
                description="Problem clues (问题线索): registered and transferred by the office, fed back by "
                            "the receiving body's named handlers; confidential, every read audited")


class AttachmentSchema(Schema):
    id = fields.Str()
    kind = fields.Str(metadata={"enum": ["transfer", "feedback", "decision"]})
    content_type = fields.Str()
    filename = fields.Str()
    size = fields.Int()
    sha256 = fields.Str()
    generated = fields.Bool()
    created_at = fields.DateTime()


class ClueSchema(Schema):
    id = fields.Str()
    number = fields.Str(metadata={"example": "371323-XS-2026-0001"})
    status = fields.Str(metadata={"enum": values(ClueStatus)})
    source = fields.Str(metadata={"enum": values(ClueSource)})
    title = fields.Str()
    village_code = fields.Str(allow_none=True)
    township_code = fields.Str(allow_none=True)
    receiver = fields.Str(allow_none=True, metadata={"enum": values(Receiver)})
    disposition = fields.Str(allow_none=True, metadata={"enum": values(Disposition)})
    transferred_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True, metadata={"description": "feedback due (反馈期限)"})
    fed_back_at = fields.DateTime(allow_none=True)
    overdue = fields.Bool()
    escalation_level = fields.Int()
    created_at = fields.DateTime()


class ClueDetailSchema(ClueSchema):
    description = fields.Str()
    subject = fields.Str(allow_none=True)
    fact_basis = fields.Str(allow_none=True)
    policy_basis = fields.Str(allow_none=True)
    responsibility_basis = fields.Str(allow_none=True)
    finding_id = fields.Str(allow_none=True)
    handlers = fields.List(fields.Dict())
    feedback_note = fields.Str(allow_none=True)
    fed_back_on_time = fields.Bool(allow_none=True)
    remind_at = fields.DateTime(allow_none=True, metadata={"description": "催办 of the handlers"})
    escalate1_at = fields.DateTime(allow_none=True, metadata={"description": "督办 to the office"})
    escalate2_at = fields.DateTime(allow_none=True)
    transfer_document_id = fields.Str(allow_none=True)
    feedback_document_id = fields.Str(allow_none=True)
    version = fields.Int()
    documents = fields.List(fields.Nested(AttachmentSchema))
    events = fields.List(fields.Nested(LifecycleEventSchema))


class ClueListSchema(Schema):
    total = fields.Int()
    offset = fields.Int()
    limit = fields.Int()
    clues = fields.List(fields.Nested(ClueSchema))


class ClueFilterSchema(Schema):
    status = fields.Str(validate=validate.OneOf(values(ClueStatus)))
    receiver = fields.Str(validate=validate.OneOf(values(Receiver)))
    disposition = fields.Str(validate=validate.OneOf(values(Disposition)))
    source = fields.Str(validate=validate.OneOf(values(ClueSource)))
    overdue = fields.Bool(load_default=None)
    offset = fields.Int(load_default=0, validate=validate.Range(0, 100_000))
    limit = fields.Int(load_default=50, validate=validate.Range(1, 200))


class ClueRegisterSchema(Schema):
    title = Text(200, required=True)
    description = Text(5000, required=True)
    subject = Text(200, load_default=None, metadata={"description": "被反映人: name and position"})
    fact_basis = Text(5000, load_default=None)
    village_code = VillageCode(load_default=None)
    source = fields.Str(load_default=ClueSource.LETTER.value,
                        validate=validate.OneOf([ClueSource.LETTER.value, ClueSource.REPORT.value,
                                                 ClueSource.OTHER.value]))
    note = Text(2000, load_default=None)


class ClueTransferSchema(Schema):
    receiver = fields.Str(required=True, validate=validate.OneOf(values(Receiver)))
    handler_ids = fields.List(ObjectIdStr(), required=True, validate=validate.Length(min=1, max=5),
                              metadata={"description": "the users of the receiving body who handle it"})
    document_id = ObjectIdStr(load_default=None, metadata={
        "description": "a transfer document uploaded before; without it the transfer letter (PDF) is generated"})
    note = Text(2000, load_default=None)


class ClueHandlersSchema(Schema):
    handler_ids = fields.List(ObjectIdStr(), required=True, validate=validate.Length(min=1, max=5))
    note = Text(2000, load_default=None)


class ClueFeedbackSchema(Schema):
    disposition = fields.Str(required=True, validate=validate.OneOf(values(Disposition)), metadata={
        "description": "talk_inquiry 谈话函询, preliminary_check 初步核实, hold 暂存待查, closed_out 予以了结, "
                       "case_opened 立案审查"})
    note = Text(5000, required=True)
    document_id = ObjectIdStr(load_default=None)


class ClueDocumentKindSchema(Schema):
    kind = fields.Str(load_default="transfer", validate=validate.OneOf(["transfer", "feedback"]))


class ClueFiguresSchema(Schema):
    registered = fields.Int()
    transferred = fields.Int()
    fed_back = fields.Int()
    fed_back_on_time = fields.Int()
    feedback_on_time_rate = fields.Float(allow_none=True)
    overdue = fields.Int()
    by_disposition = fields.List(fields.Dict())
    by_receiver = fields.List(fields.Dict())


class ClueAuditQuerySchema(Schema):
    clue_id = ObjectIdStr(load_default=None)
    limit = fields.Int(load_default=100, validate=validate.Range(1, 1000))


class ClueAccessSchema(Schema):
    at = fields.DateTime()
    actor_id = fields.Str()
    actor_name = fields.Str()
    actor_role = fields.Str()
    department_code = fields.Str(allow_none=True)
    action = fields.Str(metadata={"description": "list, detail, document, transfer, feedback, ... or denied"})
    clue_ids = fields.List(fields.Str())


@blp.route("")
class Clues(MethodView):
    @requires(Role.OFFICE, Role.DEPARTMENT)
    @blp.arguments(ClueFilterSchema, location="query")
    @blp.response(200, ClueListSchema)
    def get(self, query):
        """Clues: the county's for the office; a handler's own at the receiving body (audited)"""
        return clues.list_clues(current_actor(), query, query.pop("offset"), query.pop("limit"))

    @requires(Role.OFFICE)
    @blp.arguments(ClueRegisterSchema)
    @blp.response(201, ClueDetailSchema)
    def post(self, data):
        """Register (登记) a clue by hand: it gets its number"""
        return clues.register(current_actor(), data)


@blp.route("/figures")
class Figures(MethodView):
    @requires(Role.OFFICE)
    @blp.response(200, ClueFiguresSchema)
    def get(self):
        """Transferred, fed back (on time), overdue, by disposition and receiving body"""
        return clues.figures(current_actor())


@blp.route("/audit")
class Audit(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(ClueAuditQuerySchema, location="query")
    @blp.response(200, ClueAccessSchema(many=True))
    def get(self, query):
        """Who read which clue, newest first (and who tried and was refused)"""
        return clues.audit_log(current_actor(), query["clue_id"], query["limit"])


@blp.route("/<clue_id>")
class ClueDetail(MethodView):
    @requires(Role.OFFICE, Role.DEPARTMENT, Role.INSPECTOR, Role.ADMIN)
    @blp.response(200, ClueDetailSchema)
    def get(self, clue_id):
        """One clue with its events and documents (audited; a refused attempt too)"""
        return clues.detail(current_actor(), clue_id)


@blp.route("/<clue_id>/transfer")
class Transfer(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(ClueTransferSchema)
    @blp.response(200, ClueDetailSchema)
    def post(self, data, clue_id):
        """移交 to the discipline commission or the organisation department, naming its handlers"""
        return clues.transfer(current_actor(), clue_id, data["receiver"], data["handler_ids"], data["note"],
                              data["document_id"])


@blp.route("/<clue_id>/handlers")
class Handlers(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(ClueHandlersSchema)
    @blp.response(200, ClueDetailSchema)
    def post(self, data, clue_id):
        """Name other handlers at the same receiving body"""
        return clues.set_handlers(current_actor(), clue_id, data["handler_ids"], data["note"])


@blp.route("/<clue_id>/feedback")
class Feedback(MethodView):
    @requires(Role.DEPARTMENT)
    @blp.arguments(ClueFeedbackSchema)
    @blp.response(200, ClueDetailSchema)
    def post(self, data, clue_id):
        """A named handler feeds back the disposition to the inspection office"""
        return clues.feedback(current_actor(), clue_id, data["disposition"], data["note"], data["document_id"])


@blp.route("/<clue_id>/documents")
class Documents(MethodView):
    @requires(Role.OFFICE, Role.DEPARTMENT)
    @blp.arguments(ClueDocumentKindSchema, location="query")
    @blp.arguments(PhotoUploadSchema, location="files")
    @blp.response(201, AttachmentSchema)
    def post(self, query, files, clue_id):
        """Upload a transfer document (office) or feedback document (handler): PDF, DOCX, JPEG
        or PNG, its type read from its bytes (`?kind=transfer|feedback`, multipart `file`)"""
        return clues.upload_document(current_actor(), clue_id, query["kind"], files["file"])


@blp.route("/<clue_id>/documents/<document_id>")
class DocumentFile(MethodView):
    @requires(Role.OFFICE, Role.DEPARTMENT)
    @blp.response(200, content_type="application/octet-stream")
    def get(self, clue_id, document_id):
        """Download one of the clue's documents (audited)"""
        document = clues.download_document(current_actor(), clue_id, document_id)
        return file_response(document.file.read(), document.filename, document.content_type)

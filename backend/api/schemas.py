"""Marshmallow schemas shared by the office/department API and the mobile API."""
from datetime import UTC, timedelta

from marshmallow import Schema, fields, pre_dump, validate, validates_schema, ValidationError
from flask_smorest import Page

from ..domain import privacy, text, windows
from ..domain.codes import Category, Role, Severity, values
from ..domain.sla import CHINA
from ..domain.states import OPEN_STATES, ReturnReason, TicketStatus, is_overdue
from ..models.common import utcnow
from ..i18n import _, lazy_

OPEN_STATE_VALUES = frozenset(s.value for s in OPEN_STATES)


class Text(fields.Str):
    """Every text people type (titles, descriptions, bases, notes, reasons, names,
    keywords): cleaned on the way in by `domain.text.clean` (a lone surrogate, a NUL, a bidi
    override or a blank text is a 422 naming the field; control characters go, NFC), at
    most `max_length` characters; on the way out personal data is masked
    (`domain.privacy.mask`) and stored text is made encodable."""

    masked = True
    multiline = True

    def __init__(self, max_length: int | None = None, *, min_length: int = 1, multiline: bool | None = None,
                 **kwargs):
        if multiline is not None:
            self.multiline = multiline
        self.blank_ok = min_length == 0
        validators = [validate.Length(min=min_length, max=max_length)]
        extra = kwargs.pop("validate", None)
        validators += extra if isinstance(extra, list) else [extra] if extra else []
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            return text.clean(value, multiline=self.multiline)
        except text.TextRefused as exc:
            if exc.reason == "blank" and self.blank_ok:
                return ""
            raise ValidationError(exc.args[0]) from exc

    def _serialize(self, value, attr, obj, **kwargs):
        value = super()._serialize(value, attr, obj, **kwargs)
        if value is None:
            return None
        return privacy.mask(value) if self.masked else text.scrub(value)


class Code(Text):
    """An identifier or code (ids, department codes, cursors): one line, cleaned like Text,
    never masked."""
    masked = False
    multiline = False


class Password(fields.Str):
    """A password as typed (not normalised or trimmed), but encodable: a lone surrogate or
    a NUL is a 422, not a server error in the hashing."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if text.SURROGATES.search(value) or "\x00" in value:
            raise ValidationError(_("Contains an invalid character."))
        return value


class Masked(fields.Str):
    """Stored free text in an answer: personal data masked, encodable whatever was stored."""

    def _serialize(self, value, attr, obj, **kwargs):
        value = super()._serialize(value, attr, obj, **kwargs)
        return privacy.mask(value) if value is not None else None


VillageCode = lambda **kw: Code(12, validate=validate.Regexp(  # noqa: E731
    r"^\d{12}$", error=lazy_("A village code has 12 digits.")), **kw)
Aware = lambda **kw: fields.AwareDateTime(default_timezone=UTC, **kw)  # noqa: E731


class ObjectIdStr(Code):
    """The id of a stored object, sent in a body or a query: 24 hexadecimal characters, or a
    422 naming the field, so that no malformed id ever reaches a query (MongoEngine raises a
    server error on one). Ids in the path are looked up by the services: 404."""

    def __init__(self, **kwargs):
        super().__init__(24, validate=validate.Regexp(r"^[0-9a-fA-F]{24}$", error=lazy_(
            "Not an id: an id is 24 hexadecimal characters.")), **kwargs)


def check_day(day):
    """The day, or a ValidationError when it lies outside the days people may type."""
    if errors := windows.day_errors(day, utcnow().astimezone(CHINA).date()):
        raise ValidationError(errors)
    return day


class IsoDate(fields.Date):
    """A date read as a date and stored as its ISO string (YYYY-MM-DD). A day people type
    lies between 2000-01-01 and five years after today (`domain.windows.day_errors`): year 1
    or 9999 is a 422, never a date overflow in a clock or a bulletin."""

    def _deserialize(self, value, attr, data, **kwargs):
        return check_day(super()._deserialize(value, attr, data, **kwargs))

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) or value is None else super()._serialize(value, attr, obj, **kwargs)


class QuerySetPage(Page):
    """Pages over a MongoEngine queryset (count() instead of len()). A page past the last one
    is empty without asking the database: `page=10**20` would be a skip MongoDB cannot encode."""
    @property
    def item_count(self):
        return self.collection.count()

    @property
    def items(self):
        if self.page_params.first_item >= self.page_params.item_count:
            return []
        return super().items


class LocationSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(validate=validate.Range(0, 100_000), allow_none=True)


CRS = ["wgs84", "gcj02", "bd09"]
CrsField = lambda **kw: fields.Str(load_default="wgs84", validate=validate.OneOf(CRS), metadata={  # noqa: E731
    "description": "coordinate system of lat/lon: wgs84 (GPS), gcj02 (AMap, Tencent) or bd09 (Baidu)"}, **kw)


class PhoneLocationSchema(LocationSchema):
    """A phone's position: sent in its map's coordinates, shown in WGS-84 with what was sent."""
    crs = CrsField()
    altitude_m = fields.Float(dump_only=True, allow_none=True)
    sent_lat = fields.Float(dump_only=True, allow_none=True)
    sent_lon = fields.Float(dump_only=True, allow_none=True)
    source = fields.Str(dump_only=True, allow_none=True, metadata={"description": "phone, or photo (its EXIF GPS)"})
    photo_id = fields.Str(dump_only=True, allow_none=True)


class ErrorSchema(Schema):
    """Every error: a stable code, the HTTP status, what went wrong, and per-field errors."""
    code = fields.Str(metadata={"example": "invalid_input"})
    status = fields.Int(metadata={"example": 422})
    message = fields.Str()
    errors = fields.Dict()


# ---------------------------------------------------------------- auth

class LoginSchema(Schema):
    username = Text(100, required=True, multiline=False)
    password = Password(required=True, validate=validate.Length(min=1, max=200))


class UserSchema(Schema):
    id = fields.Str(dump_only=True)
    username = fields.Str()
    display_name = fields.Str()
    role = fields.Str(validate=validate.OneOf(values(Role)))
    county_code = fields.Str(dump_only=True)
    department_code = fields.Str(allow_none=True)


class AccountSchema(UserSchema):
    """A user as the admin manages it."""
    username = fields.Str(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_.\-]{3,100}$", error=lazy_("3-100 letters, digits, '_', '.' or '-'.")))
    display_name = Text(100, load_default=None)
    role = fields.Str(required=True, validate=validate.OneOf(values(Role)))
    department_code = Code(64, load_default=None, allow_none=True)
    password = Password(load_only=True, required=True, validate=validate.Length(min=8, max=200))
    active = fields.Bool(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    phone = fields.Str(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^1[3-9]\d{9}$", error=lazy_("A mainland mobile number: 11 digits starting with 1.")))
    is_department_head = fields.Bool(load_default=False)


class AccountPatchSchema(Schema):
    display_name = Text(100)
    role = fields.Str(validate=validate.OneOf(values(Role)))
    department_code = Code(64, allow_none=True)
    password = Password(load_only=True, validate=validate.Length(min=8, max=200))
    active = fields.Bool()
    phone = fields.Str(allow_none=True, validate=validate.Regexp(
        r"^1[3-9]\d{9}$", error=lazy_("A mainland mobile number: 11 digits starting with 1.")))
    is_department_head = fields.Bool()
    successor_id = Code(64, load_only=True, metadata={
        "description": "责任交接: who takes over this user's open tickets when they are deactivated "
                       "or moved to another department"})


class AccountFilterSchema(Schema):
    role = fields.Str(validate=validate.OneOf(values(Role)))
    department_code = Code(64)


class TokenSchema(Schema):
    access_token = fields.Str()
    token_type = fields.Str()
    user = fields.Nested(UserSchema)


# ---------------------------------------------------------------- tasks

class VillageSchema(Schema):
    code = fields.Str()
    name = fields.Str()
    township_code = fields.Str()


class VillageFilterSchema(Schema):
    township_code = fields.Str(validate=validate.Regexp(r"^\d{9}$", error=lazy_("A township code has 9 digits.")))
    name = Text(50)


class VillagePositionInSchema(Schema):
    lat = fields.Float(validate=validate.Range(-90, 90), load_default=None)
    lon = fields.Float(validate=validate.Range(-180, 180), load_default=None)
    crs = fields.Str(load_default="wgs84", validate=validate.OneOf(["wgs84", "gcj02", "bd09"]))
    from_checkins = fields.Bool(load_default=False)


class VillagePositionSchema(Schema):
    code = fields.Str()
    name = fields.Str()
    position = fields.Dict(allow_none=True, metadata={"description": "lat, lon (WGS-84), source (admin/checkins), set_at"})
    proposed = fields.Dict(allow_none=True, metadata={"description": "lat, lon: median of verified check-ins; checkins: how many"})


class TownshipSchema(Schema):
    code = fields.Str()
    name = fields.Str()


class DepartmentSchema(Schema):
    code = fields.Str()
    name = fields.Str()
    kind = fields.Str()
    township_code = fields.Str(allow_none=True)


class TaskSchema(Schema):
    id = fields.Str(dump_only=True)
    name = Text(200, required=True)
    village_codes = fields.List(VillageCode(), required=True, validate=validate.Length(min=1, max=500))
    villages = fields.List(fields.Nested(VillageSchema), dump_only=True)
    inspector_ids = fields.List(Code(64), required=True, validate=validate.Length(min=1, max=50))
    starts_on = IsoDate(required=True)
    ends_on = IsoDate(required=True)
    focus_categories = fields.List(fields.Str(validate=validate.OneOf(values(Category))), load_default=list)
    created_at = fields.DateTime(dump_only=True)
    kind = fields.Str(dump_only=True, metadata={"enum": ["inspection", "lookback"]})
    ticket_ids = fields.List(fields.Str(), dump_only=True,
                             metadata={"description": "回头看: the closed tickets to re-inspect"})


class TaskPatchSchema(TaskSchema):
    """The task's fields, each optional: only those sent change."""
    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class CheckInSchema(Schema):
    id = fields.Str(dump_only=True)
    client_id = fields.UUID(load_default=None)
    village_code = VillageCode(load_default=None)
    lat = fields.Float(required=True, validate=validate.Range(-90, 90), metadata={"description": "WGS-84 when shown"})
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(validate=validate.Range(0, 100_000), load_default=None)
    crs = CrsField()
    sent_lat = fields.Float(dump_only=True, allow_none=True)
    sent_lon = fields.Float(dump_only=True, allow_none=True)
    distance_to_village_m = fields.Float(dump_only=True, allow_none=True)
    flags = fields.List(fields.Str(), dump_only=True, metadata={
        "description": "outside_county, far_from_village, low_accuracy (for the office; never blocking)"})
    at = fields.DateTime(dump_only=True)


# ---------------------------------------------------------------- findings

class NearbyTicketSchema(Schema):
    """An open ticket near a new finding, that the inspector may open."""
    id = fields.Str()
    number = fields.Str()
    title = Masked()
    status = fields.Str()
    village_code = fields.Str()
    distance_m = fields.Float()
    created_at = fields.DateTime()


class FindingPhotoSchema(Schema):
    """A finding's photo as the phone tracks it: processing, ready (its two derived versions
    can be fetched) or failed (with the reason)."""
    id = fields.Str()
    status = fields.Str(metadata={"enum": ["processing", "ready", "failed"]})
    failure_reason = fields.Str(allow_none=True)
    content_type = fields.Str()
    url = fields.Method("_web", allow_none=True, metadata={"type": "string", "description": "the web version, once ready"})
    thumbnail_url = fields.Method("_thumbnail", allow_none=True, metadata={"type": "string"})
    created_at = fields.DateTime()

    def _web(self, photo):
        return f"/api/v1/photos/{photo.id}?size=web" if photo.status == "ready" else None

    def _thumbnail(self, photo):
        return f"/api/v1/photos/{photo.id}?size=thumbnail" if photo.status == "ready" else None


class FindingSchema(Schema):
    id = fields.Str(dump_only=True)
    client_id = fields.UUID(required=True, metadata={"description": "UUID made by the phone; replays are harmless"})
    task_id = Code(64, required=True)
    village_code = VillageCode(required=True)
    category = fields.Str(required=True, validate=validate.OneOf(values(Category)))
    severity = fields.Str(required=True, validate=validate.OneOf(values(Severity)))
    title = Text(200, required=True)
    description = Text(5000, required=True)
    location = fields.Nested(PhoneLocationSchema, load_default=None, allow_none=True, metadata={
        "description": "the phone's fix; leave it out when there is none (a photo's GPS may supply it)"})
    observed_at = Aware(required=True, metadata={"description": "when the phone observed it"})
    fact_basis = Text(5000, required=True, metadata={"description": "事实依据"})
    policy_basis = Text(5000, required=True, metadata={"description": "政策依据"})
    responsibility_basis = Text(5000, required=True, metadata={"description": "责任依据"})
    needs_action = fields.Bool(load_default=True)
    link_to_ticket_id = Code(64, load_only=True, load_default=None, allow_none=True, metadata={
        "description": "an open ticket this finding repeats (from nearby_open_tickets): the finding "
                       "becomes its evidence instead of opening a new ticket"})
    # 问题底稿 (issue 11): 责任主体, the inspector's 立行立改 mark, and the review as it stands
    responsible_post = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(
        ["secretary", "deputy_secretary", "member", "contact"]), metadata={
        "description": "责任主体: the post of the inspected organisation answering for it (default secretary)"})
    immediate = fields.Bool(load_default=False, metadata={
        "description": "立行立改: where the county allows it (边巡边改) the finding is dispatched as a ticket "
                       "before review"})
    reopens_problem_id = ObjectIdStr(load_default=None, allow_none=True, metadata={
        "description": "回头看 of a round: the closed rectification problem this finding finds back"})
    revision = fields.Int(dump_only=True)
    review_status = fields.Str(dump_only=True, allow_none=True, metadata={
        "enum": ["pending", "approved", "returned", "merged", "rejected"],
        "description": "returned: resubmit the same client_id with the corrected content"})
    review_note = fields.Str(dump_only=True, allow_none=True, metadata={"description": "why it was sent back"})
    township_code = fields.Str(dump_only=True)
    ticket_id = fields.Str(dump_only=True, allow_none=True)
    linked_ticket_id = fields.Str(dump_only=True, allow_none=True)
    # A clue's handling is confidential: its finder learns only that it was handed over (移交).
    clue_status = fields.Function(lambda f: "transferred" if getattr(f, "clue_id", None) else None,
                                  dump_only=True, metadata={
        "description": "`transferred` (移交) when the finding went to the clue loop (misconduct), else null"})
    flags = fields.List(fields.Str(), dump_only=True, metadata={
        "description": "outside_county, far_from_village, low_accuracy, photo_location_mismatch"})
    distance_to_village_m = fields.Float(dump_only=True, allow_none=True)
    nearby_open_tickets = fields.List(fields.Nested(NearbyTicketSchema), dump_only=True, metadata={
        "description": "open tickets of the same category within 250 m: is it the same problem?"})
    created_at = fields.DateTime(dump_only=True)
    photos = fields.List(fields.Nested(FindingPhotoSchema), dump_only=True, attribute="photo_list")

    @pre_dump
    def attach_photos(self, finding, **kwargs):
        from ..services.photos import for_finding
        if getattr(finding, "id", None) is not None and not hasattr(finding, "photo_list"):
            finding.photo_list = for_finding(finding.id)
        return finding

    @validates_schema
    def observed_at_is_plausible(self, data, **kwargs):
        observed = data.get("observed_at")
        if observed and observed > utcnow() + timedelta(hours=1):
            raise ValidationError(_("Lies in the future; check the phone's clock."), "observed_at")
        if observed and observed < utcnow() - timedelta(days=366):
            raise ValidationError(_("Lies more than a year back; check the phone's clock."), "observed_at")


class PhotoSchema(Schema):
    id = fields.Str()
    purpose = fields.Str(metadata={"enum": ["finding", "evidence", "verification"]})
    finding_id = fields.Str(allow_none=True)
    ticket_id = fields.Str(allow_none=True)
    sha256 = fields.Str()
    content_type = fields.Str()
    size = fields.Int()
    width = fields.Int()
    height = fields.Int()
    status = fields.Str(metadata={"enum": ["processing", "ready", "failed"]})
    failure_reason = fields.Str(allow_none=True)
    taken_at = fields.DateTime(allow_none=True)
    camera_make = fields.Str(allow_none=True)
    camera_model = fields.Str(allow_none=True)
    gps = fields.Dict(metadata={"description": "lat, lon (WGS-84), altitude_m, accuracy_m from EXIF"})
    url = fields.Function(lambda p: f"/api/v1/photos/{p.id}?size=web")
    thumbnail_url = fields.Function(lambda p: f"/api/v1/photos/{p.id}?size=thumbnail")
    created_at = fields.DateTime()


class PhotoUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class PhotoQuerySchema(Schema):
    size = fields.Str(load_default="web", validate=validate.OneOf(["web", "thumbnail", "original"]), metadata={
        "description": "web (1600 px, no EXIF), thumbnail (320 px) or original (its uploader and the office only)"})


# ---------------------------------------------------------------- tickets

class EventSchema(Schema):
    seq = fields.Int()
    action = fields.Str()
    at = fields.DateTime()
    actor_id = fields.Str(allow_none=True)
    actor_name = fields.Str(allow_none=True)
    actor_role = fields.Str()
    from_status = fields.Str(allow_none=True)
    to_status = fields.Str()
    department_code = fields.Str(allow_none=True)
    note = Masked(allow_none=True)
    location = fields.Nested(LocationSchema, allow_none=True)
    data = fields.Dict()


class TicketSchema(Schema):
    id = fields.Str()
    number = fields.Str()
    status = fields.Str(metadata={"enum": values(TicketStatus)})
    outcome = fields.Str(allow_none=True)
    category = fields.Str()
    severity = fields.Str()
    title = Masked()
    description = Masked()
    village_code = fields.Str()
    township_code = fields.Str()
    department_code = fields.Str(allow_none=True)
    handler_id = fields.Str(allow_none=True)
    finding_id = fields.Str()
    task_id = fields.Str()
    location = fields.Nested(LocationSchema, allow_none=True)
    return_count = fields.Int()
    reopen_count = fields.Int()
    version = fields.Int()
    created_at = fields.DateTime()
    dispatched_at = fields.DateTime(allow_none=True)
    claimed_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    # past its deadline now, or flagged by the deadline sweep (which may run at another clock)
    overdue = fields.Function(lambda t: is_overdue(t.status, t.due_at, utcnow())
                              or bool(getattr(t, "overdue", False)) and t.status in OPEN_STATE_VALUES)
    claim_due_at = fields.DateTime(allow_none=True)
    remind_at = fields.DateTime(allow_none=True)
    escalate1_at = fields.DateTime(allow_none=True)
    escalate2_at = fields.DateTime(allow_none=True)
    escalation_level = fields.Int()
    lookback_task_id = fields.Str(allow_none=True)
    lookback_outcome = fields.Str(allow_none=True)


class FindingBasesSchema(Schema):
    id = fields.Str()
    client_id = fields.Str()
    observed_at = fields.DateTime()
    fact_basis = Masked()
    policy_basis = Masked()
    responsibility_basis = Masked()


class ExtensionSchema(Schema):
    status = fields.Str(metadata={"enum": ["pending", "approved", "refused"]})
    reason = Masked()
    extra_working_days = fields.Int()
    requested_at = fields.DateTime()
    requested_by = fields.Str(allow_none=True)
    due_at_before = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = Masked(allow_none=True)
    new_due_at = fields.DateTime(allow_none=True)


class PlanStepSchema(Schema):
    title = Text(500, required=True)
    due_on = IsoDate(required=True)


class PlanSchema(Schema):
    status = fields.Str(metadata={"enum": ["submitted", "approved", "returned"]})
    summary = Masked()
    steps = fields.List(fields.Nested(PlanStepSchema))
    revision = fields.Int()
    submitted_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = Masked(allow_none=True)


class TicketDetailSchema(TicketSchema):
    extension = fields.Nested(ExtensionSchema, allow_none=True)
    plan = fields.Nested(PlanSchema, allow_none=True)
    routing_rule_id = fields.Str(allow_none=True)
    routing_trace = fields.List(fields.Dict())
    returned_by = fields.List(fields.Str())
    events = fields.List(fields.Nested(EventSchema))
    finding = fields.Nested(FindingBasesSchema, allow_none=True)
    photos = fields.List(fields.Nested(PhotoSchema))


class TicketFilterSchema(Schema):
    status = fields.Str(validate=validate.OneOf(values(TicketStatus)))
    category = fields.Str(validate=validate.OneOf(values(Category)))
    severity = fields.Str(validate=validate.OneOf(values(Severity)))
    township_code = fields.Str(validate=validate.Regexp(r"^\d{9}$"))
    village_code = VillageCode()
    department_code = Code(64)
    overdue = fields.Bool()
    escalation_level = fields.Int(validate=validate.Range(1, 2), metadata={
        "description": "at least this escalation level: 2 is the office's 督办 list"})


class NoteSchema(Schema):
    note = Text(2000, load_default=None)


PhotoIds = lambda **kw: fields.List(ObjectIdStr(), validate=validate.Length(max=20), load_default=list,  # noqa: E731
                                    metadata={"description": "ids of photos already added to this ticket"}, **kw)


class ReportSchema(Schema):
    """A department's progress report or resolution: what was done, where, with which photos."""
    note = Text(2000, required=True)
    location = fields.Nested(LocationSchema, load_default=None)
    photo_ids = PhotoIds()
    plan_step = fields.Int(load_default=None, validate=validate.Range(1, 50), metadata={
        "description": "the step (from 1) of the approved rectification plan this report is about"})


class ReturnSchema(Schema):
    reason_code = fields.Str(required=True, validate=validate.OneOf(values(ReturnReason)),
                             metadata={"description": "退单理由 from the fixed list"})
    reason = Text(2000, required=True, metadata={"description": "why the ticket is not ours, in words"})


class AssignSchema(Schema):
    department_code = Code(64, required=True)
    note = Text(2000, load_default=None)


class CloseSchema(Schema):
    outcome = fields.Str(required=True, validate=validate.OneOf(["duplicate", "invalid"]))
    reason = Text(2000, required=True)


class VerifySchema(Schema):
    outcome = fields.Str(required=True, validate=validate.OneOf(["confirmed", "not_fixed"]))
    note = Text(2000, load_default=None)
    location = fields.Nested(LocationSchema, load_default=None)
    photo_ids = PhotoIds()


# ---------------------------------------------------------------- routing and stats

class RoutingRuleSchema(Schema):
    id = fields.Str(dump_only=True)
    name = Text(200, required=True)
    priority = fields.Int(load_default=100, validate=validate.Range(0, 10_000))
    department_code = Code(64, required=True, metadata={"description": "a department code, or @township"})
    category = fields.Str(validate=validate.OneOf(values(Category)), allow_none=True, load_default=None)
    keywords = fields.List(Text(50, multiline=False), load_default=list, validate=validate.Length(max=100))
    township_codes = fields.List(fields.Str(validate=validate.Regexp(r"^\d{9}$")), load_default=list)
    severities = fields.List(fields.Str(validate=validate.OneOf(values(Severity))), load_default=list)
    active = fields.Bool(load_default=True)


class RoutingRulePatchSchema(RoutingRuleSchema):
    """The same fields, each optional (load it with partial=True)."""


class ExplainSchema(Schema):
    category = fields.Str(required=True, validate=validate.OneOf(values(Category)))
    village_code = VillageCode(required=True)
    text = Text(10_000, min_length=0, load_default="")
    severity = fields.Str(load_default="general", validate=validate.OneOf(values(Severity)))


class ExplainResultSchema(Schema):
    department_code = fields.Str(allow_none=True)
    department_name = fields.Str(allow_none=True)
    rule_id = fields.Str(allow_none=True)
    destination = fields.Str()
    trace = fields.List(fields.Dict())


class SlaPolicySchema(Schema):
    category = fields.Str()
    severity = fields.Str()
    resolve_days = fields.Int()
    claim_hours = fields.Int()
    is_default = fields.Bool()


class SlaDaysSchema(Schema):
    resolve_days = fields.Int(validate=validate.Range(1, 365), metadata={"description": "working days to resolve"})
    claim_hours = fields.Int(validate=validate.Range(1, 720), metadata={"description": "working hours (09:00–18:00) to claim"})


class HolidaySchema(Schema):
    day = fields.Str(dump_only=True)
    is_workday = fields.Bool(required=True)
    note = Text(200, load_default=None, allow_none=True)


# ---------------------------------------------------------------- the lifecycle in depth

class ExtensionRequestSchema(Schema):
    reason = Text(2000, required=True, metadata={"description": "why more time is needed (延期理由)"})
    extra_working_days = fields.Int(required=True, validate=validate.Range(1, 30))


class DecisionSchema(Schema):
    approve = fields.Bool(required=True)
    note = Text(2000, load_default=None)


class PlanSubmitSchema(Schema):
    summary = Text(2000, required=True)
    steps = fields.List(fields.Nested(PlanStepSchema), required=True, validate=validate.Length(min=1, max=50))


class LookbackResultSchema(Schema):
    outcome = fields.Str(required=True, validate=validate.OneOf(["confirmed", "problem_back"]))
    note = Text(2000, load_default=None)
    location = fields.Nested(LocationSchema, load_default=None)


class ReturnCountSchema(Schema):
    department_code = fields.Str()
    returns = fields.Int()
    by_reason = fields.Dict(keys=fields.Str(), values=fields.Int())


class ReturnReasonSchema(Schema):
    code = fields.Str()
    label = fields.Str()


class HandoverSchema(Schema):
    successor_id = Code(64, required=True)


class HandoverResultSchema(Schema):
    moved = fields.Int()
    remaining = fields.Int()


# ---------------------------------------------------------------- personal data

class RevealNoteSchema(Schema):
    seq = fields.Int()
    action = fields.Str()
    note = fields.Str()


class RevealSchema(Schema):
    """A ticket's texts whole, for its current handler only (every reveal is logged)."""
    id = fields.Str()
    number = fields.Str()
    title = fields.Str()
    description = fields.Str()
    fact_basis = fields.Str(allow_none=True)
    policy_basis = fields.Str(allow_none=True)
    responsibility_basis = fields.Str(allow_none=True)
    notes = fields.List(fields.Nested(RevealNoteSchema))


class AuditEntrySchema(Schema):
    id = fields.Str()
    action = fields.Str()
    actor_id = fields.Str()
    actor_name = fields.Str()
    department_code = fields.Str(allow_none=True)
    ticket_id = fields.Str()
    ticket_number = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    at = fields.DateTime()


class AuditFilterSchema(Schema):
    ticket_id = Code(64)

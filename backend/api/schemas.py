"""Marshmallow schemas shared by the office/department API and the mobile API."""
from datetime import UTC, timedelta

from marshmallow import Schema, fields, validate, validates_schema, ValidationError
from flask_smorest import Page

from ..domain.codes import Category, Role, Severity, values
from ..domain.states import TicketStatus, is_overdue
from ..models.common import utcnow

Text = lambda n, **kw: fields.Str(validate=validate.Length(min=1, max=n), **kw)  # noqa: E731
VillageCode = lambda **kw: fields.Str(validate=validate.Regexp(r"^\d{12}$", error="A village code has 12 digits."), **kw)  # noqa: E731
Aware = lambda **kw: fields.AwareDateTime(default_timezone=UTC, **kw)  # noqa: E731


class IsoDate(fields.Date):
    """A date read as a date and stored as its ISO string (YYYY-MM-DD)."""
    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) or value is None else super()._serialize(value, attr, obj, **kwargs)


class QuerySetPage(Page):
    """Pages over a MongoEngine queryset (count() instead of len())."""
    @property
    def item_count(self):
        return self.collection.count()


class LocationSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(validate=validate.Range(0, 100_000), allow_none=True)


class ErrorSchema(Schema):
    """Every error: a stable code, the HTTP status, what went wrong, and per-field errors."""
    code = fields.Str(metadata={"example": "invalid_input"})
    status = fields.Int(metadata={"example": 422})
    message = fields.Str()
    errors = fields.Dict()


# ---------------------------------------------------------------- auth

class LoginSchema(Schema):
    username = Text(100, required=True)
    password = Text(200, required=True)


class UserSchema(Schema):
    id = fields.Str(dump_only=True)
    username = fields.Str()
    display_name = fields.Str()
    role = fields.Str(validate=validate.OneOf(values(Role)))
    county_code = fields.Str()
    department_code = fields.Str(allow_none=True)


class AccountSchema(UserSchema):
    """A user as the admin manages it."""
    username = fields.Str(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_.\-]{3,100}$", error="3-100 letters, digits, '_', '.' or '-'."))
    display_name = Text(100, load_default=None)
    role = fields.Str(required=True, validate=validate.OneOf(values(Role)))
    department_code = fields.Str(load_default=None, allow_none=True)
    password = fields.Str(load_only=True, required=True, validate=validate.Length(min=8, max=200))
    active = fields.Bool(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class AccountPatchSchema(Schema):
    display_name = Text(100)
    role = fields.Str(validate=validate.OneOf(values(Role)))
    department_code = fields.Str(allow_none=True)
    password = fields.Str(load_only=True, validate=validate.Length(min=8, max=200))
    active = fields.Bool()


class AccountFilterSchema(Schema):
    role = fields.Str(validate=validate.OneOf(values(Role)))
    department_code = fields.Str()


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
    township_code = fields.Str(validate=validate.Regexp(r"^\d{9}$", error="A township code has 9 digits."))
    name = fields.Str(validate=validate.Length(min=1, max=50))


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
    inspector_ids = fields.List(fields.Str(), required=True, validate=validate.Length(min=1, max=50))
    starts_on = IsoDate(required=True)
    ends_on = IsoDate(required=True)
    focus_categories = fields.List(fields.Str(validate=validate.OneOf(values(Category))), load_default=list)
    created_at = fields.DateTime(dump_only=True)


class CheckInSchema(Schema):
    id = fields.Str(dump_only=True)
    client_id = fields.UUID(load_default=None)
    village_code = VillageCode(load_default=None)
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(validate=validate.Range(0, 100_000), load_default=None)
    distance_to_village_m = fields.Float(dump_only=True, allow_none=True)
    at = fields.DateTime(dump_only=True)


# ---------------------------------------------------------------- findings

class FindingSchema(Schema):
    id = fields.Str(dump_only=True)
    client_id = fields.UUID(required=True, metadata={"description": "UUID made by the phone; replays are harmless"})
    task_id = fields.Str(required=True)
    village_code = VillageCode(required=True)
    category = fields.Str(required=True, validate=validate.OneOf(values(Category)))
    severity = fields.Str(required=True, validate=validate.OneOf(values(Severity)))
    title = Text(200, required=True)
    description = Text(5000, required=True)
    location = fields.Nested(LocationSchema, required=True)
    observed_at = Aware(required=True, metadata={"description": "when the phone observed it"})
    fact_basis = Text(5000, required=True, metadata={"description": "事实依据"})
    policy_basis = Text(5000, required=True, metadata={"description": "政策依据"})
    responsibility_basis = Text(5000, required=True, metadata={"description": "责任依据"})
    needs_action = fields.Bool(load_default=True)
    township_code = fields.Str(dump_only=True)
    ticket_id = fields.Str(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)

    @validates_schema
    def observed_at_is_plausible(self, data, **kwargs):
        observed = data.get("observed_at")
        if observed and observed > utcnow() + timedelta(hours=1):
            raise ValidationError("Lies in the future; check the phone's clock.", "observed_at")
        if observed and observed < utcnow() - timedelta(days=366):
            raise ValidationError("Lies more than a year back; check the phone's clock.", "observed_at")


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
    url = fields.Function(lambda p: f"/api/v1/photos/{p.id}")
    thumbnail_url = fields.Function(lambda p: f"/api/v1/photos/{p.id}?size=thumbnail")
    created_at = fields.DateTime()


class PhotoUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class PhotoQuerySchema(Schema):
    size = fields.Str(load_default="original", validate=validate.OneOf(["original", "thumbnail"]))


# ---------------------------------------------------------------- tickets

class EventSchema(Schema):
    seq = fields.Int()
    action = fields.Str()
    at = fields.DateTime()
    actor_id = fields.Str(allow_none=True)
    actor_name = fields.Str()
    actor_role = fields.Str()
    from_status = fields.Str(allow_none=True)
    to_status = fields.Str()
    department_code = fields.Str(allow_none=True)
    note = fields.Str(allow_none=True)
    location = fields.Nested(LocationSchema, allow_none=True)
    data = fields.Dict()


class TicketSchema(Schema):
    id = fields.Str()
    number = fields.Str()
    status = fields.Str(metadata={"enum": values(TicketStatus)})
    outcome = fields.Str(allow_none=True)
    category = fields.Str()
    severity = fields.Str()
    title = fields.Str()
    description = fields.Str()
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
    overdue = fields.Function(lambda t: is_overdue(t.status, t.due_at, utcnow()))


class FindingBasesSchema(Schema):
    id = fields.Str()
    client_id = fields.Str()
    observed_at = fields.DateTime()
    fact_basis = fields.Str()
    policy_basis = fields.Str()
    responsibility_basis = fields.Str()


class TicketDetailSchema(TicketSchema):
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
    department_code = fields.Str()
    overdue = fields.Bool()


class NoteSchema(Schema):
    note = Text(2000, load_default=None)


PhotoIds = lambda **kw: fields.List(fields.Str(), validate=validate.Length(max=20), load_default=list,  # noqa: E731
                                    metadata={"description": "ids of photos already added to this ticket"}, **kw)


class ReportSchema(Schema):
    """A department's progress report or resolution: what was done, where, with which photos."""
    note = Text(2000, required=True)
    location = fields.Nested(LocationSchema, load_default=None)
    photo_ids = PhotoIds()


class ReturnSchema(Schema):
    reason = Text(2000, required=True, metadata={"description": "why the ticket is not ours (退单理由)"})


class AssignSchema(Schema):
    department_code = fields.Str(required=True)
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
    department_code = fields.Str(required=True, metadata={"description": "a department code, or @township"})
    category = fields.Str(validate=validate.OneOf(values(Category)), allow_none=True, load_default=None)
    keywords = fields.List(Text(50), load_default=list)
    township_codes = fields.List(fields.Str(validate=validate.Regexp(r"^\d{9}$")), load_default=list)
    severities = fields.List(fields.Str(validate=validate.OneOf(values(Severity))), load_default=list)
    active = fields.Bool(load_default=True)


class RoutingRulePatchSchema(RoutingRuleSchema):
    """The same fields, each optional (load it with partial=True)."""


class ExplainSchema(Schema):
    category = fields.Str(required=True, validate=validate.OneOf(values(Category)))
    village_code = VillageCode(required=True)
    text = fields.Str(load_default="", validate=validate.Length(max=10_000))
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
    is_default = fields.Bool()


class SlaDaysSchema(Schema):
    resolve_days = fields.Int(required=True, validate=validate.Range(1, 365))


class HolidaySchema(Schema):
    day = fields.Str(dump_only=True)
    is_workday = fields.Bool(required=True)
    note = Text(200, load_default=None, allow_none=True)

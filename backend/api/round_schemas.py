"""Schemas of the inspection round, the 底稿 review and the rectification (issue 11)."""
from marshmallow import Schema, fields, validate

from ..domain.codes import Category, Severity, values
from ..domain.rectification import ProblemStatus
from ..domain.rounds import PHASES, ProblemType, RectificationClass, ReviewStatus
from ..domain.rectification import CaseStatus
from ..i18n import lazy_
from .schemas import Code, IsoDate, ObjectIdStr, Password, PhoneLocationSchema, Text, VillageCode

POSTS = ["secretary", "deputy_secretary", "member", "contact"]
MOBILE = validate.Regexp(r"^1[3-9]\d{9}$", error=lazy_("A mainland mobile number: 11 digits starting with 1."))


class LifecycleEventSchema(Schema):
    """An event of any object with a lifecycle but the ticket (models/lifecycle.py)."""
    seq = fields.Int()
    action = fields.Str()
    at = fields.DateTime()
    actor_id = fields.Str(allow_none=True)
    actor_name = fields.Str(allow_none=True, metadata={"description": "none for the system (a sweep, a job)"})
    actor_role = fields.Str(allow_none=True)
    from_status = fields.Str(allow_none=True)
    to_status = fields.Str()
    note = fields.Str(allow_none=True)
    data = fields.Dict()


# ---------------------------------------------------------------- rounds

class TeamMemberSchema(Schema):
    user_id = ObjectIdStr(required=True)
    role = fields.Str(required=True, validate=validate.OneOf(["leader", "deputy", "member"]),
                      metadata={"description": "leader (组长: reviews every 底稿 entry), deputy (副组长), member"})
    name = fields.Str(dump_only=True)


class RoundVillageSchema(Schema):
    code = fields.Str()
    name = fields.Str()
    township_code = fields.Str()
    organisation_id = fields.Str()


class RoundSchema(Schema):
    id = fields.Str(dump_only=True)
    county_code = fields.Str(dump_only=True)
    name = Text(200, required=True)
    village_codes = fields.List(VillageCode(), load_only=True, load_default=list, validate=validate.Length(max=500))
    villages = fields.List(fields.Nested(RoundVillageSchema), dump_only=True)
    department_codes = fields.List(Code(64), load_default=list,
                                   validate=validate.Length(max=50),
                                   metadata={"description": "county departments inspected in this round"})
    team = fields.List(fields.Nested(TeamMemberSchema), required=True, validate=validate.Length(min=1, max=50))
    leader_id = fields.Str(dump_only=True)
    enters_on = IsoDate(required=True, metadata={"description": "进驻"})
    feedback_on = IsoDate(load_default=None, allow_none=True, metadata={"description": "反馈 (planned)"})
    plan_days = fields.Int(load_default=None, validate=validate.Range(1, 365),
                           metadata={"description": "整改方案 within this many days of feedback (county default 30)"})
    report_months = fields.Int(load_default=None, validate=validate.Range(1, 24),
                               metadata={"description": "整改情况报告 after this many months (county default 2)"})
    status = fields.Str(dump_only=True, metadata={"enum": PHASES, "description": "the phase"})
    version = fields.Int(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class RoundDetailSchema(RoundSchema):
    events = fields.List(fields.Nested(LifecycleEventSchema), dump_only=True)


class AdvanceSchema(Schema):
    note = Text(2000, load_default=None)
    version = fields.Int(load_default=None, metadata={"description": "the version you read (a stale one is a 409)"})


class TeamSchema(Schema):
    team = fields.List(fields.Nested(TeamMemberSchema), required=True, validate=validate.Length(min=1, max=50))
    note = Text(2000, load_default=None)


class RoundSettingsSchema(Schema):
    immediate_dispatch = fields.Bool(metadata={"description": "边巡边改: the inspector's 立行立改 mark dispatches "
                                                              "before review"})
    immediate_categories = fields.List(fields.Str(validate=validate.OneOf(values(Category))),
                                       metadata={"description": "the categories where the mark counts"})
    plan_days = fields.Int(validate=validate.Range(1, 365))
    report_months = fields.Int(validate=validate.Range(1, 24))
    checklist = fields.List(fields.Nested(lambda: ChecklistItemSchema()), validate=validate.Length(min=1, max=30))


class ChecklistItemSchema(Schema):
    code = fields.Str(required=True, validate=validate.Regexp(r"^[a-z0-9_]{1,40}$"))
    label = Text(200, required=True)
    weight = fields.Int(required=True, validate=validate.Range(1, 100))


class FeedbackSchema(Schema):
    on = IsoDate(required=True, metadata={"description": "反馈 day: the clocks start from it"})
    unit_keys = fields.List(Code(100), load_default=None,
                            metadata={"description": "only these units (org:<id>, dept:<code>); default all"})


class RoundExportSchema(Schema):
    format = fields.Str(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))


class LookbackStartSchema(Schema):
    case_ids = fields.List(ObjectIdStr(), required=True, validate=validate.Length(min=1, max=200))
    inspector_ids = fields.List(ObjectIdStr(), required=True, validate=validate.Length(min=1, max=50))
    days = fields.Int(load_default=30, validate=validate.Range(1, 365))


# ---------------------------------------------------------------- review

class MilestoneSchema(Schema):
    title = Text(500, required=True)
    due_on = IsoDate(required=True)
    done_at = fields.DateTime(dump_only=True, allow_none=True)
    done_note = fields.Str(dump_only=True, allow_none=True)


class DecisionOutSchema(Schema):
    problem_class = fields.Str(allow_none=True)
    problem_type = fields.Str()
    deadline_days = fields.Int(allow_none=True)
    deadline_months = fields.Int(allow_none=True)
    milestones = fields.List(fields.Nested(MilestoneSchema))
    department_code = fields.Str(allow_none=True)
    responsible_post = fields.Str(allow_none=True)
    note = fields.Str(allow_none=True)
    decided_by = fields.Str(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)


class ReviewEntrySchema(Schema):
    id = fields.Str()
    source_kind = fields.Str(metadata={"enum": ["finding", "public_report"],
                                       "description": "an inspector's finding, or a villager's report"})
    source_id = fields.Str()
    round_id = fields.Str(allow_none=True)
    task_id = fields.Str(allow_none=True)
    author_id = fields.Str(allow_none=True, metadata={"description": "the inspector; none for a report"})
    village_code = fields.Str(allow_none=True)
    township_code = fields.Str(allow_none=True)
    category = fields.Str(allow_none=True)
    severity = fields.Str(allow_none=True)
    title = fields.Str()
    description = fields.Str(allow_none=True)
    fact_basis = fields.Str(allow_none=True, metadata={"description": "none until a report's reviewer completes it"})
    policy_basis = fields.Str(allow_none=True)
    responsibility_basis = fields.Str(allow_none=True)
    responsible_subject = fields.Dict()
    revision = fields.Int()
    immediate_mark = fields.Bool()
    dispatched_before_review = fields.Bool()
    ticket_id = fields.Str(allow_none=True)
    status = fields.Str(metadata={"enum": [s.value for s in ReviewStatus]})
    version = fields.Int()
    decision = fields.Nested(DecisionOutSchema, allow_none=True)
    return_reason = fields.Str(allow_none=True)
    merged_into = fields.Str(allow_none=True)
    merged_ids = fields.List(fields.Str())
    problem_id = fields.Str(allow_none=True)
    handed_off = fields.Str(allow_none=True)
    created_at = fields.DateTime()


class ReviewedReportSchema(Schema):
    """A villager's report as its reviewer reads it: the whole text and phone (recorded)."""
    id = fields.Str()
    source = fields.Str(metadata={"enum": ["qr", "open311"]})
    text = fields.Str()
    category = fields.Str(allow_none=True, metadata={"description": "the reporter's choice, a hint"})
    location = fields.Nested(PhoneLocationSchema, allow_none=True)
    address = fields.Str(allow_none=True)
    anonymous = fields.Bool()
    reporter_name = fields.Str(allow_none=True)
    reporter_phone = fields.Str(allow_none=True)
    photo_ids = fields.List(fields.Str())
    state = fields.Str()
    created_at = fields.DateTime()


class ReviewEntryDetailSchema(ReviewEntrySchema):
    events = fields.List(fields.Nested(LifecycleEventSchema))
    report = fields.Nested(ReviewedReportSchema, allow_none=True, metadata={
        "description": "a villager's report's entry: the report itself"})


class ReviewFilterSchema(Schema):
    round_id = ObjectIdStr(load_default=None)
    status = fields.Str(load_default="pending", validate=validate.OneOf([s.value for s in ReviewStatus] + ["all"]))


class ApproveSchema(Schema):
    version = fields.Int(load_default=None, metadata={"description": "the version you read (a stale one is a 409)"})
    problem_type = fields.Str(required=True, validate=validate.OneOf([t.value for t in ProblemType]))
    problem_class = fields.Str(load_default=None, validate=validate.OneOf([c.value for c in RectificationClass]),
                               metadata={"description": "立行立改 immediate, 限期 deadline, 长期 long_term"})
    deadline_days = fields.Int(load_default=None, validate=validate.Range(1, 730))
    deadline_months = fields.Int(load_default=None, validate=validate.Range(1, 36))
    milestones = fields.List(fields.Nested(MilestoneSchema), load_default=list, validate=validate.Length(max=24))
    department_code = Code(64, load_default=None)
    responsible_post = fields.Str(load_default=None, validate=validate.OneOf(POSTS))
    note = Text(2000, load_default=None, metadata={"description": "the reviewer's, internal"})
    # A villager's report has no author: its reviewer completes it (required to make it a problem).
    village_code = VillageCode(load_default=None, metadata={"description": "a report: default its QR code's village"})
    category = fields.Str(load_default=None, validate=validate.OneOf(values(Category)), metadata={
        "description": "a report: the category"})
    severity = fields.Str(load_default=None, validate=validate.OneOf(values(Severity)))
    title = Text(200, load_default=None)
    description = Text(5000, load_default=None, metadata={"description": "a report: default its text, numbers masked"})
    fact_basis = Text(5000, load_default=None, metadata={"description": "a report: 事实依据"})
    policy_basis = Text(5000, load_default=None, metadata={"description": "a report: 政策依据"})
    responsibility_basis = Text(5000, load_default=None, metadata={"description": "a report: 责任依据"})
    public_reply = Text(500, load_default=None, metadata={"description": "a report: shown on its receipt"})


class ReasonSchema(Schema):
    reason = Text(2000, required=True)
    version = fields.Int(load_default=None)


class MergeSchema(Schema):
    into_id = ObjectIdStr(required=True)
    note = Text(2000, load_default=None)
    version = fields.Int(load_default=None)


# ---------------------------------------------------------------- organisations

class OrgMemberSchema(Schema):
    member_id = fields.Str(dump_only=True)
    post = fields.Str(required=True, validate=validate.OneOf(POSTS))
    name = Text(50, required=True)
    user_id = fields.Str(dump_only=True, allow_none=True)
    phone = fields.Str(load_default=None, allow_none=True, validate=MOBILE)
    since = fields.DateTime(dump_only=True)
    username = fields.Str(load_only=True, load_default=None, validate=validate.Regexp(
        r"^[A-Za-z0-9_.\-]{3,100}$", error=lazy_("3-100 letters, digits, '_', '.' or '-'.")),
        metadata={"description": "an `organisation` account for this person"})
    password = Password(load_only=True, load_default=None, validate=validate.Length(min=8, max=200))


class LeadershipChangeSchema(Schema):
    at = fields.DateTime()
    post = fields.Str()
    leaving_name = fields.Str(allow_none=True)
    successor_name = fields.Str(allow_none=True)
    reason = fields.Str(allow_none=True)
    recorded_by = fields.Str(allow_none=True)
    problems_moved = fields.Int()


def _masked_phone(member):
    phone = getattr(member, "phone", None)
    return f"{phone[:3]}****{phone[-4:]}" if phone else None


class OrgMemberOutSchema(OrgMemberSchema):
    phone = fields.Function(_masked_phone)


class OrganisationSchema(Schema):
    id = fields.Str()
    name = fields.Str()
    village_code = fields.Str()
    township_code = fields.Str()
    members = fields.List(fields.Nested(OrgMemberOutSchema))
    history = fields.List(fields.Nested(LeadershipChangeSchema))


class SuccessorSchema(OrgMemberSchema):
    """A new person taking over the leaver's post."""
    class Meta:
        exclude = ("post",)


class OrgHandoverSchema(Schema):
    successor_member_id = ObjectIdStr(load_default=None)
    successor = fields.Nested(SuccessorSchema, load_default=None)
    reason = Text(2000, required=True)


# ---------------------------------------------------------------- rectification

class PlanItemSchema(Schema):
    problem_id = ObjectIdStr(required=True)
    measures = Text(5000, required=True, metadata={"description": "整改措施"})
    responsible_member_id = ObjectIdStr(load_default=None, metadata={"description": "责任人: a member of the organisation"})
    responsible_name = Text(100, load_default=None, metadata={"description": "责任人 by name (a department)"})
    due_on = IsoDate(load_default=None, metadata={"description": "the problem's deadline (限期)"})


class PlanInSchema(Schema):
    summary = Text(5000, required=True)
    items = fields.List(fields.Nested(PlanItemSchema), required=True, validate=validate.Length(min=1, max=500))


class PlanItemOutSchema(PlanItemSchema):
    problem_id = fields.Str()
    responsible_member_id = fields.Str(allow_none=True)
    responsible_name = fields.Str()
    measures = fields.Str()


class PlanOutSchema(Schema):
    status = fields.Str()
    summary = fields.Str()
    items = fields.List(fields.Nested(PlanItemOutSchema))
    revision = fields.Int()
    submitted_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.Str(allow_none=True)


class EvaluationOutSchema(Schema):
    scores = fields.Dict()
    checklist = fields.List(fields.Dict())
    score = fields.Float()
    grade = fields.Str()
    note = fields.Str(allow_none=True)
    evaluated_at = fields.DateTime()


class CaseSchema(Schema):
    id = fields.Str()
    county_code = fields.Str()
    round_id = fields.Str()
    unit_key = fields.Str()
    unit_kind = fields.Str()
    unit_name = fields.Str()
    organisation_id = fields.Str(allow_none=True)
    department_code = fields.Str(allow_none=True)
    fed_back_on = fields.Str()
    plan_due_at = fields.DateTime()
    report_due_at = fields.DateTime()
    plan_overdue = fields.Bool()
    report_overdue = fields.Bool()
    plan = fields.Nested(PlanOutSchema, allow_none=True)
    report = fields.Str(allow_none=True)
    report_at = fields.DateTime(allow_none=True)
    evaluation = fields.Nested(EvaluationOutSchema, allow_none=True)
    lookback_task_id = fields.Str(allow_none=True)
    status = fields.Str()
    version = fields.Int()


class RectificationProblemSchema(Schema):
    id = fields.Str()
    number = fields.Str()
    county_code = fields.Str()
    round_id = fields.Str(allow_none=True)
    case_id = fields.Str(allow_none=True)
    unit_key = fields.Str()
    unit_kind = fields.Str()
    organisation_id = fields.Str(allow_none=True)
    department_code = fields.Str(allow_none=True)
    village_code = fields.Str()
    township_code = fields.Str()
    category = fields.Str()
    title = fields.Str()
    description = fields.Str(allow_none=True)
    problem_class = fields.Str(metadata={"enum": [c.value for c in RectificationClass]})
    due_on = fields.Str(allow_none=True)
    due_at = fields.DateTime(allow_none=True, metadata={"description": "the clock: the deadline or next milestone"})
    escalate1_at = fields.DateTime(allow_none=True, metadata={"description": "督办 level 1: one working day after"})
    escalate2_at = fields.DateTime(allow_none=True, metadata={"description": "督办 level 2: three working days after"})
    milestones = fields.List(fields.Nested(MilestoneSchema))
    ticket_id = fields.Str(allow_none=True)
    responsible_post = fields.Str(allow_none=True)
    responsible_name = fields.Str(allow_none=True)
    responsible_member_id = fields.Str(allow_none=True)
    leader_name = fields.Str(allow_none=True)
    measures = fields.Str(allow_none=True)
    evidence_photo_ids = fields.List(fields.Str())
    evidence_document_ids = fields.List(fields.Str())
    check_task_id = fields.Str(allow_none=True)
    check_outcome = fields.Str(allow_none=True)
    fed_back_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    reopen_count = fields.Int()
    overdue = fields.Bool()
    escalation_level = fields.Int()
    status = fields.Str(metadata={"enum": [s.value for s in ProblemStatus]})
    version = fields.Int()


class RectificationProblemDetailSchema(RectificationProblemSchema):
    fact_basis = fields.Str(allow_none=True)
    policy_basis = fields.Str(allow_none=True)
    responsibility_basis = fields.Str(allow_none=True)
    events = fields.List(fields.Nested(LifecycleEventSchema))


class CaseDetailSchema(CaseSchema):
    problems = fields.List(fields.Nested(RectificationProblemSchema))
    events = fields.List(fields.Nested(LifecycleEventSchema))


class ProblemFilterSchema(Schema):
    round_id = ObjectIdStr(load_default=None)
    status = fields.Str(load_default=None, validate=validate.OneOf([s.value for s in ProblemStatus]))
    problem_class = fields.Str(load_default=None, validate=validate.OneOf([c.value for c in RectificationClass]))
    unit_key = Code(100, load_default=None)
    village_code = VillageCode(load_default=None)
    county_code = fields.Str(load_default=None, validate=validate.Regexp(r"^\d{6}$"))
    overdue = fields.Bool(load_default=None)


class CaseFilterSchema(Schema):
    round_id = ObjectIdStr(load_default=None)
    status = fields.Str(load_default=None, validate=validate.OneOf([s.value for s in CaseStatus]))
    county_code = fields.Str(load_default=None, validate=validate.Regexp(r"^\d{6}$"))


EvidenceIds = lambda: fields.List(ObjectIdStr(), load_default=list, validate=validate.Length(max=30))  # noqa: E731


class ProblemProgressSchema(Schema):
    note = Text(5000, required=True)
    photo_ids = EvidenceIds()
    document_ids = EvidenceIds()
    milestone = fields.Int(load_default=None, validate=validate.Range(1, 24),
                           metadata={"description": "a 长期 problem's milestone (from 1) now done"})


class ClosureRequestSchema(Schema):
    note = Text(5000, required=True)
    photo_ids = EvidenceIds()
    document_ids = EvidenceIds()


class TextReportSchema(Schema):
    text = Text(20000, required=True)


class EvidenceSchema(Schema):
    kind = fields.Str(metadata={"enum": ["photo", "document"]})
    id = fields.Str()
    content_type = fields.Str()
    size = fields.Int()
    status = fields.Str(allow_none=True, metadata={"description": "a photo: processing / ready / failed"})
    filename = fields.Str(allow_none=True)
    url = fields.Str()


class CheckRequestSchema(Schema):
    inspector_ids = fields.List(ObjectIdStr(), required=True, validate=validate.Length(min=1, max=20))
    days = fields.Int(load_default=14, validate=validate.Range(1, 120))


class CheckResultSchema(Schema):
    outcome = fields.Str(required=True, validate=validate.OneOf(["confirmed", "not_fixed"]))
    note = Text(2000, load_default=None)


class EvaluationInSchema(Schema):
    scores = fields.Dict(keys=Code(40), values=fields.Float(), required=True,
                         validate=validate.Length(max=30))
    note = Text(2000, load_default=None)

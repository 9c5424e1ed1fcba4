"""Rectification (整改) after 反馈: one case per inspected unit and round, one problem per
approved 底稿 entry of an organisation or a department, and the round's counters
(evidence documents are `documents.Attachment`s)."""
from mongoengine import (BooleanField, DateTimeField, DictField, Document, EmbeddedDocument,
                         EmbeddedDocumentField, FloatField, IntField, ListField,
                         ObjectIdField, StringField)

from .common import utcnow
from .lifecycle import LifecycleEvent
from .review import Milestone
from .tickets import SubmittedPlan


class PlanItem(EmbeddedDocument):
    problem_id = ObjectIdField(required=True)
    measures = StringField(required=True)          # 整改措施
    responsible_member_id = ObjectIdField()        # 责任人, a member of the organisation
    responsible_user_id = ObjectIdField()          # … or a department user
    responsible_name = StringField(required=True)
    due_on = StringField()                         # ISO date (a 长期 problem keeps its milestones)


class UnitPlan(SubmittedPlan):
    """整改方案 of one unit: a summary and, per problem, measures, 责任人 and deadline."""
    items = ListField(EmbeddedDocumentField(PlanItem))


class Evaluation(EmbeddedDocument):
    scores = DictField()                            # checklist code -> 0..100
    checklist = ListField(DictField())              # the checklist as it was scored
    score = FloatField()
    grade = StringField()
    note = StringField()
    evaluated_by = ObjectIdField()
    evaluated_at = DateTimeField()


class Rectification(Document):
    """One inspected unit's rectification in one round (被巡察党组织 or 县直部门)."""
    county_code = StringField(required=True)
    city_code = StringField(required=True)
    province_code = StringField(required=True)
    round_id = ObjectIdField(required=True)
    unit_key = StringField(required=True)           # org:<organisation id> / dept:<department code>
    unit_kind = StringField(required=True, choices=("organisation", "department"))
    organisation_id = ObjectIdField()
    department_code = StringField()
    unit_name = StringField(required=True)
    fed_back_on = StringField(required=True)        # 反馈 day (ISO)
    plan_due_at = DateTimeField(required=True)
    report_due_at = DateTimeField(required=True)
    plan = EmbeddedDocumentField(UnitPlan)
    report = StringField()                          # 整改情况报告
    report_at = DateTimeField()
    evaluation = EmbeddedDocumentField(Evaluation)
    lookback_task_id = ObjectIdField()
    plan_overdue = BooleanField(default=False)
    report_overdue = BooleanField(default=False)
    sla_marks = DictField()                          # stage -> id of the sweep run that marked it
    sla_run = StringField()
    sla_pending = ListField(StringField())           # stages marked, their notices not yet sent
    status = StringField(required=True)
    version = IntField(required=True, default=1)
    events = ListField(EmbeddedDocumentField(LifecycleEvent))
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    meta = {"indexes": [{"fields": ["round_id", "unit_key"], "unique": True}, "unit_key",
                        ("status", "plan_due_at"), ("status", "report_due_at"), "county_code"]}


class RectificationProblem(Document):
    number = StringField(required=True, unique=True)   # 371323-2026-Z00042
    county_code = StringField(required=True)
    city_code = StringField(required=True)
    province_code = StringField(required=True)
    round_id = ObjectIdField()
    review_entry_id = ObjectIdField(required=True, unique=True)
    finding_id = ObjectIdField()
    unit_key = StringField(required=True)
    unit_kind = StringField(required=True)
    organisation_id = ObjectIdField()
    department_code = StringField()
    case_id = ObjectIdField()                        # set at feedback
    village_code = StringField(required=True)
    township_code = StringField(required=True)
    category = StringField(required=True)
    title = StringField(required=True)
    description = StringField()
    fact_basis = StringField()
    policy_basis = StringField()
    responsibility_basis = StringField()
    problem_class = StringField(required=True)       # immediate / deadline / long_term
    deadline_days = IntField()
    deadline_months = IntField()
    due_on = StringField()                           # 限期: the deadline (ISO day), from feedback or the plan
    milestones = ListField(EmbeddedDocumentField(Milestone))
    due_at = DateTimeField()                         # the current clock (deadline, or next milestone)
    escalate1_at = DateTimeField()                   # 督办: one working day after the clock
    escalate2_at = DateTimeField()                   # … and three (the office's list)
    ticket_id = ObjectIdField()                      # 立行立改: its department ticket
    responsible_post = StringField()                 # 责任主体: the post answering for it
    responsible_member_id = ObjectIdField()          # 责任人
    responsible_user_id = ObjectIdField()
    responsible_name = StringField()
    leader_name = StringField()                      # 责任领导 (the secretary, or the department head)
    measures = StringField()
    evidence_photo_ids = ListField(ObjectIdField())
    evidence_document_ids = ListField(ObjectIdField())
    check_task_id = ObjectIdField()                  # an on-site check the office asked for
    check_outcome = StringField()                    # confirmed / not_fixed
    fed_back_at = DateTimeField()
    closure_requested_at = DateTimeField()
    closed_at = DateTimeField()
    closed_by = ObjectIdField()
    reopen_count = IntField(default=0)
    lookback_task_id = ObjectIdField()
    overdue = BooleanField(default=False)
    escalation_level = IntField(default=0)
    sla_marks = DictField()                          # stage -> id of the sweep run that marked it
    sla_run = StringField()
    sla_pending = ListField(StringField())           # stages marked, their notices not yet sent
    status = StringField(required=True)
    version = IntField(required=True, default=1)
    events = ListField(EmbeddedDocumentField(LifecycleEvent))
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    meta = {"indexes": ["round_id", "unit_key", "case_id", {"fields": ["sla_pending"], "sparse": True},
                        ("county_code", "status"), ("status", "due_at"), ("status", "escalate1_at"),
                        ("status", "escalate2_at"), "city_code", "province_code", "responsible_member_id",
                        {"fields": ["lookback_task_id"], "sparse": True},
                        {"fields": ["check_task_id"], "sparse": True}],
            "ordering": ["number"]}


class RoundCounter(Document):
    """The round's figures, kept on the write path: one document per round,
        c: {"<unit key>": {"problems": n, "fed_back": n, "closed": n, "class_<c>": n, "state_<s>": n}}
        o: {"<problem id>": {"due": <clock>, "unit": "<unit key>"}}   # open, with a clock
    """
    id = StringField(primary_key=True)      # the round's id
    county_code = StringField(required=True)
    city_code = StringField(required=True)
    province_code = StringField(required=True)
    c = DictField()
    o = DictField()
    meta = {"collection": "stat_rounds", "indexes": ["county_code", "city_code", "province_code"]}

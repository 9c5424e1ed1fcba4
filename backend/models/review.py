"""The 问题底稿 review queue: one entry per inspector's finding and per villager's report.

An entry points at its source (`source_kind` "finding" or "public_report", `source_id`)
and keeps what the reviewer decides (a report's entry also keeps the 底稿 fields the
reviewer completed): the class (立行立改 / 限期 / 长期), the type (the organisation's problem, a county
department's, a clue, a suggestion), the deadline or milestones, and the 责任主体."""
from mongoengine import (BooleanField, DateTimeField, DictField, Document, EmbeddedDocument,
                         EmbeddedDocumentField, IntField, ListField, ObjectIdField, StringField)

from .common import utcnow
from .lifecycle import LifecycleEvent


class Milestone(EmbeddedDocument):
    title = StringField(required=True)
    due_on = StringField(required=True)      # ISO date, Asia/Shanghai
    done_at = DateTimeField()
    done_note = StringField()


class ReviewDecision(EmbeddedDocument):
    problem_class = StringField()            # immediate / deadline / long_term
    problem_type = StringField()             # organisation / department / clue / suggestion
    deadline_days = IntField()
    deadline_months = IntField()
    milestones = ListField(EmbeddedDocumentField(Milestone))
    department_code = StringField()          # the department a department problem (or suggestion) is for
    organisation_id = ObjectIdField()
    responsible_post = StringField()         # 责任主体: the post answering for it (e.g. secretary)
    note = StringField()                     # the reviewer's, internal
    public_reply = StringField()             # a villager's report: the reply shown on its receipt
    decided_by = ObjectIdField()
    decided_at = DateTimeField()


class ReviewEntry(Document):
    county_code = StringField(required=True)
    source_kind = StringField(required=True)   # "finding" or "public_report" (码上巡视, Open311)
    source_id = ObjectIdField(required=True)
    round_id = ObjectIdField()                 # None: a task outside any round (the office reviews)
    task_id = ObjectIdField()
    author_id = ObjectIdField()                # the inspector (None for a villager's report)
    # A report may come without a village (Open311) or a category: the reviewer completes them.
    village_code = StringField()
    township_code = StringField()
    category = StringField()
    severity = StringField()
    title = StringField(required=True)
    description = StringField()
    fact_basis = StringField()
    policy_basis = StringField()
    responsibility_basis = StringField()
    responsible_subject = DictField()          # 责任主体 as submitted: {organisation_id?, post?}
    revision = IntField(default=1)
    immediate_mark = BooleanField(default=False)   # the inspector's 立行立改 mark
    dispatched_before_review = BooleanField(default=False)   # 边巡边改
    ticket_id = ObjectIdField()
    status = StringField(required=True)
    version = IntField(required=True, default=1)
    decision = EmbeddedDocumentField(ReviewDecision)
    return_reason = StringField()
    merged_into = ObjectIdField()
    merged_ids = ListField(ObjectIdField())
    problem_id = ObjectIdField()               # the rectification problem an approval made
    handed_off = StringField()                 # clue / suggestion: where it went
    events = ListField(EmbeddedDocumentField(LifecycleEvent))
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    meta = {"indexes": [{"fields": ["source_kind", "source_id"], "unique": True},
                        ("county_code", "status"), ("round_id", "status")],
            "ordering": ["created_at"]}

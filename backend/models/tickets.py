"""Livelihood tickets (民生工单) and their immutable event log.

The events live inside the ticket document: a state change and its event are written by
the same single-document update, so neither can exist without the other.
"""
from mongoengine import (BooleanField, DateTimeField, DictField, Document, EmbeddedDocument,
                         EmbeddedDocumentField, FloatField, IntField, ListField,
                         ObjectIdField, PointField, StringField)

from .common import utcnow
from .findings import Location


class TicketEvent(EmbeddedDocument):
    seq = IntField(required=True)           # equals the ticket's version after the change
    action = StringField(required=True)
    at = DateTimeField(required=True)
    actor_id = ObjectIdField()              # None for the system (router)
    actor_name = StringField()
    actor_role = StringField()
    from_status = StringField()
    to_status = StringField(required=True)
    department_code = StringField()
    note = StringField()
    location = EmbeddedDocumentField(Location)
    data = DictField()


class ExtensionRequest(EmbeddedDocument):
    """延期申请: the department's latest request for more time, and the office's decision."""
    status = StringField(required=True)      # pending / approved / refused
    reason = StringField(required=True)
    extra_working_days = IntField(required=True)
    requested_at = DateTimeField(required=True)
    requested_by = ObjectIdField()
    due_at_before = DateTimeField()
    decided_at = DateTimeField()
    decided_by = ObjectIdField()
    decision_note = StringField()
    new_due_at = DateTimeField()


class PlanStep(EmbeddedDocument):
    title = StringField(required=True)
    due_on = StringField(required=True)      # ISO date, Asia/Shanghai


class SubmittedPlan(EmbeddedDocument):
    """A 整改方案 as submitted and decided by the office (a ticket's, a unit's): its own
    fields beside these (stored inline: no `_cls`)."""
    meta = {"abstract": True}
    status = StringField(required=True)      # submitted / approved / returned
    summary = StringField(required=True)
    revision = IntField(default=1)
    submitted_at = DateTimeField()
    submitted_by = ObjectIdField()
    decided_at = DateTimeField()
    decided_by = ObjectIdField()
    decision_note = StringField()


class RectificationPlan(SubmittedPlan):
    """整改方案 of a serious or urgent ticket: steps with dates, approved by the office."""
    steps = ListField(EmbeddedDocumentField(PlanStep))


class ReturnVisit(EmbeddedDocument):
    """回访 of a villager's ticket for its latest closing (码上巡视): the reporter's rating
    on the receipt page, or the answer to the office's phone call; 不满意 waits for the
    office to confirm it (reopen) or keep the ticket closed."""
    status = StringField(required=True)     # domain.public_reports.ReturnVisitStatus
    rating = StringField()                  # satisfied / basically_satisfied / dissatisfied
    comment = StringField()
    source = StringField()                  # reporter (receipt page) / phone (the office called)
    for_closed_at = DateTimeField()         # the closing it rates
    rated_at = DateTimeField()
    recorded_by = ObjectIdField()
    decided_at = DateTimeField()
    decided_by = ObjectIdField()
    decision_note = StringField()


class Ticket(Document):
    number = StringField(required=True)  # e.g. 371323-2026-000042, unique in its county
    county_code = StringField(required=True)
    finding_id = ObjectIdField(required=True)  # one ticket per finding
    task_id = ObjectIdField()                # None for a villager's report made outside any task
    inspector_id = ObjectIdField(required=True)
    village_code = StringField(required=True)
    township_code = StringField(required=True)
    category = StringField(required=True)
    severity = StringField(required=True)
    title = StringField(required=True)
    description = StringField(required=True)
    location = EmbeddedDocumentField(Location)
    point = PointField(auto_index=False)

    status = StringField(required=True)
    version = IntField(required=True, default=0)
    department_code = StringField()
    handler_id = ObjectIdField()             # the department user who claimed it
    returned_by = ListField(StringField())   # departments that returned it (退单)
    return_count = IntField(default=0)
    reopen_count = IntField(default=0)
    outcome = StringField()                  # fixed / duplicate / invalid, once closed
    routing_rule_id = StringField()
    routing_trace = ListField(DictField())

    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    dispatched_at = DateTimeField()          # latest dispatch
    first_dispatched_at = DateTimeField()
    claimed_at = DateTimeField()
    first_claim_hours = FloatField()         # from the dispatch it answered to the first claim
    resolved_at = DateTimeField()
    closed_at = DateTimeField()
    due_at = DateTimeField()

    events = ListField(EmbeddedDocumentField(TicketEvent))

    # Clocks of the current dispatch (see domain.sla.Deadlines); reset with each new deadline.
    claim_due_at = DateTimeField()
    remind_at = DateTimeField()
    escalate1_at = DateTimeField()
    escalate2_at = DateTimeField()
    overdue = BooleanField(default=False)    # set by the deadline sweep at due_at
    escalation_level = IntField(default=0)   # 0, 1 (department head), 2 (office's 督办 list)
    sla_marks = DictField()                  # stage -> id of the sweep run that sent it: each once
    sla_run = StringField()                  # the latest sweep run that marked a stage
    extension = EmbeddedDocumentField(ExtensionRequest)
    plan = EmbeddedDocumentField(RectificationPlan)
    # 回头看: the sampling run that considered it, the re-inspection task, its outcome
    lookback_round = StringField()
    lookback_task_id = ObjectIdField()
    lookback_outcome = StringField()         # confirmed / problem_back
    # 码上巡视: the villager's report it came from (its reporter is asked for a 回访 when it closes)
    public_report_id = ObjectIdField()
    satisfaction = StringField()             # the latest 回访 rating (counted: satisfaction_rate)
    return_visit = EmbeddedDocumentField(ReturnVisit)
    # Findings of the same problem added as evidence (the inspectors' duplicate guard).
    linked_finding_ids = ListField(ObjectIdField())
    # Sync cursor: the change number of the latest change (services/changes.py).
    change_seq = IntField()
    changed_at = DateTimeField()

    meta = {
        "shard_key": ("county_code",),
        "indexes": [
            {"fields": ["county_code", "number"], "unique": True},
            {"fields": ["county_code", "finding_id"], "unique": True},
            ("county_code", "status"),
            ("county_code", "department_code", "status"),
            ("county_code", "created_at"),
            "inspector_id",
            "task_id",
            ("status", "updated_at"),
            ("task_id", "change_seq"),
            # the deadline sweep: one indexed range query per stage
            ("status", "claim_due_at"),
            ("status", "remind_at"),
            ("status", "due_at"),
            ("status", "escalate1_at"),
            ("status", "escalate2_at"),
            ("county_code", "escalation_level", "status"),
            "handler_id",
            {"fields": ["sla_run"], "sparse": True},
            {"fields": ["status", "closed_at"], "partialFilterExpression": {"status": "closed"}},
            {"fields": ["lookback_round"], "sparse": True},
            {"fields": ["lookback_task_id"], "sparse": True},
            {"fields": ["county_code", "status", "closed_at"],
             "partialFilterExpression": {"public_report_id": {"$exists": True}}},
        ],
        "ordering": ["-created_at"],
    }


class Sequence(Document):
    """Named counters for human-readable numbers, advanced atomically with $inc."""
    key = StringField(required=True, unique=True)
    value = IntField(default=0)

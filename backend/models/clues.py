"""Problem clues (问题线索), their events and the audit of every read."""
from mongoengine import (BooleanField, DateTimeField, DictField, Document, EmbeddedDocumentField,
                         IntField, ListField, ObjectIdField, StringField)

from .common import utcnow
from .lifecycle import LifecycleEvent


class Clue(Document):
    number = StringField(required=True, unique=True)   # 371323-XS-2026-0001
    county_code = StringField(required=True)
    source = StringField(required=True)                # finding / report / letter / other
    finding_id = ObjectIdField()                       # the inspector's finding it came from
    public_report_id = ObjectIdField()                 # or the villager's report (码上巡视, Open311)
    task_id = ObjectIdField()
    inspector_id = ObjectIdField()
    village_code = StringField()
    township_code = StringField()
    title = StringField(required=True)
    description = StringField(required=True)
    subject = StringField()                            # 被反映人 (name, position)
    fact_basis = StringField()
    policy_basis = StringField()
    responsibility_basis = StringField()

    status = StringField(required=True)
    version = IntField(required=True, default=0)
    registered_by = ObjectIdField()
    receiver = StringField()                           # discipline_commission / organization_dept
    handler_ids = ListField(ObjectIdField())           # the receiver's named handlers
    transfer_document_id = ObjectIdField()
    transferred_at = DateTimeField()
    disposition = StringField()                        # the latest one fed back
    feedback_note = StringField()
    feedback_document_id = ObjectIdField()
    first_fed_back_at = DateTimeField()
    fed_back_at = DateTimeField()
    fed_back_on_time = BooleanField()
    # the reply clock (domain.followups.Clocks), reset with each new deadline
    due_at = DateTimeField()
    remind_at = DateTimeField()
    escalate1_at = DateTimeField()
    escalate2_at = DateTimeField()
    overdue = BooleanField(default=False)
    escalation_level = IntField(default=0)
    sla_marks = DictField()                            # stage -> the sweep run that marked it
    sla_run = StringField()                            # the latest run that marked a stage
    sla_pending = ListField(StringField())             # stages marked, their notices not yet sent
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    events = ListField(EmbeddedDocumentField(LifecycleEvent))
    meta = {"indexes": [("county_code", "status"), ("county_code", "-created_at"),
                        {"fields": ["finding_id"], "unique": True, "sparse": True},
                        {"fields": ["public_report_id"], "unique": True, "sparse": True},
                        ("receiver", "handler_ids"), ("status", "remind_at"), ("status", "due_at"),
                        ("status", "escalate1_at"), ("status", "escalate2_at"),
                        {"fields": ["sla_pending"], "sparse": True}],
            "ordering": ["-created_at"]}


class ClueAccess(Document):
    """The audit log: who read which clues, when, how (list, detail, document) — and who
    tried to read one they may not see."""
    county_code = StringField(required=True)
    at = DateTimeField(default=utcnow)
    actor_id = ObjectIdField(required=True)
    actor_name = StringField()
    actor_role = StringField()
    department_code = StringField()
    action = StringField(required=True)                # list / detail / document / denied
    clue_ids = ListField(ObjectIdField())
    meta = {"indexes": [("county_code", "-at"), "clue_ids"], "ordering": ["-at"]}

"""Suggestions to departments (意见建议) and their replies."""
from mongoengine import (BooleanField, DateTimeField, DictField, Document, EmbeddedDocumentField,
                         IntField, ListField, ObjectIdField, StringField)

from .common import utcnow
from .lifecycle import LifecycleEvent


class Suggestion(Document):
    number = StringField(required=True, unique=True)   # 371323-JY-2026-0001
    county_code = StringField(required=True)
    department_code = StringField(required=True)
    title = StringField(required=True)
    content = StringField(required=True)
    source = StringField(required=True)                # common_problem / round_report / other
    source_ref = StringField()                         # e.g. category:livelihood, keyword:低保
    ticket_ids = ListField(ObjectIdField())            # the tickets behind the common problem
    review_entry_id = ObjectIdField()                  # the 底稿 entry the round's reviewer typed a suggestion
    created_by = ObjectIdField()

    status = StringField(required=True)
    version = IntField(required=True, default=0)
    measures = StringField()                           # 整改措施 of the latest reply
    rules = ListField(StringField())                   # 建立完善的制度
    replied_by = ObjectIdField()
    replied_at = DateTimeField()
    first_replied_at = DateTimeField()
    replied_on_time = BooleanField()
    accepted_at = DateTimeField()
    due_at = DateTimeField()
    remind_at = DateTimeField()
    escalate1_at = DateTimeField()
    escalate2_at = DateTimeField()
    overdue = BooleanField(default=False)
    escalation_level = IntField(default=0)
    sla_marks = DictField()                            # stage -> the sweep run that marked it (reply_clock.py)
    sla_run = StringField()
    sla_pending = ListField(StringField())             # stages marked, their notices not yet sent
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    events = ListField(EmbeddedDocumentField(LifecycleEvent))
    meta = {"indexes": [("county_code", "-created_at"), ("county_code", "department_code", "status"),
                        ("status", "remind_at"), ("status", "due_at"), ("status", "escalate1_at"),
                        ("status", "escalate2_at"), {"fields": ["sla_pending"], "sparse": True},
                        {"fields": ["review_entry_id"], "unique": True, "sparse": True}],
            "ordering": ["-created_at"]}

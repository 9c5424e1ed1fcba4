"""Accountability decisions (问责)."""
from mongoengine import DateTimeField, Document, ObjectIdField, StringField

from .common import utcnow


class AccountabilityDecision(Document):
    number = StringField(required=True, unique=True)   # 371323-WZ-2026-0001
    county_code = StringField(required=True)
    target_kind = StringField(required=True)           # ticket / suggestion (problem, organisation at merge)
    target_id = ObjectIdField(required=True)
    target_label = StringField()                       # the ticket's number and title, as recorded
    department_code = StringField()
    organisation_code = StringField()
    person_name = StringField(required=True)
    person_position = StringField()
    form = StringField(required=True)                  # domain.accountability.Form
    decided_on = StringField(required=True)            # ISO date
    reason = StringField(required=True)
    document_id = ObjectIdField()                      # the decision document (Attachment)
    recorded_by = ObjectIdField(required=True)
    created_at = DateTimeField(default=utcnow)
    meta = {"indexes": [("county_code", "-created_at"), ("target_kind", "target_id")],
            "ordering": ["-created_at"]}

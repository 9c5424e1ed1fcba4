"""Livelihood tickets (民生工单) and their immutable event log.

The events live inside the ticket document: a state change and its event are written by
the same single-document update, so neither can exist without the other.
"""
from mongoengine import (DateTimeField, DictField, Document, EmbeddedDocument,
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


class Ticket(Document):
    number = StringField(required=True, unique=True)  # e.g. 371323-2026-000042
    county_code = StringField(required=True)
    finding_id = ObjectIdField(required=True, unique=True)
    task_id = ObjectIdField(required=True)
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

    # Findings of the same problem added as evidence (the inspectors' duplicate guard).
    linked_finding_ids = ListField(ObjectIdField())
    # Sync cursor: the change number of the latest change (services/changes.py).
    change_seq = IntField()
    changed_at = DateTimeField()

    meta = {
        "indexes": [
            ("county_code", "status"),
            ("county_code", "department_code", "status"),
            ("county_code", "created_at"),
            "inspector_id",
            "task_id",
            ("status", "updated_at"),
            ("task_id", "change_seq"),
        ],
        "ordering": ["-created_at"],
    }


class Sequence(Document):
    """Named counters for human-readable numbers, advanced atomically with $inc."""
    key = StringField(required=True, unique=True)
    value = IntField(default=0)

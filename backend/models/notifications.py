"""The notification outbox: one document per message, one delivery record per channel."""
from mongoengine import DateTimeField, DictField, Document, ListField, ObjectIdField, StringField

from .common import utcnow


class Notification(Document):
    key = StringField(required=True)   # what it is about, so it exists once (in its county)
    kind = StringField(required=True)               # claim_reminder / remind / overdue / escalate / ...
    county_code = StringField(required=True)
    department_code = StringField()
    audience = StringField(required=True)           # department / department_head / office
    ticket_ids = ListField(ObjectIdField())
    payload = DictField()
    deliveries = DictField()                        # channel -> {status, attempts, sent_at, error}
    created_at = DateTimeField(default=utcnow)
    meta = {"shard_key": ("county_code",),
            "indexes": [{"fields": ["county_code", "key"], "unique": True}, ("county_code", "created_at")],
            "ordering": ["-created_at"]}


class SweepRun(Document):
    """One run of the deadline sweep; a run that stopped before notifying is finished by the next."""
    run_id = StringField(required=True, unique=True)
    started_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField()
    counts = DictField()
    # kept for 30 days: long enough to finish a stopped run and to look back at what ran
    meta = {"indexes": ["finished_at", {"fields": ["started_at"], "expireAfterSeconds": 30 * 24 * 3600}]}

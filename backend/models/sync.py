"""What an inspector's phone must forget: tasks taken from them or deleted."""
from mongoengine import DateTimeField, Document, IntField, ObjectIdField, StringField

from .common import utcnow


class SyncRemoval(Document):
    """A tombstone for the sync feed: `kind` `task` means drop the task and its findings and
    tickets from the phone. Stamped with the change number like any change."""
    inspector_id = ObjectIdField(required=True)
    kind = StringField(required=True, choices=("task", "finding", "ticket"))
    object_id = ObjectIdField(required=True)
    reason = StringField()      # "unassigned", "deleted"
    change_seq = IntField(required=True)
    changed_at = DateTimeField(default=utcnow)
    meta = {"indexes": [("inspector_id", "change_seq")]}

"""What an inspector's phone must forget: tasks taken from them or deleted."""
from mongoengine import DateTimeField, Document, IntField, ObjectIdField, StringField

from .common import utcnow


class SyncCounter(Document):
    """A county's change counter for the sync cursor (services/changes.py): `_id` is the
    county code, so it is sharded with the county's data."""
    id = StringField(primary_key=True)
    value = IntField(required=True, default=0)
    epoch = StringField(required=True)   # made with the counter: names this database's numbering


class SyncRemoval(Document):
    """A tombstone for the sync feed: `kind` `task` means drop the task and its findings and
    tickets from the phone. Stamped with the change number like any change."""
    inspector_id = ObjectIdField(required=True)
    county_code = StringField()  # the inspector's county (the shard key); older tombstones lack it
    kind = StringField(required=True, choices=("task", "finding", "ticket"))
    object_id = ObjectIdField(required=True)
    reason = StringField()      # "unassigned", "deleted"
    change_seq = IntField(required=True)
    changed_at = DateTimeField(default=utcnow)
    meta = {"shard_key": ("county_code",), "indexes": [("inspector_id", "change_seq")]}

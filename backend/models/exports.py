"""Ledger (台账) exports built by a background job and downloaded by their link."""
from mongoengine import (DateTimeField, DictField, Document, FileField, IntField, ObjectIdField,
                         StringField)

from .common import utcnow


class Export(Document):
    county_code = StringField(required=True)
    requested_by = ObjectIdField(required=True)
    format = StringField(required=True, choices=("xlsx", "csv"))
    params = DictField()                       # the window and filters asked for
    status = StringField(required=True, default="queued")  # queued / running / done / failed
    rows = IntField()
    file = FileField(collection_name="export_files")
    error = StringField()
    created_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField()
    meta = {"shard_key": ("county_code",), "indexes": [("county_code", "-created_at")], "ordering": ["-created_at"]}

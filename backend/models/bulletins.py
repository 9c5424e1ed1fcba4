"""The monthly bulletin (通报)."""
from mongoengine import (DateTimeField, DictField, Document, FileField, IntField, ObjectIdField,
                         StringField)

from .common import utcnow


class Bulletin(Document):
    """通报: one county's monthly bulletin, built as a PDF by a background job."""
    county_code = StringField(required=True)
    month = StringField(required=True)                 # YYYY-MM
    requested_by = ObjectIdField(required=True)
    status = StringField(required=True, default="queued")  # queued / running / done / failed
    error = StringField()
    pages = IntField()
    summary = DictField()                              # the figures it printed
    file = FileField(collection_name="bulletin_files")
    created_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField()
    meta = {"indexes": [("county_code", "-created_at")], "ordering": ["-created_at"]}

"""Stored documents: a clue's transfer letter (移交函) or feedback, an accountability
decision (问责决定书), a rectification problem's evidence (PDF, DOCX, XLSX). One store
for every use (services/documents.py); the type is read from the bytes
(domain/documents.py)."""
from mongoengine import BooleanField, DateTimeField, Document, FileField, IntField, ObjectIdField, StringField

from .common import utcnow


class Attachment(Document):
    county_code = StringField(required=True)
    owner = StringField(required=True)      # "clue:<id>", "accountability:<id>", "problem:<id>"
    kind = StringField(required=True)       # what it is for: transfer / feedback / decision / evidence
    file_type = StringField(required=True)  # what its bytes are: pdf / docx / xlsx / jpeg / png
    content_type = StringField(required=True)
    filename = StringField(required=True)
    size = IntField(required=True)
    sha256 = StringField(required=True)
    generated = BooleanField(default=False)  # made by the product (a transfer letter), not uploaded
    uploaded_by = ObjectIdField()
    created_at = DateTimeField(default=utcnow)
    file = FileField(collection_name="attachment_files")
    # the same bytes for the same owner and use are stored once
    meta = {"indexes": [{"fields": ["owner", "kind", "sha256"], "unique": True}]}

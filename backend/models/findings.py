"""Findings (巡察发现) and their photos."""
from mongoengine import (BooleanField, DateTimeField, Document, EmbeddedDocument,
                         EmbeddedDocumentField, FileField, FloatField, IntField, ObjectIdField, PointField, StringField)

from .common import utcnow


class Location(EmbeddedDocument):
    lat = FloatField(required=True)
    lon = FloatField(required=True)
    accuracy_m = FloatField()


class Finding(Document):
    # Made by the phone; replays of the same submission carry the same id.
    client_id = StringField(required=True, unique=True)
    # Hash of the submitted content, to tell a harmless replay from a conflicting reuse.
    fingerprint = StringField(required=True)
    county_code = StringField(required=True)
    task_id = ObjectIdField(required=True)
    inspector_id = ObjectIdField(required=True)
    village_code = StringField(required=True)
    township_code = StringField(required=True)
    category = StringField(required=True)
    severity = StringField(required=True)
    title = StringField(required=True)
    description = StringField(required=True)
    location = EmbeddedDocumentField(Location, required=True)
    point = PointField(auto_index=False)
    observed_at = DateTimeField(required=True)
    fact_basis = StringField(required=True)            # 事实依据
    policy_basis = StringField(required=True)          # 政策依据
    responsibility_basis = StringField(required=True)  # 责任依据
    needs_action = BooleanField(default=True)
    ticket_id = ObjectIdField()
    created_at = DateTimeField(default=utcnow)
    meta = {"indexes": ["task_id", "inspector_id", "county_code"], "ordering": ["-created_at"]}


class Photo(Document):
    """A finding's photo (purpose `finding`), a department's proof of the fix (`evidence`) or
    an inspector's photo when verifying it (`verification`)."""
    owner = StringField(required=True)  # "finding:<id>" or "ticket:<id>": one copy per owner and content
    purpose = StringField(required=True, choices=("finding", "evidence", "verification"))
    finding_id = ObjectIdField()
    ticket_id = ObjectIdField()
    county_code = StringField(required=True)
    uploaded_by = ObjectIdField(required=True)
    sha256 = StringField(required=True)
    content_type = StringField(required=True)
    size = IntField(required=True)
    width = IntField()
    height = IntField()
    original = FileField(collection_name="photo_files")
    thumbnail = FileField(collection_name="photo_files")
    created_at = DateTimeField(default=utcnow)
    meta = {"indexes": [{"fields": ["owner", "sha256"], "unique": True}, "finding_id", "ticket_id"]}

"""Resumable uploads: a photo sent in chunks over a failing link (services/uploads.py)."""
from mongoengine import BinaryField, DateTimeField, Document, IntField, ObjectIdField, StringField

from .common import utcnow

KEEP_SECONDS = 48 * 3600  # an upload nobody touched for two days is dropped, parts and all


class Upload(Document):
    """One file a phone is sending, known by its SHA-256: `offset` bytes have arrived."""
    county_code = StringField(required=True)
    uploaded_by = ObjectIdField(required=True)
    sha256 = StringField(required=True, regex=r"^[0-9a-f]{64}$")
    size = IntField(required=True, min_value=1)
    offset = IntField(required=True, default=0)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    meta = {"shard_key": ("county_code",),
            "indexes": [{"fields": ["county_code", "uploaded_by", "sha256"], "unique": True},
                        {"fields": ["updated_at"], "expireAfterSeconds": KEEP_SECONDS}]}


class UploadPart(Document):
    """The bytes from `offset` on, as one chunk arrived. Written before the upload's offset
    moves past them; a chunk sent again at the same offset replaces its part."""
    county_code = StringField(required=True)
    upload_id = ObjectIdField(required=True)
    offset = IntField(required=True, min_value=0)
    data = BinaryField(required=True)
    created_at = DateTimeField(default=utcnow)
    meta = {"shard_key": ("county_code",),
            "indexes": [{"fields": ["county_code", "upload_id", "offset"], "unique": True},
                        {"fields": ["created_at"], "expireAfterSeconds": KEEP_SECONDS}]}

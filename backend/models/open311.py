"""Open311 GeoReport v2: the API keys of the clients that may POST requests."""
from mongoengine import BooleanField, DateTimeField, Document, ObjectIdField, StringField

from .common import utcnow


class Open311Key(Document):
    """An Open311 client's api_key, issued by the admin for one county; only its SHA-256
    is kept (the key is shown once, when issued)."""
    county_code = StringField(required=True)
    name = StringField(required=True)
    key_hash = StringField(required=True, unique=True)
    prefix = StringField(required=True)     # the first characters, to tell keys apart
    active = BooleanField(default=True)
    created_by = ObjectIdField()
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField()
    meta = {"indexes": ["county_code"]}

from mongoengine import DateTimeField, Document, IntField, ObjectIdField, StringField

from .common import utcnow


class Session(Document):
    """A login: the bearer token names it by a random id, stored here only as its SHA-256,
    so logging out or revoking deletes it, and a database copy holds no usable token.
    Expired sessions are removed by MongoDB (TTL index)."""
    id = StringField(primary_key=True)
    user_id = ObjectIdField(required=True)
    token_version = IntField(required=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(required=True)
    meta = {"collection": "sessions",
            "indexes": ["user_id", {"fields": ["expires_at"], "expireAfterSeconds": 0}]}


class Setting(Document):
    """One value the deployment keeps with its data: the embedded mode's signing key, the
    evidence a category's resolution needs."""
    id = StringField(primary_key=True)
    value = StringField()
    flag = IntField()
    updated_at = DateTimeField(default=utcnow)
    meta = {"collection": "settings"}

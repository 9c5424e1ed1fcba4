"""The immutable event every lifecycle object of the inspection round keeps in itself
(rounds, 底稿 review entries, rectification cases and problems), written by the same
single-document update that changes the object (services/lifecycle.py)."""
from mongoengine import DateTimeField, DictField, EmbeddedDocument, IntField, ObjectIdField, StringField


class LifecycleEvent(EmbeddedDocument):
    seq = IntField(required=True)           # equals the object's version after the change
    action = StringField(required=True)
    at = DateTimeField(required=True)
    actor_id = ObjectIdField()              # None for the system (the deadline sweep)
    actor_name = StringField()
    actor_role = StringField()
    from_status = StringField()
    to_status = StringField(required=True)
    note = StringField()
    data = DictField()

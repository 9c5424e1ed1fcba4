"""The immutable event every object with a lifecycle but the ticket keeps in itself (rounds,
底稿 review entries, rectification cases and problems, clues, suggestions, villagers'
reports), written by the same single-document update that changes the object
(services/lifecycle.py)."""
from mongoengine import DateTimeField, DictField, EmbeddedDocument, IntField, ObjectIdField, StringField


class LifecycleEvent(EmbeddedDocument):
    seq = IntField(required=True)           # equals the object's version after the change
    action = StringField(required=True)
    at = DateTimeField(required=True)
    actor_id = ObjectIdField()              # None for the system (a sweep) and villagers
    actor_name = StringField()
    actor_role = StringField()
    from_status = StringField()
    to_status = StringField(required=True)
    note = StringField()
    data = DictField()

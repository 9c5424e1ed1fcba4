"""What clues, suggestions and accountability decisions share: the office's figures kept on
the write path, and stored documents (transfer letters, decisions). Their events are
`lifecycle.LifecycleEvent`s."""
from mongoengine import (BooleanField, DateTimeField, DictField, Document, FileField, IntField,
                         ObjectIdField, StringField)

from .common import utcnow


class Tally(Document):
    """One county's figures of one kind (`clue:371323`): counter path -> count, changed
    with $inc by the difference each write makes (services/followups.py)."""
    id = StringField(primary_key=True)
    kind = StringField(required=True)
    county_code = StringField(required=True)
    c = DictField()


class Attachment(Document):
    """A stored document: a clue's transfer letter (移交函) or feedback, an accountability
    decision. Its type is read from its bytes."""
    county_code = StringField(required=True)
    owner = StringField(required=True)      # "clue:<id>" or "accountability:<id>"
    kind = StringField(required=True)       # transfer / feedback / decision
    content_type = StringField(required=True)
    filename = StringField(required=True)
    size = IntField(required=True)
    sha256 = StringField(required=True)
    generated = BooleanField(default=False)
    uploaded_by = ObjectIdField()
    created_at = DateTimeField(default=utcnow)
    file = FileField(collection_name="attachment_files")
    meta = {"indexes": ["owner"]}

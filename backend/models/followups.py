"""What clues, suggestions and accountability decisions share: the office's figures kept on
the write path. Their events are `lifecycle.LifecycleEvent`s, their documents
`documents.Attachment`s."""
from mongoengine import DictField, Document, StringField


class Tally(Document):
    """One county's figures of one kind (`clue:371323`): counter path -> count, changed
    with $inc by the difference each write makes (services/followups.py)."""
    id = StringField(primary_key=True)
    kind = StringField(required=True)
    county_code = StringField(required=True)
    c = DictField()

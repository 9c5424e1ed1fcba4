"""码上巡视: a villager's report through a village's QR code (or an Open311 client), with its
immutable event log (services/lifecycle.py)."""
from mongoengine import (BooleanField, DateTimeField, DictField, Document, EmbeddedDocumentField,
                         IntField, ListField, ObjectIdField, PointField, StringField)

from .common import utcnow
from .findings import Location
from .lifecycle import LifecycleEvent


class PublicReport(Document):
    """What a villager reported. It waits in the 底稿 review queue (services/review.py) like
    an inspector's finding; the review decides what it becomes, and until then nothing is
    dispatched. The reporter follows it by its receipt code,
    which shows the state and the public reply, never personal data or internal notes."""
    receipt_code = StringField(required=True, unique=True)   # also the Open311 token
    county_code = StringField(required=True)
    village_code = StringField()     # from the QR code; an Open311 report may have none
    township_code = StringField()
    task_id = ObjectIdField()        # the inspection task whose QR code was scanned
    source = StringField(required=True, choices=("qr", "open311"))
    text = StringField(required=True)
    category = StringField()         # the reporter's choice (an Open311 service), a hint only
    location = EmbeddedDocumentField(Location)
    point = PointField(auto_index=False)
    address = StringField()          # Open311 address_string
    # Personal data: the office and the reviewer only (masked everywhere else).
    anonymous = BooleanField(default=False)
    reporter_name = StringField()
    reporter_phone = StringField()
    phone_reveals = ListField(DictField())   # who saw the whole number, when
    photo_ids = ListField(ObjectIdField())
    open311_key_id = ObjectIdField()

    status = StringField(required=True)     # domain.public_reports.ReportState ("state" in the API)
    version = IntField(required=True, default=1)
    events = ListField(EmbeddedDocumentField(LifecycleEvent))
    public_reply = StringField()     # shown on the receipt
    reason = StringField()           # why not accepted: shown on the receipt
    internal_note = StringField()    # the office's, never shown to the reporter
    review_entry_id = ObjectIdField()   # its 底稿 entry: the review decides what it becomes
    finding_id = ObjectIdField()     # approved 立行立改: the finding (and ticket) it became
    ticket_id = ObjectIdField()
    clue_id = ObjectIdField()        # decided as a clue: the confidential clue it became
    decided_at = DateTimeField()
    decided_by = ObjectIdField()
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    meta = {"indexes": [("county_code", "status", "created_at"), ("county_code", "created_at"),
                        {"fields": ["ticket_id"], "sparse": True}],
            "ordering": ["-created_at"]}

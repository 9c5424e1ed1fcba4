"""Findings (巡察发现) and their photos."""
from mongoengine import (BooleanField, DateTimeField, DictField, Document, EmbeddedDocument,
                         EmbeddedDocumentField, FloatField, IntField, ListField, ObjectIdField,
                         PointField, StringField)

from .common import utcnow


class Location(EmbeddedDocument):
    """A WGS-84 position (what we compute with) and, where the phone used a Chinese map's
    coordinates, exactly what it sent."""
    lat = FloatField(required=True)
    lon = FloatField(required=True)
    accuracy_m = FloatField()
    altitude_m = FloatField()
    crs = StringField()          # what the phone sent: wgs84, gcj02 or bd09
    sent_lat = FloatField()
    sent_lon = FloatField()
    source = StringField()       # "phone", or "photo" when a photo's GPS gave a better fix
    photo_id = ObjectIdField()


class Finding(Document):
    # Made by the phone; replays of the same submission carry the same id.
    client_id = StringField(required=True)  # unique within the county (a UUID: everywhere)
    # Hash of the submitted content, to tell a harmless replay from a conflicting reuse.
    fingerprint = StringField(required=True)
    county_code = StringField(required=True)
    task_id = ObjectIdField()  # None for a villager's report (码上巡视) made outside any task
    inspector_id = ObjectIdField(required=True)  # for a villager's report: the reviewer who completed it
    village_code = StringField(required=True)
    township_code = StringField(required=True)
    category = StringField(required=True)
    severity = StringField(required=True)
    title = StringField(required=True)
    description = StringField(required=True)
    public_report_id = ObjectIdField()  # the villager's report it was made from (码上巡视)
    # None when the phone had no fix; a photo's GPS may provide it later.
    location = EmbeddedDocumentField(Location)
    point = PointField(auto_index=False)
    observed_at = DateTimeField(required=True)
    fact_basis = StringField(required=True)            # 事实依据
    policy_basis = StringField(required=True)          # 政策依据
    responsibility_basis = StringField(required=True)  # 责任依据
    needs_action = BooleanField(default=True)
    # 问题底稿: the 责任主体 named ({post}), the inspector's 立行立改 mark, and the review
    responsible_post = StringField()
    immediate = BooleanField(default=False)
    dispatch = BooleanField(default=False)     # it gets a ticket (边巡边改, or approved 立行立改)
    revision = IntField(default=1)
    review_status = StringField()              # pending / approved / returned / merged / rejected
    review_note = StringField()                # the reviewer's reason when sent back or not accepted
    reopens_problem_id = ObjectIdField()       # a 回头看 finding: the closed problem it finds back
    ticket_id = ObjectIdField()
    clue_id = ObjectIdField()    # a misconduct finding becomes a clue (问题线索), never a ticket
    created_at = DateTimeField(default=utcnow)
    # Place checks for the office (never blocking): see backend/domain/geo.py.
    flags = ListField(StringField())
    distance_to_village_m = FloatField()
    # Evidence for an existing ticket (the inspector said "the same problem") instead of a new one.
    linked_ticket_id = ObjectIdField()
    # Sync cursor: the change number of the latest change (services/changes.py).
    change_seq = IntField()
    changed_at = DateTimeField()
    meta = {"shard_key": ("county_code",),
            "indexes": [{"fields": ["county_code", "client_id"], "unique": True},
                        "task_id", "inspector_id", "county_code", ("inspector_id", "change_seq"),
                        "(point"],  # 2dsphere, for geographic queries on real MongoDB
            "ordering": ["-created_at"]}


class PhotoStatus:
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class Photo(Document):
    """A finding's photo (purpose `finding`), a department's proof of the fix (`evidence`), an
    inspector's photo when verifying it (`verification`) or a villager's (`report`: its
    `uploaded_by` is the report's id, and it joins the finding the report becomes).

    The original is kept privately; a job derives the web version (1600 px, upright, no
    EXIF) and the 320 px thumbnail, and moves `status` from processing to ready or failed."""
    owner = StringField(required=True)  # "finding:<id>" or "ticket:<id>": one copy per owner and content
    purpose = StringField(required=True, choices=("finding", "evidence", "verification", "report"))
    finding_id = ObjectIdField()
    problem_id = ObjectIdField()   # evidence of a rectification problem (owner "problem:<id>")
    ticket_id = ObjectIdField()
    county_code = StringField(required=True)
    uploaded_by = ObjectIdField(required=True)
    sha256 = StringField(required=True)
    content_type = StringField(required=True)
    size = IntField(required=True)
    width = IntField()    # upright, as displayed
    height = IntField()
    status = StringField(default=PhotoStatus.PROCESSING,
                         choices=(PhotoStatus.PROCESSING, PhotoStatus.READY, PhotoStatus.FAILED))
    failure_reason = StringField()
    # Storage keys (backend/storage.py)
    original_key = StringField()
    web_key = StringField()
    thumbnail_key = StringField()
    # Read from EXIF at upload
    taken_at = DateTimeField()
    camera_make = StringField()
    camera_model = StringField()
    orientation = IntField()
    gps = DictField()     # {lat, lon, altitude_m, accuracy_m} in WGS-84, when the camera wrote it
    created_at = DateTimeField(default=utcnow)
    processed_at = DateTimeField()
    meta = {"shard_key": ("county_code",),
            "indexes": [{"fields": ["county_code", "owner", "sha256"], "unique": True}, "finding_id", "ticket_id"]}

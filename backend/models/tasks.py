"""Inspection tasks (巡察任务) and inspectors' check-ins at villages."""
from mongoengine import (DateTimeField, Document, EmbeddedDocument, EmbeddedDocumentField,
                         FloatField, IntField, ListField, ObjectIdField, PointField, StringField)

from .common import utcnow


class TaskVillage(EmbeddedDocument):
    """The village's name travels with the task, so a phone can show it offline."""
    code = StringField(required=True)
    name = StringField(required=True)
    township_code = StringField(required=True)


class InspectionTask(Document):
    county_code = StringField(required=True)
    name = StringField(required=True)
    village_codes = ListField(StringField(), required=True)
    villages = ListField(EmbeddedDocumentField(TaskVillage))
    inspector_ids = ListField(ObjectIdField(), required=True)
    starts_on = StringField(required=True)  # ISO date, Asia/Shanghai
    ends_on = StringField(required=True)
    focus_categories = ListField(StringField())
    created_by = ObjectIdField()
    created_at = DateTimeField(default=utcnow)
    # "inspection" (planned by the office), "lookback" (回头看: re-inspect closed tickets),
    # "round_lookback" (回头看 of chosen organisations' closed problems) or
    # "rectification_check" (on-site check of problems before 销号)
    kind = StringField(default="inspection")
    ticket_ids = ListField(ObjectIdField())
    round_id = ObjectIdField()               # the inspection round it belongs to
    problem_ids = ListField(ObjectIdField())  # round_lookback / rectification_check: the problems
    # Sync cursor: the change number of the latest change (services/changes.py).
    change_seq = IntField()
    changed_at = DateTimeField()
    meta = {"shard_key": ("county_code",),
            "indexes": ["county_code", "inspector_ids", ("inspector_ids", "change_seq")],
            "ordering": ["-starts_on"]}


class CheckIn(Document):
    client_id = StringField()  # unique within the county when the phone sends one
    task_id = ObjectIdField(required=True)
    inspector_id = ObjectIdField(required=True)
    county_code = StringField(required=True)
    village_code = StringField(required=True)
    lat = FloatField(required=True)
    lon = FloatField(required=True)
    accuracy_m = FloatField()
    point = PointField(auto_index=False)
    crs = StringField()           # what the phone sent: wgs84, gcj02, bd09 (lat/lon above are WGS-84)
    sent_lat = FloatField()
    sent_lon = FloatField()
    distance_to_village_m = FloatField()
    flags = ListField(StringField())
    at = DateTimeField(default=utcnow)
    meta = {"shard_key": ("county_code",),
            "indexes": [{"fields": ["county_code", "client_id"], "unique": True,
                         "partialFilterExpression": {"client_id": {"$exists": True}}},
                        "task_id", "village_code"]}

    @property
    def verified(self) -> bool:
        """Good enough to learn the village's position from: a fix of known accuracy within
        100 m, inside the county."""
        return (self.accuracy_m is not None and "low_accuracy" not in self.flags
                and "outside_county" not in self.flags)

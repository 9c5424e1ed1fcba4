"""Reference data the admin edits: routing rules, SLA policies, calendar overrides."""
from mongoengine import BooleanField, DateTimeField, Document, IntField, ListField, StringField

from .common import utcnow


class RoutingRule(Document):
    county_code = StringField(required=True)
    name = StringField(required=True)
    priority = IntField(required=True, default=100)
    department_code = StringField(required=True)  # or "@township": the village's township
    category = StringField()
    keywords = ListField(StringField())
    township_codes = ListField(StringField())
    severities = ListField(StringField())
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    meta = {"indexes": [("county_code", "priority")],
            "ordering": ["priority", "name"]}


class SlaPolicy(Document):
    county_code = StringField(required=True)
    category = StringField(required=True)
    severity = StringField(required=True)
    resolve_days = IntField(min_value=1)    # None: the severity's default
    claim_hours = IntField(min_value=1)     # working hours to claim; None: the default
    meta = {"indexes": [{"fields": ["county_code", "category", "severity"], "unique": True}]}


class HolidayOverride(Document):
    """A day the official calendar package does not know, or gets wrong (national)."""
    day = StringField(required=True, unique=True, regex=r"^\d{4}-\d{2}-\d{2}$")
    is_workday = BooleanField(required=True)
    note = StringField()

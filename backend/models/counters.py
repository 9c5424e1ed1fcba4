"""Pre-aggregated ticket counters for the office's rates (see backend/domain/metrics.py).

One document per county and Asia/Shanghai creation day, with a deterministic string id
(`371323:20261125`), so that a dashboard reads a bounded number of documents by id and a
state change is one upsert with `$inc` on one small document:

    c: {"<department>|<village>|<category>": {"tickets": 3, "closed": 1, ...,
                                               "claim_hours": {"h1250": 1}, ...}}
    o: {"<ticket id>": {"due": <deadline>, "cell": "<cell key>"}}   # open, with a deadline
"""
from mongoengine import DictField, Document, StringField


class DayCounter(Document):
    id = StringField(primary_key=True)       # "<county>:<YYYYMMDD>"
    county_code = StringField(required=True)
    day = StringField(required=True)         # YYYYMMDD, Asia/Shanghai
    c = DictField()
    o = DictField()
    meta = {"collection": "stat_days", "shard_key": ("county_code",), "indexes": [("county_code", "day")]}


class MonthCounter(Document):
    """The month's roll-up of a county's day documents, per dimension, for dashboards
    over whole months (12 documents a year instead of 365, a few dozen groups each):

        g: {"department": {"<code>": {"tickets": 9, ..., "claim_hours": {...}}},
            "township": {...}, "category": {...}}
        o: {"<ticket id>": {"due": <deadline>, "cell": "<cell key>"}}   # as in the days
    """
    id = StringField(primary_key=True)       # "<county>:<YYYYMM>"
    county_code = StringField(required=True)
    month = StringField(required=True)       # YYYYMM, Asia/Shanghai
    g = DictField()
    o = DictField()
    meta = {"collection": "stat_months", "shard_key": ("county_code",), "indexes": [("county_code", "month")]}


class CountyCounter(Document):
    """The first creation day a county has tickets for: where an open window starts."""
    id = StringField(primary_key=True)       # county code
    first_day = StringField(required=True)
    meta = {"collection": "stat_counties"}

"""The county, its townships and villages (统计用区划代码), and its departments."""
from mongoengine import BooleanField, DateTimeField, Document, FloatField, PointField, StringField


class County(Document):
    code = StringField(required=True, unique=True, regex=r"^\d{6}$")
    name = StringField(required=True)
    city_code = StringField()
    province_code = StringField()


class Township(Document):
    code = StringField(required=True, unique=True, regex=r"^\d{9}$")
    county_code = StringField(required=True)
    name = StringField(required=True)
    meta = {"indexes": ["county_code"]}


class Village(Document):
    code = StringField(required=True, unique=True, regex=r"^\d{12}$")
    county_code = StringField(required=True)
    township_code = StringField(required=True)
    name = StringField(required=True)
    # A village's position is data the county maintains; none ships with the divisions.
    lat = FloatField()
    lon = FloatField()
    point = PointField(auto_index=False)
    position_source = StringField(choices=("admin", "checkins"))
    position_set_at = DateTimeField()
    meta = {"indexes": ["county_code", "township_code"]}


class Department(Document):
    county_code = StringField(required=True)
    code = StringField(required=True, regex=r"^[a-z0-9_\-]+$")
    name = StringField(required=True)
    kind = StringField(choices=("county", "township", "office"), default="county")
    township_code = StringField()
    active = BooleanField(default=True)
    meta = {"indexes": [{"fields": ["county_code", "code"], "unique": True}]}

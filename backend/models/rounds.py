"""Inspection rounds (一轮巡察) and the county's settings for them."""
from mongoengine import (BooleanField, DateTimeField, DictField, Document, EmbeddedDocument,
                         EmbeddedDocumentField, IntField, ListField, ObjectIdField, StringField)

from .common import utcnow
from .lifecycle import LifecycleEvent


class RoundVillage(EmbeddedDocument):
    """A village the round inspects, with its party organisation (the inspected unit)."""
    code = StringField(required=True)
    name = StringField(required=True)
    township_code = StringField(required=True)
    organisation_id = ObjectIdField(required=True)


class TeamMember(EmbeddedDocument):
    user_id = ObjectIdField(required=True)
    role = StringField(required=True, choices=("leader", "deputy", "member"))
    name = StringField()


class InspectionRound(Document):
    county_code = StringField(required=True)
    # The levels above (division codes: 2 province, 2 city, 2 county digits).
    city_code = StringField(required=True)        # e.g. 3713
    province_code = StringField(required=True)    # e.g. 37
    name = StringField(required=True)
    villages = ListField(EmbeddedDocumentField(RoundVillage))
    department_codes = ListField(StringField())   # county departments inspected in this round
    team = ListField(EmbeddedDocumentField(TeamMember))
    team_ids = ListField(ObjectIdField())         # every member, for "my rounds"
    leader_id = ObjectIdField(required=True)      # 组长: reviews every 底稿 entry
    enters_on = StringField(required=True)        # 进驻, ISO date
    feedback_on = StringField()                   # 反馈 (planned; the actual date is on each case)
    plan_days = IntField(required=True)           # 整改方案 within this many days of feedback
    report_months = IntField(required=True)       # 整改情况报告 after this many months
    status = StringField(required=True)           # the phase (domain.rounds.Phase)
    version = IntField(required=True, default=1)
    events = ListField(EmbeddedDocumentField(LifecycleEvent))
    created_by = ObjectIdField()
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    meta = {"indexes": ["county_code", "city_code", "province_code", "team_ids"],
            "ordering": ["-enters_on"]}


class RoundSettings(Document):
    """A county's settings for rounds and their rectification."""
    county_code = StringField(required=True, unique=True)
    # 边巡边改: the inspector's own 立行立改 mark dispatches a finding of these categories
    # as a ticket before review.
    immediate_dispatch = BooleanField(default=False)
    immediate_categories = ListField(StringField())
    plan_days = IntField(default=30)
    report_months = IntField(default=2)
    checklist = ListField(DictField())            # 整改评估: [{code, label, weight}], weights add to 100
    updated_at = DateTimeField(default=utcnow)

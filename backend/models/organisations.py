"""Inspected party organisations (被巡察党组织): a village's party branch or committee,
its secretary (第一责任人) and members, as users or as contacts, and its leadership history."""
from mongoengine import (DateTimeField, Document, EmbeddedDocument, EmbeddedDocumentField, IntField,
                         ListField, ObjectIdField, StringField)

from .common import utcnow


class OrgMember(EmbeddedDocument):
    member_id = ObjectIdField(required=True)   # stable id of this person in this post
    post = StringField(required=True)          # secretary / deputy_secretary / member / contact
    name = StringField(required=True)
    user_id = ObjectIdField()                  # an `organisation` user, when the person has an account
    phone = StringField()
    since = DateTimeField(default=utcnow)


class LeadershipChange(EmbeddedDocument):
    """责任交接: who left which post, who took over, when, who recorded it, and what moved."""
    at = DateTimeField(required=True)
    post = StringField(required=True)
    leaving_member_id = ObjectIdField()
    leaving_name = StringField()
    successor_member_id = ObjectIdField()
    successor_name = StringField()
    reason = StringField()
    recorded_by = ObjectIdField()
    problems_moved = IntField(default=0)


class PartyOrganisation(Document):
    county_code = StringField(required=True)
    name = StringField(required=True)
    village_code = StringField(required=True, unique=True)
    township_code = StringField(required=True)
    members = ListField(EmbeddedDocumentField(OrgMember))
    history = ListField(EmbeddedDocumentField(LeadershipChange))
    version = IntField(default=1)
    created_at = DateTimeField(default=utcnow)
    meta = {"indexes": ["county_code"]}

    def secretary(self) -> OrgMember | None:
        return next((m for m in self.members if m.post == "secretary"), None)

    def member(self, member_id) -> OrgMember | None:
        return next((m for m in self.members if m.member_id == member_id), None)

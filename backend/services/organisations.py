"""Inspected party organisations (被巡察党组织), their members and accounts, and the
hand-over of responsibility (责任交接) when a secretary or member changes."""
import re

from bson import ObjectId
from flask import current_app
from mongoengine.errors import NotUniqueError

from ..auth import Actor
from ..domain.codes import Role
from ..errors import Conflict, InvalidInput, NotFound
from ..i18n import _
from ..models import PartyOrganisation, User, Village
from ..models.common import utcnow
from ..models.organisations import LeadershipChange, OrgMember

POSTS = ("secretary", "deputy_secretary", "member", "contact")
POST_LABELS = {"secretary": "党组织书记", "deputy_secretary": "副书记", "member": "委员", "contact": "联络员"}


def default_name(village: Village) -> str:
    """阳东社区居民委员会 → 中共阳东社区支部委员会."""
    short = re.sub(r"(村民委员会|居民委员会|村委会|居委会)$", "", village.name)
    return f"中共{short}支部委员会"


def for_village(village: Village) -> PartyOrganisation:
    """The village's party organisation, created (with no members yet) the first time a
    round inspects it."""
    org = PartyOrganisation.objects(village_code=village.code).first()
    if org is None:
        try:
            org = PartyOrganisation(county_code=village.county_code, name=default_name(village),
                                    village_code=village.code, township_code=village.township_code).save()
        except NotUniqueError:
            org = PartyOrganisation.objects.get(village_code=village.code)
    return org


def get(actor: Actor, organisation_id: str) -> PartyOrganisation:
    org = (PartyOrganisation.objects(id=organisation_id, county_code=actor.county_code).first()
           if ObjectId.is_valid(organisation_id) else None)
    if org is None or (actor.role == Role.ORGANISATION and org.id != actor.organisation_id):
        raise NotFound(_("No party organisation %(id)s in your county.", id=organisation_id))
    return org


def list_for(actor: Actor, village_code: str | None = None):
    query = PartyOrganisation.objects(county_code=actor.county_code)
    if actor.role == Role.ORGANISATION:
        query = query.filter(id=actor.organisation_id)
    if village_code:
        query = query.filter(village_code=village_code)
    return query.order_by("village_code")


def _account(actor: Actor, org: PartyOrganisation, data: dict) -> User | None:
    """An `organisation` account for a member, when a username is given."""
    if not data.get("username"):
        return None
    if not data.get("password"):
        raise InvalidInput(_("Give the new account a password."), errors={"password": [_("Required with username.")]})
    user = User(username=data["username"].strip(), username_key=User.key(data["username"]),
                display_name=data["name"], role=Role.ORGANISATION.value, county_code=org.county_code,
                organisation_id=org.id, phone=data.get("phone"))
    user.set_password(data["password"], current_app.config["PASSWORD_HASH_METHOD"])
    try:
        user.save()
    except NotUniqueError:
        raise Conflict(_("The username %(name)s is taken (usernames ignore case).", name=data["username"]),
                       code="username_taken")
    return user


def _member(actor: Actor, org: PartyOrganisation, data: dict) -> OrgMember:
    user = _account(actor, org, data)
    return OrgMember(member_id=ObjectId(), post=data["post"], name=data["name"],
                     user_id=user.id if user else None, phone=data.get("phone"), since=utcnow())


def add_member(actor: Actor, organisation_id: str, data: dict) -> PartyOrganisation:
    """Add a member (secretary, deputy, member, contact), optionally with an account. An
    organisation has one secretary: a new one comes through a hand-over."""
    org = get(actor, organisation_id)
    if data["post"] == "secretary" and org.secretary():
        raise Conflict(_("The organisation has a secretary; record the change as a hand-over."),
                       code="secretary_exists")
    member = _member(actor, org, data)
    updated = PartyOrganisation.objects(id=org.id, version=org.version).modify(
        new=True, push__members=member, inc__version=1)
    if updated is None:
        raise Conflict(_("The organisation changed meanwhile; reload it and try again."), code="stale")
    return updated


def hand_over(actor: Actor, organisation_id: str, member_id: str, data: dict) -> PartyOrganisation:
    """责任交接: `member_id` leaves their post. The successor is an existing member
    (`successor_member_id`) or a new person in the same post (`successor`: name, phone,
    optional username/password). The change is recorded in the history; the leaver's account
    is closed; every open problem they answer for passes to the successor, and a secretary's
    successor becomes 责任领导 of the organisation's open problems. Nothing is left without a
    responsible person."""
    from . import rectification
    org = get(actor, organisation_id)
    leaving = org.member(ObjectId(member_id)) if ObjectId.is_valid(member_id) else None
    if leaving is None:
        raise NotFound(_("No member %(id)s in this organisation.", id=member_id))
    reason = data.get("reason") or ""
    members = [m for m in org.members if m.member_id != leaving.member_id]
    if data.get("successor_member_id"):
        successor = next((m for m in members if str(m.member_id) == data["successor_member_id"]), None)
        if successor is None:
            raise InvalidInput(_("The successor must be another member of this organisation."),
                               errors={"successor_member_id": [_("Not a member.")]})
        if leaving.post == "secretary":
            successor.post = "secretary"
    elif data.get("successor"):
        successor = _member(actor, org, {**data["successor"], "post": leaving.post})
        members.append(successor)
    else:
        raise InvalidInput(_("Name the successor who takes over (successor_member_id, or successor)."),
                           errors={"successor": [_("Required.")]})
    change = LeadershipChange(at=utcnow(), post=leaving.post, leaving_member_id=leaving.member_id,
                              leaving_name=leaving.name, successor_member_id=successor.member_id,
                              successor_name=successor.name, reason=reason, recorded_by=actor.id)
    updated = PartyOrganisation.objects(id=org.id, version=org.version).modify(
        new=True, set__members=members, push__history=change, inc__version=1)
    if updated is None:
        raise Conflict(_("The organisation changed meanwhile; reload it and try again."), code="stale")
    if leaving.user_id:
        User.objects(id=leaving.user_id).update_one(set__active=False, inc__token_version=1)
    moved = rectification.hand_over_problems(actor, updated, leaving, successor, reason)
    n = len(updated.history) - 1
    PartyOrganisation.objects(id=org.id).update_one(**{f"set__history__{n}__problems_moved": moved})
    return PartyOrganisation.objects.get(id=org.id)


def responsible_for(org: PartyOrganisation, post: str | None) -> OrgMember | None:
    """The member answering for a problem of `post` (the secretary when none is named, or
    when the post is vacant)."""
    holder = next((m for m in org.members if m.post == (post or "secretary")), None)
    return holder or org.secretary()

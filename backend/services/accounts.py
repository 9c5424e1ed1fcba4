"""Logging in, and user accounts."""
import functools
import secrets

from bson import ObjectId
from flask import current_app
from mongoengine.errors import NotUniqueError
from werkzeug.security import check_password_hash, generate_password_hash

from ..auth import Actor, end_session, issue_token
from ..domain.codes import Role
from ..errors import Conflict, InvalidInput, NotFound, TooManyRequests, Unauthorized
from ..i18n import _
from ..models import User
from . import departments, throttle
from ..i18n import _


def login(username: str, password: str) -> dict:
    """A token for a right password. The attempt is counted before the password is checked
    (services/throttle.py): past LOGIN_MAX_FAILURES the account waits, with back-off. An
    unknown username costs the same time as a known one (a hash is checked either way)."""
    key = User.key(username)
    wait = throttle.attempt(key)
    if wait:
        raise TooManyRequests(_("Too many failed logins for this username; try again in %(wait)s seconds, or ask "
                                "the admin to unlock the account.", wait=wait), headers={"Retry-After": str(wait)},
                              errors={"retry_after": [wait]})
    user = User.objects(username_key=key, active=True).first()
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        raise Unauthorized(_("Wrong username or password."))
    if not user.check_password(password):
        raise Unauthorized(_("Wrong username or password."))
    throttle.reset(key)
    return {"access_token": issue_token(user), "token_type": "Bearer", "user": user}


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash of nothing anyone knows, made like the real ones, to check unknown users against."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def logout() -> None:
    end_session()


def unlock(actor: Actor, user_id: str) -> User:
    """The admin lifts a login lock (a forgotten password, or someone else's wrong guesses)."""
    user = get_user(actor, user_id)
    throttle.reset(user.username_key)
    return user


def me(actor: Actor) -> User:
    return User.objects.get(id=actor.id)


def upsert_user(username: str, password: str, role: str, county_code: str,
                department_code: str | None = None, display_name: str | None = None) -> User:
    user = User.objects(username_key=User.key(username)).first() or User(username=username,
                                                                        username_key=User.key(username))
    user.role, user.county_code, user.department_code = role, county_code, department_code
    user.display_name = display_name or username
    user.active = True
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    user.save()
    return user


# ---------------------------------------------------------------- admin: the county's accounts

def list_users(actor: Actor, role: str | None = None, department_code: str | None = None):
    query = User.objects(county_code=actor.county_code)
    if role:
        query = query.filter(role=role)
    if department_code:
        query = query.filter(department_code=department_code)
    return query.order_by("username_key")


def get_user(actor: Actor, user_id: str) -> User:
    user = User.objects(id=user_id, county_code=actor.county_code).first() if ObjectId.is_valid(user_id) else None
    if user is None:
        raise NotFound(_("No user %(user_id)s in your county.", user_id=user_id))
    return user


def _check_department(actor: Actor, role: str, department_code: str | None) -> None:
    if role in (Role.ORGANISATION, Role.CITY_OFFICE, Role.PROVINCE_OFFICE):
        raise InvalidInput(_("An account of role %(role)s is not made here: an organisation's through "
                             "POST /organisations/{id}/members; the levels above the county have their own.",
                             role=str(getattr(role, "value", role))), errors={"role": [_("Not a county account.")]})
    if role == Role.DEPARTMENT and not department_code:
        raise InvalidInput(_("A department user needs a department_code."),
                           errors={"department_code": [_("Required for the department role.")]})
    if department_code:
        departments.require(actor.county_code, department_code)


def create_user(actor: Actor, data: dict) -> User:
    _check_department(actor, data["role"], data.get("department_code"))
    user = User(username=data["username"].strip(), username_key=User.key(data["username"]),
                display_name=data.get("display_name") or data["username"].strip(), role=data["role"],
                county_code=actor.county_code, department_code=data.get("department_code"),
                phone=data.get("phone"), is_department_head=data.get("is_department_head", False))
    user.set_password(data["password"], current_app.config["PASSWORD_HASH_METHOD"])
    try:
        user.save()
    except NotUniqueError:
        raise Conflict(_("The username %(username)s is taken (usernames ignore case).",
                         username=repr(data["username"])),
                       code="username_taken")
    return user


def update_user(actor: Actor, user_id: str, data: dict) -> User:
    """Change an account. Deactivating it or setting a new password revokes its tokens.

    A department user who leaves (deactivated, or moved to another department or role) with
    open tickets needs a successor (`successor_id`): the account changes first, so the
    leaver can take no new ticket, then each open ticket passes to the successor (责任交接)."""
    from . import handover
    user = get_user(actor, user_id)
    if user.id == actor.id and (data.get("active") is False or data.get("role", user.role) != user.role):
        raise InvalidInput(_("You cannot deactivate yourself or change your own role."))
    role = data.get("role", user.role)
    department_code = data["department_code"] if "department_code" in data else user.department_code
    _check_department(actor, role, department_code)
    changes = {"set__role": role, "set__department_code": department_code}
    if "display_name" in data:
        changes["set__display_name"] = data["display_name"]
    if "active" in data:
        changes["set__active"] = data["active"]
    if data.get("password"):
        user.set_password(data["password"], current_app.config["PASSWORD_HASH_METHOD"])
        changes["set__password_hash"] = user.password_hash
    for field in ("phone", "is_department_head"):
        if field in data:
            changes[f"set__{field}"] = data[field]
    if data.get("password") or data.get("active") is False or role != user.role:
        changes["inc__token_version"] = 1
    leaves = user.role == Role.DEPARTMENT and (data.get("active") is False or role != user.role
                                              or department_code != user.department_code)
    successor = None
    if leaves and handover.open_tickets_of(user.id):
        successor = handover.check_successor(actor, user, data.get("successor_id"), user.department_code)
    updated = User.objects(id=user.id).modify(new=True, **changes)
    if data.get("password"):
        throttle.reset(user.username_key)  # a new password unlocks the account
    if successor:
        handover.hand_over(actor, user, successor, "责任交接: " + ("账号停用" if data.get("active") is False
                                                                else "岗位调整"))
    return updated


def hand_over(actor: Actor, user_id: str, successor_id: str | None) -> dict:
    """Pass a department user's open tickets to a successor now (also to finish a handover)."""
    from . import handover
    user = get_user(actor, user_id)
    if not handover.open_tickets_of(user.id):
        return {"moved": 0, "remaining": 0}
    successor = handover.check_successor(actor, user, successor_id, user.department_code)
    moved = handover.hand_over(actor, user, successor, "责任交接")
    return {"moved": moved, "remaining": len(handover.open_tickets_of(user.id))}

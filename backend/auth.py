"""Bearer tokens and the acting user.

A token is signed (itsdangerous, with SECRET_KEY) and names a random session id; the
server keeps the session (`Session`, stored by the id's SHA-256), so logging out deletes
it and nothing but a login makes one: knowing the key and a user's id is not enough. A
deactivated user or a raised token version invalidates every session at once, because every
request reloads the session and the user.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from bson import ObjectId
from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .domain.codes import Role
from .errors import Forbidden, Unauthorized
from .models import Session, User
from .models.common import utcnow
from .i18n import _


@dataclass(frozen=True)
class Actor:
    id: ObjectId
    username: str
    role: str
    county_code: str
    department_code: str | None
    # Role organisation: the inspected organisation. Above the county (city_office,
    # province_office) `county_code` is the 6-digit division code of the city (371300) or
    # province (370000).
    organisation_id: ObjectId | None = None

    @classmethod
    def of(cls, user: User) -> "Actor":
        return cls(user.id, user.username, user.role, user.county_code, user.department_code,
                   user.organisation_id)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="api-session")


def _session_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def issue_token(user: User) -> str:
    """Open a session for `user` and return its bearer token."""
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    Session(id=_session_key(session_id), user_id=user.id, token_version=user.token_version, created_at=now,
            expires_at=now + timedelta(seconds=current_app.config["TOKEN_TTL_SECONDS"])).save(force_insert=True)
    return _serializer().dumps({"sid": session_id})


def end_session() -> None:
    """Log out: the request's session is deleted, so its token is refused from now on."""
    Session.objects(id=g.session_key).delete()


def _actor_from_request() -> Actor:
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(_("Send 'Authorization: Bearer <token>'; get a token from POST /api/v1/auth/token."))
    try:
        payload = _serializer().loads(token, max_age=current_app.config["TOKEN_TTL_SECONDS"])
    except SignatureExpired:
        raise Unauthorized(_("The token has expired; log in again."))
    except BadSignature:
        raise Unauthorized(_("The token is not valid; log in again."))
    session_id = payload.get("sid") if isinstance(payload, dict) else None
    key = _session_key(session_id) if isinstance(session_id, str) else None
    session = Session.objects(id=key, expires_at__gt=utcnow()).first() if key else None
    user = User.objects(id=session.user_id, active=True).first() if session else None
    if user is None or user.token_version != session.token_version:
        raise Unauthorized(_("The session has ended (logged out, revoked or the account is inactive); log in again."))
    g.session_key = key
    return Actor.of(user)


def requires(*roles: Role):
    """Let the view run only for an authenticated user with one of `roles`."""
    allowed = {Role(r).value for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            actor = _actor_from_request()
            if actor.role not in allowed:
                raise Forbidden(_("This needs the role %(roles)s; you are %(role)s.",
                                  roles=" or ".join(sorted(allowed)), role=actor.role))
            g.actor = actor
            return view(*args, **kwargs)
        return wrapper
    return decorator


def current_actor() -> Actor:
    return g.actor


ANY_ROLE = tuple(Role)

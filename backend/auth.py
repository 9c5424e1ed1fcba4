"""Bearer tokens and the acting user.

Tokens are signed (itsdangerous) and carry the user id and token version; a deactivated
user or a raised token version invalidates them at once, because every request reloads
the user.
"""
from dataclasses import dataclass
from functools import wraps

from bson import ObjectId
from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .domain.codes import Role
from .errors import Forbidden, Unauthorized
from .models import User


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
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="api-token")


def issue_token(user: User) -> str:
    return _serializer().dumps({"uid": str(user.id), "v": user.token_version})


def _actor_from_request() -> Actor:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Send 'Authorization: Bearer <token>'; get a token from POST /api/v1/auth/token.")
    try:
        payload = _serializer().loads(token, max_age=current_app.config["TOKEN_TTL_SECONDS"])
    except SignatureExpired:
        raise Unauthorized("The token has expired; log in again.")
    except BadSignature:
        raise Unauthorized("The token is not valid; log in again.")
    user = User.objects(id=payload.get("uid"), active=True).first() if ObjectId.is_valid(payload.get("uid")) else None
    if user is None or user.token_version != payload.get("v"):
        raise Unauthorized("The account is inactive or the token was revoked; log in again.")
    return Actor.of(user)


def requires(*roles: Role):
    """Let the view run only for an authenticated user with one of `roles`."""
    allowed = {Role(r).value for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            actor = _actor_from_request()
            if actor.role not in allowed:
                raise Forbidden(f"This needs the role {' or '.join(sorted(allowed))}; "
                                f"you are {actor.role}.")
            g.actor = actor
            return view(*args, **kwargs)
        return wrapper
    return decorator


def current_actor() -> Actor:
    return g.actor


ANY_ROLE = tuple(Role)

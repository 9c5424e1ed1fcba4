"""Logging in, and user accounts."""
from flask import current_app

from ..auth import Actor, issue_token
from ..errors import Unauthorized
from ..models import User


def login(username: str, password: str) -> dict:
    user = User.objects(username_key=User.key(username), active=True).first()
    if user is None or not user.check_password(password):
        raise Unauthorized("Wrong username or password.")
    return {"access_token": issue_token(user), "token_type": "Bearer", "user": user}


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

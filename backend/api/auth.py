from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import ANY_ROLE, current_actor, requires
from ..limits import limiter
from ..services import accounts, throttle
from .schemas import ErrorSchema, LoginSchema, TokenSchema, UserSchema

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Logging in")


@blp.route("/auth/token")
class Token(MethodView):
    @blp.doc(security=[])
    @limiter.limit(throttle.address_limit, deduct_when=lambda response: response.status_code == 401)
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(429, schema=ErrorSchema, description="Too many failed logins (by account or by "
                      "address): `Retry-After` says when to try again")
    def post(self, data):
        """Exchange a username and password for a bearer token (a new session)"""
        return accounts.login(data["username"], data["password"])


@blp.route("/auth/logout")
class Logout(MethodView):
    @requires(*ANY_ROLE)
    @blp.response(204)
    def post(self):
        """End this session: its token is refused from now on"""
        accounts.logout()


@blp.route("/me")
class Me(MethodView):
    @requires(*ANY_ROLE)
    @blp.response(200, UserSchema)
    def get(self):
        """The logged-in user"""
        return accounts.me(current_actor())

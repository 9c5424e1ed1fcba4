from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import ANY_ROLE, current_actor, requires
from ..services import accounts
from .schemas import LoginSchema, TokenSchema, UserSchema

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Logging in")


@blp.route("/auth/token")
class Token(MethodView):
    @blp.doc(security=[])
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    def post(self, data):
        """Exchange a username and password for a bearer token"""
        return accounts.login(data["username"], data["password"])


@blp.route("/me")
class Me(MethodView):
    @requires(*ANY_ROLE)
    @blp.response(200, UserSchema)
    def get(self):
        """The logged-in user"""
        return accounts.me(current_actor())

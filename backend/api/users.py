from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import accounts
from .schemas import (AccountFilterSchema, AccountPatchSchema, AccountSchema, HandoverResultSchema,
                      HandoverSchema, QuerySetPage)

blp = Blueprint("users", __name__, url_prefix="/api/v1/users",
                description="The county's accounts, managed by the admin")


@blp.route("")
class Users(MethodView):
    @requires(Role.ADMIN, Role.OFFICE)
    @blp.arguments(AccountFilterSchema, location="query")
    @blp.response(200, AccountSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self, query):
        """The county's users (the office needs inspectors' ids to plan tasks)"""
        return accounts.list_users(current_actor(), query.get("role"), query.get("department_code"))

    @requires(Role.ADMIN)
    @blp.arguments(AccountSchema)
    @blp.response(201, AccountSchema)
    def post(self, data):
        """Create an account in your county"""
        return accounts.create_user(current_actor(), data)


@blp.route("/<user_id>")
class User(MethodView):
    @requires(Role.ADMIN)
    @blp.arguments(AccountPatchSchema)
    @blp.response(200, AccountSchema)
    def patch(self, data, user_id):
        """Change an account; deactivating it or a new password revokes its tokens. A department
        user with open tickets who is deactivated or moved needs `successor_id` (责任交接)"""
        return accounts.update_user(current_actor(), user_id, data)


@blp.route("/<user_id>/handover")
class Handover(MethodView):
    @requires(Role.ADMIN)
    @blp.arguments(HandoverSchema)
    @blp.response(200, HandoverResultSchema)
    def post(self, data, user_id):
        """Pass the user's open tickets to a successor of the same department (责任交接)"""
        return accounts.hand_over(current_actor(), user_id, data["successor_id"])


@blp.route("/<user_id>/unlock")
class Unlock(MethodView):
    @requires(Role.ADMIN)
    @blp.response(200, AccountSchema)
    def post(self, user_id):
        """Lift the login lock of an account (too many wrong passwords); a new password does too"""
        return accounts.unlock(current_actor(), user_id)

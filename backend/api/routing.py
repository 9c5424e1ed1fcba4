from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import routing
from .schemas import ExplainResultSchema, ExplainSchema, RoutingRulePatchSchema, RoutingRuleSchema

blp = Blueprint("routing", __name__, url_prefix="/api/v1/routing",
                description="Routing rules (分办规则) and what the router would do")


@blp.route("/explain")
class Explain(MethodView):
    @requires(Role.OFFICE, Role.ADMIN)
    @blp.arguments(ExplainSchema)
    @blp.response(200, ExplainResultSchema)
    def post(self, data):
        """Which department the router would choose, and the rules it considered; creates nothing"""
        return routing.explain(current_actor(), data["category"], data["village_code"],
                               data["text"], data["severity"])


@blp.route("/rules")
class Rules(MethodView):
    @requires(Role.OFFICE, Role.ADMIN)
    @blp.response(200, RoutingRuleSchema(many=True))
    def get(self):
        """The county's routing rules, by priority"""
        return routing.list_rules(current_actor())

    @requires(Role.ADMIN)
    @blp.arguments(RoutingRuleSchema)
    @blp.response(201, RoutingRuleSchema)
    def post(self, data):
        """Add a routing rule"""
        return routing.create_rule(current_actor(), data)


@blp.route("/rules/<rule_id>")
class Rule(MethodView):
    @requires(Role.OFFICE, Role.ADMIN)
    @blp.response(200, RoutingRuleSchema)
    def get(self, rule_id):
        """One routing rule"""
        return routing.get_rule(current_actor(), rule_id)

    @requires(Role.ADMIN)
    @blp.arguments(RoutingRulePatchSchema(partial=True))
    @blp.response(200, RoutingRuleSchema)
    def patch(self, data, rule_id):
        """Change a routing rule"""
        return routing.update_rule(current_actor(), rule_id, data)

    @requires(Role.ADMIN)
    @blp.response(204)
    def delete(self, rule_id):
        """Remove a routing rule"""
        routing.delete_rule(current_actor(), rule_id)

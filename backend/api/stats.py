from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import stats
from .schemas import StatsQuerySchema, StatsSchema

blp = Blueprint("stats", __name__, url_prefix="/api/v1/stats",
                description="Resolution rates for the county office")


@blp.route("/resolution")
class Resolution(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(StatsQuerySchema, location="query")
    @blp.response(200, StatsSchema)
    def get(self, query):
        """Resolution, on-time, claim-in-24h, reopen and return rates, grouped; tickets created
        between `from` and `to` (Asia/Shanghai days, inclusive)"""
        return stats.resolution(current_actor(), query["group_by"], query["from_"], query["to"],
                                query["min_tickets"] or current_app.config["STATS_MIN_TICKETS"])

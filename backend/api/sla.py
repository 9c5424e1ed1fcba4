from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import sla
from .schemas import HolidaySchema, SlaDaysSchema, SlaPolicySchema

blp = Blueprint("sla", __name__, url_prefix="/api/v1/sla",
                description="Deadlines: working days to resolve per category × severity, and "
                            "calendar overrides for days the official calendar package does not know")


@blp.route("/policies")
class Policies(MethodView):
    @requires(Role.OFFICE, Role.ADMIN)
    @blp.response(200, SlaPolicySchema(many=True))
    def get(self):
        """The county's SLA table (defaults where the county set nothing)"""
        return sla.policies(current_actor())


@blp.route("/policies/<category>/<severity>")
class Policy(MethodView):
    @requires(Role.ADMIN)
    @blp.arguments(SlaDaysSchema)
    @blp.response(200, SlaPolicySchema)
    def put(self, data, category, severity):
        """Set the working days to resolve and/or the working hours to claim for one category × severity"""
        return sla.set_policy(current_actor(), category, severity, data)


@blp.route("/holidays")
class Holidays(MethodView):
    @requires(Role.OFFICE, Role.ADMIN)
    @blp.response(200, HolidaySchema(many=True))
    def get(self):
        """Calendar overrides (national: they apply to every county)"""
        return sla.holidays()


@blp.route("/holidays/<day>")
class Holiday(MethodView):
    @requires(Role.ADMIN)
    @blp.arguments(HolidaySchema)
    @blp.response(200, HolidaySchema)
    def put(self, data, day):
        """Declare a day a working day or a holiday"""
        return sla.set_holiday(day, data["is_workday"], data.get("note"))

    @requires(Role.ADMIN)
    @blp.response(204)
    def delete(self, day):
        """Remove an override"""
        sla.delete_holiday(day)

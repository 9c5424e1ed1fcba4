from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import ANY_ROLE, current_actor, requires
from ..domain.codes import Role
from ..services import places
from .schemas import (DepartmentSchema, QuerySetPage, TownshipSchema, VillageFilterSchema,
                      VillagePositionInSchema, VillagePositionSchema, VillageSchema)

blp = Blueprint("places", __name__, url_prefix="/api/v1",
                description="The county's departments, townships and villages (统计用区划代码)")


@blp.route("/departments")
class Departments(MethodView):
    @requires(*ANY_ROLE)
    @blp.response(200, DepartmentSchema(many=True))
    def get(self):
        """The county's active departments, with their codes (for triage and routing rules)"""
        return places.departments(current_actor())


@blp.route("/townships")
class Townships(MethodView):
    @requires(*ANY_ROLE)
    @blp.response(200, TownshipSchema(many=True))
    def get(self):
        """The county's townships"""
        return places.townships(current_actor())


@blp.route("/villages")
class Villages(MethodView):
    @requires(*ANY_ROLE)
    @blp.arguments(VillageFilterSchema, location="query")
    @blp.response(200, VillageSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self, query):
        """The county's villages, by township or part of the name"""
        return places.villages(current_actor(), query.get("township_code"), query.get("name"))


@blp.route("/villages/<code>/position")
class VillagePosition(MethodView):
    @requires(Role.ADMIN, Role.OFFICE)
    @blp.response(200, VillagePositionSchema)
    def get(self, code):
        """The village's position (WGS-84) and the one proposed by its verified check-ins
        (median of check-ins within 100 m accuracy, inside the county)"""
        return places.village_position(current_actor(), code)

    @requires(Role.ADMIN)
    @blp.arguments(VillagePositionInSchema)
    @blp.response(200, VillagePositionSchema)
    def put(self, data, code):
        """Set the village's position (lat/lon in `crs`), or accept the proposal (`from_checkins`)"""
        return places.set_village_position(current_actor(), code, data)

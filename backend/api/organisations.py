"""Inspected party organisations (被巡察党组织): members, accounts and 责任交接."""
from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import organisations
from .round_schemas import OrgHandoverSchema, OrganisationSchema, OrgMemberSchema
from .schemas import QuerySetPage

blp = Blueprint("organisations", __name__, url_prefix="/api/v1/organisations",
                description="Inspected party organisations: secretary and members, accounts, hand-overs")


@blp.route("")
class Organisations(MethodView):
    @requires(Role.OFFICE, Role.ADMIN, Role.ORGANISATION)
    @blp.response(200, OrganisationSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self):
        """The county's organisations (an organisation user: their own)"""
        return organisations.list_for(current_actor())


@blp.route("/<organisation_id>")
class Organisation(MethodView):
    @requires(Role.OFFICE, Role.ADMIN, Role.ORGANISATION)
    @blp.response(200, OrganisationSchema)
    def get(self, organisation_id):
        """One organisation with its members and leadership history"""
        return organisations.get(current_actor(), organisation_id)


@blp.route("/<organisation_id>/members")
class Members(MethodView):
    @requires(Role.OFFICE, Role.ADMIN)
    @blp.arguments(OrgMemberSchema)
    @blp.response(201, OrganisationSchema)
    def post(self, data, organisation_id):
        """Add a member (secretary while there is none, deputy, member, contact), with an
        `organisation` account when `username` and `password` are given"""
        return organisations.add_member(current_actor(), organisation_id, data)


@blp.route("/<organisation_id>/members/<member_id>/handover")
class Handover(MethodView):
    @requires(Role.OFFICE, Role.ADMIN)
    @blp.arguments(OrgHandoverSchema)
    @blp.response(200, OrganisationSchema)
    def post(self, data, organisation_id, member_id):
        """责任交接: the member leaves; the successor (another member, or a new person in the same
        post) takes over their open problems; a new secretary becomes 责任领导; the leaver's
        account is closed and the change recorded"""
        return organisations.hand_over(current_actor(), organisation_id, member_id, data)

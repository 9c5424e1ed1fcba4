from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..auth import current_actor, requires
from ..domain.codes import Category, Role, values
from ..errors import NotFound
from ..services import settings
from ..i18n import _

blp = Blueprint("settings", __name__, url_prefix="/api/v1/settings",
                description="The admin's settings: the evidence a resolution needs")


class EvidencePolicySchema(Schema):
    category = fields.Str(dump_only=True)
    photo_required = fields.Bool(required=True, metadata={
        "description": "resolving a ticket of this category needs at least one evidence photo (default true)"})


@blp.route("/evidence")
class EvidencePolicies(MethodView):
    @requires(Role.ADMIN, Role.OFFICE)
    @blp.response(200, EvidencePolicySchema(many=True))
    def get(self):
        """Per category: does a resolution need an evidence photo?"""
        return settings.evidence_policies(current_actor())


@blp.route("/evidence/<category>")
class EvidencePolicy(MethodView):
    @requires(Role.ADMIN)
    @blp.arguments(EvidencePolicySchema)
    @blp.response(200, EvidencePolicySchema)
    def put(self, data, category):
        """Require (or not) an evidence photo to resolve tickets of a category"""
        if category not in values(Category):
            raise NotFound(_("No category %(category)s.", category=category))
        return settings.set_evidence(current_actor(), category, data["photo_required"])

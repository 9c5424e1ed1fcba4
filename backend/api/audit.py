from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import audit
from .schemas import AuditEntrySchema, AuditFilterSchema, QuerySetPage

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit-log",
                description="Who saw personal data whole (handlers' reveals), for the office")


@blp.route("")
class AuditLog(MethodView):
    @requires(Role.OFFICE, Role.ADMIN)
    @blp.arguments(AuditFilterSchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self, query):
        """Reveals of personal data, newest first (`ticket_id` for one ticket's)"""
        return audit.entries(current_actor(), query.get("ticket_id"))

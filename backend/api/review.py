"""The 问题底稿 review queue: the round's 组长 (and the office for entries outside any
round) approves, sends back, merges or does not accept each entry — an inspector's finding
or a villager's report (码上巡视, Open311), which only this review decides."""
from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import review
from .round_schemas import (ApproveSchema, MergeSchema, ReasonSchema, ReviewEntryDetailSchema, ReviewEntrySchema,
                            ReviewFilterSchema)
from .schemas import QuerySetPage

blp = Blueprint("reviews", __name__, url_prefix="/api/v1/reviews",
                description="The 问题底稿 review: approve (with class and type), send back, merge, not accept")
REVIEWERS = (Role.INSPECTOR, Role.OFFICE)


@blp.route("")
class Queue(MethodView):
    @requires(*REVIEWERS)
    @blp.arguments(ReviewFilterSchema, location="query")
    @blp.response(200, ReviewEntrySchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self, query):
        """The entries I review (`status` pending by default; `all` for every state), oldest first"""
        status = None if query["status"] == "all" else query["status"]
        return review.list_queue(current_actor(), query["round_id"], status)


@blp.route("/<entry_id>")
class Entry(MethodView):
    @requires(*REVIEWERS)
    @blp.response(200, ReviewEntryDetailSchema)
    def get(self, entry_id):
        """One entry with its three bases, 责任主体 and decision history"""
        return review.detail(current_actor(), entry_id)


@blp.route("/<entry_id>/approve")
class Approve(MethodView):
    @requires(*REVIEWERS)
    @blp.arguments(ApproveSchema)
    @blp.response(200, ReviewEntryDetailSchema)
    def post(self, data, entry_id):
        """Approve: type (organisation, department, clue, suggestion) and, for a problem, class
        (立行立改 immediate: dispatched now; 限期 deadline: days or months; 长期 long_term: milestones).
        A villager's report is completed here (category, severity, title, the three bases) and
        may get a `public_reply` for its receipt"""
        return review.approve(current_actor(), entry_id, data)


@blp.route("/<entry_id>/return")
class SendBack(MethodView):
    @requires(*REVIEWERS)
    @blp.arguments(ReasonSchema)
    @blp.response(200, ReviewEntryDetailSchema)
    def post(self, data, entry_id):
        """Send back to the inspector with the reason (it reaches the phone through sync; the
        inspector resubmits the same client_id with a new revision); a villager's report has no
        author: 409 `no_author`"""
        return review.send_back(current_actor(), entry_id, data["reason"], data["version"])


@blp.route("/<entry_id>/merge")
class Merge(MethodView):
    @requires(*REVIEWERS)
    @blp.arguments(MergeSchema)
    @blp.response(200, ReviewEntryDetailSchema)
    def post(self, data, entry_id):
        """Merge into another pending or approved entry of the same round"""
        return review.merge(current_actor(), entry_id, data["into_id"], data["note"], data["version"])


@blp.route("/<entry_id>/reject")
class Reject(MethodView):
    @requires(*REVIEWERS)
    @blp.arguments(ReasonSchema)
    @blp.response(200, ReviewEntryDetailSchema)
    def post(self, data, entry_id):
        """Do not accept (不予采纳), with the reason (a villager's report: shown on its receipt)"""
        return review.reject(current_actor(), entry_id, data["reason"], data["version"])

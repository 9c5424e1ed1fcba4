"""Inspection rounds (一轮巡察): planning, phases, tasks, the report, feedback (反馈),
回头看 of chosen units, the round's figures and its 整改台账."""
from flask import stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import ledger, oversight, rectification, rounds
from .round_schemas import (AdvanceSchema, CaseSchema, FeedbackSchema, LookbackStartSchema, RoundDetailSchema, RoundExportSchema,
                            RoundSchema, RoundSettingsSchema, TeamSchema)
from .schemas import QuerySetPage, TaskSchema
from .downloads import file_response
from .stats import ExportSchema

blp = Blueprint("rounds", __name__, url_prefix="/api/v1/rounds",
                description="Inspection rounds (一轮巡察): villages and their organisations, the team, "
                            "phases, tasks, the report, feedback and the rectification figures")
READERS = (Role.OFFICE, Role.INSPECTOR, Role.CITY_OFFICE, Role.PROVINCE_OFFICE)


@blp.route("")
class Rounds(MethodView):
    @requires(*READERS)
    @blp.response(200, RoundSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self):
        """Rounds: the office its county's, an inspector those they are on, a city or province
        office its counties'"""
        return rounds.list_rounds(current_actor())

    @requires(Role.OFFICE)
    @blp.arguments(RoundSchema)
    @blp.response(201, RoundDetailSchema)
    def post(self, data):
        """Plan a round: villages (each with its party organisation), departments inspected,
        the team (exactly one leader, 组长), 进驻 and 反馈 dates, the rectification clocks"""
        return rounds.create(current_actor(), data)


@blp.route("/settings")
class Settings(MethodView):
    @requires(Role.OFFICE, Role.ADMIN)
    @blp.response(200, RoundSettingsSchema)
    def get(self):
        """The county's settings: 边巡边改, the rectification clocks, the evaluation checklist"""
        return rounds.settings(current_actor().county_code)

    @requires(Role.ADMIN)
    @blp.arguments(RoundSettingsSchema)
    @blp.response(200, RoundSettingsSchema)
    def put(self, data):
        """Change the county's settings (only the fields sent)"""
        return rounds.save_settings(current_actor().county_code, data)


@blp.route("/<round_id>")
class Round(MethodView):
    @requires(*READERS)
    @blp.response(200, RoundDetailSchema)
    def get(self, round_id):
        """One round with its phase history"""
        return rounds.get_visible(current_actor(), round_id)


@blp.route("/<round_id>/advance")
class Advance(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(AdvanceSchema)
    @blp.response(200, RoundDetailSchema)
    def post(self, data, round_id):
        """Move the round to its next phase (进驻 → 巡察 → 报告 → 反馈 → 整改 → 评估)"""
        return rounds.advance(current_actor(), round_id, data["note"], data["version"])


@blp.route("/<round_id>/team")
class Team(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(TeamSchema)
    @blp.response(200, RoundDetailSchema)
    def put(self, data, round_id):
        """Change the team (one leader)"""
        return rounds.update_team(current_actor(), round_id, data["team"], data["note"])


@blp.route("/<round_id>/tasks")
class RoundTasks(MethodView):
    @requires(*READERS)
    @blp.response(200, TaskSchema(many=True))
    def get(self, round_id):
        """The round's tasks"""
        return rounds.tasks_of(current_actor(), round_id)

    @requires(Role.OFFICE)
    @blp.arguments(TaskSchema)
    @blp.response(201, TaskSchema)
    def post(self, data, round_id):
        """A task of the round: some of its villages, some of its team"""
        return rounds.create_task(current_actor(), round_id, data)


@blp.route("/<round_id>/report")
class Report(MethodView):
    @requires(*READERS)
    @blp.response(200)
    def get(self, round_id):
        """The round's report: approved problems by village and by category (clues counted, not listed)"""
        return rounds.report(current_actor(), round_id)


@blp.route("/<round_id>/feedback")
class Feedback(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(FeedbackSchema)
    @blp.response(200, CaseSchema(many=True))
    def post(self, data, round_id):
        """反馈: issue each unit (or those named) its problem list at a date; its clocks start"""
        return rectification.feed_back(current_actor(), round_id, data["on"], data["unit_keys"])


@blp.route("/<round_id>/lookback")
class Lookback(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(LookbackStartSchema)
    @blp.response(201, TaskSchema)
    def post(self, data, round_id):
        """回头看 of chosen units: a task over their villages naming their closed problems; a
        finding on it with `reopens_problem_id` reopens one"""
        return rectification.start_lookback(current_actor(), round_id, data["case_ids"], data["inspector_ids"],
                                            data["days"])


@blp.route("/<round_id>/figures")
class Figures(MethodView):
    @requires(Role.OFFICE, Role.CITY_OFFICE, Role.PROVINCE_OFFICE)
    @blp.response(200)
    def get(self, round_id):
        """The round's figures per unit: 整改完成率 (销号 ÷ fed back), by class and state, overdue"""
        actor = current_actor()
        found = rounds.get_visible(actor, round_id)
        return oversight.figures_for(actor, [found.id])["counties"][0]["rounds"][0]


@blp.route("/<round_id>/ledger.csv")
class RoundLedger(MethodView):
    @requires(Role.OFFICE)
    @blp.response(200, content_type="text/csv")
    def get(self, round_id):
        """整改台账 as CSV (UTF-8 with BOM): problem, class, measures, 责任人, 责任领导, deadline,
        state, 销号 date, evidence"""
        actor = current_actor()
        found = rounds.get_visible(actor, round_id)
        params = {"kind": "rectification", "round_id": str(found.id)}
        body = stream_with_context(ledger.csv_stream(actor.county_code, params))
        return file_response(body, ledger.filename(actor.county_code, "csv").replace("ledger-", "rectification-"),
                           "text/csv; charset=utf-8")


@blp.route("/<round_id>/exports")
class RoundExports(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(RoundExportSchema)
    @blp.response(202, ExportSchema)
    def post(self, data, round_id):
        """Queue the 整改台账 export (XLSX or CSV); poll GET stats/exports/{id} for its link"""
        actor = current_actor()
        found = rounds.get_visible(actor, round_id)
        return ledger.request_export(actor, data["format"], {"kind": "rectification", "round_id": str(found.id)})

"""Rectification (整改) after 反馈, as the office (and the levels above, read-only) sees it:
each unit's case and plan, each problem, 销号, on-site checks, evaluation, the figures."""
from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..domain.documents import extension
from ..services import oversight, rectification
from ..api.schemas import DecisionSchema, QuerySetPage
from .round_schemas import (CaseDetailSchema, CaseFilterSchema, CaseSchema, CheckRequestSchema,
                            EvaluationInSchema, RectificationProblemDetailSchema, ProblemFilterSchema, RectificationProblemSchema)
from .downloads import file_response

blp = Blueprint("rectification", __name__, url_prefix="/api/v1",
                description="Rectification after feedback (整改): plans, problems, 销号, evaluation, figures")
READERS = (Role.OFFICE, Role.CITY_OFFICE, Role.PROVINCE_OFFICE, Role.ORGANISATION, Role.DEPARTMENT,
           Role.INSPECTOR)


def _case_detail(case):
    case.problems = rectification.problems_of_case(case)
    return case


@blp.route("/rectifications")
class Cases(MethodView):
    @requires(*READERS)
    @blp.arguments(CaseFilterSchema, location="query")
    @blp.response(200, CaseSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self, query):
        """Rectifications (one per inspected unit and round) that I may see"""
        return rectification.list_cases(current_actor(), query)


@blp.route("/rectifications/<case_id>")
class Case(MethodView):
    @requires(*READERS)
    @blp.response(200, CaseDetailSchema)
    def get(self, case_id):
        """One rectification: clocks, plan, report, evaluation, problems, events"""
        return _case_detail(rectification.get_case(current_actor(), case_id))


@blp.route("/rectifications/<case_id>/plan/decision")
class PlanDecision(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(DecisionSchema)
    @blp.response(200, CaseDetailSchema)
    def post(self, data, case_id):
        """Approve the 整改方案 (each problem takes its measures, 责任人 and deadline) or return it"""
        return _case_detail(rectification.decide_plan(current_actor(), case_id, data["approve"], data.get("note")))


@blp.route("/rectifications/<case_id>/evaluation")
class Evaluate(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(EvaluationInSchema)
    @blp.response(200, CaseDetailSchema)
    def post(self, data, case_id):
        """整改评估: score every checklist item 0–100; the weighted score and grade are kept"""
        return _case_detail(rectification.evaluate(current_actor(), case_id, data["scores"], data["note"]))


@blp.route("/problems")
class Problems(MethodView):
    @requires(*READERS)
    @blp.arguments(ProblemFilterSchema, location="query")
    @blp.response(200, RectificationProblemSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self, query):
        """Rectification problems that I may see (an organisation: only its own)"""
        return rectification.list_problems(current_actor(), query)


@blp.route("/problems/<problem_id>")
class Problem(MethodView):
    @requires(*READERS)
    @blp.response(200, RectificationProblemDetailSchema)
    def get(self, problem_id):
        """One problem with its bases, measures, evidence and events"""
        return rectification.get_problem(current_actor(), problem_id)


@blp.route("/problems/<problem_id>/closure")
class Closure(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(DecisionSchema)
    @blp.response(200, RectificationProblemDetailSchema)
    def post(self, data, problem_id):
        """销号 (approve) on the evidence, or send the request back with what is missing"""
        return rectification.decide_closure(current_actor(), problem_id, data["approve"], data.get("note"))


@blp.route("/problems/<problem_id>/check")
class Check(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(CheckRequestSchema)
    @blp.response(200, RectificationProblemDetailSchema)
    def post(self, data, problem_id):
        """Ask inspectors to check the fix on site before 销号 (a rectification_check task)"""
        return rectification.request_check(current_actor(), problem_id, data["inspector_ids"], data["days"])


@blp.route("/documents/<document_id>")
class Document(MethodView):
    @requires(*READERS)
    @blp.response(200, content_type="application/octet-stream")
    def get(self, document_id):
        """An evidence document (PDF, DOCX, XLSX) of a problem I may see"""
        doc, data = rectification.open_document(current_actor(), document_id)
        return file_response(data, f"{doc.id}.{extension(doc.file_type)}", doc.content_type)


@blp.route("/oversight/figures")
class Figures(MethodView):
    @requires(Role.OFFICE, Role.CITY_OFFICE, Role.PROVINCE_OFFICE)
    @blp.response(200)
    def get(self):
        """The rounds' figures grouped by county: the office its county, a city office its
        counties, a province office its cities' counties (read-only)"""
        return oversight.figures_for(current_actor())

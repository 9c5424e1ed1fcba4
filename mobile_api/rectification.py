"""The inspected unit's phone (role `organisation`, or a department user for its own
department's problems): its problems, the 整改方案, progress, evidence, 销号 requests and
the report. And the inspector's on-site check of a fix."""
from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.round_schemas import (CaseDetailSchema, CaseSchema, CheckResultSchema, ClosureRequestSchema,
                                       EvidenceSchema, PlanInSchema, RectificationProblemDetailSchema, ProblemProgressSchema,
                                       RectificationProblemSchema, TextReportSchema)
from backend.api.schemas import PhotoUploadSchema, QuerySetPage
from backend.auth import current_actor, requires
from backend.domain.codes import Role
from backend.services import rectification

blp = Blueprint("mobile_rectification", __name__, url_prefix="/api/v1/mobile/rectification",
                description="The inspected organisation's rectification on the phone (整改)")
UNIT = (Role.ORGANISATION, Role.DEPARTMENT)


def _case_detail(case):
    case.problems = rectification.problems_of_case(case)
    return case


@blp.route("/problems")
class MyProblems(MethodView):
    @requires(*UNIT)
    @blp.etag
    @blp.response(200, RectificationProblemSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self):
        """My organisation's problems (only its own)"""
        return rectification.list_problems(current_actor(), {})


@blp.route("/cases")
class MyCases(MethodView):
    @requires(*UNIT)
    @blp.response(200, CaseSchema(many=True))
    def get(self):
        """My organisation's rectifications (one per round), with their clocks"""
        return rectification.list_cases(current_actor(), {})


@blp.route("/cases/<case_id>/plan")
class Plan(MethodView):
    @requires(*UNIT)
    @blp.arguments(PlanInSchema)
    @blp.response(200, CaseDetailSchema)
    def post(self, data, case_id):
        """整改方案: a summary and, for every problem, measures, 责任人 and deadline"""
        return _case_detail(rectification.submit_plan(current_actor(), case_id, data["summary"], data["items"]))


@blp.route("/cases/<case_id>/progress")
class CaseProgress(MethodView):
    @requires(*UNIT)
    @blp.arguments(TextReportSchema)
    @blp.response(200, CaseDetailSchema)
    def post(self, data, case_id):
        """A progress report on the whole rectification"""
        return _case_detail(rectification.report_case_progress(current_actor(), case_id, data["text"]))


@blp.route("/cases/<case_id>/report")
class Report(MethodView):
    @requires(*UNIT)
    @blp.arguments(TextReportSchema)
    @blp.response(200, CaseDetailSchema)
    def post(self, data, case_id):
        """整改情况报告 at the end of the concentrated period"""
        return _case_detail(rectification.submit_report(current_actor(), case_id, data["text"]))


@blp.route("/problems/<problem_id>/progress")
class Progress(MethodView):
    @requires(*UNIT)
    @blp.arguments(ProblemProgressSchema)
    @blp.response(200, RectificationProblemDetailSchema)
    def post(self, data, problem_id):
        """进展 on one problem, naming evidence already added; `milestone` marks a 长期 milestone done"""
        return rectification.report_progress(current_actor(), problem_id, data["note"], data["photo_ids"],
                                             data["document_ids"], data["milestone"])


@blp.route("/problems/<problem_id>/evidence")
class Evidence(MethodView):
    @requires(*UNIT)
    @blp.arguments(PhotoUploadSchema, location="files")
    @blp.response(201, EvidenceSchema, description="The evidence was stored")
    @blp.alt_response(200, schema=EvidenceSchema, description="The same bytes were added before")
    def post(self, files, problem_id):
        """Add evidence (multipart `file`): a photo (JPEG, PNG, WebP, HEIC, through the photo
        pipeline) or a document (PDF, DOCX, XLSX; its type is read from its content)"""
        kind, stored, created = rectification.add_evidence(current_actor(), problem_id, files["file"])
        url = (f"/api/v1/photos/{stored.id}?size=web" if kind == "photo" else f"/api/v1/documents/{stored.id}")
        return ({"kind": kind, "id": str(stored.id), "content_type": stored.content_type, "size": stored.size,
                 "status": getattr(stored, "status", None), "filename": getattr(stored, "filename", None),
                 "url": url}, 201 if created else 200)


@blp.route("/problems/<problem_id>/closure")
class RequestClosure(MethodView):
    @requires(*UNIT)
    @blp.arguments(ClosureRequestSchema)
    @blp.response(200, RectificationProblemDetailSchema)
    def post(self, data, problem_id):
        """Ask the office for 销号, naming the evidence that proves the fix"""
        return rectification.request_closure(current_actor(), problem_id, data["note"], data["photo_ids"],
                                             data["document_ids"])


@blp.route("/problems/<problem_id>/check")
class CheckResult(MethodView):
    @requires(Role.INSPECTOR)
    @blp.arguments(CheckResultSchema)
    @blp.response(200, RectificationProblemDetailSchema)
    def post(self, data, problem_id):
        """The inspector's on-site check of a fix the office asked for: confirmed or not_fixed"""
        return rectification.record_check(current_actor(), problem_id, data["outcome"], data["note"])

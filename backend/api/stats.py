"""The county office's figures: rates, trends, league tables, overdue tickets, common
problems (共性问题) and the ledger (台账)."""
import itertools

from flask import current_app, stream_with_context, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate, validates_schema, ValidationError

from ..auth import current_actor, requires
from ..domain import windows
from ..domain.codes import Category, Role, values
from ..services import ledger, stats
from .schemas import Code, Masked, VillageCode
from ..i18n import lazy_
from .downloads import file_response

blp = Blueprint("stats", __name__, url_prefix="/api/v1/stats",
                description="The county office's rates, overdue list, common problems and ledger")


class WindowSchema(Schema):
    """Tickets created between `from` and `to` (Asia/Shanghai days, inclusive), filtered."""
    from_ = fields.Date(data_key="from", load_default=None, metadata={"description": "from 2000-01-01"})
    to = fields.Date(load_default=None, metadata={"description": "at most a year after today"})
    department = Code(64, load_default=None,
                            metadata={"description": "department code; `(none)` for tickets "
                                                     "without one (pending routing, triage)"})
    township = fields.Str(load_default=None, validate=validate.Regexp(r"^\d{9}$", error=lazy_("A township code has 9 digits.")))
    village = VillageCode(load_default=None)
    category = fields.Str(load_default=None, validate=validate.OneOf(values(Category)))

    @validates_schema
    def window_in_range(self, data, **kwargs):
        errors = windows.window_errors(data.get("from_"), data.get("to"), stats.today())
        if errors:
            raise ValidationError(errors)


def _filters(query: dict) -> dict:
    return {f: query.get(f) for f in stats.FILTERS}


class StatsQuerySchema(WindowSchema):
    group_by = fields.Str(load_default="department", validate=validate.OneOf(stats.GROUPS))
    rank_by = fields.Str(load_default="resolution_rate", validate=validate.OneOf(["resolution_rate", "composite_score"]),
                         metadata={"description": "the league table's order: resolution_rate, or composite_score "
                                                  "(响应率/解决率/满意率 weighted by SCORE_WEIGHT_*)"})
    min_tickets = fields.Int(load_default=None, validate=validate.Range(1, 10_000),
                             metadata={"description": "tickets a group needs to be ranked "
                                                      "(default STATS_MIN_TICKETS, 5)"})


class MetricsSchema(Schema):
    tickets = fields.Int()
    closed = fields.Int()
    dispatched = fields.Int()
    resolution_rate = fields.Float(allow_none=True)
    on_time_rate = fields.Float(allow_none=True)
    claim_24h_rate = fields.Float(allow_none=True)
    reopen_rate = fields.Float(allow_none=True)
    return_rate = fields.Float(allow_none=True)
    rated = fields.Int(metadata={"description": "tickets whose villager answered the 回访"})
    satisfaction_rate = fields.Float(allow_none=True, metadata={"description": "(满意 + 基本满意) ÷ rated"})
    composite_score = fields.Float(allow_none=True, metadata={
        "description": "0-100: 响应率 (claim_24h_rate), 解决率 (resolution_rate), 满意率 (satisfaction_rate) "
                       "weighted by SCORE_WEIGHT_*; a rate with no denominator leaves its weight out"})
    median_hours_to_claim = fields.Float(allow_none=True)
    median_days_to_close = fields.Float(allow_none=True)
    open_overdue = fields.Int()


class GroupMetricsSchema(MetricsSchema):
    key = fields.Str()
    label = fields.Str()
    rank = fields.Int(allow_none=True)


class MonthMetricsSchema(MetricsSchema):
    key = fields.Str(metadata={"description": "YYYY-MM"})
    label = fields.Str()


class FiltersSchema(Schema):
    department = fields.Str()
    township = fields.Str()
    village = fields.Str()
    category = fields.Str()


class StatsSchema(Schema):
    group_by = fields.Str()
    rank_by = fields.Str()
    score_weights = fields.Dict(metadata={"description": "response, resolution, satisfaction"})
    from_ = fields.Date(data_key="from", attribute="from", allow_none=True)
    to = fields.Date(allow_none=True)
    filters = fields.Nested(FiltersSchema)
    min_tickets_to_rank = fields.Int()
    total = fields.Nested(MetricsSchema)
    groups = fields.List(fields.Nested(GroupMetricsSchema))


class TrendSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="from", allow_none=True)
    to = fields.Date(allow_none=True)
    filters = fields.Nested(FiltersSchema)
    total = fields.Nested(MetricsSchema)
    months = fields.List(fields.Nested(MonthMetricsSchema))


class OverdueQuerySchema(WindowSchema):
    limit = fields.Int(load_default=100, validate=validate.Range(1, 1000))


class OverdueTicketSchema(Schema):
    id = fields.Str()
    number = fields.Str()
    title = Masked()
    category = fields.Str()
    status = fields.Str()
    department_code = fields.Str(allow_none=True)
    department_name = fields.Str(allow_none=True)
    village_code = fields.Str()
    village_name = fields.Str(allow_none=True)
    due_at = fields.AwareDateTime()
    created_at = fields.AwareDateTime()
    overdue_days = fields.Float(metadata={"description": "days since the deadline passed"})
    age_days = fields.Float(metadata={"description": "days since the ticket was opened"})


class OverdueSchema(Schema):
    total = fields.Int()
    limit = fields.Int()
    tickets = fields.List(fields.Nested(OverdueTicketSchema))


class CommonQuerySchema(WindowSchema):
    min_villages = fields.Int(load_default=3, validate=validate.Range(1, 10_000))
    min_townships = fields.Int(load_default=2, validate=validate.Range(1, 10_000))


class PlaceSchema(Schema):
    code = fields.Str()
    name = fields.Str()


class ProblemTicketSchema(Schema):
    id = fields.Str()
    number = fields.Str()
    title = Masked()
    village_code = fields.Str()


class ProblemSchema(Schema):
    kind = fields.Str(metadata={"description": "category or keyword"})
    key = fields.Str()
    label = fields.Str()
    ticket_count = fields.Int()
    department_code = fields.Str(allow_none=True, metadata={"description": "holds most of its tickets"})
    department_name = fields.Str(allow_none=True)
    villages = fields.List(fields.Nested(PlaceSchema))
    townships = fields.List(fields.Nested(PlaceSchema))
    tickets = fields.List(fields.Nested(ProblemTicketSchema))


class CommonProblemsSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="from", allow_none=True)
    to = fields.Date(allow_none=True)
    min_villages = fields.Int()
    min_townships = fields.Int()
    problems = fields.List(fields.Nested(ProblemSchema))


class ExportRequestSchema(WindowSchema):
    format = fields.Str(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))


class ExportSchema(Schema):
    id = fields.Str()
    format = fields.Str()
    status = fields.Str(metadata={"description": "queued, running, done or failed"})
    rows = fields.Int(allow_none=True)
    error = fields.Str(allow_none=True)
    params = fields.Dict()
    created_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)
    download_url = fields.Method("_download_url", allow_none=True)

    def _download_url(self, export):
        return url_for("stats.ExportFile", export_id=str(export.id)) if export.status == "done" else None


def _params(query: dict) -> dict:
    """The window and filters as stored with an export (ISO dates)."""
    out = {"from": query["from_"].isoformat() if query.get("from_") else None,
           "to": query["to"].isoformat() if query.get("to") else None, **_filters(query)}
    return {k: v for k, v in out.items() if v}


@blp.route("/resolution")
class Resolution(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(StatsQuerySchema, location="query")
    @blp.response(200, StatsSchema)
    def get(self, query):
        """Every rate of PRODUCT.md in total and grouped (a league table: groups with fewer
        than `min_tickets` tickets are listed unranked, after the ranked ones)"""
        return stats.resolution(current_actor(), query["group_by"], query["from_"], query["to"],
                                query["min_tickets"] or current_app.config["STATS_MIN_TICKETS"],
                                _filters(query), rank_by=query["rank_by"])


@blp.route("/trend")
class Trend(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(WindowSchema, location="query")
    @blp.response(200, TrendSchema)
    def get(self, query):
        """The rates month by month (months of the window without tickets included)"""
        return stats.trend(current_actor(), query["from_"], query["to"], _filters(query))


@blp.route("/overdue")
class Overdue(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(OverdueQuerySchema, location="query")
    @blp.response(200, OverdueSchema)
    def get(self, query):
        """Open tickets past their deadline, most overdue first, with their age"""
        return stats.overdue(current_actor(), query["from_"], query["to"], _filters(query), query["limit"])


@blp.route("/common-problems")
class CommonProblems(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(CommonQuerySchema, location="query")
    @blp.response(200, CommonProblemsSchema)
    def get(self, query):
        """共性问题: categories and recurring keywords found in at least `min_villages`
        villages or `min_townships` townships, with the villages and tickets behind each"""
        return stats.common_problems(current_actor(), query["from_"], query["to"],
                                     query["min_villages"], query["min_townships"], _filters(query))


@blp.route("/ledger.csv")
class LedgerCsv(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(WindowSchema, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, query):
        """The ledger (台账) as CSV (UTF-8 with BOM), streamed: any size, personal data masked"""
        actor = current_actor()
        chunks = ledger.csv_stream(actor.county_code, _params(query))
        first = next(chunks)  # a failure before the first byte is still a JSON error
        body = stream_with_context(itertools.chain([first], chunks))
        return file_response(body, ledger.filename(actor.county_code, "csv"), "text/csv; charset=utf-8")


@blp.route("/exports")
class Exports(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(ExportRequestSchema)
    @blp.response(202, ExportSchema)
    def post(self, data):
        """Queue a ledger export (XLSX: one sheet per category; or CSV); poll it for its link"""
        return ledger.request_export(current_actor(), data["format"], _params(data))


@blp.route("/exports/<export_id>")
class ExportStatus(MethodView):
    @requires(Role.OFFICE)
    @blp.response(200, ExportSchema)
    def get(self, export_id):
        """An export's status, and its `download_url` once done"""
        return ledger.get(current_actor(), export_id)


@blp.route("/exports/<export_id>/file")
class ExportFile(MethodView):
    @requires(Role.OFFICE)
    @blp.response(200, content_type="application/octet-stream")
    def get(self, export_id):
        """Download a finished export"""
        export, data = ledger.download(current_actor(), export_id)
        return file_response(data, export.file.filename or f"ledger.{export.format}",
                           export.file.content_type or "application/octet-stream")

"""The ledger (台账): every ticket of a window with its bases, department, deadline, state,
dates and latest progress, for the office's spreadsheets.

CSV (UTF-8 with a BOM so that Excel opens it) streams row by row, so it never times out
whatever the size. XLSX (one sheet per category, Chinese headers, frozen header row) is
built by a background job (`workers.exports.build_export`) and downloaded by its link.
Villagers' phone and ID numbers are masked in every cell.
"""
import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime

from bson import ObjectId

from ..auth import Actor
from ..domain import privacy
from ..domain.problems import CATEGORY_LABELS
from ..domain.text import spreadsheet_cell
from ..domain.sla import CHINA
from ..domain.states import STATUS_LABELS
from ..errors import Conflict, NotFound
from ..models import Export, Finding, Ticket
from ..models.common import utcnow
from . import file_jobs, stats
from ..i18n import _

HEADERS = ("工单编号", "类别", "标题", "问题描述", "乡镇", "村", "事实依据", "政策依据", "责任依据",
           "责任部门", "状态", "办理期限", "立单时间", "派单时间", "签收时间", "办结时间", "销号时间",
           "办理结果", "退单次数", "重新整改次数", "最新进展", "最新进展时间")
OUTCOME_LABELS = {"fixed": "已整改", "duplicate": "重复", "invalid": "无效"}
# Department reports: what the latest-progress columns show.
PROGRESS_ACTIONS = {"progress", "resolve"}
FIELDS = ("id", "number", "category", "title", "description", "township_code", "village_code",
          "department_code", "status", "outcome", "due_at", "created_at", "dispatched_at",
          "claimed_at", "resolved_at", "closed_at", "return_count", "reopen_count", "finding_id",
          "events")
BATCH = 500

mask = privacy.mask


def _when(moment: datetime | None) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if moment else ""


def _latest_progress(events: list) -> tuple[str, str]:
    for event in reversed(events or []):
        if event.get("action") in PROGRESS_ACTIONS and event.get("note"):
            return mask(event["note"]) or "", _when(event.get("at"))
    return "", ""


def _query(county_code: str, params: dict):
    start, end = params.get("from"), params.get("to")
    lo, hi = stats.bounds(date.fromisoformat(start) if start else None,
                          date.fromisoformat(end) if end else None)
    query = Ticket.objects(county_code=county_code)
    if lo:
        query = query.filter(created_at__gte=lo)
    if hi:
        query = query.filter(created_at__lt=hi)
    query = query.filter(**stats.ticket_filters(params)).only(*FIELDS)
    return query.order_by("category", "created_at", "number").as_pymongo()


def rows(county_code: str, params: dict) -> Iterator[tuple[str, list]]:
    """(category, cells) for every ticket of the window, by category then creation time."""
    names = {g: stats.labels(county_code, g) for g in ("department", "township", "village")}
    batch = []
    for ticket in _query(county_code, params):
        batch.append(ticket)
        if len(batch) == BATCH:
            yield from _rows_of(batch, names)
            batch = []
    yield from _rows_of(batch, names)


def _rows_of(tickets: list[dict], names: dict) -> Iterator[tuple[str, list]]:
    if not tickets:
        return
    findings = {f["_id"]: f for f in Finding.objects(id__in=[t["finding_id"] for t in tickets]).only(
        "id", "fact_basis", "policy_basis", "responsibility_basis").as_pymongo()}
    for t in tickets:
        finding = findings.get(t["finding_id"], {})
        progress, progress_at = _latest_progress(t.get("events"))
        department = t.get("department_code")
        yield t["category"], [
            t["number"], CATEGORY_LABELS.get(t["category"], t["category"]), mask(t["title"]),
            mask(t["description"]), names["township"].get(t["township_code"], t["township_code"]),
            names["village"].get(t["village_code"], t["village_code"]),
            mask(finding.get("fact_basis")), mask(finding.get("policy_basis")),
            mask(finding.get("responsibility_basis")),
            names["department"].get(department, department) if department else "",
            STATUS_LABELS.get(t["status"], t["status"]), _when(t.get("due_at")),
            _when(t.get("created_at")), _when(t.get("dispatched_at")), _when(t.get("claimed_at")),
            _when(t.get("resolved_at")), _when(t.get("closed_at")),
            OUTCOME_LABELS.get(t.get("outcome"), t.get("outcome") or ""),
            t.get("return_count") or 0, t.get("reopen_count") or 0, progress, progress_at,
        ]


def _source(params: dict):
    """(headers, rows, column widths) of the ledger `params` asks for: the tickets' ledger,
    or a round's 整改台账 (`kind` rectification, services/rectification_ledger.py)."""
    if (params or {}).get("kind") == "rectification":
        from . import rectification_ledger
        return rectification_ledger.HEADERS, rectification_ledger.rows, rectification_ledger.WIDTHS
    return HEADERS, rows, (20, 16, 24, 40, 12, 20, 30, 30, 30, 16, 12, 17, 17, 17, 17, 17, 17, 10, 8, 8, 30, 17)


def csv_stream(county_code: str, params: dict, counted: list | None = None) -> Iterator[bytes]:
    """The CSV ledger as UTF-8 with a BOM, a few hundred rows per chunk. Appends the number
    of rows to `counted` at the end, if given."""
    headers, source, _widths = _source(params)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    count = 0
    for _, cells in source(county_code, params):
        writer.writerow([spreadsheet_cell(cell) for cell in cells])
        count += 1
        if count % 200 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
    if counted is not None:
        counted.append(count)


def write_xlsx(county_code: str, params: dict, target) -> int:
    """The XLSX ledger into the binary file `target`: one sheet per category (its Chinese
    name), Chinese headers, the header row frozen. Returns the number of tickets."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    headers, source, widths = _source(params)
    book = Workbook(write_only=True)
    sheet, current, count = None, None, 0
    for category, cells in source(county_code, params):
        if category != current:
            sheet, current = _sheet(book, category, Font, WriteOnlyCell, headers, widths), category
        sheet.append([spreadsheet_cell(cell) for cell in cells])
        count += 1
    if sheet is None:
        _sheet(book, None, Font, WriteOnlyCell, headers, widths)
    book.save(target)
    return count


def _sheet(book, category, Font, WriteOnlyCell, headers=HEADERS, widths=()):
    title = CATEGORY_LABELS.get(category, category) if category else "台账"
    sheet = book.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "", title)[:31])
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJKLMNOPQRSTUV", widths):
        sheet.column_dimensions[column].width = width
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    return sheet


def filename(county_code: str, fmt: str) -> str:
    return f"ledger-{county_code}-{utcnow().astimezone(CHINA):%Y%m%d-%H%M}.{fmt}"


# ---------------------------------------------------------------- background exports

def request_export(actor: Actor, fmt: str, params: dict) -> Export:
    """Queue a ledger export; the job builds the file and the export's link serves it."""
    return file_jobs.queue(Export(county_code=actor.county_code, requested_by=actor.id, format=fmt, params=params),
                           "workers.exports.build_export", "export-{id}",
                           _("The job queue cannot take the export right now; try again in a minute, "
                             "or download the CSV, which streams without a job."))


def build(export_id: str) -> Export | None:
    """Build an export's file. Safe to run twice: a finished export is left as it is."""
    def make(export: Export):
        buffer = io.BytesIO()
        if export.format == "xlsx":
            count = write_xlsx(export.county_code, export.params, buffer)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            counted = []
            for chunk in csv_stream(export.county_code, export.params, counted):
                buffer.write(chunk)
            count = counted[0]
            content_type = "text/csv; charset=utf-8"
        return buffer.getvalue(), content_type, filename(export.county_code, export.format), {"rows": count}
    return file_jobs.build(Export, export_id, make)


def get(actor: Actor, export_id: str) -> Export:
    export = (Export.objects(id=export_id, county_code=actor.county_code).first()
              if ObjectId.is_valid(export_id) else None)
    if export is None:
        raise NotFound(_("No export %(export_id)s in your county.", export_id=export_id))
    return export


def download(actor: Actor, export_id: str) -> tuple[Export, bytes]:
    export = get(actor, export_id)
    if export.status != "done":
        raise Conflict(_("The export is %(status)s, not ready yet; ask its status again in a few seconds.",
                         status=export.status), code="export_not_ready")
    return export, export.file.read()

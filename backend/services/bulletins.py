"""The monthly bulletin (通报): one printable PDF for the county with the month's rates by
department, the overdue tickets, the common problems, the suggestions and their replies,
and the accountability decisions. Clues are never in it.

Built by a background job (`workers.bulletins.build_bulletin`), like the ledger exports,
and downloaded by the office. The Chinese font is embedded (backend/pdf.py).
"""
from datetime import date, datetime, time

from bson import ObjectId
from flask import current_app

from .. import pdf
from ..auth import Actor
from ..domain.accountability import FORM_LABELS, Form
from ..domain.codes import Role
from ..domain.sla import CHINA
from ..domain.suggestions import STATUS_LABELS as SUGGESTION_LABELS
from ..domain.suggestions import SuggestionStatus
from ..errors import Conflict, InvalidInput, NotFound
from ..i18n import _
from ..models import AccountabilityDecision, Bulletin, County
from ..models.common import utcnow
from . import departments, file_jobs, stats, suggestions
from ..domain.privacy import mask

OVERDUE_LISTED = 50
PROBLEMS_LISTED = 20


def month_bounds(month: str) -> tuple[date, date]:
    """The first and last day of YYYY-MM."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise InvalidInput(_("A month is YYYY-MM."), errors={"month": [_("YYYY-MM")]})
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, date.fromordinal(nxt.toordinal() - 1)


def request(actor: Actor, month: str) -> Bulletin:
    """Queue the month's bulletin; the job builds the PDF, its link serves it."""
    first, _last = month_bounds(month)
    if first > utcnow().astimezone(CHINA).date():
        raise InvalidInput(_("That month has not begun yet."), errors={"month": [_("In the future.")]})
    return file_jobs.queue(Bulletin(county_code=actor.county_code, month=month, requested_by=actor.id),
                           "workers.bulletins.build_bulletin", "bulletin-{id}",
                           _("The job queue cannot take the bulletin right now; try again in a minute."))


def build(bulletin_id: str) -> Bulletin | None:
    """Build a bulletin's PDF. Safe to run twice: a finished bulletin is left as it is."""
    def make(bulletin: Bulletin):
        data, pages, summary = render(bulletin.county_code, bulletin.month, bulletin.requested_by)
        return data, "application/pdf", ascii_filename(bulletin), {"pages": pages, "summary": summary}
    return file_jobs.build(Bulletin, bulletin_id, make)


def filename(bulletin: Bulletin) -> str:
    """The name it is saved under: 沂水县对村巡察整改工作通报-2026-11.pdf."""
    county = County.objects(code=bulletin.county_code).only("name").first()
    return f"{county.name if county else bulletin.county_code}对村巡察整改工作通报-{bulletin.month}.pdf"


def ascii_filename(bulletin: Bulletin) -> str:
    """The name for a client that cannot read a Chinese one."""
    return f"bulletin-{bulletin.county_code}-{bulletin.month}.pdf"


def _rate(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _day(moment: datetime | None) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%d") if moment else ""


def render(county_code: str, month: str, requested_by: ObjectId) -> tuple[bytes, int, dict]:
    """The bulletin's PDF, its page count and the figures it printed."""
    font = pdf.register_font(current_app.config["PDF_FONT"])
    first, last = month_bounds(month)
    actor = Actor(requested_by, "system", Role.OFFICE.value, county_code, None)
    county = County.objects(code=county_code).first()
    county_name = county.name if county else county_code
    names = departments.names(county_code)

    rates = stats.resolution(actor, "department", first, last, current_app.config["STATS_MIN_TICKETS"])
    late = stats.overdue(actor, None, last, limit=OVERDUE_LISTED)
    common = stats.common_problems(actor, first, last, 3, 2)["problems"][:PROBLEMS_LISTED]
    start = datetime.combine(first, time.min, CHINA)
    end = datetime.combine(date.fromordinal(last.toordinal() + 1), time.min, CHINA)
    owed = suggestions.in_month(county_code, start, end)
    decisions = list(AccountabilityDecision.objects(county_code=county_code, decided_on__gte=first.isoformat(),
                                                    decided_on__lte=last.isoformat()).order_by("decided_on"))

    doc = pdf.Document(title=f"{county_name}对村巡察整改工作通报",
                       subtitle=f"{first.year}年{first.month}月　县委巡察办　"
                                f"{utcnow().astimezone(CHINA):%Y年%m月%d日}印发", font=font)
    total = rates["total"]
    doc.heading("一、总体情况")
    doc.paragraph(f"本月新立民生工单{total['tickets']}件，已销号{total['closed']}件，办结率{_rate(total['resolution_rate'])}，"
                  f"按时办结率{_rate(total['on_time_rate'])}，24小时签收率{_rate(total['claim_24h_rate'])}，"
                  f"重新整改率{_rate(total['reopen_rate'])}，退单率{_rate(total['return_rate'])}；"
                  f"截至月末超期未办结工单{late['total']}件。")
    doc.heading("二、各部门办理情况")
    doc.table(["排名", "责任部门", "工单", "销号", "办结率", "按时办结率", "超期未办结"],
              [[g["rank"] or "—", g["label"], g["tickets"], g["closed"], _rate(g["resolution_rate"]),
                _rate(g["on_time_rate"]), g["open_overdue"]] for g in rates["groups"]],
              widths=[0.08, 0.32, 0.1, 0.1, 0.13, 0.14, 0.13])
    doc.heading("三、超期未办结工单")
    if late["tickets"]:
        doc.table(["工单编号", "问题", "责任部门", "村", "超期天数"],
                  [[t["number"], mask(t["title"]), t["department_name"] or "", t["village_name"] or "",
                    t["overdue_days"]] for t in late["tickets"]], widths=[0.22, 0.33, 0.2, 0.15, 0.1])
    else:
        doc.paragraph("无。")
    doc.heading("四、共性问题")
    if common:
        doc.table(["问题", "工单", "涉及村", "主要责任部门"],
                  [[p["label"], p["ticket_count"], "、".join(v["name"] for v in p["villages"][:8]),
                    p["department_name"] or ""] for p in common], widths=[0.25, 0.1, 0.45, 0.2])
    else:
        doc.paragraph("本月未发现跨村、跨乡镇的共性问题。")
    doc.heading("五、意见建议及反馈")
    if owed:
        doc.table(["编号", "建议", "部门", "反馈期限", "状态", "反馈的整改措施和制度"],
                  [[s.number, mask(s.title), names.get(s.department_code, s.department_code), _day(s.due_at),
                    SUGGESTION_LABELS[SuggestionStatus(s.status)] + ("（超期）" if s.overdue else ""),
                    mask(s.measures or "") + ("；制度：" + "、".join(mask(r) for r in s.rules) if s.rules else "")]
                   for s in owed], widths=[0.17, 0.2, 0.15, 0.12, 0.1, 0.26])
    else:
        doc.paragraph("无。")
    doc.heading("六、问责情况")
    if decisions:
        counts = "，".join(f"{FORM_LABELS[f]}{sum(1 for d in decisions if d.form == f.value)}人次"
                          for f in Form if any(d.form == f.value for d in decisions))
        doc.paragraph(f"本月问责{len(decisions)}人次：{counts}。")
        doc.table(["决定日期", "被问责人", "部门", "方式", "事由"],
                  [[d.decided_on, d.person_name + (f"（{d.person_position}）" if d.person_position else ""),
                    names.get(d.department_code, d.department_code or ""), FORM_LABELS[Form(d.form)], mask(d.reason)]
                   for d in decisions], widths=[0.13, 0.2, 0.2, 0.12, 0.35])
    else:
        doc.paragraph("本月无问责。")
    data, pages = doc.render()
    summary = {"tickets": total["tickets"], "closed": total["closed"], "resolution_rate": total["resolution_rate"],
               "overdue": late["total"], "common_problems": len(common), "suggestions": len(owed),
               "accountability": len(decisions)}
    return data, pages, summary


def get(actor: Actor, bulletin_id: str) -> Bulletin:
    bulletin = (Bulletin.objects(id=bulletin_id, county_code=actor.county_code).first()
                if ObjectId.is_valid(bulletin_id) else None)
    if bulletin is None:
        raise NotFound(_("No bulletin %(id)s in your county.", id=bulletin_id))
    return bulletin


def list_bulletins(actor: Actor, limit: int) -> list[Bulletin]:
    return list(Bulletin.objects(county_code=actor.county_code).exclude("file").order_by("-created_at")[:limit])


def download(actor: Actor, bulletin_id: str) -> tuple[Bulletin, bytes]:
    bulletin = get(actor, bulletin_id)
    if bulletin.status != "done":
        raise Conflict(_("The bulletin is %(status)s, not ready yet; ask again in a few seconds.",
                         status=bulletin.status), code="bulletin_not_ready")
    return bulletin, bulletin.file.read()

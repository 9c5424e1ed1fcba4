"""The monthly bulletin (通报): built by a job as a PDF with the Chinese font embedded, read
back with pypdf: the rates, overdue tickets, common problems, suggestions and their
replies, accountability — and no clue."""
import io
from urllib.parse import quote
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader

from backend.domain.sla import CHINA
from conftest import approve_as_clue

OFFICE = "office"


def build(api, run_jobs, month):
    queued = api.post("/api/v1/bulletins", as_=OFFICE, json={"month": month})
    assert queued.status_code == 202, queued.get_json()
    assert queued.get_json()["status"] == "queued" and queued.get_json()["download_url"] is None
    run_jobs()
    return api.get(f"/api/v1/bulletins/{queued.get_json()['id']}", as_=OFFICE).get_json()


def fonts_of(reader):
    """(base font name, embedded?) of every font the pages use."""
    out = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptors = [font.get("/FontDescriptor")] + [d.get_object().get("/FontDescriptor")
                                                          for d in font.get("/DescendantFonts", [])]
            embedded = any(d is not None and "/FontFile2" in d.get_object() for d in descriptors)
            out.add((str(font["/BaseFont"]), embedded))
    return out


def test_the_bulletin_prints_the_months_figures_suggestions_and_decisions_but_no_clue(app, api, submit, run_jobs):
    from backend.models import Ticket
    for task, village in ((0, "371323001001"), (0, "371323001002"), (1, "371323101200")):
        submit(task_index=task, village_code=village, title="自来水水质浑浊", description="自来水水质浑浊")
    late = submit(title="<b>注入</b>&路灯不亮", description="村口路灯不亮，联系人13812345678。").get_json()
    clue = submit(category="misconduct", title="村干部优亲厚友线索", description="不得出现在通报中").get_json()
    approve_as_clue(submit.api, clue["id"])
    run_jobs()
    with app.app_context():
        Ticket.objects(id=late["ticket_id"]).update_one(set__due_at=datetime.now(UTC) - timedelta(days=3))
    assert app.test_cli_runner().invoke(args=["stats", "rebuild"]).exit_code == 0
    number = api.get(f"/api/v1/tickets/{late['ticket_id']}", as_=OFFICE).get_json()["number"]
    made = api.post("/api/v1/suggestions", as_=OFFICE, json={
        "department_code": "water_resources", "title": "关于加强农村饮水安全的建议", "content": "开展水质检测"}).get_json()
    api.post(f"/api/v1/suggestions/{made['id']}/reply", as_="dept-water_resources",
             json={"measures": "完成全县水质检测", "rules": ["农村供水水质检测办法"]})
    today = datetime.now(CHINA).date().isoformat()
    r = api.post("/api/v1/accountability/decisions", as_=OFFICE, json={
        "target_kind": "ticket", "target_id": late["ticket_id"], "person_name": "张某某", "person_position": "副局长",
        "form": "public_criticism", "decided_on": today, "reason": "整改不力，超期未办结"})
    assert r.status_code == 201, r.get_json()

    month = datetime.now(CHINA).strftime("%Y-%m")
    bulletin = build(api, run_jobs, month)
    assert bulletin["status"] == "done", bulletin
    assert bulletin["pages"] >= 1 and bulletin["download_url"].endswith("/file")
    assert bulletin["summary"]["tickets"] == 4 and bulletin["summary"]["overdue"] == 1
    download = api.get(bulletin["download_url"], as_=OFFICE)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    # Saved under its Chinese name (RFC 6266: UTF-8 in filename*, an ASCII name beside it),
    # never cached on the way, never sniffed into another type.
    assert download.headers["Content-Disposition"] == (
        f"attachment; filename=\"bulletin-371323-{month}.pdf\"; "
        f"filename*=UTF-8''{quote(f'沂水县对村巡察整改工作通报-{month}.pdf')}")
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    reader = PdfReader(io.BytesIO(download.data))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    for expected in ("沂水县对村巡察整改工作通报", "一、总体情况", "二、各部门办理情况", "沂水县水利局",
                     "三、超期未办结工单", number, "四、共性问题", "自来水", "五、意见建议及反馈",
                     "关于加强农村饮水安全的建议", "完成全县水质检测", "农村供水水质检测办法",
                     "六、问责情况", "张某某", "通报批评"):
        assert expected in text, expected
    assert "<b>注入</b>&路灯不亮" in text          # printed as typed, never read as markup
    assert "优亲厚友" not in text and "XS" not in text and "misconduct" not in text
    fonts = fonts_of(reader)
    assert fonts and all(embedded for name, embedded in fonts if name != "/Helvetica")
    assert any("WenQuanYiZenHei" in name and embedded for name, embedded in fonts)

    listed = api.get("/api/v1/bulletins", as_=OFFICE).get_json()
    assert [b["id"] for b in listed] == [bulletin["id"]]
    assert api.get("/api/v1/bulletins", as_="dept-water_resources").status_code == 403


def test_without_a_chinese_font_the_bulletin_fails_saying_what_to_install(app, api, run_jobs, monkeypatch):
    # (monkeypatch: the job runs in this process, where the setting is changed)
    monkeypatch.setitem(app.config, "PDF_FONT", "/nonexistent/font.ttf")
    bulletin = build(api, run_jobs, datetime.now(CHINA).strftime("%Y-%m"))
    assert bulletin["status"] == "failed" and "fonts-wqy-zenhei" in bulletin["error"]
    assert api.get(f"/api/v1/bulletins/{bulletin['id']}/file", as_=OFFICE).get_json()["code"] == "bulletin_not_ready"


def test_a_bulletin_month_is_yyyy_mm_and_not_in_the_future(api):
    assert api.post("/api/v1/bulletins", as_=OFFICE, json={"month": "2026-13"}).status_code == 422
    future = (datetime.now(CHINA) + timedelta(days=62)).strftime("%Y-%m")
    assert api.post("/api/v1/bulletins", as_=OFFICE, json={"month": future}).status_code == 422

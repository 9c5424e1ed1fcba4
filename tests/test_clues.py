"""Problem clues (问题线索): a misconduct finding becomes a clue in its own confidential
loop — registered, transferred with a document to named handlers, fed back — which no
ticket list, figure, export or phone shows, and every read of which is audited."""
import io
import re
import uuid
import zipfile
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import PASSWORD, approve_as_clue, finding_payload
from workers.jobs import sweep_reply_clocks

OFFICE, HANDLER, OTHER_HANDLER = "office", "dept-discipline_commission", "discipline-2"
MARK = "线索标记甲乙丙"


@pytest.fixture
def second_handler(app):
    from backend.services.accounts import upsert_user
    with app.app_context():
        return str(upsert_user(OTHER_HANDLER, PASSWORD, "department", "371323", "discipline_commission").id)


def user_id(api, username):
    users = api.get("/api/v1/users?page_size=100", as_=OFFICE).get_json()
    return next(u["id"] for u in users if u["username"] == username)


def misconduct(submit, **overrides):
    """A misconduct finding, typed a clue by its reviewer (the office, outside any round)."""
    fields = {"category": "misconduct", "title": f"村干部优亲厚友{MARK}",
              "description": f"群众反映村支书为亲属违规办理低保。{MARK}", **overrides}
    r = submit(**fields)
    assert r.status_code == 201, r.get_json()
    approve_as_clue(submit.api, r.get_json()["id"])
    return r.get_json()


def only_clue(api):
    clues = api.get("/api/v1/clues", as_=OFFICE).get_json()["clues"]
    assert len(clues) == 1, clues
    return clues[0]


def transfer(api, clue_id, handlers=(HANDLER,), **extra):
    ids = [user_id(api, h) for h in handlers]
    return api.post(f"/api/v1/clues/{clue_id}/transfer", as_=OFFICE,
                    json={"receiver": "discipline_commission", "handler_ids": ids, **extra})


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_misconduct_finding_is_registered_as_a_numbered_clue_and_no_ticket(api, run_jobs):
    payload = finding_payload(api.task_id(), category="misconduct", title=f"村干部优亲厚友{MARK}")
    payload["immediate"] = True  # even the inspector's 立行立改 mark never dispatches a clue
    r = api.post("/api/v1/mobile/findings", as_="inspector1", json=payload)
    assert r.status_code == 201, r.get_json()
    finding = r.get_json()
    assert finding["ticket_id"] is None and finding["nearby_open_tickets"] == []
    assert api.get("/api/v1/clues", as_=OFFICE).get_json()["clues"] == []  # waits for its review
    approve_as_clue(api, finding["id"])
    mine = api.get("/api/v1/mobile/findings", as_="inspector1").get_json()
    assert next(f for f in mine if f["id"] == finding["id"])["clue_status"] == "transferred"
    assert run_jobs() == 0  # nothing to route
    assert api.get("/api/v1/tickets", as_=OFFICE).get_json() == []

    clue = only_clue(api)
    year = datetime.now().year
    assert re.fullmatch(rf"371323-XS-{year}-0001", clue["number"])
    assert (clue["status"], clue["source"], clue["receiver"]) == ("registered", "finding", None)
    detail = api.get(f"/api/v1/clues/{clue['id']}", as_=OFFICE).get_json()
    assert detail["finding_id"] == finding["id"]
    assert detail["fact_basis"].startswith("现场查看") and [e["action"] for e in detail["events"]] == ["register"]

    # A replay of the same finding registers nothing more; the next clue takes the next number.
    again = api.post("/api/v1/mobile/findings", as_="inspector1", json=payload)
    assert again.status_code == 200 and again.get_json()["clue_status"] == "transferred"
    r = api.post("/api/v1/clues", as_=OFFICE, json={"title": "来信反映村会计挪用公款", "description": "来信。",
                                                    "subject": "某村会计", "village_code": "371323001002"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["number"].endswith("-0002") and r.get_json()["source"] == "letter"
    assert api.get("/api/v1/clues", as_=OFFICE).get_json()["total"] == 2


def test_registering_by_hand_checks_its_fields(api):
    bad = api.post("/api/v1/clues", as_=OFFICE, json={"title": "x", "description": "y", "village_code": "410225001001"})
    assert bad.status_code == 422 and "village_code" in bad.get_json()["errors"]
    assert api.post("/api/v1/clues", as_=OFFICE, json={"title": "x"}).status_code == 422
    assert api.post("/api/v1/clues", as_="dept-discipline_commission",
                    json={"title": "x", "description": "y"}).status_code == 403


def test_transfer_feedback_and_the_offices_figures(api, submit):
    misconduct(submit)
    clue = only_clue(api)
    r = transfer(api, clue["id"], note="请核查")
    assert r.status_code == 200, r.get_json()
    moved = r.get_json()
    assert (moved["status"], moved["receiver"]) == ("transferred", "discipline_commission")
    assert [h["username"] for h in moved["handlers"]] == [HANDLER]
    # Feedback is due three months on, at the end of that day (Asia/Shanghai).
    due = datetime.fromisoformat(moved["due_at"]).astimezone(datetime.now().astimezone().tzinfo)
    transferred = datetime.fromisoformat(moved["transferred_at"])
    assert 89 <= (due - transferred).days <= 92
    again = transfer(api, clue["id"]).get_json()
    assert again["code"] == "invalid_transition"
    assert again["message"] == "该线索当前为「已移交」，不能进行此操作（仅在「已登记」时可以）。"
    english = api.client.post(f"/api/v1/clues/{clue['id']}/transfer", headers={
        **api.headers(OFFICE), "Accept-Language": "en"}, json={"receiver": "discipline_commission",
                                                            "handler_ids": [user_id(api, HANDLER)]})
    assert english.get_json()["message"] == ("This clue is transferred: it cannot be done now "
                                             "(only when it is registered).")

    # The transfer letter was generated as a PDF with the clue's number, in Chinese.
    [letter] = moved["documents"]
    assert (letter["kind"], letter["generated"], letter["content_type"]) == ("transfer", True, "application/pdf")
    download = api.get(f"/api/v1/clues/{clue['id']}/documents/{letter['id']}", as_=HANDLER)
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert (download.headers["Cache-Control"], download.headers["X-Content-Type-Options"]) == ("no-store", "nosniff")
    text = pdf_text(download.data)
    assert "问题线索移交函" in text and clue["number"] in text and "优亲厚友" in text

    # The named handler feeds back; a later disposition replaces the first.
    r = api.post(f"/api/v1/clues/{clue['id']}/feedback", as_=HANDLER,
                 json={"disposition": "preliminary_check", "note": "已初步核实，问题基本属实。"})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["status"], r.get_json()["fed_back_on_time"]) == ("fed_back", True)
    r = api.post(f"/api/v1/clues/{clue['id']}/feedback", as_=HANDLER,
                 json={"disposition": "case_opened", "note": "经初核，已立案审查。"})
    assert r.get_json()["disposition"] == "case_opened"
    assert [e["action"] for e in r.get_json()["events"]] == ["register", "transfer", "feedback", "feedback"]
    bad = api.post(f"/api/v1/clues/{clue['id']}/feedback", as_=HANDLER, json={"disposition": "forgiven", "note": "x"})
    assert bad.status_code == 422

    figures = api.get("/api/v1/clues/figures", as_=OFFICE).get_json()
    assert {k: figures[k] for k in ("registered", "transferred", "fed_back", "fed_back_on_time", "overdue")} == {
        "registered": 1, "transferred": 1, "fed_back": 1, "fed_back_on_time": 1, "overdue": 0}
    by = {d["disposition"]: d["clues"] for d in figures["by_disposition"]}
    assert by == {"talk_inquiry": 0, "preliminary_check": 0, "hold": 0, "closed_out": 0, "case_opened": 1}
    assert figures["by_receiver"][0] == {"receiver": "discipline_commission", "transferred": 1,
                                         "fed_back": 1, "overdue": 0}
    assert api.get("/api/v1/clues/figures", as_=HANDLER).status_code == 403


def test_an_uploaded_transfer_document_must_be_what_its_bytes_say(api, submit):
    misconduct(submit)
    clue = only_clue(api)
    url = f"/api/v1/clues/{clue['id']}/documents?kind=transfer"
    fake = api.post(url, as_=OFFICE, data={"file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "letter.pdf")},
                    content_type="multipart/form-data")
    assert fake.status_code == 415 and fake.get_json()["code"] == "unsupported_media_type"

    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    up = api.post(url, as_=OFFICE, data={"file": (io.BytesIO(docx.getvalue()), "移交函.bin")},
                  content_type="multipart/form-data")
    assert up.status_code == 201, up.get_json()
    assert up.get_json()["content_type"].endswith("wordprocessingml.document")
    assert api.post(url, as_="dept-discipline_commission", data={"file": (io.BytesIO(docx.getvalue()), "x.docx")},
                    content_type="multipart/form-data").status_code == 404  # not transferred: not theirs

    unknown = transfer(api, clue["id"], document_id=str(uuid.uuid4().hex[:24]))
    assert unknown.status_code == 422 and "document_id" in unknown.get_json()["errors"]
    moved = transfer(api, clue["id"], document_id=up.get_json()["id"]).get_json()
    assert moved["transfer_document_id"] == up.get_json()["id"] and len(moved["documents"]) == 1


def test_handlers_are_users_of_the_receiver_and_only_they_see_the_clue(api, submit, second_handler):
    misconduct(submit)
    clue = only_clue(api)
    wrong = transfer(api, clue["id"], handlers=("dept-transport",))
    assert wrong.status_code == 422 and "handler_ids" in wrong.get_json()["errors"]
    assert api.get(f"/api/v1/clues/{clue['id']}", as_=HANDLER).status_code == 404  # not transferred yet
    assert transfer(api, clue["id"]).status_code == 200
    assert api.get(f"/api/v1/clues/{clue['id']}", as_=HANDLER).status_code == 200
    refused = api.get(f"/api/v1/clues/{clue['id']}", as_=OTHER_HANDLER)
    assert refused.status_code == 404 and refused.get_json()["message"] == f"没有您可查看的线索 {clue['id']}。"
    assert api.get("/api/v1/clues", as_=OTHER_HANDLER).get_json()["clues"] == []
    assert api.post(f"/api/v1/clues/{clue['id']}/feedback", as_=OTHER_HANDLER,
                    json={"disposition": "hold", "note": "x"}).status_code == 404

    r = api.post(f"/api/v1/clues/{clue['id']}/handlers", as_=OFFICE, json={"handler_ids": [second_handler]})
    assert r.status_code == 200 and [h["username"] for h in r.get_json()["handlers"]] == [OTHER_HANDLER]
    assert api.get(f"/api/v1/clues/{clue['id']}", as_=HANDLER).status_code == 404
    assert api.get(f"/api/v1/clues/{clue['id']}", as_=OTHER_HANDLER).status_code == 200


def everyone(app):
    from backend.models import User
    with app.app_context():
        return [u.username for u in User.objects(county_code="371323", active=True)]


def test_no_role_list_figure_export_or_phone_shows_a_clue_but_the_office_and_its_handler(
        app, api, submit, run_jobs, second_handler):
    # Three clues in three villages of two townships share a keyword: as tickets they would
    # be a common problem. An ordinary ticket stands beside them, at the same place.
    for task, village in ((0, "371323001001"), (0, "371323001002"), (1, "371323101200")):
        misconduct(submit, task_index=task, village_code=village)
    ordinary = submit(title="道路坑洼", description="低保户门前道路坑洼。")
    assert ordinary.status_code == 201
    run_jobs()
    clue = api.get("/api/v1/clues", as_=OFFICE).get_json()["clues"][0]
    assert transfer(api, clue["id"]).status_code == 200
    numbers = [c["number"] for c in api.get("/api/v1/clues", as_=OFFICE).get_json()["clues"]]

    def clean(body: str, who: str, where: str) -> None:
        assert MARK not in body and "优亲厚友" not in body, (who, where)
        assert not any(n in body for n in numbers), (who, where)
        assert "misconduct" not in body, (who, where)

    # Every department user but the named handler; every inspector; the admin.
    for who in everyone(app):
        if who in (OFFICE, HANDLER):
            continue
        for clue_row in api.get("/api/v1/clues", as_=OFFICE).get_json()["clues"]:
            assert api.get(f"/api/v1/clues/{clue_row['id']}", as_=who).status_code == 404, who
        listed = api.get("/api/v1/clues", as_=who)
        assert listed.status_code in (200, 403), who
        if listed.status_code == 200:
            assert listed.get_json()["clues"] == [], who
        role_lists = {"department": ["/api/v1/tickets"],
                      "inspector": ["/api/v1/mobile/tickets", "/api/v1/mobile/sync"], "admin": []}
        role = api.get("/api/v1/me", as_=who).get_json()["role"]
        if who == "inspector1":  # their own findings are in their sync: see below
            role_lists["inspector"] = ["/api/v1/mobile/tickets"]
        for path in role_lists[role]:
            clean(api.get(path, as_=who).get_data(as_text=True), who, path)

    # The inspector who found them: the findings say only "transferred", nothing more.
    for path in ("/api/v1/mobile/findings", "/api/v1/mobile/sync"):
        body = api.get(path, as_="inspector1").get_json()
        found = body if isinstance(body, list) else body["findings"]
        handed = [f for f in found if f["category"] == "misconduct"]
        assert handed and all(f["clue_status"] == "transferred" and f["ticket_id"] is None for f in handed)
        text = api.get(path, as_="inspector1").get_data(as_text=True)
        assert not any(n in text for n in numbers) and "discipline_commission" not in text
        assert "disposition" not in text and '"handlers"' not in text and "receiver" not in text
    # A new finding at the same place is offered no clue as a nearby ticket.
    near = misconduct(submit)
    assert near["nearby_open_tickets"] == []
    near = submit(category="misconduct", title="又一条", description="同一地点").get_json()
    assert near["nearby_open_tickets"] == []
    approve_as_clue(api, near["id"])

    # The office's ticket lists, rates, common problems and ledgers: no clue anywhere.
    for path in ("/api/v1/tickets", "/api/v1/stats/resolution?group_by=category", "/api/v1/stats/trend",
                 "/api/v1/stats/overdue", "/api/v1/stats/common-problems?min_villages=1&min_townships=1",
                 "/api/v1/stats/ledger.csv"):
        r = api.get(path, as_=OFFICE)
        assert r.status_code == 200, path
        clean(r.get_data(as_text=True), OFFICE, path)
    problems = api.get("/api/v1/stats/common-problems?min_villages=1&min_townships=1", as_=OFFICE).get_json()
    assert problems["problems"] and all(p["ticket_count"] == 1 for p in problems["problems"])
    export = api.post("/api/v1/stats/exports", as_=OFFICE, json={"format": "xlsx"}).get_json()
    run_jobs()
    data = api.get(f"/api/v1/stats/exports/{export['id']}/file", as_=OFFICE).data
    cells = " ".join(str(c) for ws in load_workbook(io.BytesIO(data)).worksheets
                     for row in ws.iter_rows(values_only=True) for c in row if c)
    clean(cells, OFFICE, "ledger.xlsx")
    assert "道路坑洼" in cells

    # Only the office and the named handler see the clue.
    assert api.get("/api/v1/clues", as_=OFFICE).get_json()["total"] == 5
    assert [c["id"] for c in api.get("/api/v1/clues", as_=HANDLER).get_json()["clues"]] == [clue["id"]]
    assert api.get(f"/api/v1/clues/{clue['id']}", as_=HANDLER).status_code == 200


def test_every_read_of_a_clue_is_in_the_audit_log(api, submit, second_handler):
    misconduct(submit)
    clue = only_clue(api)
    transfer(api, clue["id"])
    api.get(f"/api/v1/clues/{clue['id']}", as_=HANDLER)
    api.get("/api/v1/clues", as_=HANDLER)
    api.get(f"/api/v1/clues/{clue['id']}", as_=OTHER_HANDLER)
    api.get(f"/api/v1/clues/{clue['id']}", as_="inspector1")
    api.get("/api/v1/clues", as_=OTHER_HANDLER)  # sees none: nothing of this clue read

    log = api.get(f"/api/v1/clues/audit?clue_id={clue['id']}", as_=OFFICE).get_json()
    seen = [(e["actor_name"], e["action"]) for e in reversed(log)]
    assert seen == [(OFFICE, "list"), (OFFICE, "transfer"), (HANDLER, "detail"), (HANDLER, "list"),
                    (OTHER_HANDLER, "denied"), ("inspector1", "denied")]
    assert api.get("/api/v1/clues/audit", as_=HANDLER).status_code == 403


def test_feedback_is_reminded_then_overdue_then_escalated_each_once(app, api, submit):
    from backend.models import Notification
    from backend.services import notifications

    api.patch(f"/api/v1/users/{user_id(api, HANDLER)}", as_="admin", json={"phone": "13800001111"})
    api.patch(f"/api/v1/users/{user_id(api, 'dept-organization_dept')}", as_="admin", json={"phone": "13800002222"})
    misconduct(submit)
    clue = transfer(api, only_clue(api)["id"]).get_json()

    def at(field, **delta):
        return (datetime.fromisoformat(clue[field]) + timedelta(**delta)).isoformat()
    assert sweep_reply_clocks(at("remind_at", minutes=-1))["clues"] == {
        "remind": 0, "overdue": 0, "escalate1": 0, "escalate2": 0}
    assert sweep_reply_clocks(at("remind_at", minutes=1))["clues"]["remind"] == 1
    assert sweep_reply_clocks(at("remind_at", hours=1))["clues"]["remind"] == 0
    assert sweep_reply_clocks(at("due_at", minutes=1))["clues"]["overdue"] == 1
    figures = api.get("/api/v1/clues/figures", as_=OFFICE).get_json()
    assert figures["overdue"] == 1 and figures["by_receiver"][0]["overdue"] == 1
    assert api.get("/api/v1/clues?overdue=true", as_=OFFICE).get_json()["total"] == 1
    late = sweep_reply_clocks(at("escalate2_at", minutes=1))["clues"]
    assert (late["escalate1"], late["escalate2"]) == (1, 1)
    assert not any(sweep_reply_clocks(at("escalate2_at", days=30))["clues"].values())

    with app.app_context():
        sent = {n.kind: n for n in Notification.objects(kind__startswith="clue_")}
        assert set(sent) == {"clue_remind", "clue_overdue", "clue_escalate1", "clue_escalate2"}
        remind = sent["clue_remind"]
        assert remind.audience == "users" and notifications.recipients(remind) == ["13800001111"]
        assert sent["clue_escalate2"].audience == "office"
        assert "优亲厚友" not in str(remind.payload)  # the notice names the number only

    r = api.post(f"/api/v1/clues/{clue['id']}/feedback", as_=HANDLER, json={"disposition": "hold", "note": "暂存"})
    assert r.get_json()["fed_back_on_time"] is False
    figures = api.get("/api/v1/clues/figures", as_=OFFICE).get_json()
    assert (figures["overdue"], figures["fed_back"], figures["fed_back_on_time"]) == (0, 1, 0)


def test_the_figures_check_finds_drift_and_a_rebuild_repairs_it(app, api, submit):
    from backend.models import Tally
    misconduct(submit)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["followups", "check"]).exit_code == 0
    with app.app_context():
        Tally.objects(id="clue:371323").update_one(inc__c__registered=5)
    result = runner.invoke(args=["followups", "check"])
    assert result.exit_code != 0 and "registered" in result.output
    assert runner.invoke(args=["followups", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["followups", "check"]).exit_code == 0


def test_one_document_store_one_reader_for_clues_decisions_and_evidence(app, api, submit, monkeypatch):
    """Every document upload goes through the same reader and store: over EVIDENCE_MAX_MB
    it is a 413 naming the limit, empty a 422, and the same bytes again are one document."""
    misconduct(submit)
    clue = only_clue(api)
    url = f"/api/v1/clues/{clue['id']}/documents?kind=transfer"

    def send(data, name="letter.pdf"):
        return api.post(url, as_=OFFICE, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_MB", 1)
    big = send(pdf[:-7] + b"\0" * (1024 * 1024) + b"%%EOF\n")
    assert big.status_code == 413 and big.get_json()["code"] == "payload_too_large"
    assert "1 MB" in big.get_json()["message"]
    empty = send(b"")
    assert empty.status_code == 422 and "file" in empty.get_json()["errors"]
    first, again = send(pdf), send(pdf, "copy.pdf")
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    with app.app_context():
        from backend.models import Attachment
        assert Attachment.objects(owner=f"clue:{clue['id']}").count() == 1

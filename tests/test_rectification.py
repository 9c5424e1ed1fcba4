"""A round end to end through the API: tasks → findings → review (approve, send back and
resubmit through sync, merge) → 反馈 → plan returned then approved → progress → evidence →
销号 → evaluation → 回头看 reopening one problem. And the clocks, the on-site check, the
evidence documents, the 责任交接 and the 整改台账."""
import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from conftest import PHOTOS, finding_payload
from round_helpers import (TODAY, add_secretary, advance_to, approve, create_round, create_task, entry_of,
                           feed_back, me, ok, organisation_of, submit_finding)

JPEG = PHOTOS / "gps" / "DSCN0010.jpg"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SECRETARY = "sec-yangdong"
YANGDONG, NEIGHBOUR = "371323001001", "371323001002"


def office_document(kind="docx", macros=False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\0" * 16)
    return buffer.getvalue()


def upload(api, problem_id, data: bytes, name: str, as_=SECRETARY):
    return api.post(f"/api/v1/mobile/rectification/problems/{problem_id}/evidence", as_=as_,
                    data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.fixture
def fed_back(api, run_jobs):
    """A round in 沂水县 at 反馈: the secretary of 阳东社区 has an account; three problems of
    阳东社区 (one sent back and resubmitted through sync, one with a merged duplicate, one
    长期) and one of its neighbour were approved and fed back today."""
    found = create_round(api)
    org = organisation_of(api, YANGDONG)
    add_secretary(api, org["id"])
    add_secretary(api, organisation_of(api, NEIGHBOUR)["id"], name="李强", username="sec-neighbour")
    task = create_task(api, found["id"])
    advance_to(api, found["id"], "inspection")

    road = entry_of(api, submit_finding(api, task["id"], title="村内主干道路面坑洼")["id"])
    payload = finding_payload(task["id"], immediate=False, title="村务公开不及时", category="petty_power")
    sent = ok(api.post("/api/v1/mobile/findings", as_="inspector1", json=payload), 201)
    duplicate = entry_of(api, submit_finding(api, task["id"], title="主干道坑洼（另一组员）")["id"])
    long_term = entry_of(api, submit_finding(api, task["id"], title="村集体经济薄弱", category="collective_economy")["id"])
    neighbour = entry_of(api, submit_finding(api, task["id"], village_code=NEIGHBOUR, title="垃圾清运不及时",
                                             category="living_environment")["id"])

    # review: send one back, the phone resubmits it (same client_id, new revision) through sync
    public = entry_of(api, sent["id"])
    ok(api.post(f"/api/v1/reviews/{public['id']}/return", as_="inspector2", json={"reason": "补充公开栏照片和时间"}))
    pulled = ok(api.get("/api/v1/mobile/sync", as_="inspector1"))
    assert next(f for f in pulled["findings"] if f["id"] == sent["id"])["review_status"] == "returned"
    data = {k: v for k, v in payload.items() if k != "client_id"} | {"fact_basis": "公开栏最近更新为半年前，已拍照。"}
    pushed = ok(api.post("/api/v1/mobile/sync", as_="inspector1",
                         json={"items": [{"type": "finding", "client_id": payload["client_id"], "data": data}]}))
    assert pushed["results"][0]["status"] == "revised"
    ok(api.post(f"/api/v1/reviews/{duplicate['id']}/merge", as_="inspector2", json={"into_id": road["id"]}))
    problems = {
        "road": approve(api, road["id"], deadline_days=30)["problem_id"],
        "public": approve(api, public["id"], deadline_days=15, responsible_post="secretary")["problem_id"],
        "economy": approve(api, long_term["id"], problem_class="long_term", milestones=[
            {"title": "制定发展规划", "due_on": (TODAY + timedelta(days=20)).isoformat()},
            {"title": "项目落地见效", "due_on": (TODAY + timedelta(days=300)).isoformat()}])["problem_id"],
        "neighbour": approve(api, neighbour["id"], deadline_days=30)["problem_id"],
    }
    advance_to(api, found["id"], "feedback")
    cases = feed_back(api, found["id"])
    assert len(cases) == 2
    case = next(c for c in cases if c["organisation_id"] == org["id"])
    return {"round": found, "org": org, "case": case, "problems": problems, "task": task}


def plan_items(api, world, **overrides):
    secretary = next(m for m in ok(api.get(f"/api/v1/organisations/{world['org']['id']}", as_="office"))["members"]
                     if m["post"] == "secretary")
    due = (TODAY + timedelta(days=10)).isoformat()
    items = [{"problem_id": world["problems"]["road"], "measures": "修复坑洼路面200米", "due_on": due,
              "responsible_member_id": secretary["member_id"]},
             {"problem_id": world["problems"]["public"], "measures": "每月更新村务公开栏", "due_on": due,
              "responsible_member_id": secretary["member_id"]},
             {"problem_id": world["problems"]["economy"], "measures": "发展特色种植，壮大集体经济",
              "responsible_name": "村集体经济合作社"}]
    return [{**i, **overrides.get(i["problem_id"], {})} for i in items]


def approved_plan(api, world):
    case_id = world["case"]["id"]
    ok(api.post(f"/api/v1/mobile/rectification/cases/{case_id}/plan", as_=SECRETARY,
                json={"summary": "阳东社区整改方案", "items": plan_items(api, world)}))
    return ok(api.post(f"/api/v1/rectifications/{case_id}/plan/decision", as_="office", json={"approve": True}))


def test_a_round_end_to_end(api, fed_back, run_jobs):
    world, p = fed_back, fed_back["problems"]
    case_id = world["case"]["id"]

    # the organisation sees only its own problems, with their clocks
    mine = ok(api.get("/api/v1/mobile/rectification/problems", as_=SECRETARY))
    assert {x["id"] for x in mine} == {p["road"], p["public"], p["economy"]}
    assert api.get(f"/api/v1/problems/{p['neighbour']}", as_=SECRETARY).status_code == 404
    assert api.get("/api/v1/mobile/rectification/problems", as_="inspector1").status_code == 403
    (case,) = ok(api.get("/api/v1/mobile/rectification/cases", as_=SECRETARY))
    assert case["status"] == "fed_back" and case["plan_due_at"].startswith((TODAY + timedelta(days=30)).isoformat())
    road = ok(api.get(f"/api/v1/problems/{p['road']}", as_=SECRETARY))
    assert road["due_on"] == (TODAY + timedelta(days=30)).isoformat() and road["responsible_name"] == "张明"

    # 整改方案: every problem needs its measures; the office returns it, then approves it
    incomplete = plan_items(api, world)[:2]
    r = api.post(f"/api/v1/mobile/rectification/cases/{case_id}/plan", as_=SECRETARY,
                 json={"summary": "方案", "items": incomplete})
    assert r.status_code == 422 and "items" in r.get_json()["errors"]
    late = plan_items(api, world, **{p["road"]: {"due_on": (TODAY + timedelta(days=60)).isoformat()}})
    r = api.post(f"/api/v1/mobile/rectification/cases/{case_id}/plan", as_=SECRETARY, json={"summary": "方案", "items": late})
    assert r.status_code == 422
    submitted = ok(api.post(f"/api/v1/mobile/rectification/cases/{case_id}/plan", as_=SECRETARY,
                            json={"summary": "阳东社区整改方案", "items": plan_items(api, world)}))
    assert submitted["status"] == "plan_submitted"
    returned = ok(api.post(f"/api/v1/rectifications/{case_id}/plan/decision", as_="office",
                           json={"approve": False, "note": "措施要具体到时间节点"}))
    assert returned["status"] == "plan_returned" and returned["plan"]["decision_note"] == "措施要具体到时间节点"
    approved = approved_plan(api, world)
    assert approved["status"] == "rectifying" and approved["plan"]["revision"] == 2
    road = ok(api.get(f"/api/v1/problems/{p['road']}", as_="office"))
    assert road["status"] == "rectifying" and road["measures"] == "修复坑洼路面200米"
    assert road["due_on"] == (TODAY + timedelta(days=10)).isoformat() and road["leader_name"] == "张明"

    # progress, evidence (a photo through the pipeline and a PDF), the closure request, 销号
    photo = upload(api, p["road"], JPEG.read_bytes(), "road.jpg")
    assert photo.status_code == 201 and photo.get_json()["kind"] == "photo", photo.get_json()
    document = upload(api, p["road"], PDF, "验收单.pdf")
    assert document.status_code == 201 and document.get_json()["kind"] == "document"
    assert upload(api, p["road"], PDF, "again.pdf").status_code == 200   # the same bytes again
    run_jobs()
    assert api.get(photo.get_json()["url"], as_="office").status_code == 200
    assert api.get(document.get_json()["url"], as_="office").data == PDF
    assert api.get(document.get_json()["url"], as_="sec-neighbour").status_code == 404
    ok(api.post(f"/api/v1/mobile/rectification/problems/{p['road']}/progress", as_=SECRETARY,
                json={"note": "已完成路基修复", "photo_ids": [photo.get_json()["id"]]}))
    r = api.post(f"/api/v1/problems/{p['road']}/closure", as_="office", json={"approve": True})
    assert r.status_code == 409 and r.get_json()["code"] == "no_closure_request"   # 销号 only on the request
    requested = ok(api.post(f"/api/v1/mobile/rectification/problems/{p['road']}/closure", as_=SECRETARY,
                            json={"note": "已整改完毕", "photo_ids": [photo.get_json()["id"]],
                                  "document_ids": [document.get_json()["id"]]}))
    assert requested["status"] == "closure_requested"
    assert api.post(f"/api/v1/problems/{p['road']}/closure", as_=SECRETARY, json={"approve": True}).status_code == 403
    closed = ok(api.post(f"/api/v1/problems/{p['road']}/closure", as_="office", json={"approve": True, "note": "销号"}))
    assert closed["status"] == "closed" and closed["closed_at"]
    assert [e["action"] for e in closed["events"]] == [
        "open", "feed_back", "measures", "evidence", "evidence", "progress", "request_closure", "close"]

    # the figures: 整改完成率 per organisation = 销号 ÷ fed back
    figures = ok(api.get(f"/api/v1/rounds/{world['round']['id']}/figures", as_="office"))
    unit = next(u for u in figures["units"] if u["unit_key"] == f"org:{world['org']['id']}")
    assert (unit["fed_back"], unit["closed"], unit["completion_rate"]) == (3, 1, 0.3333)
    assert unit["by_class"] == {"immediate": 0, "deadline": 2, "long_term": 1}
    assert unit["by_state"]["closed"] == 1 and unit["by_state"]["rectifying"] == 2
    assert figures["total"]["fed_back"] == 4

    # 整改情况报告, then 整改评估 on the county's checklist
    reported = ok(api.post(f"/api/v1/mobile/rectification/cases/{case_id}/report", as_=SECRETARY,
                           json={"text": "阳东社区整改情况报告：已完成1项，2项正在推进。"}))
    assert reported["status"] == "reported"
    advance_to(api, world["round"]["id"], "rectification")
    r = api.post(f"/api/v1/rectifications/{case_id}/evaluation", as_="office", json={"scores": {"plan": 90}})
    assert r.status_code == 422
    scores = {"plan": 90, "measures": 80, "on_time": 100, "mechanism": 70, "satisfaction": 90}
    evaluated = ok(api.post(f"/api/v1/rectifications/{case_id}/evaluation", as_="office", json={"scores": scores}))
    assert evaluated["status"] == "evaluated"
    assert evaluated["evaluation"]["score"] == 86.0 and evaluated["evaluation"]["grade"] == "fair"

    # 回头看 of the chosen organisation: a finding on its task reopens the closed problem
    lookback = ok(api.post(f"/api/v1/rounds/{world['round']['id']}/lookback", as_="office",
                           json={"case_ids": [case_id], "inspector_ids": [me(api, "inspector1")["id"]]}), 201)
    assert lookback["kind"] == "round_lookback"
    back = ok(api.post("/api/v1/mobile/findings", as_="inspector1", json=finding_payload(
        lookback["id"], immediate=False, reopens_problem_id=p["road"], title="路面再次出现坑洼")), 201)
    assert back["ticket_id"] is None and back["review_status"] is None   # it reopens, it is not a new entry
    reopened = ok(api.get(f"/api/v1/problems/{p['road']}", as_="office"))
    assert reopened["status"] == "rectifying" and reopened["reopen_count"] == 1 and reopened["closed_at"] is None
    assert reopened["events"][-1]["action"] == "reopen"
    figures = ok(api.get(f"/api/v1/rounds/{world['round']['id']}/figures", as_="office"))
    assert next(u for u in figures["units"] if u["unit_key"] == f"org:{world['org']['id']}")["closed"] == 0
    # a finding on an ordinary task cannot reopen anything
    r = api.post("/api/v1/mobile/findings", as_="inspector1",
                 json=finding_payload(world["task"]["id"], reopens_problem_id=p["public"]))
    assert r.status_code == 422

    # the 整改台账
    ledger = api.get(f"/api/v1/rounds/{world['round']['id']}/ledger.csv", as_="office")
    assert ledger.status_code == 200
    table = list(csv.reader(io.StringIO(ledger.data.decode("utf-8-sig"))))
    assert table[0][:11] == ["问题编号", "被巡察单位", "村", "类别", "问题", "整改类型", "整改措施", "责任人",
                             "责任领导", "整改时限", "整改状态"]
    assert len(table) == 5 and any(row[6] == "修复坑洼路面200米" for row in table)
    assert not any("13812345678" in cell for row in table for cell in row)


def test_the_rectification_ledger_exports_as_xlsx(api, fed_back, run_jobs):
    from openpyxl import load_workbook
    job = ok(api.post(f"/api/v1/rounds/{fed_back['round']['id']}/exports", as_="office", json={"format": "xlsx"}), 202)
    run_jobs()
    status = ok(api.get(f"/api/v1/stats/exports/{job['id']}", as_="office"))
    assert status["status"] == "done" and status["rows"] == 4
    book = load_workbook(io.BytesIO(api.get(status["download_url"], as_="office").data))
    assert [c.value for c in next(book.worksheets[0].iter_rows(max_row=1))][:3] == ["问题编号", "被巡察单位", "村"]


def test_the_office_can_ask_for_an_on_site_check_before_closing(api, fed_back, run_jobs):
    world, p = fed_back, fed_back["problems"]
    approved_plan(api, world)
    document = upload(api, p["public"], office_document("xlsx"), "公开台账.xlsx").get_json()
    assert document["kind"] == "document" and document["filename"].endswith(".xlsx")
    ok(api.post(f"/api/v1/mobile/rectification/problems/{p['public']}/closure", as_=SECRETARY,
                json={"note": "已公开", "document_ids": [document["id"]]}))
    checked = ok(api.post(f"/api/v1/problems/{p['public']}/check", as_="office",
                          json={"inspector_ids": [me(api, "inspector1")["id"]]}))
    assert checked["check_task_id"]
    r = api.post(f"/api/v1/problems/{p['public']}/closure", as_="office", json={"approve": True})
    assert r.status_code == 409 and r.get_json()["code"] == "check_not_confirmed"
    assert api.post(f"/api/v1/mobile/rectification/problems/{p['public']}/check", as_="inspector2",
                    json={"outcome": "confirmed"}).status_code == 403   # not their check
    tasks = ok(api.get("/api/v1/mobile/tasks", as_="inspector1"))
    assert any(t["id"] == checked["check_task_id"] for t in tasks)   # on the inspector's phone
    ok(api.post(f"/api/v1/mobile/rectification/problems/{p['public']}/check", as_="inspector1",
                json={"outcome": "confirmed", "note": "公开栏已更新"}))
    assert ok(api.post(f"/api/v1/problems/{p['public']}/closure", as_="office",
                       json={"approve": True}))["status"] == "closed"


@pytest.mark.parametrize("data, name, status", [
    (b"just some text, not a document", "notes.pdf", 415),
    (PDF[:-7], "truncated.pdf", 422),
    (office_document(macros=True), "macro.docx", 415),
    (b"PK\x03\x04" + b"\0" * 40, "broken.docx", 422),
])
def test_evidence_documents_are_checked_by_content(api, fed_back, data, name, status):
    approved_plan(api, fed_back)
    r = upload(api, fed_back["problems"]["road"], data, name)
    assert r.status_code == status, r.get_json()


def test_evidence_over_the_size_limit_is_refused(app, api, fed_back):
    approved_plan(api, fed_back)
    limit, app.config["EVIDENCE_MAX_MB"] = app.config["EVIDENCE_MAX_MB"], 1
    try:
        r = upload(api, fed_back["problems"]["road"], PDF + b"\0" * (1024 * 1024) + b"%%EOF", "big.pdf")
    finally:
        app.config["EVIDENCE_MAX_MB"] = limit
    assert r.status_code == 413


def moment(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def test_a_long_term_problem_is_overdue_only_when_a_milestone_slips_and_then_escalates(api, fed_back):
    from workers.jobs import sweep_reply_clocks
    world, p = fed_back, fed_back["problems"]
    approved_plan(api, world)

    def problem(name):
        return ok(api.get(f"/api/v1/problems/{p[name]}", as_="office"))

    def flags(name):
        found = problem(name)
        return found["overdue"], found["escalation_level"]

    def after(name, point, minutes=1):
        return (datetime.fromisoformat(problem(name)[point]) + timedelta(minutes=minutes)).isoformat()

    def sweep(at):
        return sweep_reply_clocks(at)["problems"]

    sweep(moment(5))
    assert flags("economy") == (False, 0) and flags("road") == (False, 0)    # everything on time
    # the 限期 problems are due in 10 days, the first milestone in 20: only the former slip
    sweep(after("road", "escalate1_at"))
    assert flags("road") == (True, 1) and flags("public") == (True, 1) and flags("economy") == (False, 0)
    sweep(after("economy", "escalate1_at"))                                  # the milestone slipped
    assert flags("economy") == (True, 1) and flags("road") == (True, 2)
    assert [e["action"] for e in problem("economy")["events"][-2:]] == ["overdue", "escalate"]
    sweep(after("economy", "escalate2_at"))
    assert flags("economy") == (True, 2)                                     # 督办: the office's list
    assert not any(sweep(after("economy", "escalate2_at", 2)).values())      # each stage once
    # the milestone reported done: the clock moves to the next one and the flags reset
    done = ok(api.post(f"/api/v1/mobile/rectification/problems/{p['economy']}/progress", as_=SECRETARY,
                       json={"note": "发展规划已制定", "milestone": 1}))
    assert done["overdue"] is False and done["escalation_level"] == 0
    assert done["due_at"].startswith((TODAY + timedelta(days=300)).isoformat())
    sweep(moment(40))
    assert flags("economy") == (False, 0)
    # the sweep's reminders went to the office's outbox, one per stage and run
    from backend.models import Notification
    kinds = {n.kind for n in Notification.objects(county_code="371323")}
    assert {"problem_overdue", "problem_escalate1", "problem_escalate2"} <= kinds


def test_escalation_counts_working_days_on_chinas_calendar(api, fed_back):
    """Due on 30 September 2026, before the National Day holiday (1–7 October; Saturday 10
    October is a working day): 督办 one working day after is 8 October, three is 10 October."""
    from workers.jobs import sweep_reply_clocks
    entry = entry_of(api, submit_finding(api, fed_back["task"]["id"], title="村务公开栏长期未更新")["id"])
    problem_id = approve(api, entry["id"], deadline_days=10)["problem_id"]
    ok(api.post(f"/api/v1/rounds/{fed_back['round']['id']}/feedback", as_="office", json={"on": "2026-09-20"}))
    problem = ok(api.get(f"/api/v1/problems/{problem_id}", as_="office"))
    assert problem["due_on"] == "2026-09-30"
    assert datetime.fromisoformat(problem["escalate1_at"]) == datetime(2026, 10, 8, 10, tzinfo=UTC)   # 18:00 CST
    assert datetime.fromisoformat(problem["escalate2_at"]) == datetime(2026, 10, 10, 10, tzinfo=UTC)

    def level_at(moment_):
        sweep_reply_clocks(moment_.isoformat())
        found = ok(api.get(f"/api/v1/problems/{problem_id}", as_="office"))
        return found["overdue"], found["escalation_level"]
    assert level_at(datetime(2026, 10, 7, 12, tzinfo=UTC)) == (True, 0)     # a week of holiday: no 督办 yet
    assert level_at(datetime(2026, 10, 8, 11, tzinfo=UTC)) == (True, 1)
    assert level_at(datetime(2026, 10, 10, 11, tzinfo=UTC)) == (True, 2)


def test_a_problem_past_escalation_2_is_on_the_underperforming_list_and_answers_for_its_organisation(api, fed_back):
    """整改不力: a problem on the office's 督办 list is listed for the office to act on; a 问责
    decision against it, or against its party organisation, counts by organisation."""
    from workers.jobs import sweep_reply_clocks
    world, p = fed_back, fed_back["problems"]
    approved_plan(api, world)
    listed = ok(api.get("/api/v1/accountability/underperforming", as_="office"))["items"]
    assert not [i for i in listed if i["kind"] == "problem"]
    road = ok(api.get(f"/api/v1/problems/{p['road']}", as_="office"))
    sweep_reply_clocks((datetime.fromisoformat(road["escalate2_at"]) + timedelta(minutes=1)).isoformat())
    listed = ok(api.get("/api/v1/accountability/underperforming", as_="office"))["items"]
    item = next(i for i in listed if i["kind"] == "problem" and i["id"] == p["road"])
    assert item["reasons"] == ["escalated"] and item["escalation_level"] == 2
    assert item["organisation_name"] and item["decisions"] == []

    org = organisation_of(api, YANGDONG)
    today = datetime.now(UTC).date().isoformat()
    for kind, target in (("problem", p["road"]), ("organisation", org["id"])):
        r = api.post("/api/v1/accountability/decisions", as_="office", json={
            "target_kind": kind, "target_id": target, "person_name": "张明", "person_position": "村党支部书记",
            "form": "interview", "decided_on": today, "reason": "整改不力"})
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["organisation_code"] == org["id"]
    listed = ok(api.get("/api/v1/accountability/underperforming", as_="office"))["items"]
    assert len(next(i for i in listed if i["id"] == p["road"])["decisions"]) == 1
    figures = ok(api.get("/api/v1/accountability/figures", as_="office"))
    assert [(o["code"], o["name"], o["interview"]) for o in figures["organisations"]] == [(org["id"], org["name"], 2)]
    # another county's problem is no target
    r = api.post("/api/v1/accountability/decisions", as_="office", json={
        "target_kind": "problem", "target_id": "0123456789abcdef01234567", "person_name": "张明",
        "form": "interview", "decided_on": today, "reason": "整改不力"})
    assert r.status_code == 422


def test_overdue_is_counted_from_the_clock_without_waiting_for_the_sweep(api, fed_back):
    """Feedback dated 40 days back: a 30-day deadline passed 10 days ago."""
    world = fed_back
    entry = entry_of(api, submit_finding(api, world["task"]["id"], title="村级账目未按月公开")["id"])
    problem_id = approve(api, entry["id"], deadline_days=30)["problem_id"]
    ok(api.post(f"/api/v1/rounds/{world['round']['id']}/feedback", as_="office",
                json={"on": (TODAY - timedelta(days=40)).isoformat()}))
    assert ok(api.get(f"/api/v1/problems/{problem_id}", as_="office"))["due_on"] == \
        (TODAY - timedelta(days=10)).isoformat()
    figures = ok(api.get(f"/api/v1/rounds/{world['round']['id']}/figures", as_="office"))
    assert figures["total"]["overdue"] == 1 and figures["total"]["fed_back"] == 5
    overdue = ok(api.get(f"/api/v1/problems?overdue=true&round_id={world['round']['id']}", as_="office"))
    assert [x["id"] for x in overdue] == [problem_id]


def test_a_late_plan_is_flagged(app, api, fed_back):
    from workers.jobs import sweep_reply_clocks
    assert sweep_reply_clocks(moment(29))["rectifications"]["plan_overdue"] == 0
    result = app.test_cli_runner().invoke(args=["clocks", "sweep", "--now", moment(31)])   # the same job
    assert result.exit_code == 0 and "rectifications: plan_overdue: 2" in result.output, result.output
    case = ok(api.get(f"/api/v1/rectifications/{fed_back['case']['id']}", as_="office"))
    assert case["plan_overdue"] is True and case["events"][-1]["action"] == "plan_overdue"


def test_the_secretary_changes_mid_rectification_and_nothing_is_lost(app, api, fed_back):
    world, p = fed_back, fed_back["problems"]
    approved_plan(api, world)
    org = ok(api.get(f"/api/v1/organisations/{world['org']['id']}", as_="office"))
    leaving = next(m for m in org["members"] if m["post"] == "secretary")
    before = {x["id"] for x in ok(api.get("/api/v1/mobile/rectification/problems", as_=SECRETARY))}
    r = api.post(f"/api/v1/organisations/{org['id']}/members/{leaving['member_id']}/handover", as_="office",
                 json={"reason": "换届"})
    assert r.status_code == 422   # no problem is left without a responsible person
    from conftest import PASSWORD
    changed = ok(api.post(f"/api/v1/organisations/{org['id']}/members/{leaving['member_id']}/handover",
                          as_="office", json={"reason": "村党组织换届", "successor": {
                              "name": "王芳", "username": "sec-new", "password": PASSWORD}}))
    (record,) = changed["history"]
    assert (record["leaving_name"], record["successor_name"], record["post"]) == ("张明", "王芳", "secretary")
    assert record["problems_moved"] == 3
    assert [m["name"] for m in changed["members"] if m["post"] == "secretary"] == ["王芳"]
    # the leaver's account is closed; the successor sees every open problem, each handed over
    assert api.get("/api/v1/me", as_=SECRETARY).status_code == 401
    after = ok(api.get("/api/v1/mobile/rectification/problems", as_="sec-new"))
    assert {x["id"] for x in after} == before
    for problem in after:
        detail = ok(api.get(f"/api/v1/problems/{problem['id']}", as_="sec-new"))
        assert detail["leader_name"] == "王芳" and detail["events"][-1]["action"] == "handover"
    road = ok(api.get(f"/api/v1/problems/{p['road']}", as_="sec-new"))
    assert road["responsible_name"] == "王芳" and road["measures"] == "修复坑洼路面200米"
    economy = ok(api.get(f"/api/v1/problems/{p['economy']}", as_="sec-new"))
    assert economy["responsible_name"] == "村集体经济合作社"   # named in the plan, not the secretary's
    with app.app_context():
        from backend.services.consistency import check_rounds
        assert list(check_rounds()) == []


def test_a_county_department_is_an_inspected_unit_too(api, fed_back):
    """A department's problem follows the same cycle: its users see it and rectify it."""
    world = fed_back
    finding = submit_finding(api, world["task"]["id"], title="农村公路养护资金拨付滞后")
    entry = entry_of(api, finding["id"])
    problem_id = approve(api, entry["id"], problem_type="department", department_code="transport")["problem_id"]
    (case,) = [c for c in feed_back(api, world["round"]["id"]) if c["unit_kind"] == "department"]
    assert case["unit_key"] == "dept:transport" and case["unit_name"] == "沂水县交通运输局"
    assert [x["id"] for x in ok(api.get("/api/v1/mobile/rectification/problems", as_="dept-transport"))] == [problem_id]
    assert ok(api.get("/api/v1/mobile/rectification/problems", as_="dept-health")) == []
    plan = ok(api.post(f"/api/v1/mobile/rectification/cases/{case['id']}/plan", as_="dept-transport", json={
        "summary": "交通运输局整改方案", "items": [{"problem_id": problem_id, "measures": "十日内拨付到位",
                                              "responsible_name": "公路科",
                                              "due_on": (TODAY + timedelta(days=10)).isoformat()}]}))
    assert plan["status"] == "plan_submitted"

"""The county office's figures over HTTP: counters that follow every change, filters,
trends, the overdue list, common problems (共性问题) and the ledger (台账)."""
import csv
import io
from datetime import UTC, datetime, timedelta

import mongoengine
from openpyxl import load_workbook

from backend.models import Ticket

YICHENG = ["371323001001", "371323001002", "371323001003", "371323001004"]  # 沂城街道 (task 0)
MAZHAN = ["371323101200", "371323101256"]                                  # 马站镇 (task 1)


def open_tickets(submit, run_jobs, villages, task_index=0, **finding):
    ids = [submit(task_index=task_index, village_code=v, **finding).get_json()["ticket_id"] for v in villages]
    run_jobs()
    return ids


def stats(api, path="/api/v1/stats/resolution", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = api.get(f"{path}?{query}", as_="office")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["stats", *args])


def test_every_change_moves_the_rates_and_the_counters_equal_a_rebuild(app, api, submit, run_jobs):
    a, b, c, d = open_tickets(submit, run_jobs, YICHENG)
    office, transport = "office", "dept-transport"
    # a: claimed, resolved, not fixed on site (reopened), resolved again, confirmed
    assert api.post(f"/api/v1/tickets/{a}/claim", as_=transport, json={}).status_code == 200
    for outcome in ("not_fixed", "confirmed"):
        assert api.post(f"/api/v1/tickets/{a}/resolve", as_=transport, json={"note": "已修复"}).status_code == 200
        assert api.post(f"/api/v1/tickets/{a}/verify", as_=office,
                        json={"outcome": outcome, "note": "仍有坑洼"}).status_code == 200
    # b: returned by transport (goes on to another department or triage)
    assert api.post(f"/api/v1/tickets/{b}/return", as_=transport, json={"reason_code": "not_our_duty", "reason": "不属于本部门"}).status_code == 200
    # c: a duplicate: out of every figure
    assert api.post(f"/api/v1/tickets/{c}/close", as_=office,
                    json={"outcome": "duplicate", "reason": "与其他工单重复"}).status_code == 200

    total = stats(api, group_by="department")["total"]
    assert (total["tickets"], total["closed"], total["dispatched"]) == (3, 1, 3)
    assert total["resolution_rate"] == round(1 / 3, 4)
    assert total["reopen_rate"] == 1.0 and total["on_time_rate"] == 1.0
    assert total["return_rate"] == round(1 / 3, 4) and total["claim_24h_rate"] == round(1 / 3, 4)
    assert total["median_hours_to_claim"] == 0.0 and total["median_days_to_close"] == 0.0
    assert Ticket.objects(id=d).first().status == "dispatched"

    result = cli(app, "check")
    assert result.exit_code == 0 and "Counters match the tickets." in result.output


def test_the_check_reports_counters_that_drifted_and_a_rebuild_repairs_them(app, api, submit, run_jobs):
    open_tickets(submit, run_jobs, YICHENG[:1])
    with app.app_context():
        days = mongoengine.get_db()["stat_days"]
        doc = days.find_one({})
        cell = next(key for key, values in doc["c"].items() if values.get("tickets"))
        days.update_one({"_id": doc["_id"]}, {"$inc": {f"c.{cell}.tickets": 5}})
        department = cell.split("|")[0]  # the month's roll-up drifts the same way
        mongoengine.get_db()["stat_months"].update_one({"_id": doc["_id"][:-2]},
                                                       {"$inc": {f"g.department.{department}.tickets": 5}})
    assert stats(api)["total"]["tickets"] == 6  # the dashboard reads the counters, not the tickets

    result = cli(app, "check")
    assert result.exit_code == 1
    assert f"{doc['_id']} c.{cell}.tickets: counters have 6, the tickets give 1" in result.output

    result = cli(app, "rebuild")
    assert result.exit_code == 0 and "1 county-days of 1 counties" in result.output
    assert cli(app, "check").exit_code == 0
    assert stats(api)["total"]["tickets"] == 1


def test_groups_and_filters_combine(api, submit, run_jobs):
    open_tickets(submit, run_jobs, YICHENG[:3])
    open_tickets(submit, run_jobs, MAZHAN, task_index=1)
    open_tickets(submit, run_jobs, YICHENG[:1], category="living_environment",
                 title="村内垃圾堆放", description="村口垃圾长期堆放无人清运。")

    by_township = {g["key"]: g for g in stats(api, group_by="township")["groups"]}
    assert {k: g["tickets"] for k, g in by_township.items()} == {"371323001": 4, "371323101": 2}
    assert by_township["371323101"]["label"] == "马站镇"

    livelihood_in_yicheng = stats(api, group_by="village", township="371323001", category="livelihood")
    assert livelihood_in_yicheng["total"]["tickets"] == 3
    assert sorted(g["key"] for g in livelihood_in_yicheng["groups"]) == YICHENG[:3]
    assert livelihood_in_yicheng["filters"] == {"township": "371323001", "category": "livelihood"}

    by_category = {g["key"]: g["tickets"] for g in stats(api, group_by="category", village=YICHENG[0])["groups"]}
    assert by_category == {"livelihood": 1, "living_environment": 1}

    transport = stats(api, group_by="month", department="transport")
    assert transport["total"]["tickets"] == 5  # the road findings; the garbage went elsewhere
    assert stats(api, department="nobody")["total"]["tickets"] == 0
    until = (datetime.now(UTC) + timedelta(days=300)).date().isoformat()  # windows end within a year
    assert stats(api, **{"from": "2026-01-01", "to": until})["total"]["tickets"] == 6

    bad = api.get("/api/v1/stats/resolution?category=roads", as_="office")
    assert bad.status_code == 422 and "category" in bad.get_json()["errors"]
    assert api.get("/api/v1/stats/resolution", as_="dept-transport").status_code == 403


def test_tickets_without_a_department_are_listed_but_never_ranked(api, submit, run_jobs):
    (ticket_id, _) = open_tickets(submit, run_jobs, YICHENG[:2])
    for department in ("dept-transport", "dept-town-371323001"):  # the second return: triage
        assert api.post(f"/api/v1/tickets/{ticket_id}/return", as_=department,
                        json={"reason_code": "not_our_duty", "reason": "不属于本单位"}).status_code == 200
    assert Ticket.objects(id=ticket_id).first().status == "triage"
    body = stats(api, group_by="department", min_tickets=1)
    assert [(g["key"], g["tickets"], g["rank"]) for g in body["groups"]] == [
        ("transport", 1, 1), ("(none)", 1, None)]
    assert stats(api, department="(none)")["total"]["return_rate"] == 1.0
    ledger = api.get("/api/v1/stats/ledger.csv?department=(none)", as_="office").get_data().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(ledger)))) == 2  # the header and the triaged ticket


def test_the_trend_lists_every_month_of_the_window(app, api, submit, run_jobs):
    old, new = open_tickets(submit, run_jobs, YICHENG[:2])
    with app.app_context():
        Ticket.objects(id=old).update_one(set__created_at=datetime(2026, 8, 31, 17, tzinfo=UTC))  # Sept 1 in China
    assert cli(app, "rebuild").exit_code == 0
    body = stats(api, "/api/v1/stats/trend", **{"from": "2026-07-01", "to": "2026-11-30"})
    assert [(m["key"], m["tickets"]) for m in body["months"]] == [
        ("2026-07", 0), ("2026-08", 0), ("2026-09", 1), ("2026-10", 0), ("2026-11", 1)]
    assert body["total"]["tickets"] == 2
    assert api.get("/api/v1/stats/trend?from=2026-11-02&to=2026-11-01", as_="office").status_code == 422


def test_the_overdue_list_shows_open_late_tickets_with_their_age(app, api, submit, run_jobs):
    late, later, on_time, closed = open_tickets(submit, run_jobs, YICHENG)
    now = datetime.now(UTC)
    with app.app_context():
        Ticket.objects(id=late).update_one(set__due_at=now - timedelta(days=2),
                                           set__created_at=now - timedelta(days=10))
        Ticket.objects(id=later).update_one(set__due_at=now - timedelta(days=5))
        Ticket.objects(id=closed).update_one(set__due_at=now - timedelta(days=9))
    assert cli(app, "rebuild").exit_code == 0
    assert api.post(f"/api/v1/tickets/{closed}/close", as_="office",
                    json={"outcome": "invalid", "reason": "经核实不属实"}).status_code == 200

    body = stats(api, "/api/v1/stats/overdue")
    assert body["total"] == 2
    assert [t["id"] for t in body["tickets"]] == [later, late]  # most overdue first
    first, second = body["tickets"]
    assert first["overdue_days"] == 5.0 and second["overdue_days"] == 2.0 and second["age_days"] == 10.0
    assert first["department_name"] and first["village_name"] == "阳东社区居民委员会" or first["village_name"]
    assert stats(api)["total"]["open_overdue"] == 2
    assert stats(api, "/api/v1/stats/overdue", village=YICHENG[0])["total"] == 1
    assert stats(api, "/api/v1/stats/overdue", limit=1)["tickets"][0]["id"] == later

    # the department claims and resolves: no longer overdue (resolved waits for the verifier)
    assert api.post(f"/api/v1/tickets/{later}/claim", as_="dept-transport", json={}).status_code == 200
    assert stats(api, "/api/v1/stats/overdue")["total"] == 2
    assert api.post(f"/api/v1/tickets/{later}/resolve", as_="dept-transport", json={"note": "已修"}).status_code == 200
    assert api.post(f"/api/v1/tickets/{later}/verify", as_="office", json={"outcome": "confirmed"}).status_code == 200
    assert [t["id"] for t in stats(api, "/api/v1/stats/overdue")["tickets"]] == [late]


def test_common_problems_span_enough_villages_or_townships(api, submit, run_jobs):
    roads = open_tickets(submit, run_jobs, YICHENG[:3], title="道路坑洼", description="村道路面坑洼，群众出行不便。")
    open_tickets(submit, run_jobs, YICHENG[:1], category="living_environment",
                 title="垃圾堆放", description="村口垃圾无人清运。")
    open_tickets(submit, run_jobs, MAZHAN[:1], task_index=1, category="living_environment",
                 title="垃圾围村", description="垃圾长期堆放。")

    body = stats(api, "/api/v1/stats/common-problems")
    problems = {(p["kind"], p["key"]): p for p in body["problems"]}
    road = problems[("keyword", "道路")]
    assert [v["code"] for v in road["villages"]] == YICHENG[:3]
    assert sorted(t["id"] for t in road["tickets"]) == sorted(roads)
    assert road["department_code"] == "transport" and road["department_name"]
    assert problems[("category", "livelihood")]["label"] == "民生实事"
    garbage = problems[("keyword", "垃圾")]  # two villages, but in two townships
    assert len(garbage["villages"]) == 2 and [t["name"] for t in garbage["townships"]] == ["沂城街道", "马站镇"]
    assert ("keyword", "坑洼") in problems and ("keyword", "路灯") not in problems

    stricter = stats(api, "/api/v1/stats/common-problems", min_villages=4, min_townships=3)
    assert stricter["problems"] == []


def test_the_csv_ledger_streams_with_a_bom_and_masks_personal_data(api, submit, run_jobs):
    (ticket_id,) = open_tickets(submit, run_jobs, YICHENG[:1],
                                description="村民张某（电话13812345678，身份证371323199001011234）反映道路坑洼。")
    assert api.post(f"/api/v1/tickets/{ticket_id}/claim", as_="dept-transport", json={}).status_code == 200
    assert api.post(f"/api/v1/tickets/{ticket_id}/progress", as_="dept-transport",
                    json={"note": "已安排施工队，联系人13900001111"}).status_code == 200

    response = api.get("/api/v1/stats/ledger.csv", as_="office")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, row = rows
    assert header[:4] == ["工单编号", "类别", "标题", "问题描述"] and "事实依据" in header
    cells = dict(zip(header, row))
    assert "138****5678" in cells["问题描述"] and "371323********1234" in cells["问题描述"]
    assert "13812345678" not in raw.decode("utf-8")
    assert cells["最新进展"] == "已安排施工队，联系人139****1111"
    assert cells["状态"] == "办理中" and cells["类别"] == "民生实事"
    assert cells["政策依据"] == "《山东省农村公路条例》第十二条" and cells["办理期限"]

    empty = api.get("/api/v1/stats/ledger.csv?from=2020-01-01&to=2020-01-31", as_="office")
    assert list(csv.reader(io.StringIO(empty.get_data().decode("utf-8-sig")))) == [header]


def test_the_xlsx_ledger_is_built_by_a_job_and_downloaded_by_its_link(api, submit, run_jobs):
    open_tickets(submit, run_jobs, YICHENG[:2])
    open_tickets(submit, run_jobs, YICHENG[:1], category="living_environment",
                 title="垃圾堆放", description="村口垃圾无人清运，联系电话15000001234。")

    queued = api.post("/api/v1/stats/exports", as_="office", json={"format": "xlsx"})
    assert queued.status_code == 202
    export = queued.get_json()
    assert export["status"] == "queued" and export["download_url"] is None
    early = api.get(f"/api/v1/stats/exports/{export['id']}/file", as_="office")
    assert early.status_code == 409 and early.get_json()["code"] == "export_not_ready"

    assert run_jobs() == 1
    done = api.get(f"/api/v1/stats/exports/{export['id']}", as_="office").get_json()
    assert done["status"] == "done" and done["rows"] == 3
    download = api.get(done["download_url"], as_="office")
    assert download.status_code == 200 and ".xlsx" in download.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(download.get_data()))
    assert book.sheetnames == ["民生实事", "人居环境整治"]  # in the order of the category codes
    sheet = book["民生实事"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:3] == ["工单编号", "类别", "标题"]
    assert sheet.max_row == 3
    garbage = [c.value for c in book["人居环境整治"][2]]
    assert any("150****1234" in str(v) for v in garbage) and not any("15000001234" in str(v) for v in garbage)

    assert run_jobs() == 0  # nothing left; building it again would change nothing
    assert api.post("/api/v1/stats/exports", as_="office", json={"format": "pdf"}).status_code == 422
    assert api.get("/api/v1/stats/exports/000000000000000000000000", as_="office").status_code == 404
    assert api.post("/api/v1/stats/exports", as_="dept-transport", json={}).status_code == 403

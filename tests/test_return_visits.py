"""回访 and 满意率: when a villager's ticket closes, its reporter rates it on the receipt page,
or the office records a phone call's answer; 不满意 confirmed by the office reopens it to the
same department. satisfaction_rate and the composite score join the office's figures."""
import pytest

from backend.models import Ticket
from public_helpers import accepted_ticket, fix_and_close, qr_of


@pytest.fixture(autouse=True)
def cheap_work(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_POW_BITS", 4)


@pytest.fixture
def qr(api):
    return qr_of(api)[1]


def rate(client, code, rating, comment=None):
    return client.post(f"/public/v1/receipts/{code}/return-visit", json={"rating": rating, "comment": comment})


def totals(api, **query):
    return api.get("/api/v1/stats/resolution", as_="office", query_string=query).get_json()


def test_the_reporter_rates_a_closed_ticket_once_on_the_receipt(api, client, run_jobs, qr):
    code, ticket_id = accepted_ticket(api, client, run_jobs, qr)
    receipt = client.get(f"/public/v1/receipts/{code}").get_json()
    assert receipt["status"] == "in_progress" and receipt["return_visit"] is None
    assert rate(client, code, "satisfied").get_json()["code"] == "return_visit_not_due"  # not dealt with yet
    fix_and_close(api, ticket_id)
    receipt = client.get(f"/public/v1/receipts/{code}").get_json()
    assert receipt["status"] == "closed" and receipt["return_visit"] == {
        "status": "due", "can_rate": True, "rating": None, "rating_label": None, "comment": None}
    rated = rate(client, code, "satisfied", "修得很快，谢谢")
    assert rated.status_code == 200
    assert rated.get_json()["return_visit"] == {"status": "rated", "can_rate": False, "rating": "satisfied",
                                             "rating_label": "满意", "comment": "修得很快，谢谢"}
    assert rate(client, code, "dissatisfied").status_code == 409  # once per closing
    ticket = Ticket.objects.get(id=ticket_id)
    assert ticket.satisfaction == "satisfied" and ticket.events[-1].action == "return_visit"
    assert ticket.events[-1].actor_role == "villager" and ticket.events[-1].note == "修得很快，谢谢"
    total = totals(api)["total"]
    assert total["rated"] == 1 and total["satisfaction_rate"] == 1.0


def test_dissatisfied_confirmed_by_the_office_reopens_to_the_same_department(api, client, run_jobs, qr):
    code, ticket_id = accepted_ticket(api, client, run_jobs, qr)
    fix_and_close(api, ticket_id)
    assert rate(client, code, "dissatisfied", "还在漏水").get_json()["return_visit"]["status"] == "awaiting_office"
    assert totals(api)["total"]["satisfaction_rate"] == 0.0
    waiting = api.get("/api/v1/return-visits?status=awaiting_office", as_="office").get_json()
    assert [row["ticket_id"] for row in waiting] == [ticket_id]
    url = f"/api/v1/tickets/{ticket_id}/return-visit/decision"
    assert api.post(url, as_="dept-water_resources", json={"reopen": True, "note": "x"}).status_code == 403
    assert api.post(url, as_="office", json={"reopen": True}).status_code == 422
    reopened = api.post(url, as_="office", json={"reopen": True, "note": "电话核实，确实仍在漏水"})
    assert reopened.status_code == 200, reopened.get_json()
    body = reopened.get_json()
    assert body["status"] == "dispatched" and body["department_code"] == "water_resources"
    assert body["reopen_count"] == 1 and body["due_at"] and body["events"][-1]["action"] == "return_visit_reopen"
    assert api.post(url, as_="office", json={"reopen": True, "note": "again"}).status_code == 409
    receipt = client.get(f"/public/v1/receipts/{code}").get_json()
    assert receipt["status"] == "in_progress" and receipt["return_visit"]["status"] == "reopened"
    assert rate(client, code, "satisfied").status_code == 409
    # fixed again, closed again: a new 回访 is due, and the new rating replaces the old
    fix_and_close(api, ticket_id)
    assert client.get(f"/public/v1/receipts/{code}").get_json()["return_visit"]["can_rate"] is True
    assert rate(client, code, "basically_satisfied").status_code == 200
    total = totals(api)["total"]
    assert total["rated"] == 1 and total["satisfaction_rate"] == 1.0 and total["reopen_rate"] == 1.0


def test_the_office_calls_those_who_do_not_rate_and_may_keep_a_dissatisfied_ticket_closed(
        api, client, run_jobs, qr):
    (code1, first), (code2, second) = (accepted_ticket(api, client, run_jobs, qr, phone="13812345678")
                                       for _ in range(2))
    for ticket_id in (first, second):
        fix_and_close(api, ticket_id)
    due = api.get("/api/v1/return-visits", as_="office").get_json()
    assert {row["ticket_id"] for row in due} == {first, second}
    assert {row["reporter_phone"] for row in due} == {"138****5678"}
    call = api.post(f"/api/v1/tickets/{first}/return-visit", as_="office",
                    json={"rating": "basically_satisfied", "comment": "电话回访：基本满意"})
    assert call.status_code == 200 and call.get_json()["events"][-1]["data"]["source"] == "phone"
    assert api.post(f"/api/v1/tickets/{second}/return-visit", as_="office",
                    json={"rating": "dissatisfied", "comment": "对赔偿不满"}).status_code == 200
    kept = api.post(f"/api/v1/tickets/{second}/return-visit/decision", as_="office",
                    json={"reopen": False, "note": "不满意的是赔偿标准，不属本件整改内容"})
    assert kept.status_code == 200 and kept.get_json()["status"] == "closed"
    assert client.get(f"/public/v1/receipts/{code2}").get_json()["return_visit"]["status"] == "kept_closed"
    assert [row["ticket_id"] for row in api.get("/api/v1/return-visits", as_="office").get_json()] == []
    total = totals(api)["total"]
    assert total["rated"] == 2 and total["satisfaction_rate"] == 0.5
    # an inspector's ticket has no 回访
    assert api.post(f"/api/v1/tickets/{first}/return-visit", as_="office",
                    json={"rating": "satisfied"}).status_code == 409


def test_the_composite_score_ranks_departments_with_configurable_weights(app, api, client, run_jobs, qr,
                                                                         submit, monkeypatch):
    code, ticket_id = accepted_ticket(api, client, run_jobs, qr)
    fix_and_close(api, ticket_id)
    rate(client, code, "dissatisfied")
    roads = [submit(village_code="371323001002").get_json()["ticket_id"] for _ in range(2)]
    run_jobs()
    fix_and_close(api, roads[0], department="dept-transport")
    assert api.post(f"/api/v1/tickets/{roads[1]}/claim", as_="dept-transport", json={}).status_code == 200
    body = totals(api, min_tickets=1, rank_by="composite_score")
    assert body["score_weights"] == {"response": 30, "resolution": 35, "satisfaction": 35}
    rows = {row["key"]: row for row in body["groups"]}
    water, roads_row = rows["water_resources"], rows["transport"]
    # water: claimed in time 1.0, resolved 1.0, satisfied 0.0 → (30 + 35 + 0) / 100
    assert water["composite_score"] == 65.0 and water["satisfaction_rate"] == 0.0
    # transport: no 回访 yet: its weight is left out → (30·1.0 + 35·0.5) / 65
    assert roads_row["satisfaction_rate"] is None and roads_row["composite_score"] == round(100 * 47.5 / 65, 2)
    assert [row["key"] for row in body["groups"]][:2] == ["transport", "water_resources"]
    assert [row["key"] for row in totals(api, min_tickets=1)["groups"]][:2] == ["water_resources", "transport"]
    monkeypatch.setitem(app.config, "SCORE_WEIGHT_SATISFACTION", 0)
    rows = {row["key"]: row for row in totals(api, min_tickets=1, rank_by="composite_score")["groups"]}
    assert rows["water_resources"]["composite_score"] == 100.0

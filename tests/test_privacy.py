"""Villagers' phone and ID numbers: masked in every answer, whole only for the ticket's
current handler through a reveal the office can audit; misconduct clues reach only the
discipline commission; an inspector is shown only tickets they may open."""
import json

import pytest

from lifecycle_helpers import dispatched

PERSONAL = ("村民张某电话+86 139 1234 5678，李某+8613712345678，王某138-1234-5678，"
            "身份证371323199001011234，村委0539-2212345。")
WHOLE = ["139 1234 5678", "13712345678", "138-1234-5678", "371323199001011234", "2212345"]


def assert_masked(text: str):
    for whole in WHOLE:
        assert whole not in text, whole
    assert "139****5678" in text and "137****5678" in text and "371323********1234" in text


@pytest.fixture
def personal_ticket(api, submit, run_jobs):
    return dispatched(api, submit, run_jobs, description=PERSONAL, fact_basis="走访村民，电话13912345678")


def test_personal_data_is_masked_in_every_answer_but_the_reveal(api, personal_ticket, run_jobs):
    ticket_id = personal_ticket["id"]
    answers = {
        "list (department, not claimed)": api.get("/api/v1/tickets", as_="dept-transport"),
        "detail (department, not claimed)": api.get(f"/api/v1/tickets/{ticket_id}", as_="dept-transport"),
        "detail (office)": api.get(f"/api/v1/tickets/{ticket_id}", as_="office"),
        "detail (another inspector)": api.get(f"/api/v1/tickets/{ticket_id}", as_="inspector2"),
        "sync (another inspector)": api.get("/api/v1/mobile/sync", as_="inspector2"),
        "sync (the author)": api.get("/api/v1/mobile/sync", as_="inspector1"),
        "findings": api.get("/api/v1/mobile/findings", as_="inspector1"),
        "ledger": api.get("/api/v1/stats/ledger.csv", as_="office"),
    }
    claimed = api.post(f"/api/v1/tickets/{ticket_id}/claim", as_="dept-transport", json={"note": "联系13912345678"})
    answers["claim answer"] = claimed
    answers["detail (handler)"] = api.get(f"/api/v1/tickets/{ticket_id}", as_="dept-transport")
    for name, response in answers.items():
        assert response.status_code == 200, (name, response.get_json())
        text = response.get_data().decode("utf-8")
        if name != "ledger":
            text = json.dumps(response.get_json(), ensure_ascii=False)
        assert_masked(text)

    revealed = api.post(f"/api/v1/tickets/{ticket_id}/reveal", as_="dept-transport")
    assert revealed.status_code == 200, revealed.get_json()
    body = revealed.get_json()
    assert body["description"] == PERSONAL and body["fact_basis"] == "走访村民，电话13912345678"
    assert body["notes"][-1]["note"] == "联系13912345678"
    log = api.get("/api/v1/audit-log", as_="office").get_json()
    assert [(e["action"], e["actor_name"], e["ticket_id"]) for e in log] == [("reveal", "dept-transport", ticket_id)]


@pytest.mark.parametrize("who", ["office", "dept-agriculture", "dept-transport"])
def test_nobody_but_the_current_handler_may_reveal(api, personal_ticket, who):
    # dept-transport holds the ticket but has not claimed it: it has no handler yet
    r = api.post(f"/api/v1/tickets/{personal_ticket['id']}/reveal", as_=who)
    assert r.status_code in (403, 404), r.get_json()
    assert api.get("/api/v1/audit-log", as_="office").get_json() == []


def test_notifications_mask_every_way_of_writing_a_phone():
    from backend.services.notifications import mask_phones
    payload = mask_phones({"tickets": [{"title": PERSONAL}], "text": PERSONAL})
    assert_masked(payload["text"])
    assert_masked(payload["tickets"][0]["title"])


# ---------------------------------------------------------------- misconduct clues

def test_a_rule_cannot_send_a_misconduct_clue_to_another_department(api, submit, run_jobs):
    catch_all = {"name": "村支书相关", "department_code": "transport", "keywords": ["村支书"], "priority": 0}
    assert api.post("/api/v1/routing/rules", as_="admin", json=catch_all).status_code == 201
    # A misconduct finding opens no ticket at all (it waits for review and becomes a clue) ...
    r = submit(category="misconduct", title="村支书优亲厚友", description="村支书在低保评定中优亲厚友。")
    assert r.status_code == 201 and r.get_json()["ticket_id"] is None
    assert run_jobs() == 0
    # ... and should one be routed all the same, no rule sends it past the discipline commission.
    explained = api.post("/api/v1/routing/explain", as_="admin", json={
        "category": "misconduct", "village_code": "371323001001", "text": "村支书在低保评定中优亲厚友。"}).get_json()
    assert explained["department_code"] == "discipline_commission", explained["trace"]


@pytest.mark.parametrize("rule", [
    {"name": "线索错发", "department_code": "transport", "category": "misconduct"},
    {"name": "线索到乡镇", "department_code": "@township", "category": "misconduct"},
])
def test_a_rule_routing_misconduct_elsewhere_is_refused(api, rule):
    r = api.post("/api/v1/routing/rules", as_="admin", json=rule)
    assert r.status_code == 422 and r.get_json()["code"] == "restricted_category", r.get_json()


def test_changing_a_rule_into_one_that_routes_misconduct_elsewhere_is_refused(api):
    rule = api.post("/api/v1/routing/rules", as_="admin",
                    json={"name": "线索", "department_code": "discipline_commission", "category": "misconduct"})
    assert rule.status_code == 201
    r = api.patch(f"/api/v1/routing/rules/{rule.get_json()['id']}", as_="admin", json={"department_code": "transport"})
    assert r.status_code == 422 and r.get_json()["code"] == "restricted_category"


# ---------------------------------------------------------------- what an inspector may open

@pytest.fixture
def someone_elses_ticket(api, submit, run_jobs):
    """An open ticket at the spot, in a task inspector1 is not on."""
    users = api.get("/api/v1/users?role=inspector", as_="office").get_json()
    inspector2 = next(u["id"] for u in users if u["username"] == "inspector2")
    task = api.post("/api/v1/tasks", as_="office", json={
        "name": "另一组的任务", "village_codes": ["371323001001"], "inspector_ids": [inspector2],
        "starts_on": "2026-11-01", "ends_on": "2026-12-31"}).get_json()
    from conftest import finding_payload
    theirs = finding_payload(task["id"], title="他组发现的道路问题", location={"lat": 35.79, "lon": 118.63, "accuracy_m": 5})
    r = api.post("/api/v1/mobile/findings", as_="inspector2", json=theirs)
    assert r.status_code == 201, r.get_json()
    run_jobs()
    return r.get_json()["ticket_id"]


def test_an_inspector_is_not_offered_or_told_about_tickets_they_cannot_open(api, submit, someone_elses_ticket):
    mine = submit(location={"lat": 35.7901, "lon": 118.6300, "accuracy_m": 5}).get_json()
    assert mine["nearby_open_tickets"] == []
    link = api.post(f"/api/v1/mobile/findings/{mine['id']}/link", as_="inspector1",
                    json={"ticket_id": someone_elses_ticket})
    assert link.status_code == 422 and "livelihood" not in json.dumps(link.get_json())
    other_category = submit(category="farmland", link_to_ticket_id=someone_elses_ticket)
    assert other_category.status_code == 422 and "livelihood" not in json.dumps(other_category.get_json())

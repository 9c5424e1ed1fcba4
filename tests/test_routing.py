"""Routing: rules by priority with a kept trace, returns to the next candidate, triage."""
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from backend.models import Ticket
from workers import jobs


def ticket(api, ticket_id):
    return api.get(f"/api/v1/tickets/{ticket_id}", as_="office").get_json()


@pytest.mark.parametrize("category, text, department", [
    ("livelihood", "村里自来水水质浑浊", "water_resources"),
    ("livelihood", "村卫生室缺少医生", "health"),
    ("livelihood", "幼儿园校舍漏雨", "education"),
    ("livelihood", "村口路灯不亮", "town-371323001"),          # no keyword: the township
    ("living_environment", "河道有企业污水直排", "ecology_environment"),
    ("living_environment", "村内垃圾堆积未清运", "agriculture"),
    ("benefit_policy", "低保评定不公开", "civil_affairs"),
    ("benefit_policy", "危房改造资金未到位", "housing"),
    ("farmland", "占用耕地建房", "natural_resources"),
    ("petty_power", "村务公开栏长期未更新", "town-371323001"),
    ("party_building", "支部三会一课不规范", "organization_dept"),
    ("village_projects", "工程未验收即付款", "housing"),
    ("collective_economy", "合作社空壳运行", "agriculture"),
    ("collective_assets", "集体资产未登记", "agriculture"),
    ("disputes", "宅基地纠纷", "town-371323001"),
])
def test_every_category_routes_to_its_owner(api, submit, run_jobs, category, text, department):
    ticket_id = submit(category=category, title=text, description=text).get_json()["ticket_id"]
    run_jobs()
    routed = ticket(api, ticket_id)
    assert (routed["status"], routed["department_code"]) == ("dispatched", department)


def test_explain_tells_the_department_and_the_rules_considered_and_creates_nothing(api):
    r = api.post("/api/v1/routing/explain", as_="office", json={
        "category": "living_environment", "village_code": "371323101200", "text": "垃圾乱堆",
        "severity": "serious"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["department_code"], body["department_name"], body["destination"]) == (
        "agriculture", "沂水县农业农村局", "dispatched")
    matched = [s["department"] for s in body["trace"] if s["matched"]]
    assert matched == ["agriculture", "town-371323101"]  # the fallback is the next candidate
    assert any(not s["matched"] and "category" in s["reason"] for s in body["trace"])
    assert api.get("/api/v1/tickets", as_="office").get_json() == []


def test_a_return_goes_to_the_next_candidate_then_to_triage(api, submit, run_jobs):
    ticket_id = submit(category="living_environment", title="垃圾堆积", description="村内垃圾堆积").get_json()["ticket_id"]
    run_jobs()
    assert ticket(api, ticket_id)["department_code"] == "agriculture"

    r = api.post(f"/api/v1/tickets/{ticket_id}/return", as_="dept-agriculture", json={"reason_code": "not_our_duty", "reason": "属乡镇环卫职责"})
    assert r.status_code == 200, r.get_json()
    moved = r.get_json()
    assert (moved["status"], moved["department_code"], moved["return_count"]) == ("dispatched", "town-371323001", 1)
    # The first department no longer sees it.
    assert api.get(f"/api/v1/tickets/{ticket_id}", as_="dept-agriculture").status_code == 404

    api.post(f"/api/v1/tickets/{ticket_id}/claim", as_="dept-town-371323001", json={})
    r = api.post(f"/api/v1/tickets/{ticket_id}/return", as_="dept-town-371323001", json={"reason_code": "not_our_duty", "reason": "非本乡镇"})
    triaged = r.get_json()
    assert (triaged["status"], triaged["department_code"], triaged["return_count"]) == ("triage", None, 2)
    assert triaged["returned_by"] == ["agriculture", "town-371323001"]

    # The office assigns it by hand; the department gets a fresh deadline.
    r = api.post(f"/api/v1/tickets/{ticket_id}/assign", as_="office", json={"department_code": "housing", "note": "村容村貌"})
    assert r.status_code == 200 and r.get_json()["status"] == "dispatched"
    assert r.get_json()["due_at"] is not None
    stats = api.get("/api/v1/stats/resolution", as_="office").get_json()["total"]
    assert stats["return_rate"] == 1.0


def test_a_return_never_goes_back_to_a_department_that_returned_it(api, submit, run_jobs, app):
    app.config["MAX_RETURNS"] = 5
    try:
        ticket_id = submit(category="living_environment", title="垃圾", description="垃圾").get_json()["ticket_id"]
        run_jobs()
        api.post(f"/api/v1/tickets/{ticket_id}/return", as_="dept-agriculture", json={"reason_code": "not_our_duty", "reason": "不归我们"})
        r = api.post(f"/api/v1/tickets/{ticket_id}/return", as_="dept-town-371323001", json={"reason_code": "not_our_duty", "reason": "也不归我们"})
        # Two candidates only, both returned it: triage although returns are still allowed.
        assert r.get_json()["status"] == "triage"
        assert ticket(api, ticket_id)["events"][-1]["data"]["to_triage"] == "no other department matches"
    finally:
        app.config["MAX_RETURNS"] = 2


def test_no_matching_rule_sends_the_ticket_to_triage(api, submit, run_jobs):
    rules = api.get("/api/v1/routing/rules", as_="admin").get_json()
    for rule in rules:
        if rule["category"] == "farmland":
            assert api.delete(f"/api/v1/routing/rules/{rule['id']}", as_="admin").status_code == 204
    ticket_id = submit(category="farmland", title="占用耕地", description="占用耕地").get_json()["ticket_id"]
    run_jobs()
    routed = ticket(api, ticket_id)
    assert routed["status"] == "triage" and routed["department_code"] is None
    assert all(not step["matched"] for step in routed["routing_trace"])
    triage = api.get("/api/v1/tickets?status=triage", as_="office").get_json()
    assert [t["id"] for t in triage] == [ticket_id]


def test_admin_edits_a_rule_and_the_router_follows(api, submit, run_jobs):
    r = api.post("/api/v1/routing/rules", as_="admin", json={
        "name": "马站镇道路 → 乡镇", "priority": 5, "category": "livelihood", "keywords": ["道路"],
        "township_codes": ["371323001"], "department_code": "@township"})
    assert r.status_code == 201, r.get_json()
    rule_id = r.get_json()["id"]
    first = submit().get_json()["ticket_id"]
    run_jobs()
    assert ticket(api, first)["department_code"] == "town-371323001"
    assert ticket(api, first)["events"][1]["data"]["rule_id"] == rule_id

    r = api.patch(f"/api/v1/routing/rules/{rule_id}", as_="admin", json={"active": False})
    assert r.status_code == 200 and r.get_json()["active"] is False
    second = submit().get_json()["ticket_id"]
    run_jobs()
    assert ticket(api, second)["department_code"] == "transport"


def test_the_routing_job_is_idempotent(app, api, submit, run_jobs):
    ticket_id = submit().get_json()["ticket_id"]
    assert jobs.route_ticket(ticket_id) == "dispatched"
    assert jobs.route_ticket(ticket_id) == "dispatched"
    assert run_jobs() == 1  # the queued job finds it routed and does nothing
    routed = ticket(api, ticket_id)
    assert [e["action"] for e in routed["events"]] == ["open", "route"]


def test_with_redis_down_submissions_succeed_and_the_sweep_routes_each_once(app, api, submit, run_jobs, monkeypatch):
    from rq import Queue

    def redis_down(*args, **kwargs):
        raise RedisConnectionError("Connection refused (simulated)")

    monkeypatch.setattr(Queue, "enqueue_call", redis_down)
    ids = [submit(title=f"道路坑洼 {i}").get_json()["ticket_id"] for i in range(3)]
    assert all(ticket(api, i)["status"] == "pending_routing" for i in ids)
    monkeypatch.undo()

    assert run_jobs() == 0  # nothing reached the queue
    app.config["ROUTING_SWEEP_GRACE_SECONDS"] = 0
    try:
        assert jobs.sweep_pending_routing() == 3
        assert jobs.sweep_pending_routing() == 3  # swept again before a worker ran: no new jobs
    finally:
        app.config["ROUTING_SWEEP_GRACE_SECONDS"] = 30
    assert run_jobs() == 3
    for ticket_id in ids:
        events = ticket(api, ticket_id)["events"]
        assert [e["action"] for e in events] == ["open", "route"]
    assert jobs.sweep_pending_routing() == 0


def test_a_real_redis_outage_does_not_fail_a_submission(app, api, submit, run_jobs):
    """Point the app at a Redis port where nothing listens."""
    import redis as redis_lib
    real = app.extensions["redis"]
    app.extensions["redis"] = redis_lib.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        r = submit()
    finally:
        app.extensions["redis"] = real
    assert r.status_code == 201
    with app.app_context():
        assert Ticket.objects.get(id=r.get_json()["ticket_id"]).status == "pending_routing"


def test_a_finding_stored_without_its_ticket_gets_one_from_the_sweep(app, api, submit, run_jobs, monkeypatch):
    """The process stops between storing the finding and opening its ticket."""
    from backend.models import Finding
    from backend.services import tickets

    def crash(finding):
        raise RuntimeError("process killed (simulated)")

    monkeypatch.setattr(tickets, "open_from_finding", crash)
    r = submit()
    assert r.status_code == 500 and r.get_json()["code"] == "internal_error"
    monkeypatch.undo()
    with app.app_context():
        (finding,) = Finding.objects
        assert finding.ticket_id is None

    app.config["ROUTING_SWEEP_GRACE_SECONDS"] = 0
    try:
        assert jobs.sweep_pending_routing() == 0  # opened now, routed by its own job
        assert jobs.sweep_pending_routing() == 1  # its routing job is waiting; no second one
    finally:
        app.config["ROUTING_SWEEP_GRACE_SECONDS"] = 30
    assert run_jobs() == 1
    (ticket_row,) = api.get("/api/v1/tickets", as_="office").get_json()
    assert ticket_row["finding_id"] == str(finding.id) and ticket_row["status"] == "dispatched"


def test_replaying_a_finding_whose_ticket_was_never_opened_opens_it(app, api, run_jobs, monkeypatch):
    from backend.services import tickets
    from conftest import finding_payload

    payload = finding_payload(api.task_id())
    def crash(finding):
        raise RuntimeError("process killed (simulated)")

    monkeypatch.setattr(tickets, "open_from_finding", crash)
    assert api.post("/api/v1/mobile/findings", as_="inspector1", json=payload).status_code == 500
    monkeypatch.undo()
    again = api.post("/api/v1/mobile/findings", as_="inspector1", json=payload)
    assert again.status_code == 200 and again.get_json()["ticket_id"] is not None
    run_jobs()
    assert ticket(api, again.get_json()["ticket_id"])["status"] == "dispatched"

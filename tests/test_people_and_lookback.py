"""People change and problems come back: returns with a reason from the list, handover (责任交接)
when a handler leaves, rectification plans (整改方案), 回头看, and the consistency check."""
from datetime import date, timedelta

from backend.domain.sla import CHINA
from backend.models import InspectionTask, Ticket
from backend.models.common import utcnow
from conftest import PASSWORD
from lifecycle_helpers import at, dispatched, events
from workers.jobs import sample_lookback


def user_id(api, username):
    return api.get("/api/v1/me", as_=username).get_json()["id"]


def test_a_return_needs_a_reason_from_the_list_and_is_counted(api, submit, run_jobs):
    reasons = api.get("/api/v1/tickets/return-reasons", as_="dept-transport").get_json()
    assert {"code": "not_our_duty", "label": "不属于本部门职责"} in reasons
    ticket = dispatched(api, submit, run_jobs)
    bad = api.post(f"/api/v1/tickets/{ticket['id']}/return", as_="dept-transport",
                   json={"reason_code": "because", "reason": "不归我们"})
    assert bad.status_code == 422 and "reason_code" in bad.get_json()["errors"]
    r = api.post(f"/api/v1/tickets/{ticket['id']}/return", as_="dept-transport",
                 json={"reason_code": "wrong_township", "reason": "应由乡镇处理"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["events"][-1]["data"]["reason_code"] == "wrong_township"
    counts = api.get("/api/v1/tickets/returns", as_="office").get_json()
    assert counts == [{"department_code": "transport", "returns": 1, "by_reason": {"wrong_township": 1}}]
    assert api.get("/api/v1/tickets/returns", as_="dept-transport").status_code == 403


def test_a_leaving_handler_hands_every_open_ticket_to_a_named_successor(api, submit, run_jobs):
    first = dispatched(api, submit, run_jobs)
    second = dispatched(api, submit, run_jobs, title="另一段道路破损")
    for t in (first, second):
        assert api.post(f"/api/v1/tickets/{t['id']}/claim", as_="dept-transport", json={}).status_code == 200
    api.post(f"/api/v1/tickets/{second['id']}/resolve", as_="dept-transport", json={"note": "已修复"})
    leaving = user_id(api, "dept-transport")
    r = api.post("/api/v1/users", as_="admin", json={"username": "transport-2", "password": PASSWORD,
                                                     "role": "department", "department_code": "transport"})
    assert r.status_code == 201
    successor = r.get_json()["id"]
    other = user_id(api, "dept-water_resources")

    # Without a successor (or with one from another department) nothing changes.
    refused = api.patch(f"/api/v1/users/{leaving}", as_="admin", json={"active": False})
    assert refused.status_code == 422 and "successor_id" in refused.get_json()["errors"]
    wrong = api.patch(f"/api/v1/users/{leaving}", as_="admin", json={"active": False, "successor_id": other})
    assert wrong.status_code == 422
    assert api.get("/api/v1/me", as_="dept-transport").status_code == 200

    r = api.patch(f"/api/v1/users/{leaving}", as_="admin", json={"active": False, "successor_id": successor})
    assert r.status_code == 200 and r.get_json()["active"] is False
    for t in (first, second):
        after = api.get(f"/api/v1/tickets/{t['id']}", as_="office").get_json()
        assert after["handler_id"] == successor
        [handover] = [e for e in after["events"] if e["action"] == "handover"]
        assert handover["data"]["from_user"] == leaving and handover["from_status"] == handover["to_status"]
    assert Ticket.objects(handler_id=leaving).count() == 0
    result = api.post(f"/api/v1/users/{leaving}/handover", as_="admin", json={"successor_id": successor})
    assert result.get_json() == {"moved": 0, "remaining": 0}


def test_a_serious_ticket_is_resolved_only_with_an_approved_plan(api, submit, run_jobs):
    ticket = dispatched(api, submit, run_jobs, severity="serious")
    tid = ticket["id"]
    api.post(f"/api/v1/tickets/{tid}/claim", as_="dept-transport", json={})
    blocked = api.post(f"/api/v1/tickets/{tid}/resolve", as_="dept-transport", json={"note": "已修"})
    assert blocked.status_code == 409 and blocked.get_json()["code"] == "plan_not_approved"

    due = date.fromisoformat(ticket["due_at"][:10])
    today = utcnow().astimezone(CHINA).date()
    steps = [{"title": "勘察路面", "due_on": today.isoformat()}, {"title": "铺设沥青", "due_on": due.isoformat()}]
    late = [{"title": "铺设沥青", "due_on": (due + timedelta(days=30)).isoformat()}]
    r = api.post(f"/api/v1/tickets/{tid}/plan", as_="dept-transport", json={"summary": "两步整改", "steps": late})
    assert r.status_code == 422 and "steps.1.due_on" in r.get_json()["errors"]
    r = api.post(f"/api/v1/tickets/{tid}/plan", as_="dept-transport", json={"summary": "两步整改", "steps": steps})
    assert r.status_code == 200 and r.get_json()["plan"]["status"] == "submitted"
    assert api.post(f"/api/v1/tickets/{tid}/plan/decision", as_="office", json={"approve": False}).status_code == 422
    r = api.post(f"/api/v1/tickets/{tid}/plan/decision", as_="office", json={"approve": False, "note": "写明施工单位"})
    assert r.get_json()["plan"]["status"] == "returned"
    r = api.post(f"/api/v1/tickets/{tid}/plan", as_="dept-transport", json={"summary": "县公路局施工", "steps": steps})
    assert r.get_json()["plan"]["revision"] == 2
    assert api.post(f"/api/v1/tickets/{tid}/plan", as_="dept-transport",
                    json={"summary": "again", "steps": steps}).status_code == 409
    r = api.post(f"/api/v1/tickets/{tid}/plan/decision", as_="office", json={"approve": True})
    assert r.get_json()["plan"]["status"] == "approved"

    assert api.post(f"/api/v1/tickets/{tid}/progress", as_="dept-transport",
                    json={"note": "x", "plan_step": 3}).status_code == 422
    r = api.post(f"/api/v1/tickets/{tid}/progress", as_="dept-transport", json={"note": "勘察完成", "plan_step": 1})
    assert r.status_code == 200 and r.get_json()["events"][-1]["data"]["plan_step"] == 1
    assert api.post(f"/api/v1/tickets/{tid}/resolve", as_="dept-transport", json={"note": "已修"}).status_code == 200
    general = dispatched(api, submit, run_jobs, title="一般问题")
    api.post(f"/api/v1/tickets/{general['id']}/claim", as_="dept-transport", json={})
    assert api.post(f"/api/v1/tickets/{general['id']}/plan", as_="dept-transport",
                    json={"summary": "s", "steps": steps}).status_code == 422


def close(api, ticket_id, department="dept-transport"):
    api.post(f"/api/v1/tickets/{ticket_id}/claim", as_=department, json={})
    api.post(f"/api/v1/tickets/{ticket_id}/resolve", as_=department, json={"note": "已修复"})
    r = api.post(f"/api/v1/tickets/{ticket_id}/verify", as_="office", json={"outcome": "confirmed"})
    assert r.status_code == 200 and r.get_json()["status"] == "closed", r.get_json()
    return r.get_json()


def test_lookback_samples_each_department_and_a_problem_back_reopens_the_ticket(api, submit, run_jobs, app):
    road = [close(api, dispatched(api, submit, run_jobs, title=f"道路{i}")["id"]) for i in range(3)]
    water = dispatched(api, submit, run_jobs, title="饮水管道破裂", description="村内自来水管道破裂，群众饮水困难。")
    assert water["department_code"] != "transport"
    water = close(api, water["id"], f"dept-{water['department_code']}")
    # Too early: nothing is sampled.
    assert sample_lookback(at(road[0]["closed_at"], days=10)) == []
    [task_id] = sample_lookback(at(road[-1]["closed_at"], days=31))
    task = InspectionTask.objects.get(id=task_id)
    assert task.kind == "lookback" and len(task.ticket_ids) == 2  # one of each department (10%, at least one)
    assert sample_lookback(at(road[-1]["closed_at"], days=62)) == []  # nobody is considered twice
    sampled = {str(i) for i in task.ticket_ids}
    assert water["id"] in sampled

    mine = api.get("/api/v1/mobile/tasks", as_="inspector1").get_json()
    assert task_id in [t["id"] for t in mine]
    [lookback] = [t for t in mine if t["id"] == task_id]
    assert lookback["kind"] == "lookback" and sorted(lookback["ticket_ids"]) == sorted(sampled)

    road_id = next(i for i in sampled if i != water["id"])
    assert api.post(f"/api/v1/tickets/{road_id}/lookback", as_="inspector1",
                    json={"outcome": "problem_back"}).status_code == 422
    r = api.post(f"/api/v1/tickets/{road_id}/lookback", as_="inspector1",
                 json={"outcome": "problem_back", "note": "路面再次破损"})
    assert r.status_code == 200, r.get_json()
    reopened = r.get_json()
    assert (reopened["status"], reopened["department_code"], reopened["reopen_count"],
            reopened["lookback_outcome"]) == ("dispatched", "transport", 1, "problem_back")
    assert reopened["due_at"] is not None and reopened["outcome"] is None
    assert [e["action"] for e in reopened["events"]][-2:] == ["lookback_sampled", "reopen"]
    again = api.post(f"/api/v1/tickets/{road_id}/lookback", as_="inspector1",
                     json={"outcome": "confirmed"})
    assert again.status_code == 409
    r = api.post(f"/api/v1/tickets/{water['id']}/lookback", as_="office", json={"outcome": "confirmed"})
    assert r.status_code == 200 and r.get_json()["status"] == "closed"
    not_sampled = next(t["id"] for t in road if t["id"] not in sampled)
    assert api.post(f"/api/v1/tickets/{not_sampled}/lookback", as_="office",
                    json={"outcome": "confirmed"}).status_code == 409

    # The department's reopen rate counts it once it is closed again.
    close(api, road_id)
    stats = api.get("/api/v1/stats/resolution?group_by=department", as_="office").get_json()
    transport = next(g for g in stats["groups"] if g["key"] == "transport")
    assert transport["reopen_rate"] == round(1 / 3, 4) or abs(transport["reopen_rate"] - 1 / 3) < 0.01


def test_the_event_log_is_append_only_and_the_check_finds_tampering(api, submit, run_jobs, app):
    for rule in app.url_map.iter_rules():
        assert "event" not in rule.rule
        if rule.rule.startswith("/api/v1/tickets"):
            assert not (rule.methods & {"PUT", "PATCH", "DELETE"}), rule
    ticket = dispatched(api, submit, run_jobs)
    close(api, ticket["id"])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tickets", "check"])
    assert result.exit_code == 0 and "0 tickets with problems" in result.output
    # Someone edits the database behind the API's back: the check says what is wrong.
    Ticket.objects(id=ticket["id"]).update(set__status="claimed")
    Ticket.objects(id=ticket["id"]).update(pop__events=1)
    result = runner.invoke(args=["tickets", "check"])
    assert result.exit_code == 1
    assert "status claimed but the events lead to resolved" in result.output
    assert "version" in result.output
    assert runner.invoke(args=["stats", "rebuild"]).exit_code == 0  # the office's counters follow the raw edit

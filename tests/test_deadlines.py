"""Clocks and pressure: the claim deadline, 催办 at 75% of the time, the overdue flag, 督办
after one and three working days; extension requests (延期申请); each reminder sent once."""
import threading
from datetime import datetime

from backend.domain.sla import CHINA, WorkCalendar
from backend.models import Notification, Ticket
from lifecycle_helpers import at, dispatched, events
from workers.jobs import sweep_deadlines


def notifications(kind=None):
    query = Notification.objects(kind=kind) if kind else Notification.objects
    return list(query)


def test_the_clock_points_follow_working_hours_and_days(api, submit, run_jobs):
    ticket = dispatched(api, submit, run_jobs, severity="urgent")
    start = datetime.fromisoformat(ticket["dispatched_at"])
    cal = WorkCalendar()
    due, remind, claim = (datetime.fromisoformat(ticket[k]) for k in ("due_at", "remind_at", "claim_due_at"))
    assert due == cal.add_working_days(start, 3)
    assert claim == cal.add_working_hours(start, 2)
    used = cal.working_seconds_between(start, remind) / cal.working_seconds_between(start, due)
    assert abs(used - 0.75) < 1e-6
    assert ticket["escalation_level"] == 0


def test_working_hours_skip_nights_weekends_and_national_day():
    cal = WorkCalendar()
    # Wednesday 30 September 2026, 17:00: one hour left that day, then the National Day
    # holiday (1–7 October); Thursday 8 October is the next working day.
    start = datetime(2026, 9, 30, 17, 0, tzinfo=CHINA)
    assert cal.add_working_hours(start, 2).astimezone(CHINA) == datetime(2026, 10, 8, 10, 0, tzinfo=CHINA)
    assert cal.working_seconds_between(start, datetime(2026, 10, 8, 10, 0, tzinfo=CHINA)) == 7200
    # Saturday 10 October 2026 is a make-up working day (调休).
    assert cal.add_working_days(start, 3).astimezone(CHINA).date().isoformat() == "2026-10-10"


def test_the_same_sweep_run_twice_sends_one_reminder(api, submit, run_jobs):
    ticket = dispatched(api, submit, run_jobs)
    api.post(f"/api/v1/tickets/{ticket['id']}/claim", as_="dept-transport", json={})
    moment = at(ticket["remind_at"], minutes=1)
    first = sweep_deadlines(moment)
    assert first["remind"] == 1 and first["overdue"] == 0
    assert sweep_deadlines(moment)["remind"] == 0
    assert sweep_deadlines(at(ticket["remind_at"], hours=1))["remind"] == 0
    run_jobs()
    assert len(events(api, ticket["id"], "remind")) == 1
    [sent] = notifications("remind")
    assert sent.department_code == "transport" and sent.audience == "department"
    assert sent.deliveries["log"]["status"] == "sent" and sent.deliveries["log"]["attempts"] == 1
    check = api.get(f"/api/v1/tickets/{ticket['id']}", as_="office").get_json()
    assert [e["seq"] for e in check["events"]] == list(range(1, check["version"] + 1))


def test_two_sweeps_at_once_send_each_reminder_once(api, submit, run_jobs):
    tickets = [dispatched(api, submit, run_jobs, title=f"道路{i}") for i in range(3)]
    moment = at(max(t["remind_at"] for t in tickets), minutes=1)
    results = []
    threads = [threading.Thread(target=lambda: results.append(sweep_deadlines(moment))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["remind"] for r in results) == 3
    run_jobs()
    reminded = [n for n in notifications("remind")]
    assert sorted(str(i) for n in reminded for i in n.ticket_ids) == sorted(t["id"] for t in tickets)
    for t in tickets:
        assert len(events(api, t["id"], "remind")) == 1


def test_overdue_then_department_head_then_the_offices_list(api, submit, run_jobs):
    ticket = dispatched(api, submit, run_jobs)
    tid = ticket["id"]
    assert sweep_deadlines(at(ticket["claim_due_at"], minutes=1))["claim_reminder"] == 1
    api.post(f"/api/v1/tickets/{tid}/claim", as_="dept-transport", json={})
    counts = sweep_deadlines(at(ticket["due_at"], minutes=1))
    assert (counts["remind"], counts["overdue"], counts["escalate1"]) == (1, 1, 0)
    after = api.get(f"/api/v1/tickets/{tid}", as_="office").get_json()
    assert after["overdue"] is True and after["escalation_level"] == 0
    assert sweep_deadlines(at(ticket["escalate1_at"], minutes=1))["escalate1"] == 1
    assert api.get("/api/v1/tickets?escalation_level=2", as_="office").get_json() == []
    counts = sweep_deadlines(at(ticket["escalate2_at"], minutes=1))
    assert (counts["escalate1"], counts["escalate2"]) == (0, 1)
    supervised = api.get("/api/v1/tickets?escalation_level=2", as_="office").get_json()
    assert [t["id"] for t in supervised] == [tid] and supervised[0]["escalation_level"] == 2
    run_jobs()
    assert [(n.kind, n.audience) for n in sorted(notifications(), key=lambda n: n.created_at)] == [
        ("claim_reminder", "department"), ("remind", "department"), ("overdue", "department"),
        ("escalate1", "department_head"), ("escalate2", "office")]
    assert [e["data"].get("level") for e in events(api, tid, "escalate")] == [1, 2]
    # Sweeping again much later changes nothing.
    assert not any(sweep_deadlines(at(ticket["escalate2_at"], days=30)).values())


def test_an_extension_asked_in_time_moves_the_deadline_and_rearms_the_reminder(api, submit, run_jobs):
    ticket = dispatched(api, submit, run_jobs)
    tid = ticket["id"]
    api.post(f"/api/v1/tickets/{tid}/claim", as_="dept-transport", json={})
    sweep_deadlines(at(ticket["remind_at"], minutes=1))
    r = api.post(f"/api/v1/tickets/{tid}/extension", as_="dept-transport",
                 json={"reason": "需等待沥青到货", "extra_working_days": 5})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["extension"]["status"] == "pending"
    again = api.post(f"/api/v1/tickets/{tid}/extension", as_="dept-transport",
                     json={"reason": "再延", "extra_working_days": 5})
    assert again.status_code == 409 and again.get_json()["code"] == "extension_pending"
    assert api.post(f"/api/v1/tickets/{tid}/extension/decision", as_="dept-transport",
                    json={"approve": True}).status_code == 403
    r = api.post(f"/api/v1/tickets/{tid}/extension/decision", as_="office", json={"approve": True, "note": "同意"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    new_due = datetime.fromisoformat(body["due_at"])
    assert new_due == WorkCalendar().add_working_days(datetime.fromisoformat(ticket["due_at"]), 5)
    assert body["extension"]["status"] == "approved" and body["escalation_level"] == 0
    assert datetime.fromisoformat(body["remind_at"]) > datetime.fromisoformat(ticket["remind_at"])
    # The old deadline passes without an overdue flag; the new reminder goes out once.
    assert sweep_deadlines(at(ticket["due_at"], minutes=1))["overdue"] == 0
    sweep_deadlines(at(body["remind_at"], minutes=1))
    sweep_deadlines(at(body["remind_at"], minutes=2))
    assert [e["action"] for e in events(api, tid)][-4:] == ["remind", "extension_request", "extension_approve", "remind"]
    no_request = api.post(f"/api/v1/tickets/{tid}/extension/decision", as_="office", json={"approve": True})
    assert no_request.status_code == 409


def test_a_late_extension_request_is_refused_and_a_refusal_needs_a_reason(app, api, submit, run_jobs):
    ticket = dispatched(api, submit, run_jobs)
    tid = ticket["id"]
    r = api.post(f"/api/v1/tickets/{tid}/extension", as_="dept-transport",
                 json={"reason": "人手不足", "extra_working_days": 3})
    assert r.status_code == 200
    assert api.post(f"/api/v1/tickets/{tid}/extension/decision", as_="office",
                    json={"approve": False}).status_code == 422
    r = api.post(f"/api/v1/tickets/{tid}/extension/decision", as_="office",
                 json={"approve": False, "note": "时限内可完成"})
    assert r.status_code == 200 and r.get_json()["extension"]["status"] == "refused"
    assert r.get_json()["due_at"] == ticket["due_at"]
    # Arrange a deadline that has passed (the clock cannot be moved over HTTP).
    Ticket.objects(id=tid).update(set__due_at=datetime(2020, 1, 2, 10, tzinfo=CHINA))
    assert app.test_cli_runner().invoke(args=["stats", "rebuild"]).exit_code == 0  # after a raw edit
    late = api.post(f"/api/v1/tickets/{tid}/extension", as_="dept-transport",
                    json={"reason": "来不及", "extra_working_days": 3})
    assert late.status_code == 409 and late.get_json()["code"] == "extension_too_late"
    assert "期限前" in late.get_json()["message"]  # (Chinese by default)
    bad = api.post(f"/api/v1/tickets/{tid}/extension", as_="dept-transport",
                   json={"reason": "x", "extra_working_days": 99})
    assert bad.status_code == 422


def test_sla_policy_sets_claim_hours_too(api, submit, run_jobs):
    r = api.put("/api/v1/sla/policies/livelihood/general", as_="admin", json={"claim_hours": 4})
    assert r.status_code == 200 and r.get_json() == {
        "category": "livelihood", "severity": "general", "resolve_days": 15, "claim_hours": 4, "is_default": False}
    assert api.put("/api/v1/sla/policies/livelihood/general", as_="admin", json={}).status_code == 422
    ticket = dispatched(api, submit, run_jobs)
    start = datetime.fromisoformat(ticket["dispatched_at"])
    assert datetime.fromisoformat(ticket["claim_due_at"]) == WorkCalendar().add_working_hours(start, 4)

"""Deadlines: the county's SLA table and calendar overrides decide a ticket's due date."""
from datetime import datetime, timedelta

from backend.domain.sla import CHINA, WorkCalendar


def due_date(api, ticket_id):
    due = api.get(f"/api/v1/tickets/{ticket_id}", as_="office").get_json()["due_at"]
    return datetime.fromisoformat(due).astimezone(CHINA)


def test_the_sla_table_sets_the_deadline_in_working_days(api, submit, run_jobs):
    table = api.get("/api/v1/sla/policies", as_="office").get_json()
    road = next(p for p in table if (p["category"], p["severity"]) == ("livelihood", "urgent"))
    assert road == {"category": "livelihood", "severity": "urgent", "resolve_days": 3, "claim_hours": 2,
                    "is_default": True}
    r = api.put("/api/v1/sla/policies/livelihood/urgent", as_="admin", json={"resolve_days": 1})
    assert r.status_code == 200 and r.get_json()["is_default"] is False

    ticket_id = submit(severity="urgent").get_json()["ticket_id"]
    run_jobs()
    dispatched = api.get(f"/api/v1/tickets/{ticket_id}", as_="office").get_json()["dispatched_at"]
    start = datetime.fromisoformat(dispatched).astimezone(CHINA).date()
    due = due_date(api, ticket_id)
    assert due.hour == 18 and due.date() > start
    # One working day: nothing but holidays and weekends lies between.
    between = [start + timedelta(days=i) for i in range(1, (due.date() - start).days)]
    assert WorkCalendar().is_workday(due.date())
    assert not any(WorkCalendar().is_workday(d) for d in between)


def test_only_admin_edits_the_table_and_bad_entries_are_refused(api):
    assert api.put("/api/v1/sla/policies/livelihood/urgent", as_="office", json={"resolve_days": 1}).status_code == 403
    assert api.put("/api/v1/sla/policies/roads/urgent", as_="admin", json={"resolve_days": 1}).status_code == 404
    assert api.put("/api/v1/sla/policies/livelihood/urgent", as_="admin", json={"resolve_days": 0}).status_code == 422


def test_a_calendar_override_moves_deadlines(api, submit, run_jobs):
    ticket_id = submit(severity="urgent").get_json()["ticket_id"]
    run_jobs()
    before = due_date(api, ticket_id).date()
    # Declare the day before the deadline (and the deadline itself) holidays: new tickets are due later.
    r = api.put(f"/api/v1/sla/holidays/{before.isoformat()}", as_="admin", json={"is_workday": False, "note": "test"})
    assert r.status_code == 200 and r.get_json()["day"] == before.isoformat()
    later = submit(severity="urgent", title="另一处道路").get_json()["ticket_id"]
    run_jobs()
    assert due_date(api, later).date() > before
    assert [h["day"] for h in api.get("/api/v1/sla/holidays", as_="office").get_json()] == [before.isoformat()]
    assert api.delete(f"/api/v1/sla/holidays/{before.isoformat()}", as_="admin").status_code == 204
    assert api.delete(f"/api/v1/sla/holidays/{before.isoformat()}", as_="admin").status_code == 404
    assert api.put("/api/v1/sla/holidays/2027-02-30", as_="admin", json={"is_workday": True}).status_code == 422

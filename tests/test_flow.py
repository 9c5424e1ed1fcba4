"""The whole round over HTTP: the office plans a task, an inspector checks in and reports,
the router dispatches, the department claims and fixes, the inspector verifies, and the
office sees the resolution rates move."""
from conftest import finding_payload


def me(api, username):
    return api.get("/api/v1/me", as_=username).get_json()


def test_task_to_closed_ticket_and_its_effect_on_the_rates(api, run_jobs):
    # The office plans a task for inspector1 in two villages of 沂城街道.
    inspector = me(api, "inspector1")
    r = api.post("/api/v1/tasks", as_="office", json={
        "name": "专项巡察 · 阳东阳西", "village_codes": ["371323001001", "371323001002"],
        "inspector_ids": [inspector["id"]], "starts_on": "2026-11-20", "ends_on": "2026-12-20",
        "focus_categories": ["livelihood"]})
    assert r.status_code == 201, r.get_json()
    task_id = r.get_json()["id"]
    assert task_id in [t["id"] for t in api.get("/api/v1/mobile/tasks", as_="inspector1").get_json()]

    # The inspector checks in at the village and submits a finding about a road.
    r = api.post(f"/api/v1/mobile/tasks/{task_id}/check-in", as_="inspector1",
                 json={"village_code": "371323001001", "lat": 35.79, "lon": 118.63, "accuracy_m": 8})
    assert r.status_code == 201, r.get_json()
    r = api.post("/api/v1/mobile/findings", as_="inspector1", json=finding_payload(task_id))
    assert r.status_code == 201, r.get_json()
    finding = r.get_json()
    assert finding["township_code"] == "371323001"
    ticket_id = finding["ticket_id"]

    # Stats before anything is closed: one ticket, nothing resolved.
    stats = api.get("/api/v1/stats/resolution?group_by=department", as_="office").get_json()
    assert stats["total"]["tickets"] == 1 and stats["total"]["resolution_rate"] == 0.0

    # The router runs as an RQ job and dispatches to transport, keeping the trace.
    assert run_jobs() == 1
    ticket = api.get(f"/api/v1/tickets/{ticket_id}", as_="dept-transport").get_json()
    assert ticket["status"] == "dispatched" and ticket["department_code"] == "transport"
    assert ticket["due_at"] is not None and ticket["overdue"] is False
    chosen = [step for step in ticket["routing_trace"] if step.get("chosen")]
    assert chosen[0]["department"] == "transport" and "道路" in chosen[0]["keywords"]
    assert ticket["finding"]["policy_basis"] == "《山东省农村公路条例》第十二条"

    # The department sees it in its list, claims, reports progress and resolves.
    listed = api.get("/api/v1/tickets", as_="dept-transport").get_json()
    assert [t["id"] for t in listed] == [ticket_id]
    assert api.post(f"/api/v1/tickets/{ticket_id}/claim", as_="dept-transport", json={}).status_code == 200
    r = api.post(f"/api/v1/tickets/{ticket_id}/progress", as_="dept-transport", json={"note": "已安排施工队"})
    assert r.status_code == 200 and r.get_json()["status"] == "claimed"
    r = api.post(f"/api/v1/tickets/{ticket_id}/resolve", as_="dept-transport",
                 json={"note": "路面已修复，见现场照片"})
    assert r.status_code == 200 and r.get_json()["status"] == "resolved"

    # The inspector sees it among their tickets and confirms the fix on site.
    mine = api.get("/api/v1/mobile/tickets", as_="inspector1").get_json()
    assert [t["status"] for t in mine if t["id"] == ticket_id] == ["resolved"]
    r = api.post(f"/api/v1/mobile/tickets/{ticket_id}/verify", as_="inspector1",
                 json={"outcome": "confirmed", "note": "现场核实已修复",
                       "location": {"lat": 35.79, "lon": 118.63, "accuracy_m": 5}})
    assert r.status_code == 200, r.get_json()
    closed = r.get_json()
    assert closed["status"] == "closed" and closed["outcome"] == "fixed"

    # Every state change left exactly one event, in order.
    assert [(e["seq"], e["action"], e["to_status"]) for e in closed["events"]] == [
        (1, "open", "pending_routing"), (2, "route", "dispatched"), (3, "claim", "claimed"),
        (4, "progress", "claimed"), (5, "resolve", "resolved"), (6, "verify_confirmed", "closed")]
    assert closed["events"][-1]["actor_name"] == "inspector1"
    assert closed["events"][-1]["location"]["lat"] == 35.79

    # The office's rates now count one closed ticket, on time, claimed within 24 h.
    stats = api.get("/api/v1/stats/resolution?group_by=department", as_="office").get_json()
    assert stats["total"]["resolution_rate"] == 1.0
    transport = next(g for g in stats["groups"] if g["key"] == "transport")
    assert transport["label"] == "沂水县交通运输局"
    assert (transport["tickets"], transport["closed"], transport["on_time_rate"],
            transport["claim_24h_rate"], transport["reopen_rate"], transport["return_rate"]) == (1, 1, 1.0, 1.0, 0.0, 0.0)
    assert transport["rank"] is None  # one ticket is too few to be ranked


def test_not_fixed_reopens_to_the_same_department_with_a_new_deadline(api, submit, run_jobs):
    ticket_id = submit().get_json()["ticket_id"]
    run_jobs()
    api.post(f"/api/v1/tickets/{ticket_id}/claim", as_="dept-transport", json={})
    first_due = api.get(f"/api/v1/tickets/{ticket_id}", as_="office").get_json()["due_at"]
    api.post(f"/api/v1/tickets/{ticket_id}/resolve", as_="dept-transport", json={"note": "已修"})

    r = api.post(f"/api/v1/mobile/tickets/{ticket_id}/verify", as_="inspector2", json={"outcome": "not_fixed"})
    assert r.status_code == 422 and "note" in r.get_json()["errors"]
    r = api.post(f"/api/v1/mobile/tickets/{ticket_id}/verify", as_="inspector2",
                 json={"outcome": "not_fixed", "note": "仍有坑洼"})
    assert r.status_code == 200
    reopened = r.get_json()
    assert (reopened["status"], reopened["department_code"], reopened["reopen_count"]) == ("claimed", "transport", 1)
    assert reopened["due_at"] >= first_due

    api.post(f"/api/v1/tickets/{ticket_id}/resolve", as_="dept-transport", json={"note": "重新修复"})
    api.post(f"/api/v1/tickets/{ticket_id}/verify", as_="office", json={"outcome": "confirmed"})
    stats = api.get("/api/v1/stats/resolution?group_by=category", as_="office").get_json()
    assert stats["total"]["reopen_rate"] == 1.0 and stats["total"]["resolution_rate"] == 1.0


def test_duplicates_and_invalid_tickets_leave_the_rates(api, submit, run_jobs):
    first = submit().get_json()["ticket_id"]
    second = submit(title="同一条道路坑洼").get_json()["ticket_id"]
    run_jobs()
    r = api.post(f"/api/v1/tickets/{second}/close", as_="office", json={"outcome": "duplicate", "reason": f"同 {first}"})
    assert r.status_code == 200 and r.get_json()["outcome"] == "duplicate"
    total = api.get("/api/v1/stats/resolution", as_="office").get_json()["total"]
    assert total["tickets"] == 1 and total["resolution_rate"] == 0.0


def test_a_finding_that_needs_no_action_opens_no_ticket(api, submit):
    r = submit(needs_action=False)
    assert r.status_code == 201 and r.get_json()["ticket_id"] is None
    assert api.get("/api/v1/tickets", as_="office").get_json() == []


def test_replaying_a_finding_returns_the_stored_one(api, run_jobs):
    payload = finding_payload(api.task_id())
    first = api.post("/api/v1/mobile/findings", as_="inspector1", json=payload)
    again = api.post("/api/v1/mobile/findings", as_="inspector1", json=payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    run_jobs()
    assert len(api.get("/api/v1/tickets", as_="office").get_json()) == 1
    changed = api.post("/api/v1/mobile/findings", as_="inspector1", json={**payload, "title": "另一件事"})
    assert changed.status_code == 409 and changed.get_json()["code"] == "client_id_conflict"

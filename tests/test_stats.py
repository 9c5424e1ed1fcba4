"""The office's resolution rates over HTTP: grouping, windows and league-table minimums."""
from datetime import UTC, datetime, timedelta

from backend.models import Ticket


def edit_tickets_raw(app, ticket_id, **changes):
    """A data fix made straight in the database (no state change): the counters need
    `flask stats rebuild` afterwards, which this does."""
    with app.app_context():
        Ticket.objects(id=ticket_id).update_one(**{f"set__{k}": v for k, v in changes.items()})
    result = app.test_cli_runner().invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0 and "Counters rebuilt" in result.output, result.output


def route_and_close(api, submit, run_jobs, count, **finding):
    ids = [submit(title=f"{finding.get('title', '道路坑洼')} {i}", **{k: v for k, v in finding.items() if k != 'title'}).get_json()["ticket_id"]
           for i in range(count)]
    run_jobs()
    return ids


def close(api, ticket_id, department):
    assert api.post(f"/api/v1/tickets/{ticket_id}/claim", as_=department, json={}).status_code == 200
    assert api.post(f"/api/v1/tickets/{ticket_id}/resolve", as_=department, json={"note": "已办结"}).status_code == 200
    assert api.post(f"/api/v1/tickets/{ticket_id}/verify", as_="office", json={"outcome": "confirmed"}).status_code == 200


def test_only_departments_with_enough_tickets_are_ranked(api, submit, run_jobs):
    roads = route_and_close(api, submit, run_jobs, 5)
    water = route_and_close(api, submit, run_jobs, 1, title="自来水停水", description="自来水停水三天")
    for ticket_id in roads[:3]:
        close(api, ticket_id, "dept-transport")
    close(api, water[0], "dept-water_resources")

    body = api.get("/api/v1/stats/resolution?group_by=department&min_tickets=5", as_="office").get_json()
    rows = {g["key"]: g for g in body["groups"]}
    assert rows["transport"]["resolution_rate"] == 0.6 and rows["transport"]["rank"] == 1
    assert rows["water_resources"]["resolution_rate"] == 1.0 and rows["water_resources"]["rank"] is None
    assert body["groups"][0]["key"] == "transport"  # ranked groups come first
    assert body["total"]["tickets"] == 6 and body["total"]["closed"] == 4

    by_village = api.get("/api/v1/stats/resolution?group_by=village", as_="office").get_json()
    assert by_village["groups"][0]["label"] == "阳东社区居民委员会"
    by_township = api.get("/api/v1/stats/resolution?group_by=township", as_="office").get_json()
    assert [(g["key"], g["label"]) for g in by_township["groups"]] == [("371323001", "沂城街道")]


def test_the_window_counts_tickets_created_in_it_by_china_days(app, api, submit, run_jobs):
    old, new = route_and_close(api, submit, run_jobs, 2)
    # one ticket was created in October (Asia/Shanghai)
    edit_tickets_raw(app, old, created_at=datetime(2026, 10, 15, 3, tzinfo=UTC))
    today = (datetime.now(UTC) + timedelta(hours=8)).date()
    october = api.get("/api/v1/stats/resolution?group_by=month&from=2026-10-01&to=2026-10-31", as_="office").get_json()
    assert october["total"]["tickets"] == 1 and october["groups"][0]["key"] == "2026-10"
    recent = api.get(f"/api/v1/stats/resolution?group_by=month&from={today}&to={today}", as_="office").get_json()
    assert recent["total"]["tickets"] == 1
    bad = api.get("/api/v1/stats/resolution?from=2026-11-02&to=2026-11-01", as_="office")
    assert bad.status_code == 422


def test_open_overdue_tickets_are_counted(app, api, submit, run_jobs):
    (ticket_id,) = route_and_close(api, submit, run_jobs, 1)
    edit_tickets_raw(app, ticket_id, due_at=datetime.now(UTC) - timedelta(days=1))
    assert api.get("/api/v1/stats/resolution", as_="office").get_json()["total"]["open_overdue"] == 1
    overdue = api.get("/api/v1/tickets?overdue=true", as_="dept-transport").get_json()
    assert [t["id"] for t in overdue] == [ticket_id] and overdue[0]["overdue"] is True
    assert api.get("/api/v1/tickets?overdue=false", as_="dept-transport").get_json() == []

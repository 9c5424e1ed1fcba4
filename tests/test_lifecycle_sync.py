"""What the deadline sweep and 回头看 do reaches the inspector's phone through the sync feed."""
from datetime import UTC, datetime

import pytest

from lifecycle_helpers import at, dispatched
from workers.jobs import sample_lookback, sweep_deadlines

SYNC = "/api/v1/mobile/sync"


@pytest.fixture(autouse=True)
def no_settling(app, monkeypatch):
    monkeypatch.setitem(app.config, "SYNC_SETTLE_SECONDS", 0)


def pull(api, since):
    r = api.get(SYNC, as_="inspector1", query_string={"since": since} if since else {})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_the_sweeps_bulk_changes_reach_the_inspectors_feed(api, submit, run_jobs):
    ticket = dispatched(api, submit, run_jobs)
    cursor = pull(api, None)["cursor"]
    assert pull(api, cursor)["tickets"] == []
    assert sweep_deadlines(at(ticket["due_at"], hours=1))["overdue"] == 1
    changed = pull(api, cursor)["tickets"]
    assert [t["id"] for t in changed] == [ticket["id"]]
    assert changed[0]["version"] > ticket["version"]


def test_a_lookback_task_reaches_the_inspectors_feed(api, submit, run_jobs):
    ticket = dispatched(api, submit, run_jobs)
    api.post(f"/api/v1/tickets/{ticket['id']}/claim", as_="dept-transport", json={})
    api.post(f"/api/v1/tickets/{ticket['id']}/resolve", as_="dept-transport", json={"note": "已修复"})
    closed = api.post(f"/api/v1/tickets/{ticket['id']}/verify", as_="office", json={"outcome": "confirmed"})
    assert closed.get_json()["status"] == "closed"
    cursor = pull(api, None)["cursor"]
    [task_id] = sample_lookback(at(closed.get_json()["closed_at"], days=31))
    page = pull(api, cursor)
    assert task_id in [t["id"] for t in page["tasks"]]

"""Phones offline for hours: batches of queued items, a change feed with a cursor, ETags,
gzip, and the duplicate guard."""
import gzip
import json
import uuid

import pytest
from geopy.distance import geodesic

from conftest import finding_payload

SYNC = "/api/v1/mobile/sync"


def item(kind, data, client_id=None):
    return {"type": kind, "client_id": client_id or data.get("client_id") or str(uuid.uuid4()),
            "data": {k: v for k, v in data.items() if k != "client_id"}}


def pull(api, since=None, limit=None, as_="inspector1"):
    query = {k: v for k, v in (("since", since), ("limit", limit)) if v is not None}
    r = api.get(SYNC, as_=as_, query_string=query)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def pull_all(api, since, limit=None, as_="inspector1"):
    """Page until has_more is false; returns (every item seen as (kind, id), cursor)."""
    seen, cursor = [], since
    while True:
        page = pull(api, cursor, limit, as_)
        for kind in ("tasks", "findings", "tickets"):
            seen += [(kind, doc["id"]) for doc in page[kind]]
        seen += [("removed", r["id"]) for r in page["removed"]]
        cursor = page["cursor"]
        if not page["has_more"]:
            return seen, cursor


@pytest.fixture
def no_settling(app, monkeypatch):
    """As if SYNC_SETTLE_SECONDS had passed since every change."""
    monkeypatch.setitem(app.config, "SYNC_SETTLE_SECONDS", 0)


def test_a_batch_with_good_replayed_conflicting_and_invalid_items(api):
    task = api.task_id()
    replayed = finding_payload(task, title="早前已提交的问题")
    assert api.post("/api/v1/mobile/findings", as_="inspector1", json=replayed).status_code == 201
    reused = finding_payload(task, client_id=replayed["client_id"], title="另一个问题")
    good = finding_payload(task)
    missing = {k: v for k, v in finding_payload(task).items() if k != "fact_basis"}
    not_mine = finding_payload("6b0000000000000000000000")  # no such task of theirs
    checkin = {"task_id": task, "village_code": "371323001001", "lat": 35.79, "lon": 118.63, "accuracy_m": 9}
    items = [item("finding", good), item("finding", replayed), item("finding", reused),
             item("finding", missing), item("finding", not_mine), item("check_in", checkin),
             item("photo", {}), item("finding", good, client_id="not-a-uuid")]
    r = api.post(SYNC, as_="inspector1", json={"items": items})
    assert r.status_code == 200, r.get_json()
    results = r.get_json()["results"]
    assert [x["status"] for x in results] == ["created", "replayed", "conflict", "invalid", "invalid", "created",
                                              "invalid", "invalid"]
    assert "type" in results[6]["errors"] and "client_id" in results[7]["errors"]
    assert [x["client_id"] for x in results] == [i["client_id"] for i in items]
    assert results[0]["ticket_id"] and results[2]["code"] == "client_id_conflict"
    assert "fact_basis" in results[3]["errors"] and results[4]["code"] == "not_found"
    # Sending the same batch again changes nothing: everything that was stored is a replay.
    again = api.post(SYNC, as_="inspector1", json={"items": items}).get_json()["results"]
    assert [x["status"] for x in again] == ["replayed", "replayed", "conflict", "invalid", "invalid", "replayed",
                                            "invalid", "invalid"]
    assert again[0]["id"] == results[0]["id"] and again[5]["id"] == results[5]["id"]
    mine = api.get("/api/v1/mobile/findings", as_="inspector1").get_json()
    assert len(mine) == 2


def test_a_batch_is_at_most_50_items(api):
    task = api.task_id()
    items = [item("finding", finding_payload(task)) for _ in range(51)]
    r = api.post(SYNC, as_="inspector1", json={"items": items})
    assert r.status_code == 422 and "items" in r.get_json()["errors"]
    assert api.get("/api/v1/mobile/findings", as_="inspector1").get_json() == []


@pytest.mark.parametrize("settle_seconds", [0, 3600], ids=["settled", "all-young"])
def test_the_feed_returns_every_change_exactly_once_across_pages(app, api, submit, run_jobs, monkeypatch,
                                                                 settle_seconds):
    monkeypatch.setitem(app.config, "SYNC_SETTLE_SECONDS", settle_seconds)
    first = pull(api)
    assert first["full"] and len(first["tasks"]) == 2 and first["findings"] == []
    cursor = first["cursor"]
    ids = [submit(title=f"问题{i}").get_json() for i in range(7)]
    run_jobs()  # routing dispatches each ticket: one more change each
    seen, cursor = pull_all(api, cursor, limit=3)
    findings = [i for k, i in seen if k == "findings"]
    tickets = [i for k, i in seen if k == "tickets"]
    assert sorted(findings) == sorted(f["id"] for f in ids)
    assert sorted(tickets) == sorted(f["ticket_id"] for f in ids)
    assert len(seen) == len(set(seen)) == 14
    assert pull(api, cursor)["findings"] == []  # nothing new: nothing repeated

    # A department claims one: the inspector learns the new state, once.
    api.post(f"/api/v1/tickets/{ids[0]['ticket_id']}/claim", as_="dept-transport", json={})
    page = pull(api, cursor)
    assert [(t["id"], t["status"]) for t in page["tickets"]] == [(ids[0]["ticket_id"], "claimed")]
    assert pull(api, page["cursor"])["tickets"] == []


def test_a_change_written_late_by_another_process_is_not_skipped(app, api, submit, run_jobs):
    """Process A takes change number n, process B takes n+1 and commits first; a phone that
    syncs in between must still get n afterwards, and n+1 only once."""
    from backend.models import Finding
    from backend.services import changes

    cursor = pull(api)["cursor"]
    slow = submit(title="慢的写入").get_json()
    with app.app_context():
        late_number = changes.next_seq("371323")        # A: numbered, not yet written
    fast = submit(title="快的写入").get_json()     # B: numbered after A, written first
    page = pull(api, cursor)
    assert {f["id"] for f in page["findings"]} == {slow["id"], fast["id"]}
    with app.app_context():                        # A's write lands now
        Finding.objects(id=slow["id"]).update_one(set__change_seq=late_number, set__title="慢的写入（补）")
    later = pull(api, page["cursor"])
    assert [f["title"] for f in later["findings"]] == ["慢的写入（补）"]
    assert pull(api, later["cursor"])["findings"] == []


def test_the_cursor_moves_on_once_changes_have_settled(app, api, submit, no_settling):
    cursor = pull(api)["cursor"]
    submit()
    page = pull(api, cursor)
    assert "." not in page["cursor"].split(":")[1]  # nothing pending: a bare watermark
    app.config["SYNC_SETTLE_SECONDS"] = 3600
    submit()
    page = pull(api, page["cursor"])
    assert "." in page["cursor"].split(":")[1]      # young changes travel in the cursor
    assert pull(api, page["cursor"])["findings"] == []


def test_an_inspector_taken_off_a_task_learns_it_and_a_newcomer_gets_its_tickets(api, submit, run_jobs, no_settling):
    finding = submit().get_json()
    run_jobs()
    task = api.task_id()
    me = api.get("/api/v1/me", as_="inspector1").get_json()["id"]
    other = api.get("/api/v1/me", as_="inspector2").get_json()["id"]
    assert api.patch(f"/api/v1/tasks/{task}", as_="office", json={"inspector_ids": [me]}).status_code == 200
    cursor1 = pull(api)["cursor"]
    cursor2 = pull(api, as_="inspector2")["cursor"]

    r = api.patch(f"/api/v1/tasks/{task}", as_="office", json={"inspector_ids": [other]})
    assert r.status_code == 200 and r.get_json()["inspector_ids"] == [other]
    page = pull(api, cursor1)
    assert page["removed"] == [{"kind": "task", "id": task, "reason": "unassigned"}]
    assert page["tasks"] == [] and page["tickets"] == []
    newcomer = pull(api, cursor2, as_="inspector2")
    assert [t["id"] for t in newcomer["tasks"]] == [task]
    assert [t["id"] for t in newcomer["tickets"]] == [finding["ticket_id"]]
    assert newcomer["removed"] == []


def test_a_deleted_task_disappears_from_the_phone(api, no_settling):
    me = api.get("/api/v1/me", as_="inspector1").get_json()["id"]
    task = api.post("/api/v1/tasks", as_="office", json={
        "name": "误建的任务", "village_codes": ["371323001001"], "inspector_ids": [me],
        "starts_on": "2026-11-01", "ends_on": "2026-11-30"}).get_json()
    cursor = pull(api)["cursor"]
    assert api.delete(f"/api/v1/tasks/{task['id']}", as_="office").status_code == 204
    assert pull(api, cursor)["removed"] == [{"kind": "task", "id": task["id"], "reason": "deleted"}]


def test_a_task_with_findings_cannot_be_deleted(api, submit):
    submit()
    r = api.delete(f"/api/v1/tasks/{api.task_id()}", as_="office")
    assert r.status_code == 409 and r.get_json()["code"] == "task_has_findings"


def test_a_cursor_the_server_cannot_honour_gets_a_full_sync_that_says_why(app, api, submit):
    """Before a restart, from another server, ahead of the counter, or unreadable: never
    'nothing new' forever, always everything, with the reason."""
    from backend.models.sync import SyncCounter

    submit()
    first = pull(api)
    assert first["full"] and first["full_reason"] == "no_cursor"
    cursor = first["cursor"]
    epoch, numbers = cursor.split(":")
    again = pull(api, cursor)
    assert not again["full"] and again["full_reason"] is None and again["findings"] == []

    watermark = int(numbers.split(".")[0])
    for since, reason in (("yesterday", "unreadable_cursor"), ("123.124,125", "unreadable_cursor"),
                          (f"{epoch}:{watermark + 1000}", "cursor_ahead_of_server"),
                          (f"{epoch}:{watermark}.{watermark + 1000}", "cursor_ahead_of_server"),
                          (f"0123456789ab:{watermark}", "cursor_from_another_database")):
        page = pull(api, since)
        assert page["full"] and page["full_reason"] == reason, (since, page["full_reason"])
        assert len(page["tasks"]) == 2 and len(page["findings"]) == 1, since
        assert page["cursor"].startswith(f"{epoch}:")

    with app.app_context():  # the phone now talks to another database (or a demo that restarted)
        SyncCounter.objects(id="371323").update_one(set__epoch="fedcba987654")
    page = pull(api, cursor)
    assert page["full"] and page["full_reason"] == "cursor_from_another_database"
    assert page["cursor"].startswith("fedcba987654:")
    assert not pull(api, page["cursor"])["full"]


def test_writes_in_one_county_never_touch_another_countys_counter(app, api, submit):
    """One counter per county: no deployment-wide hot spot (and each lives on its county's shard)."""
    from backend.models import Sequence
    from backend.models.sync import SyncCounter
    from backend.services import changes

    with app.app_context():
        other = changes.reserve("410225", 5)
        before = changes.counter("371323").value
    assert submit().status_code == 201
    with app.app_context():
        assert changes.counter("371323").value > before
        assert SyncCounter.objects.get(id="410225").value == other + 4
        assert Sequence.objects(key=changes.LEGACY_KEY).count() == 0


def test_a_county_counter_starts_above_the_old_deployment_wide_counter(app):
    """After an upgrade, a county's first number is above every number handed out before,
    so a phone's watermark never hides a new change."""
    from backend.models import Sequence
    from backend.services import changes

    with app.app_context():
        Sequence(key=changes.LEGACY_KEY, value=500).save()
        assert changes.next_seq("410225") == 501


def test_lists_answer_etags_with_304_and_gzip(api, submit):
    first = api.get("/api/v1/mobile/tasks", as_="inspector1")
    etag = first.headers["ETag"]
    again = api.client.get("/api/v1/mobile/tasks", headers={**api.headers("inspector1"), "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    submit()
    for path in ("/api/v1/mobile/findings", "/api/v1/mobile/tickets", SYNC):
        r = api.get(path, as_="inspector1")
        r2 = api.client.get(path, headers={**api.headers("inspector1"), "If-None-Match": r.headers["ETag"]})
        assert r2.status_code == 304, path
    changed = api.client.get("/api/v1/mobile/findings", headers={**api.headers("inspector1"), "If-None-Match": etag})
    assert changed.status_code == 200

    zipped = api.client.get("/api/v1/mobile/tasks", headers={**api.headers("inspector1"), "Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert json.loads(gzip.decompress(zipped.data)) == first.get_json()
    assert len(zipped.data) < len(first.data) / 2


# ---------------------------------------------------------------- duplicate guard

def test_the_same_problem_nearby_is_offered_and_linked_as_evidence(api, submit, run_jobs):
    road = submit(location={"lat": 35.7900, "lon": 118.6300, "accuracy_m": 5}).get_json()
    submit(category="benefit_policy", location={"lat": 35.7901, "lon": 118.6300, "accuracy_m": 5})  # other category
    submit(location={"lat": 35.8000, "lon": 118.6300, "accuracy_m": 5})  # 1.1 km away
    run_jobs()
    again = submit(location={"lat": 35.7910, "lon": 118.6305, "accuracy_m": 5}, title="同一路段坑洼").get_json()
    assert [t["id"] for t in again["nearby_open_tickets"]] == [road["ticket_id"]]
    assert again["nearby_open_tickets"][0]["distance_m"] == pytest.approx(
        geodesic((35.7900, 118.6300), (35.7910, 118.6305)).meters, abs=0.1)
    # Within 250 m only: 300 m away nothing is offered.
    assert submit(location={"lat": 35.7873, "lon": 118.6300, "accuracy_m": 5}).get_json()["nearby_open_tickets"] == []

    # The inspector says it is the same problem: its own ticket ends as a duplicate, and
    # its photos show on the ticket it repeats.
    from conftest import PHOTOS
    import io
    photo = api.post(f"/api/v1/mobile/findings/{again['id']}/photos", as_="inspector1",
                     data={"file": (io.BytesIO((PHOTOS / "gps" / "DSCN0021.jpg").read_bytes()), "a.jpg")},
                     content_type="multipart/form-data").get_json()
    r = api.post(f"/api/v1/mobile/findings/{again['id']}/link", as_="inspector1", json={"ticket_id": road["ticket_id"]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["linked_ticket_id"] == road["ticket_id"]
    own = api.get(f"/api/v1/tickets/{again['ticket_id']}", as_="office").get_json()
    assert (own["status"], own["outcome"]) == ("closed", "duplicate")
    target = api.get(f"/api/v1/tickets/{road['ticket_id']}", as_="office").get_json()
    assert photo["id"] in [p["id"] for p in target["photos"]]
    assert api.post(f"/api/v1/mobile/findings/{again['id']}/link", as_="inspector1",
                    json={"ticket_id": road["ticket_id"]}).status_code == 200  # a retry is harmless


def test_a_finding_sent_as_the_same_problem_opens_no_ticket_and_its_photos_join(api, submit, run_jobs):
    from conftest import PHOTOS
    import io
    road = submit().get_json()
    run_jobs()
    r = submit(link_to_ticket_id=road["ticket_id"], title="复查同一问题")
    assert r.status_code == 201, r.get_json()
    linked = r.get_json()
    assert linked["ticket_id"] is None and linked["linked_ticket_id"] == road["ticket_id"]
    photo = api.post(f"/api/v1/mobile/findings/{linked['id']}/photos", as_="inspector1",
                     data={"file": (io.BytesIO((PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()), "a.jpg")},
                     content_type="multipart/form-data").get_json()
    detail = api.get(f"/api/v1/tickets/{road['ticket_id']}", as_="dept-transport").get_json()
    assert photo["id"] in [p["id"] for p in detail["photos"]]
    assert api.get(f"/api/v1/photos/{photo['id']}?size=original", as_="dept-transport").status_code == 404

    other = submit(category="farmland", link_to_ticket_id=road["ticket_id"])
    assert other.status_code == 422 and "link_to_ticket_id" in other.get_json()["errors"]

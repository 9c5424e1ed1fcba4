"""The phone's queue never gets stuck: every item of a batch gets its own result whatever
happens to another, a position that cannot be converted is `invalid` with the reason, and a
body nested too deeply is a 400 in the usual shape."""
import json
import logging
import uuid

import pytest

from conftest import finding_payload

SYNC = "/api/v1/mobile/sync"
POLE = {"lat": 90, "lon": 180, "crs": "gcj02"}


def item(kind, data):
    return {"type": kind, "client_id": data.pop("client_id", None) or str(uuid.uuid4()), "data": data}


def test_a_position_that_cannot_be_converted_is_invalid_alone_and_the_rest_is_stored(api):
    task = api.task_id()
    first, third = finding_payload(task, title="第一条"), finding_payload(task, title="第三条")
    pole = finding_payload(task, title="第二条", location={**POLE, "accuracy_m": 5})
    items = [item("finding", first), item("finding", pole), item("finding", third)]
    for _ in range(2):  # the phone retries: the same answer, nothing stuck
        r = api.post(SYNC, as_="inspector1", json={"items": items})
        assert r.status_code == 200, r.get_json()
        results = r.get_json()["results"]
        assert [x["status"] for x in results][1] == "invalid"
        assert results[1]["code"] == "unconvertible_position" and "location" in results[1]["errors"]
    assert [x["status"] for x in results] == ["replayed", "invalid", "replayed"]
    titles = sorted(f["title"] for f in api.get("/api/v1/mobile/findings", as_="inspector1").get_json())
    assert titles == ["第一条", "第三条"]


@pytest.mark.parametrize("point", [POLE, {"lat": -90, "lon": -180, "crs": "bd09"},
                                   {"lat": 89.9999, "lon": 179.9999, "crs": "gcj02"},
                                   {"lat": 0, "lon": 180, "crs": "bd09"}])
def test_gcj02_or_bd09_outside_china_is_422_for_findings_check_ins_and_village_positions(api, point):
    task = api.task_id()
    finding = api.post("/api/v1/mobile/findings", as_="inspector1",
                       json=finding_payload(task, location={**point, "accuracy_m": 5}))
    assert finding.status_code == 422 and "location" in finding.get_json()["errors"], finding.get_json()
    checkin = api.post(f"/api/v1/mobile/tasks/{task}/check-in", as_="inspector1",
                       json={"village_code": "371323001001", **point})
    assert checkin.status_code == 422 and checkin.get_json()["code"] == "unconvertible_position"
    village = api.put("/api/v1/villages/371323001001/position", as_="admin", json=point)
    assert village.status_code == 422 and "lat" in village.get_json()["errors"]


def test_an_unexpected_failure_of_one_item_is_logged_and_the_others_are_stored(api, monkeypatch, caplog):
    from backend.services import findings
    real = findings.submit

    def flaky(actor, data):
        if data["title"] == "坏的":
            raise RuntimeError("disk on fire")
        return real(actor, data)
    monkeypatch.setattr(findings, "submit", flaky)
    task = api.task_id()
    items = [item("finding", finding_payload(task, title=t)) for t in ("好的一", "坏的", "好的二")]
    with caplog.at_level(logging.ERROR):
        r = api.post(SYNC, as_="inspector1", json={"items": items})
    assert r.status_code == 200, r.get_json()
    results = r.get_json()["results"]
    assert [x["status"] for x in results] == ["created", "error", "created"]
    assert results[1]["code"] == "internal_error" and results[1]["client_id"] == items[1]["client_id"]
    assert any("disk on fire" in (rec.exc_text or "") or rec.exc_info and "disk on fire" in str(rec.exc_info[1])
               for rec in caplog.records)


@pytest.mark.parametrize("path, as_", [("/api/v1/mobile/findings", "inspector1"), (SYNC, "inspector1"),
                                        ("/api/v1/auth/token", None), ("/api/v1/routing/rules", "admin")])
def test_json_nested_100000_deep_is_400_in_the_usual_shape(api, path, as_):
    body = "[" * 100_000 + "]" * 100_000
    r = api.post(path, as_=as_, data=body, content_type="application/json")
    payload = r.get_json()
    assert r.status_code == 400, r.data[:200]
    assert set(payload) == {"code", "status", "message", "errors"} and payload["code"] == "bad_request"
    nested = json.dumps({"items": [{"type": "finding", "client_id": str(uuid.uuid4()),
                                    "data": json.loads("[" * 500 + "]" * 500)}]})
    if path == SYNC:  # deep but parseable: the item is invalid, the batch answers
        r = api.post(path, as_=as_, data=nested, content_type="application/json")
        assert r.status_code in (200, 422), r.data[:200]


def test_nearby_tickets_in_a_sync_answer_are_described_as_the_document_says(api, submit, run_jobs):
    """`nearby_open_tickets[].created_at` is an ISO 8601 date-time, like every other one (it
    was an HTTP date), in the finding's answer and in the batch's result."""
    from datetime import datetime
    submit(location={"lat": 35.7900, "lon": 118.6300, "accuracy_m": 5})
    run_jobs()
    near = finding_payload(api.task_id(), location={"lat": 35.7901, "lon": 118.6300, "accuracy_m": 5})
    answer = api.post(SYNC, as_="inspector1", json={"items": [item("finding", near)]}).get_json()["results"][0]
    direct = submit(location={"lat": 35.7902, "lon": 118.6300, "accuracy_m": 5}).get_json()
    for nearby in (answer["nearby_open_tickets"], direct["nearby_open_tickets"]):
        assert nearby and set(nearby[0]) == {"id", "number", "title", "status", "village_code", "distance_m", "created_at"}
        assert datetime.fromisoformat(nearby[0]["created_at"]).tzinfo is not None

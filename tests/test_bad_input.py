"""Bad input is rejected with the one error shape -- {code, status, message, errors} --
and leaves nothing behind."""
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from conftest import PHOTOS, finding_payload

JPEG = PHOTOS / "gps" / "DSCN0010.jpg"
FINDINGS = "/api/v1/mobile/findings"
UNKNOWN_ID = "0123456789abcdef01234567"  # a well-formed ObjectId that names nothing


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is an error in the standard shape; returns its body."""
    body = response.get_json()
    assert response.status_code == status, body
    assert isinstance(body, dict), response.data[:300]
    assert set(body) == {"code", "status", "message", "errors"}, body
    assert isinstance(body["code"], str) and body["code"], body
    assert body["status"] == status, body
    assert isinstance(body["message"], str) and body["message"], body
    assert isinstance(body["errors"], dict), body
    if code is not None:
        assert body["code"] == code, body
    return body


def stored(app, api) -> tuple[int, int]:
    """(findings in the database, tickets the office can list)."""
    from backend.models import Finding
    with app.app_context():
        findings = Finding.objects.count()
    r = api.get("/api/v1/tickets", as_="office")
    assert r.status_code == 200
    total = json.loads(r.headers["X-Pagination"])["total"] if "X-Pagination" in r.headers else len(r.get_json())
    assert total == len(r.get_json())
    return findings, total


@pytest.fixture
def payload(api):
    """A valid finding for inspector1's first task, to be spoiled by each test."""
    return finding_payload(api.task_id("inspector1", 0))


def post_finding(api, body, **kw):
    return api.post(FINDINGS, as_="inspector1", json=body, **kw)


# ---------------------------------------------------------------- findings: fields

# `location` may be left out: a phone without a fix sends none, and a photo's GPS can supply it.
REQUIRED = ["client_id", "task_id", "village_code", "category", "severity", "title", "description",
            "observed_at", "fact_basis", "policy_basis", "responsibility_basis"]


@pytest.mark.parametrize("field", REQUIRED)
def test_a_finding_missing_a_required_field_is_422_naming_it(app, api, payload, field):
    del payload[field]
    body = assert_error(post_finding(api, payload), 422, "invalid_input")
    assert field in body["errors"], body
    assert stored(app, api) == (0, 0)


@pytest.mark.parametrize("field", ["title", "description", "fact_basis", "policy_basis", "responsibility_basis"])
def test_a_finding_with_an_empty_text_field_is_422(app, api, payload, field):
    payload[field] = ""
    body = assert_error(post_finding(api, payload), 422, "invalid_input")
    assert field in body["errors"], body
    assert stored(app, api) == (0, 0)


@pytest.mark.parametrize("field, value", [
    ("category", "weather"),
    ("severity", "catastrophic"),
    ("client_id", "not-a-uuid"),
    ("observed_at", "yesterday afternoon"),
    ("observed_at", (datetime.now(UTC) + timedelta(days=30)).isoformat()),
    ("observed_at", "1900-01-01T08:00:00+08:00"),
], ids=["unknown category", "unknown severity", "client_id not a UUID",
        "observed_at not a datetime", "observed_at in the far future", "observed_at from a broken clock"])
def test_a_finding_with_a_bad_value_is_422_naming_the_field(app, api, payload, field, value):
    payload[field] = value
    body = assert_error(post_finding(api, payload), 422, "invalid_input")
    assert field in body["errors"], body
    assert stored(app, api) == (0, 0)


@pytest.mark.parametrize("village_code", [
    "371323201230",   # a real village of the county, but not one of this task's
    "999999999999",   # no such village anywhere
    "37132300100",    # 11 digits
    "3713230010011",  # 13 digits
    "37132300100a",   # not all digits
], ids=["village of the county not in the task", "non-existent village", "11 digits", "13 digits",
        "not digits"])
def test_a_finding_for_a_village_outside_the_task_is_422(app, api, payload, village_code):
    payload["village_code"] = village_code
    body = assert_error(post_finding(api, payload), 422, "invalid_input")
    assert "village_code" in body["errors"], body
    assert stored(app, api) == (0, 0)


@pytest.mark.parametrize("coordinate, value", [
    ("lat", 91), ("lat", -91), ("lon", 181), ("lon", -181), ("lat", "north"),
])
def test_a_finding_with_impossible_coordinates_is_422(app, api, payload, coordinate, value):
    payload["location"][coordinate] = value
    body = assert_error(post_finding(api, payload), 422, "invalid_input")
    assert coordinate in body["errors"].get("location", {}), body
    assert stored(app, api) == (0, 0)


def test_a_finding_with_an_unknown_extra_field_is_422(app, api, payload):
    payload["priority"] = "high"
    body = assert_error(post_finding(api, payload), 422, "invalid_input")
    assert "priority" in body["errors"], body
    assert stored(app, api) == (0, 0)


# ---------------------------------------------------------------- findings: the body itself

def test_malformed_json_is_400_bad_request_and_stores_nothing(app, api):
    r = api.post(FINDINGS, as_="inspector1", data='{"title": ', content_type="application/json")
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["code"] == "bad_request"
    assert r.get_json()["status"] == 400
    assert stored(app, api) == (0, 0)


def test_malformed_json_error_has_the_standard_shape(api):
    r = api.post(FINDINGS, as_="inspector1", data='{"title": ', content_type="application/json")
    assert_error(r, 400, "bad_request")
    assert r.get_json()["message"] == "请求体不是有效的 JSON。"


@pytest.mark.parametrize("content_type, data", [
    ("application/x-www-form-urlencoded", "title=x&category=livelihood"),
    ("text/plain", '{"title": "x"}'),
])
def test_a_finding_not_sent_as_json_is_415(app, api, payload, content_type, data):
    r = api.post(FINDINGS, as_="inspector1", data=data, content_type=content_type)
    assert_error(r, 415, "unsupported_media_type")
    assert stored(app, api) == (0, 0)


@pytest.mark.parametrize("task_id", [UNKNOWN_ID, "not-a-task-id"], ids=["unknown task", "malformed task id"])
def test_a_finding_for_an_unknown_task_is_404(app, api, payload, task_id):
    payload["task_id"] = task_id
    assert_error(post_finding(api, payload), 404, "not_found")
    assert stored(app, api) == (0, 0)


# ---------------------------------------------------------------- findings: replays

def test_replaying_the_same_finding_returns_the_stored_one(app, api, payload):
    first = post_finding(api, payload)
    assert first.status_code == 201, first.get_json()
    again = post_finding(api, payload)
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["ticket_id"] == first.get_json()["ticket_id"]
    assert stored(app, api) == (1, 1)


def test_reusing_a_client_id_for_other_content_is_409_and_changes_nothing(app, api, payload):
    first = post_finding(api, payload)
    assert first.status_code == 201, first.get_json()
    other = dict(payload, title="另一个问题：路灯不亮")
    body = assert_error(post_finding(api, other), 409, "client_id_conflict")
    assert payload["client_id"] in body["message"]
    assert stored(app, api) == (1, 1)
    ticket = api.get(f"/api/v1/tickets/{first.get_json()['ticket_id']}", as_="office").get_json()
    assert ticket["title"] == payload["title"]
    from backend.models import Finding
    with app.app_context():
        assert Finding.objects.get(client_id=payload["client_id"]).title == payload["title"]


def test_another_inspector_reusing_a_client_id_gets_409(app, api, payload):
    assert post_finding(api, payload).status_code == 201
    r = api.post(FINDINGS, as_="inspector2", json=payload)  # inspector2 is on the same task
    assert_error(r, 409, "client_id_conflict")
    assert stored(app, api) == (1, 1)


@pytest.mark.parametrize("body", [[], "a finding", 42], ids=["array", "string", "number"])
def test_a_json_body_that_is_not_an_object_is_422(app, api, body):
    assert_error(post_finding(api, body), 422, "invalid_input")
    assert stored(app, api) == (0, 0)


# ---------------------------------------------------------------- photos

@pytest.fixture
def finding_id(api, payload):
    r = post_finding(api, payload)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def upload(api, finding_id, data: bytes, filename="p.jpg"):
    return api.post(f"/api/v1/mobile/findings/{finding_id}/photos", as_="inspector1",
                    data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def photo_count(app) -> int:
    from backend.models import Photo
    with app.app_context():
        return Photo.objects.count()


def test_a_photo_over_20_mb_is_413(app, api, finding_id):
    assert app.config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024
    body = assert_error(upload(api, finding_id, b"\xff" * (20 * 1024 * 1024 + 1)), 413, "payload_too_large")
    assert "20 MB" in body["message"]
    assert photo_count(app) == 0


def test_a_file_that_is_not_an_image_is_415(app, api, finding_id):
    assert_error(upload(api, finding_id, b"hello"), 415, "unsupported_media_type")
    assert photo_count(app) == 0


def test_a_truncated_jpeg_is_422(app, api, finding_id):
    assert_error(upload(api, finding_id, JPEG.read_bytes()[:2000]), 422, "invalid_input")
    assert photo_count(app) == 0


def test_an_empty_photo_file_is_422(app, api, finding_id):
    body = assert_error(upload(api, finding_id, b""), 422, "invalid_input")
    assert "file" in body["errors"]
    assert photo_count(app) == 0


def test_the_same_photo_twice_is_stored_once(app, api, finding_id):
    first = upload(api, finding_id, JPEG.read_bytes())
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["content_type"] == "image/jpeg"
    again = upload(api, finding_id, JPEG.read_bytes(), filename="again.jpg")
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["id"] == first.get_json()["id"]
    assert photo_count(app) == 1


def test_a_photo_for_an_unknown_finding_is_404(app, api):
    assert_error(upload(api, UNKNOWN_ID, JPEG.read_bytes()), 404, "not_found")
    assert photo_count(app) == 0


# ---------------------------------------------------------------- other endpoints

@pytest.fixture
def dispatched_ticket(api, submit, run_jobs):
    r = submit()
    assert r.status_code == 201, r.get_json()
    ticket_id = r.get_json()["ticket_id"]
    ran = run_jobs()
    ticket = api.get(f"/api/v1/tickets/{ticket_id}", as_="office").get_json()
    assert ticket["status"] == "dispatched" and ticket["department_code"] == "transport", (ran, ticket)
    return ticket


@pytest.mark.parametrize("body", [{}, {"reason": ""}], ids=["no reason", "empty reason"])
def test_returning_a_ticket_without_a_reason_is_422(api, dispatched_ticket, body):
    r = api.post(f"/api/v1/tickets/{dispatched_ticket['id']}/return", as_="dept-transport", json=body)
    err = assert_error(r, 422, "invalid_input")
    assert "reason" in err["errors"]
    after = api.get(f"/api/v1/tickets/{dispatched_ticket['id']}", as_="office").get_json()
    assert (after["status"], after["department_code"], after["return_count"], after["version"]) == \
        ("dispatched", "transport", 0, dispatched_ticket["version"])


def task_body(api, **overrides) -> dict:
    body = {"name": "坏输入测试任务", "village_codes": ["371323001001"],
            "inspector_ids": [api.get("/api/v1/me", as_="inspector1").get_json()["id"]],
            "starts_on": "2026-11-10", "ends_on": "2026-11-30"}
    body.update(overrides)
    return body


def task_count(api) -> int:
    r = api.get("/api/v1/tasks", as_="office")
    assert r.status_code == 200
    return len(r.get_json())


@pytest.mark.parametrize("overrides, field", [
    ({"ends_on": "2026-11-01"}, "ends_on"),
    ({"inspector_ids": [UNKNOWN_ID]}, "inspector_ids"),
    ({"inspector_ids": ["not-an-id"]}, "inspector_ids"),
    ({"village_codes": ["999999999999"]}, "village_codes"),
    ({"starts_on": "the first of November"}, "starts_on"),
], ids=["ends before it starts", "unknown inspector", "malformed inspector id", "unknown village",
        "starts_on not a date"])
def test_a_task_that_cannot_be_planned_is_422(api, overrides, field):
    before = task_count(api)
    err = assert_error(api.post("/api/v1/tasks", as_="office", json=task_body(api, **overrides)),
                       422, "invalid_input")
    assert field in err["errors"], err
    assert task_count(api) == before


def test_a_task_naming_a_non_inspector_is_422(api):
    office_id = api.get("/api/v1/me", as_="office").get_json()["id"]
    before = task_count(api)
    err = assert_error(api.post("/api/v1/tasks", as_="office", json=task_body(api, inspector_ids=[office_id])),
                       422, "invalid_input")
    assert "inspector_ids" in err["errors"]
    assert task_count(api) == before


def test_a_routing_rule_for_an_unknown_department_is_422(api):
    before = len(api.get("/api/v1/routing/rules", as_="admin").get_json())
    r = api.post("/api/v1/routing/rules", as_="admin",
                 json={"name": "去火星", "department_code": "mars_bureau", "category": "livelihood"})
    err = assert_error(r, 422, "invalid_input")
    assert "department_code" in err["errors"]
    assert len(api.get("/api/v1/routing/rules", as_="admin").get_json()) == before


def test_changing_a_rule_to_an_unknown_department_is_422_and_keeps_the_rule(api):
    rule = api.get("/api/v1/routing/rules", as_="admin").get_json()[0]
    r = api.patch(f"/api/v1/routing/rules/{rule['id']}", as_="admin", json={"department_code": "mars_bureau"})
    err = assert_error(r, 422, "invalid_input")
    assert "department_code" in err["errors"]
    assert api.get(f"/api/v1/routing/rules/{rule['id']}", as_="admin").get_json() == rule


def test_stats_grouped_by_an_unknown_dimension_is_422(api):
    err = assert_error(api.get("/api/v1/stats/resolution?group_by=planet", as_="office"), 422, "invalid_input")
    assert "group_by" in err["errors"]


def test_listing_tickets_with_an_unknown_status_is_422(api):
    err = assert_error(api.get("/api/v1/tickets?status=nonsense", as_="office"), 422, "invalid_input")
    assert "status" in err["errors"]


@pytest.mark.parametrize("ticket_id", [UNKNOWN_ID, "not-a-ticket-id"], ids=["unknown id", "malformed id"])
def test_an_unknown_ticket_is_404(api, ticket_id):
    assert_error(api.get(f"/api/v1/tickets/{ticket_id}", as_="office"), 404, "not_found")
    assert_error(api.post(f"/api/v1/tickets/{ticket_id}/claim", as_="dept-transport", json={}), 404, "not_found")


@pytest.mark.parametrize("rule_id", [UNKNOWN_ID, "not-a-rule-id"], ids=["unknown id", "malformed id"])
def test_an_unknown_routing_rule_is_404(api, rule_id):
    assert_error(api.get(f"/api/v1/routing/rules/{rule_id}", as_="admin"), 404, "not_found")
    assert_error(api.delete(f"/api/v1/routing/rules/{rule_id}", as_="admin"), 404, "not_found")


@pytest.mark.parametrize("photo_id", [UNKNOWN_ID, "not-a-photo-id"], ids=["unknown id", "malformed id"])
def test_an_unknown_photo_is_404(api, photo_id):
    assert_error(api.get(f"/api/v1/photos/{photo_id}", as_="office"), 404, "not_found")


def test_asking_for_an_unknown_photo_size_is_422(api, finding_id, run_jobs):
    photo = upload(api, finding_id, JPEG.read_bytes()).get_json()["id"]
    run_jobs()
    err = assert_error(api.get(f"/api/v1/photos/{photo}?size=huge", as_="office"), 422, "invalid_input")
    assert "size" in err["errors"]
    assert api.get(f"/api/v1/photos/{photo}?size=thumbnail", as_="office").status_code == 200


@pytest.mark.parametrize("as_", [None, "office"], ids=["anonymous", "office"])
def test_an_unknown_url_is_404_in_the_standard_shape(api, as_):
    assert_error(api.get("/api/v1/no-such-thing", as_=as_), 404, "not_found")


def test_a_wrong_method_is_405_in_the_standard_shape(api):
    r = api.delete("/api/v1/me", as_="office")
    assert_error(r, 405, "method_not_allowed")
    assert "GET" in r.headers.get("Allow", "")


@pytest.mark.parametrize("credentials", [
    {"username": "office", "password": "wrong-password"},
    {"username": "nobody", "password": "test-password"},
], ids=["wrong password", "unknown user"])
def test_logging_in_with_wrong_credentials_is_401_with_a_challenge(api, credentials):
    r = api.client.post("/api/v1/auth/token", json=credentials)
    body = assert_error(r, 401, "unauthorized")
    assert "access_token" not in body
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_logging_in_without_a_password_is_422(api):
    err = assert_error(api.client.post("/api/v1/auth/token", json={"username": "office"}), 422, "invalid_input")
    assert "password" in err["errors"]

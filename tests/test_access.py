"""Who may call what: a role x endpoint matrix, and the scope stories behind it.

401 = no (valid) token, 403 = a role that may not use the endpoint at all,
404 = the object exists but is outside the caller's scope (we do not reveal it).
"""
import io
import json

import pytest

from conftest import PASSWORD, PHOTOS, approve_as_clue, finding_payload

JPEG = PHOTOS / "gps" / "DSCN0010.jpg"

ANONYMOUS = None
ADMIN = "admin"
OFFICE = "office"
INSPECTOR = "inspector1"
DEPARTMENT = "dept-transport"   # the department a 道路 livelihood finding is routed to
ROLES = [ANONYMOUS, ADMIN, OFFICE, INSPECTOR, DEPARTMENT]
LOGGED_IN = {ADMIN, OFFICE, INSPECTOR, DEPARTMENT}


# ---------------------------------------------------------------- the world every matrix test uses

@pytest.fixture
def world(api, submit, run_jobs):
    """A livelihood ticket dispatched to transport (with its finding and one photo),
    the first demo task, a routing rule, and inspector1's user id -- all made through the API."""
    r = submit()
    assert r.status_code == 201, r.get_json()
    finding = r.get_json()
    ran = run_jobs()
    ticket = api.get(f"/api/v1/tickets/{finding['ticket_id']}", as_=OFFICE).get_json()
    assert ticket["status"] == "dispatched" and ticket["department_code"] == "transport", (ran, ticket)
    photo = api.post(f"/api/v1/mobile/findings/{finding['id']}/photos", as_=INSPECTOR,
                     data={"file": (io.BytesIO(JPEG.read_bytes()), "p.jpg")},
                     content_type="multipart/form-data")
    assert photo.status_code == 201, photo.get_json()
    run_jobs()  # its web version and thumbnail
    rules = api.get("/api/v1/routing/rules", as_=ADMIN).get_json()
    return {
        "ticket": ticket["id"],
        "finding": finding["id"],
        "task": api.task_id(INSPECTOR, 0),
        "photo": photo.get_json()["id"],
        "rule": rules[0]["id"],
        "inspector_id": api.get("/api/v1/me", as_=INSPECTOR).get_json()["id"],
        "user": api.get("/api/v1/me", as_=INSPECTOR).get_json()["id"],
    }


def _json(body):
    return lambda w: {"json": body(w) if callable(body) else body}


def _photo_upload(w):
    return {"data": {"file": (io.BytesIO(JPEG.read_bytes()), "p.jpg")}, "content_type": "multipart/form-data"}


NO_BODY = lambda w: {}  # noqa: E731

# (method, path, roles allowed, request kwargs)
ENDPOINTS = [
    ("POST", "/api/v1/auth/token", {ANONYMOUS, *LOGGED_IN},
     _json({"username": "office", "password": PASSWORD})),
    ("GET", "/api/v1/me", LOGGED_IN, NO_BODY),
    ("GET", "/api/v1/tasks", {OFFICE}, NO_BODY),
    ("POST", "/api/v1/tasks", {OFFICE},
     _json(lambda w: {"name": "矩阵测试任务", "village_codes": ["371323001001"],
                      "inspector_ids": [w["inspector_id"]], "starts_on": "2026-11-01",
                      "ends_on": "2026-11-30"})),
    ("GET", "/api/v1/tickets", {OFFICE, DEPARTMENT}, NO_BODY),
    ("GET", "/api/v1/tickets/{ticket}", {OFFICE, DEPARTMENT, INSPECTOR}, NO_BODY),
    ("POST", "/api/v1/tickets/{ticket}/claim", {DEPARTMENT}, _json({})),
    ("POST", "/api/v1/tickets/{ticket}/return", {DEPARTMENT}, _json({"reason_code": "not_our_duty", "reason": "不属于本部门职责"})),
    ("POST", "/api/v1/tickets/{ticket}/progress", {DEPARTMENT}, _json({"note": "已安排施工队"})),
    ("POST", "/api/v1/tickets/{ticket}/resolve", {DEPARTMENT}, _json({"note": "路面已修复"})),
    ("POST", "/api/v1/tickets/{ticket}/assign", {OFFICE}, _json({"department_code": "agriculture"})),
    ("POST", "/api/v1/tickets/{ticket}/photos", {DEPARTMENT, OFFICE}, _photo_upload),
    ("POST", "/api/v1/tickets/{ticket}/verify", {OFFICE}, _json({"outcome": "confirmed"})),
    ("POST", "/api/v1/tickets/{ticket}/close", {OFFICE}, _json({"outcome": "invalid", "reason": "重复上报"})),
    ("GET", "/api/v1/stats/resolution", {OFFICE}, NO_BODY),
    ("POST", "/api/v1/routing/explain", {OFFICE, ADMIN},
     _json({"category": "livelihood", "village_code": "371323001001", "text": "道路坑洼"})),
    ("GET", "/api/v1/routing/rules", {OFFICE, ADMIN}, NO_BODY),
    ("GET", "/api/v1/routing/rules/{rule}", {OFFICE, ADMIN}, NO_BODY),
    ("POST", "/api/v1/routing/rules", {ADMIN},
     _json({"name": "矩阵测试规则", "department_code": "transport", "category": "livelihood"})),
    ("PATCH", "/api/v1/routing/rules/{rule}", {ADMIN}, _json({"priority": 99})),
    ("DELETE", "/api/v1/routing/rules/{rule}", {ADMIN}, NO_BODY),
    ("GET", "/api/v1/photos/{photo}", {OFFICE, DEPARTMENT, INSPECTOR}, NO_BODY),
    ("GET", "/api/v1/departments", LOGGED_IN, NO_BODY),
    ("GET", "/api/v1/townships", LOGGED_IN, NO_BODY),
    ("GET", "/api/v1/villages", LOGGED_IN, NO_BODY),
    ("GET", "/api/v1/users", {OFFICE, ADMIN}, NO_BODY),
    ("POST", "/api/v1/users", {ADMIN},
     _json({"username": "matrix-user", "role": "inspector", "password": "matrix-pass"})),
    ("PATCH", "/api/v1/users/{user}", {ADMIN}, _json({"display_name": "矩阵"})),
    ("POST", "/api/v1/users/{user}/unlock", {ADMIN}, NO_BODY),
    ("GET", "/api/v1/audit-log", {OFFICE, ADMIN}, NO_BODY),
    ("POST", "/api/v1/auth/logout", LOGGED_IN, NO_BODY),
    ("GET", "/api/v1/sla/policies", {OFFICE, ADMIN}, NO_BODY),
    ("PUT", "/api/v1/sla/policies/livelihood/urgent", {ADMIN}, _json({"resolve_days": 2})),
    ("GET", "/api/v1/sla/holidays", {OFFICE, ADMIN}, NO_BODY),
    ("PUT", "/api/v1/sla/holidays/2027-02-10", {ADMIN}, _json({"is_workday": False, "note": "春节"})),
    ("DELETE", "/api/v1/sla/holidays/2027-02-10", {ADMIN}, NO_BODY),
    ("GET", "/api/v1/mobile/tasks", {INSPECTOR}, NO_BODY),
    ("POST", "/api/v1/mobile/tasks/{task}/check-in", {INSPECTOR},
     _json({"village_code": "371323001001", "lat": 35.79, "lon": 118.63})),
    ("POST", "/api/v1/mobile/findings", {INSPECTOR}, _json(lambda w: finding_payload(w["task"]))),
    ("POST", "/api/v1/mobile/findings/{finding}/photos", {INSPECTOR}, _photo_upload),
    ("GET", "/api/v1/mobile/tickets", {INSPECTOR}, NO_BODY),
    ("POST", "/api/v1/mobile/tickets/{ticket}/verify", {INSPECTOR}, _json({"outcome": "confirmed"})),
    ("POST", "/api/v1/mobile/tickets/{ticket}/photos", {INSPECTOR}, _photo_upload),
]

MATRIX = [pytest.param(method, path, role, role in allowed, body,
                       id=f"{method} {path} as {role or 'anonymous'}")
          for method, path, allowed, body in ENDPOINTS for role in ROLES]

PROTECTED = [pytest.param(method, path, body, id=f"{method} {path}")
             for method, path, allowed, body in ENDPOINTS if ANONYMOUS not in allowed]


def call(api, method, path, world, body, as_=None, headers=None):
    url = path.format(**world)
    kwargs = body(world)
    if headers is not None:
        return api.client.open(url, method=method, headers=headers, **kwargs)
    return api.client.open(url, method=method, headers=api.headers(as_), **kwargs)


def test_every_endpoint_of_the_matrix_is_served(app):
    """The matrix tests real routes: a renamed or removed endpoint must show up here."""
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    adapter = app.url_map.bind("localhost")
    ids = {name: "6b0000000000000000000000" for name in ("ticket", "task", "finding", "rule", "photo", "user")}
    missing = []
    for method, path, _, _ in ENDPOINTS:
        try:
            endpoint, _ = adapter.match(path.format(**ids), method=method)
            assert not endpoint.startswith("static")
        except (NotFound, MethodNotAllowed):
            missing.append(f"{method} {path}")
    assert missing == []


@pytest.mark.parametrize("method, path, role, allowed, body", MATRIX)
def test_role_may_or_may_not_use_endpoint(api, world, method, path, role, allowed, body):
    r = call(api, method, path, world, body, as_=role)
    if role is ANONYMOUS and not allowed:
        assert r.status_code == 401, r.get_json()
        assert r.get_json()["code"] == "unauthorized"
        assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")
    elif not allowed:
        assert r.status_code == 403, r.get_json()
        assert r.get_json()["code"] == "forbidden"
    else:
        assert r.status_code not in (401, 403), r.get_json()
        assert r.status_code < 500, r.get_json()


@pytest.mark.parametrize("method, path, body", PROTECTED)
def test_a_garbage_token_is_401_everywhere(api, world, method, path, body):
    r = call(api, method, path, world, body, headers={"Authorization": "Bearer not-a-real-token"})
    assert r.status_code == 401, r.get_json()
    assert r.get_json()["code"] == "unauthorized"
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")


@pytest.mark.parametrize("header", [
    "Bearer",                                   # no token
    "Basic b2ZmaWNlOnRlc3QtcGFzc3dvcmQ=",        # office:test-password, wrong scheme
    "Token {office}",                            # a real token with the wrong scheme
    "Bearer {office}x",                          # a real token, tampered with
])
def test_malformed_authorization_headers_are_401(api, header):
    r = api.client.get("/api/v1/me", headers={"Authorization": header.format(office=api.token(OFFICE))})
    assert r.status_code == 401, r.get_json()
    assert r.get_json()["code"] == "unauthorized"


def test_an_expired_token_is_401(app, api):
    token = api.token(OFFICE)
    assert api.get("/api/v1/me", as_=OFFICE).status_code == 200
    ttl = app.config["TOKEN_TTL_SECONDS"]
    app.config["TOKEN_TTL_SECONDS"] = -1  # every token issued so far is now too old
    try:
        r = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    finally:
        app.config["TOKEN_TTL_SECONDS"] = ttl
    assert r.status_code == 401 and r.get_json()["code"] == "unauthorized"
    assert "过期" in r.get_json()["message"]  # (Chinese by default)


# ---------------------------------------------------------------- scope stories

def ticket_ids(response) -> set[str]:
    assert response.status_code == 200, response.get_json()
    return {t["id"] for t in response.get_json()}


def test_a_department_cannot_see_or_claim_another_departments_ticket(api, world):
    ticket = world["ticket"]  # dispatched to transport
    assert api.get(f"/api/v1/tickets/{ticket}", as_="dept-transport").status_code == 200

    r = api.get(f"/api/v1/tickets/{ticket}", as_="dept-agriculture")
    assert r.status_code == 404 and r.get_json()["code"] == "not_found"
    r = api.post(f"/api/v1/tickets/{ticket}/claim", as_="dept-agriculture", json={})
    assert r.status_code == 404 and r.get_json()["code"] == "not_found"
    assert ticket not in ticket_ids(api.get("/api/v1/tickets", as_="dept-agriculture"))
    assert ticket in ticket_ids(api.get("/api/v1/tickets", as_="dept-transport"))

    after = api.get(f"/api/v1/tickets/{ticket}", as_=OFFICE).get_json()
    assert after["status"] == "dispatched" and after["handler_id"] is None


def test_a_department_cannot_fetch_the_photo_of_another_departments_ticket(api, world):
    assert api.get(f"/api/v1/photos/{world['photo']}", as_="dept-transport").status_code == 200
    assert api.get(f"/api/v1/photos/{world['photo']}", as_="dept-agriculture").status_code == 404


def test_a_misconduct_finding_becomes_a_clue_that_no_ticket_list_shows(api, submit, run_jobs):
    """A misconduct finding opens no ticket: it is registered as a clue (tests/test_clues.py
    follows it through its own confidential loop)."""
    r = submit(category="misconduct", title="村干部虚报冒领低保金",
               description="群众反映村干部为亲属虚报冒领低保金。")
    assert r.status_code == 201, r.get_json()
    finding = r.get_json()
    assert finding["ticket_id"] is None
    approve_as_clue(api, finding["id"])
    ordinary = submit().get_json()["ticket_id"]
    assert run_jobs() == 1  # only the ordinary ticket is routed

    clues = api.get("/api/v1/clues", as_=OFFICE).get_json()["clues"]
    assert [c["title"] for c in clues] == ["村干部虚报冒领低保金"]
    for who in (OFFICE, "dept-discipline_commission", "dept-transport"):
        assert "虚报冒领" not in api.get("/api/v1/tickets", as_=who).get_data(as_text=True), who
    # Not even the inspector who reported it follows the clue.
    mine = ticket_ids(api.get("/api/v1/mobile/tickets", as_=INSPECTOR))
    assert mine == {ordinary}


def test_a_user_of_another_county_sees_nothing_of_ours(app, api, world):
    from backend.services.accounts import upsert_user
    with app.app_context():
        upsert_user("other-office", PASSWORD, "office", "410225")

    r = api.get(f"/api/v1/tickets/{world['ticket']}", as_="other-office")
    assert r.status_code == 404 and r.get_json()["code"] == "not_found"
    r = api.get("/api/v1/tickets", as_="other-office")
    assert r.status_code == 200 and r.get_json() == []
    assert json.loads(r.headers["X-Pagination"])["total"] == 0
    assert api.get(f"/api/v1/photos/{world['photo']}", as_="other-office").status_code == 404
    # ...while our office does see the ticket.
    assert len(api.get("/api/v1/tickets", as_=OFFICE).get_json()) == 1


def test_an_inspector_not_on_a_task_can_neither_check_in_nor_report_to_it(app, api):
    inspector2_id = api.get("/api/v1/me", as_="inspector2").get_json()["id"]
    r = api.post("/api/v1/tasks", as_=OFFICE, json={
        "name": "只有巡察组成员二的任务", "village_codes": ["371323001001"],
        "inspector_ids": [inspector2_id], "starts_on": "2026-11-01", "ends_on": "2026-11-30"})
    assert r.status_code == 201, r.get_json()
    task = r.get_json()["id"]
    check_in = {"village_code": "371323001001", "lat": 35.79, "lon": 118.63}

    r = api.post(f"/api/v1/mobile/tasks/{task}/check-in", as_="inspector1", json=check_in)
    assert r.status_code == 404 and r.get_json()["code"] == "not_found"
    r = api.post("/api/v1/mobile/findings", as_="inspector1", json=finding_payload(task))
    assert r.status_code == 404 and r.get_json()["code"] == "not_found"
    assert task not in {t["id"] for t in api.get("/api/v1/mobile/tasks", as_="inspector1").get_json()}

    from backend.models import CheckIn, Finding
    with app.app_context():
        assert Finding.objects.count() == 0
        assert CheckIn.objects.count() == 0
    # The inspector who is on it can.
    assert api.post(f"/api/v1/mobile/tasks/{task}/check-in", as_="inspector2", json=check_in).status_code == 201


def test_a_deactivated_users_token_stops_working(app, api):
    assert api.get("/api/v1/me", as_="dept-transport").status_code == 200
    from backend.models import User
    with app.app_context():
        assert User.objects(username_key="dept-transport").update_one(set__active=False) == 1

    r = api.get("/api/v1/me", as_="dept-transport")  # the token issued before
    assert r.status_code == 401 and r.get_json()["code"] == "unauthorized"
    assert api.get("/api/v1/tickets", as_="dept-transport").status_code == 401
    r = api.client.post("/api/v1/auth/token", json={"username": "dept-transport", "password": PASSWORD})
    assert r.status_code == 401
    # Other users are unaffected.
    assert api.get("/api/v1/me", as_="dept-agriculture").status_code == 200


def test_an_inspector_cannot_follow_tickets_of_a_task_they_are_not_on(api, run_jobs):
    inspector2_id = api.get("/api/v1/me", as_="inspector2").get_json()["id"]
    task = api.post("/api/v1/tasks", as_=OFFICE, json={
        "name": "只有巡察组成员二的任务", "village_codes": ["371323001001"],
        "inspector_ids": [inspector2_id], "starts_on": "2026-11-01", "ends_on": "2026-11-30"}).get_json()["id"]
    r = api.post("/api/v1/mobile/findings", as_="inspector2", json=finding_payload(task))
    assert r.status_code == 201, r.get_json()
    finding, ticket = r.get_json()["id"], r.get_json()["ticket_id"]
    photo = api.post(f"/api/v1/mobile/findings/{finding}/photos", as_="inspector2",
                     data={"file": (io.BytesIO(JPEG.read_bytes()), "p.jpg")}, content_type="multipart/form-data")
    assert photo.status_code == 201, photo.get_json()
    run_jobs()

    assert api.get(f"/api/v1/tickets/{ticket}", as_="inspector2").status_code == 200
    assert api.get(f"/api/v1/tickets/{ticket}", as_="inspector1").status_code == 404
    assert api.get(f"/api/v1/photos/{photo.get_json()['id']}", as_="inspector1").status_code == 404
    r = api.post(f"/api/v1/mobile/findings/{finding}/photos", as_="inspector1",
                 data={"file": (io.BytesIO(JPEG.read_bytes()), "p.jpg")}, content_type="multipart/form-data")
    assert r.status_code == 404
    r = api.post(f"/api/v1/mobile/tickets/{ticket}/verify", as_="inspector1", json={"outcome": "confirmed"})
    assert r.status_code == 404
    assert ticket not in ticket_ids(api.get("/api/v1/mobile/tickets", as_="inspector1"))
    assert api.get(f"/api/v1/tickets/{ticket}", as_=OFFICE).get_json()["status"] != "closed"


def test_repeated_wrong_passwords_lock_the_username_for_a_while(app, client):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        r = client.post("/api/v1/auth/token", json={"username": "office", "password": "guess"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/token", json={"username": "OFFICE", "password": PASSWORD})
    assert r.status_code == 429 and r.get_json()["code"] == "too_many_requests"
    # Other users are not affected.
    assert client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).status_code == 200


def test_a_successful_login_clears_earlier_failures(app, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        client.post("/api/v1/auth/token", json={"username": "office", "password": "guess"})
    assert client.post("/api/v1/auth/token", json={"username": "office", "password": PASSWORD}).status_code == 200
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        client.post("/api/v1/auth/token", json={"username": "office", "password": "guess"})
    assert client.post("/api/v1/auth/token", json={"username": "office", "password": PASSWORD}).status_code == 200

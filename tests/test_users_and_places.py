"""The admin manages the county's accounts; everyone can look up departments and villages."""
from conftest import finding_payload


def test_admin_creates_an_inspector_the_office_plans_a_task_for_them_and_they_report(api):
    r = api.post("/api/v1/users", as_="admin", json={
        "username": "inspector3", "display_name": "巡察组成员三", "role": "inspector", "password": "field-pass-1"})
    assert r.status_code == 201, r.get_json()
    new = r.get_json()
    assert "password" not in new and new["active"] is True and new["county_code"] == "371323"

    inspectors = api.get("/api/v1/users?role=inspector", as_="office").get_json()
    assert {u["username"] for u in inspectors} == {"inspector1", "inspector2", "inspector3"}
    task = api.post("/api/v1/tasks", as_="office", json={
        "name": "新成员任务", "village_codes": ["371323101200"], "inspector_ids": [new["id"]],
        "starts_on": "2026-11-01", "ends_on": "2026-12-31"}).get_json()
    assert task["villages"] == [{"code": "371323101200", "name": "马站村村民委员会", "township_code": "371323101"}]

    token = api.client.post("/api/v1/auth/token", json={"username": "Inspector3", "password": "field-pass-1"})
    assert token.status_code == 200  # usernames ignore case
    headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
    r = api.client.post("/api/v1/mobile/findings", headers=headers,
                        json=finding_payload(task["id"], village_code="371323101200"))
    assert r.status_code == 201, r.get_json()


def test_usernames_are_unique_whatever_their_case(api):
    r = api.post("/api/v1/users", as_="admin", json={"username": "OFFICE", "role": "office", "password": "12345678"})
    assert r.status_code == 409 and r.get_json()["code"] == "username_taken"


def test_a_department_user_needs_a_real_department(api):
    r = api.post("/api/v1/users", as_="admin", json={"username": "dept-new", "role": "department", "password": "12345678"})
    assert r.status_code == 422 and "department_code" in r.get_json()["errors"]
    r = api.post("/api/v1/users", as_="admin", json={"username": "dept-new", "role": "department",
                                                      "department_code": "weather", "password": "12345678"})
    assert r.status_code == 422
    assert api.get("/api/v1/users?role=department&department_code=weather", as_="admin").get_json() == []


def test_deactivating_a_user_revokes_their_tokens_and_new_passwords_do_too(api):
    users = api.get("/api/v1/users?department_code=transport", as_="admin").get_json()
    (transport,) = users
    assert api.get("/api/v1/me", as_="dept-transport").status_code == 200
    r = api.patch(f"/api/v1/users/{transport['id']}", as_="admin", json={"active": False})
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert api.get("/api/v1/me", as_="dept-transport").status_code == 401

    me = api.get("/api/v1/me", as_="inspector2").get_json()
    api.patch(f"/api/v1/users/{me['id']}", as_="admin", json={"password": "a-new-password"})
    assert api.get("/api/v1/me", as_="inspector2").status_code == 401
    r = api.client.post("/api/v1/auth/token", json={"username": "inspector2", "password": "a-new-password"})
    assert r.status_code == 200


def test_the_admin_cannot_lock_themselves_out(api):
    me = api.get("/api/v1/me", as_="admin").get_json()
    r = api.patch(f"/api/v1/users/{me['id']}", as_="admin", json={"active": False})
    assert r.status_code == 422
    assert api.get("/api/v1/me", as_="admin").status_code == 200


def test_departments_townships_and_villages_of_the_county(api):
    departments = api.get("/api/v1/departments", as_="office").get_json()
    codes = {d["code"] for d in departments}
    assert {"transport", "discipline_commission", "town-371323101"} <= codes and len(codes) == 31
    townships = api.get("/api/v1/townships", as_="inspector1").get_json()
    assert len(townships) == 18 and townships[0] == {"code": "371323001", "name": "沂城街道"}

    r = api.get("/api/v1/villages?township_code=371323101&page_size=100", as_="inspector1")
    villages = r.get_json()
    assert len(villages) == 26 and all(v["township_code"] == "371323101" for v in villages)
    assert '"total": 26' in r.headers["X-Pagination"]
    found = api.get("/api/v1/villages?name=马站村", as_="dept-transport").get_json()
    assert [v["code"] for v in found] == ["371323101200"]
    assert api.get("/api/v1/villages?township_code=12", as_="office").status_code == 422

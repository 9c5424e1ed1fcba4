def test_login_and_me(api):
    r = api.get("/api/v1/me", as_="office")
    assert r.status_code == 200
    assert r.get_json()["role"] == "office"


def test_submit_and_route(api, submit, run_jobs):
    r = submit()
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    tid = body["ticket_id"]
    t = api.get(f"/api/v1/tickets/{tid}", as_="office").get_json()
    assert t["status"] == "pending_routing"
    assert run_jobs() == 1
    t = api.get(f"/api/v1/tickets/{tid}", as_="office").get_json()
    assert t["status"] == "dispatched", t
    assert t["department_code"] == "transport"

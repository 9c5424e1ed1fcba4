"""Building an inspection round through the API, step by step, for the round's stories."""
from datetime import date, timedelta

from conftest import finding_payload

TODAY = date.today()
VILLAGES = ["371323001001", "371323001002"]   # 阳东社区, and its neighbour (沂城街道)


def me(api, username: str) -> dict:
    return api.get("/api/v1/me", as_=username).get_json()


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def create_round(api, *, office="office", leader="inspector2", members=("inspector1",), villages=VILLAGES,
                 departments=(), **extra) -> dict:
    team = [{"user_id": me(api, leader)["id"], "role": "leader"}] + [
        {"user_id": me(api, m)["id"], "role": "member"} for m in members]
    body = {"name": "2026年第五轮村级巡察", "village_codes": list(villages), "department_codes": list(departments),
            "team": team, "enters_on": TODAY.isoformat(), **extra}
    return ok(api.post("/api/v1/rounds", as_=office, json=body), 201)


def create_task(api, round_id: str, *, office="office", inspectors=("inspector1",), villages=VILLAGES) -> dict:
    body = {"name": "第五轮 · 沂城街道", "village_codes": list(villages),
            "inspector_ids": [me(api, i)["id"] for i in inspectors],
            "starts_on": TODAY.isoformat(), "ends_on": (TODAY + timedelta(days=30)).isoformat()}
    return ok(api.post(f"/api/v1/rounds/{round_id}/tasks", as_=office, json=body), 201)


def advance_to(api, round_id: str, phase: str, office="office") -> dict:
    current = ok(api.get(f"/api/v1/rounds/{round_id}", as_=office))
    while current["status"] != phase:
        current = ok(api.post(f"/api/v1/rounds/{round_id}/advance", as_=office, json={}))
    return current


def submit_finding(api, task_id: str, username="inspector1", **overrides) -> dict:
    """A 底稿 entry: a finding without the 立行立改 mark waits for review."""
    payload = finding_payload(task_id, **{"immediate": False, **overrides})
    return ok(api.post("/api/v1/mobile/findings", as_=username, json=payload), 201)


def entry_of(api, finding_id: str, leader="inspector2") -> dict:
    entries = ok(api.get("/api/v1/reviews?status=all", as_=leader))
    (entry,) = [e for e in entries if e["source_id"] == finding_id]
    return entry


def approve(api, entry_id: str, leader="inspector2", **decision) -> dict:
    body = {"problem_type": "organisation", "problem_class": "deadline", "deadline_days": 30, **decision}
    return ok(api.post(f"/api/v1/reviews/{entry_id}/approve", as_=leader, json=body))


def organisation_of(api, village_code: str, office="office") -> dict:
    orgs = ok(api.get("/api/v1/organisations", as_=office))
    (org,) = [o for o in orgs if o["village_code"] == village_code]
    return org


def add_secretary(api, org_id: str, name="张明", username="sec-yangdong", office="office") -> dict:
    from conftest import PASSWORD
    body = {"post": "secretary", "name": name, "username": username, "password": PASSWORD, "phone": "13812345678"}
    return ok(api.post(f"/api/v1/organisations/{org_id}/members", as_=office, json=body), 201)


def feed_back(api, round_id: str, on: date = TODAY, office="office") -> list[dict]:
    return ok(api.post(f"/api/v1/rounds/{round_id}/feedback", as_=office, json={"on": on.isoformat()}))

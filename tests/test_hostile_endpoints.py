"""Every endpoint tried as an attacker would (the pre-submission checklist), over HTTP: a lone
surrogate in any string a body takes, a malformed id in a filter, a day in year 1 or 9999,
an Open311 answer echoing control characters. Each is a JSON (or, for Open311, a readable)
4xx naming what was wrong, never a server error, and nothing is saved."""
import json
import re
from xml.etree import ElementTree as ET

import pytest

from round_helpers import TODAY, advance_to, create_round, create_task, entry_of, me, submit_finding
from test_api_schema import world  # noqa: F401  (the fixture: real objects for the path parameters)

ROLES = ["office", "admin", "inspector1", "zuzhang", "dept-transport", "dept-water_resources", "shuji"]
# The phone's queue answers each item on its own (an `invalid` result, never a 422 for the
# batch): what an item holds is checked when the item is stored (tests/test_phone_queue.py).
ITEM_BY_ITEM = {("/api/v1/mobile/sync", "items")}


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _string_leaves(spec: dict, schema: dict, path: tuple = ()):
    """The path of every string a request body may hold (array items as index 0)."""
    schema = _resolve(spec, schema)
    if "properties" in schema:
        for name, sub in schema["properties"].items():
            if not sub.get("readOnly"):
                yield from _string_leaves(spec, sub, path + (name,))
    elif schema.get("type") == "array":
        yield from _string_leaves(spec, schema.get("items", {}), path + (0,))
    elif schema.get("type") == "string":
        yield path


def _body(path: tuple, value):
    if not path:
        return value
    return [_body(path[1:], value)] if path[0] == 0 else {path[0]: _body(path[1:], value)}


def _names(errors: dict, path: tuple) -> bool:
    for step in path:
        if not isinstance(errors, dict) or str(step) not in errors:
            return False
        errors = errors[str(step)]
    return True


def test_every_string_a_body_takes_refuses_a_lone_surrogate_naming_it(api, client, world):
    """Each string of each JSON body, sent alone as "\\ud800" by the first role allowed to
    call the operation, is a 422 whose errors name it: ids, codes and keys go through the
    one text cleaner (or an enum or pattern) like every title and note."""
    spec = client.get("/openapi.json").get_json()
    unrefused, checked = [], 0
    for route, operations in spec["paths"].items():
        url = route.format_map({k: world.get((route, k), world.get(k)) for k in re.findall(r"{(\w+)}", route)})
        for method, operation in operations.items():
            if method == "parameters":
                continue
            body_schema = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
            if not body_schema:
                continue
            for path in _string_leaves(spec, body_schema["schema"]):
                if (route, path[0]) in ITEM_BY_ITEM:
                    continue
                for role in ROLES:
                    response = getattr(api, method)(url, as_=role, data=json.dumps(_body(path, "\ud800")),
                                                    content_type="application/json")
                    if response.status_code not in (401, 403):
                        break
                else:
                    continue
                checked += 1
                answer = response.get_json()
                if response.status_code != 422 or not _names(answer["errors"], path):
                    unrefused.append(f"{method.upper()} {route} {'.'.join(map(str, path))} as {role}: "
                                     f"{response.status_code} {answer}")
    assert checked > 100
    assert unrefused == [], "\n".join(unrefused)


@pytest.mark.parametrize("path, name", [
    ("/api/v1/rectifications", "round_id"), ("/api/v1/problems", "round_id"), ("/api/v1/reviews", "round_id"),
    ("/api/v1/clues/audit", "clue_id"), ("/api/v1/accountability/decisions", "target_id"),
])
@pytest.mark.parametrize("value", ["invalid_transition", "-1", "6b0a7364861039885d95079z", "\x00"])
def test_a_malformed_id_in_a_filter_is_422_naming_it(api, world, path, name, value):
    response = api.get(path, as_="office", query_string={name: value})
    assert response.status_code == 422, response.get_json()
    assert name in response.get_json()["errors"]


def test_a_well_formed_unknown_id_in_a_filter_finds_nothing(api, world):
    response = api.get("/api/v1/problems", as_="office", query_string={"round_id": "0" * 24})
    assert response.status_code == 200 and response.get_json() == []


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_a_day_out_of_range_is_422_and_saves_nothing(app, api, world, day):
    """Days people type lie between 2000-01-01 and five years after today: year 9999 was a
    date overflow (500) in a suggestion's reply clock, year 1 a round, a feedback, a decision
    or a 长期 milestone saved as typed."""
    from backend.models import AccountabilityDecision, InspectionRound, Suggestion
    counts = lambda: (InspectionRound.objects.count(), Suggestion.objects.count(),  # noqa: E731
                      AccountabilityDecision.objects.count())
    before = counts()
    team = [{"user_id": me(api, "inspector2")["id"], "role": "leader"}]
    refused = {
        "enters_on": api.post("/api/v1/rounds", as_="office", json={
            "name": "第六轮", "village_codes": ["371323001001"], "team": team, "enters_on": day}),
        "reply_due_on": api.post("/api/v1/suggestions", as_="office", json={
            "department_code": "water_resources", "title": "关于水质检测的建议", "content": "建议检测",
            "reply_due_on": day}),
        "decided_on": api.post("/api/v1/accountability/decisions", as_="office", json={
            "person_name": "王某", "form": "interview", "decided_on": day, "reason": "整改不力",
            "target_kind": "suggestion", "target_id": world["suggestion_id"]}),
    }
    for field, response in refused.items():
        assert response.status_code == 422, (field, response.get_json())
        assert field in response.get_json()["errors"], response.get_json()
    assert counts() == before


def test_a_milestone_and_a_feedback_day_out_of_range_are_422(api):
    found = create_round(api)
    task = create_task(api, found["id"])
    advance_to(api, found["id"], "inspection")
    entry = entry_of(api, submit_finding(api, task["id"])["id"])
    far = api.post(f"/api/v1/reviews/{entry['id']}/approve", as_="inspector2", json={
        "problem_type": "organisation", "problem_class": "long_term", "milestones": [{"title": "建成", "due_on": "9999-12-31"}]})
    assert far.status_code == 422 and "milestones" in far.get_json()["errors"], far.get_json()
    assert api.get(f"/api/v1/reviews/{entry['id']}", as_="inspector2").get_json()["status"] == "pending"
    approved = api.post(f"/api/v1/reviews/{entry['id']}/approve", as_="inspector2", json={
        "problem_type": "organisation", "problem_class": "deadline", "deadline_days": 30})
    assert approved.status_code == 200, approved.get_json()
    advance_to(api, found["id"], "feedback")
    early = api.post(f"/api/v1/rounds/{found['id']}/feedback", as_="office", json={"on": "0001-01-01"})
    assert early.status_code == 422 and "on" in early.get_json()["errors"], early.get_json()
    assert api.get("/api/v1/rectifications", as_="office", query_string={"round_id": found["id"]}).get_json() == []


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "0001-01", "2026-13"])
def test_a_bulletin_month_out_of_range_is_422_and_queues_nothing(api, month):
    response = api.post("/api/v1/bulletins", as_="office", json={"month": month})
    assert response.status_code == 422 and "month" in response.get_json()["errors"], response.get_json()
    assert api.get("/api/v1/bulletins", as_="office").get_json() == []


def test_a_page_past_the_last_is_empty_whatever_its_number(api, world):
    """(On real MongoDB a skip past 2**63 cannot even be encoded.)"""
    response = api.get("/api/v1/problems", as_="office", query_string={"page": 10 ** 20})
    assert response.status_code == 200 and response.get_json() == []
    assert json.loads(response.headers["X-Pagination"])["total"] == 6


@pytest.mark.parametrize("url", [
    "/open311/v2/services.xml?jurisdiction_id=%0B", "/open311/v2/requests.xml?jurisdiction_id=%00",
    "/open311/v2/services/%00%1F.xml", "/open311/v2/requests/%00x.xml",
])
def test_an_open311_xml_answer_is_well_formed_whatever_the_request_held(client, url):
    response = client.get(url)
    assert response.status_code == 404 and response.content_type.startswith("text/xml")
    (error,) = ET.fromstring(response.data).iter("error")
    assert error.findtext("code") == "404"


def test_an_open311_post_refuses_control_characters_in_its_codes(api, client):
    key = api.post("/api/v1/open311/keys", as_="admin", json={"name": "县12345热线"}).get_json()["api_key"]
    response = client.post("/open311/v2/requests.json", data={
        "api_key": key, "jurisdiction_id": "371323", "service_code": "livelihood", "description": "路灯不亮",
        "device_id": "\x00"})
    assert response.status_code == 400 and "device_id" in response.get_json()[0]["description"]


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    else:
        yield value


def test_the_new_endpoints_refuse_in_chinese_field_by_field(api, world):
    """The per-field messages of a refusal are Chinese by default (English on request), like
    its message: county staff read which field to fix."""
    nobody = "0" * 24
    leader = [{"user_id": me(api, "inspector2")["id"], "role": "leader"}]
    refusals = [
        ("office", "post", "/api/v1/rounds", {"name": "第六轮", "village_codes": ["371323001001"],
                                              "department_codes": ["nowhere"], "team": leader,
                                              "enters_on": TODAY.isoformat()}),
        ("office", "post", "/api/v1/rounds", {"name": "第六轮", "village_codes": ["371323001001"],
                                              "team": [{"user_id": nobody, "role": "leader"}],
                                              "enters_on": TODAY.isoformat()}),
        ("admin", "put", "/api/v1/rounds/settings", {"checklist": [{"code": "a", "label": "甲", "weight": 60}]}),
        ("office", "post", f"/api/v1/rectifications/{world['case_id']}/evaluation", {"scores": {"nothing": 50}}),
        ("office", "post", f"/api/v1/clues/{world['clue_id']}/transfer", {"receiver": "discipline_commission",
                                                                        "handler_ids": [nobody]}),
        ("office", "post", "/api/v1/accountability/decisions", {"person_name": "王某", "form": "interview",
                                                                 "decided_on": TODAY.isoformat(), "reason": "整改不力",
                                                                 "target_kind": "village", "target_id": nobody}),
        ("office", "post", "/api/v1/suggestions", {"department_code": "water_resources", "title": "建议",
                                                   "content": "内容", "ticket_ids": [nobody]}),
    ]
    for role, method, url, body in refusals:
        chinese = getattr(api, method)(url, as_=role, json=body)
        assert chinese.status_code == 422, (url, chinese.get_json())
        for message in _strings(chinese.get_json()["errors"]):
            assert re.search(r"[\u4e00-\u9fff]", message), (url, chinese.get_json()["errors"])
        english = api.client.open(url, method=method.upper(), json=body,
                                  headers={**api.headers(role), "Accept-Language": "en"})
        for message in _strings(english.get_json()["errors"]):
            assert not re.search(r"[\u4e00-\u9fff]{4}", message), (url, english.get_json()["errors"])


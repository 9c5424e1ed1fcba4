"""The round and its 问题底稿 review: the 组长 approves, sends back, merges or does not
accept each entry; every decision is an event; a sent-back entry comes back as a new
revision of the same client_id, through sync."""
import uuid
from datetime import timedelta

from conftest import finding_payload
from round_helpers import (TODAY, approve, create_round, create_task, entry_of, me, ok, submit_finding)


def start(api):
    found = create_round(api)
    task = create_task(api, found["id"])
    return found, task


def test_the_office_plans_a_round_and_the_team_sees_it_others_do_not(api):
    found = create_round(api)
    assert found["status"] == "entry" and found["leader_id"] == me(api, "inspector2")["id"]
    assert {v["code"] for v in found["villages"]} == {"371323001001", "371323001002"}
    assert all(v["organisation_id"] for v in found["villages"])   # each village's party organisation
    assert [e["action"] for e in found["events"]] == ["create"]
    assert [r["id"] for r in ok(api.get("/api/v1/rounds", as_="inspector1"))] == [found["id"]]
    assert ok(api.get("/api/v1/rounds", as_="office"))[0]["id"] == found["id"]
    assert api.get("/api/v1/rounds", as_="dept-transport").status_code == 403
    task = create_task(api, found["id"])
    assert ok(api.get(f"/api/v1/rounds/{found['id']}/tasks", as_="inspector2"))[0]["id"] == task["id"]
    # phases move one step at a time, each an event
    advanced = ok(api.post(f"/api/v1/rounds/{found['id']}/advance", as_="office", json={"note": "进驻动员会"}))
    assert advanced["status"] == "inspection" and advanced["events"][-1]["data"]["label"] == "巡察"
    stale = api.post(f"/api/v1/rounds/{found['id']}/advance", as_="office", json={"version": 1})
    assert stale.status_code == 409


def test_a_round_needs_exactly_one_leader_from_the_county_inspectors(api):
    body = {"name": "x", "village_codes": ["371323001001"], "enters_on": "2026-11-01",
            "team": [{"user_id": me(api, "inspector1")["id"], "role": "member"}]}
    r = api.post("/api/v1/rounds", as_="office", json=body)
    assert r.status_code == 422 and "team" in r.get_json()["errors"]
    body["team"] = [{"user_id": me(api, "office")["id"], "role": "leader"}]
    assert api.post("/api/v1/rounds", as_="office", json=body).status_code == 422


def test_an_unmarked_finding_waits_for_review_and_opens_no_ticket(api, run_jobs):
    found, task = start(api)
    finding = submit_finding(api, task["id"])
    assert finding["ticket_id"] is None and finding["review_status"] == "pending"
    entry = entry_of(api, finding["id"])
    assert entry["status"] == "pending" and entry["round_id"] == found["id"]
    assert entry["fact_basis"] and entry["policy_basis"] and entry["responsibility_basis"]
    assert not entry["dispatched_before_review"]
    run_jobs()
    assert ok(api.get("/api/v1/tickets", as_="office")) == []


def test_the_marked_livelihood_finding_is_dispatched_before_review_and_recorded(api, run_jobs):
    """边巡边改: the county's setting lets the inspector's 立行立改 mark dispatch it at once."""
    _, task = start(api)
    finding = submit_finding(api, task["id"], immediate=True)
    assert finding["ticket_id"]
    entry = entry_of(api, finding["id"])
    assert entry["dispatched_before_review"] and entry["ticket_id"] == finding["ticket_id"]
    assert entry["status"] == "pending"   # it still goes through review
    detail = ok(api.get(f"/api/v1/reviews/{entry['id']}", as_="inspector2"))
    assert [e["action"] for e in detail["events"]] == ["queue", "dispatch"]
    run_jobs()
    assert ok(api.get(f"/api/v1/tickets/{finding['ticket_id']}", as_="office"))["status"] == "dispatched"


def test_with_the_setting_off_the_mark_waits_for_review(api):
    ok(api.put("/api/v1/rounds/settings", as_="admin", json={"immediate_dispatch": False}))
    _, task = start(api)
    assert submit_finding(api, task["id"], immediate=True)["ticket_id"] is None


def test_only_the_rounds_leader_reviews_its_entries(api):
    _, task = start(api)
    entry = entry_of(api, submit_finding(api, task["id"])["id"])
    assert api.get(f"/api/v1/reviews/{entry['id']}", as_="inspector1").status_code == 404
    assert api.post(f"/api/v1/reviews/{entry['id']}/reject", as_="inspector1",
                    json={"reason": "x"}).status_code == 404
    assert api.post(f"/api/v1/reviews/{entry['id']}/reject", as_="office", json={"reason": "x"}).status_code == 404
    assert api.get("/api/v1/reviews", as_="dept-transport").status_code == 403


def test_sent_back_reaches_the_phone_and_the_same_client_id_comes_back_as_a_new_revision(api):
    _, task = start(api)
    payload = finding_payload(task["id"], immediate=False)
    first = ok(api.post("/api/v1/mobile/findings", as_="inspector1", json=payload), 201)
    cursor = ok(api.get("/api/v1/mobile/sync", as_="inspector1"))["cursor"]
    entry = entry_of(api, first["id"])
    back = ok(api.post(f"/api/v1/reviews/{entry['id']}/return", as_="inspector2",
                       json={"reason": "政策依据不准确，请补充条款原文", "version": entry["version"]}))
    assert back["status"] == "returned"

    # the phone learns it at its next sync, with the reason
    pulled = ok(api.get(f"/api/v1/mobile/sync?since={cursor}", as_="inspector1"))
    (mine,) = [f for f in pulled["findings"] if f["id"] == first["id"]]
    assert mine["review_status"] == "returned" and mine["review_note"] == "政策依据不准确，请补充条款原文"

    # the same client_id with corrected content is a new revision, pushed through sync
    revised = {**payload, "policy_basis": "《中国共产党农村基层组织工作条例》第十九条"}
    data = {k: v for k, v in revised.items() if k != "client_id"}
    result = ok(api.post("/api/v1/mobile/sync", as_="inspector1",
                         json={"items": [{"type": "finding", "client_id": payload["client_id"], "data": data}]}))
    (item,) = result["results"]
    assert item["status"] == "revised" and item["id"] == first["id"], item
    again = ok(api.get(f"/api/v1/reviews/{entry['id']}", as_="inspector2"))
    assert again["status"] == "pending" and again["revision"] == 2
    assert again["policy_basis"].startswith("《中国共产党农村基层组织工作条例》")
    assert [e["action"] for e in again["events"]] == ["queue", "return", "resubmit"]
    # replaying the new revision is harmless; the old content now conflicts
    assert ok(api.post("/api/v1/mobile/findings", as_="inspector1", json=revised))["revision"] == 2
    r = api.post("/api/v1/mobile/findings", as_="inspector1", json=payload)
    assert r.status_code == 409 and r.get_json()["code"] == "client_id_conflict"


def test_the_same_client_id_with_other_content_is_still_a_conflict_unless_sent_back(api):
    _, task = start(api)
    payload = finding_payload(task["id"], immediate=False)
    ok(api.post("/api/v1/mobile/findings", as_="inspector1", json=payload), 201)
    r = api.post("/api/v1/mobile/findings", as_="inspector1", json={**payload, "title": "另一个问题"})
    assert r.status_code == 409 and r.get_json()["code"] == "client_id_conflict"


def test_merge_reject_and_every_decision_is_an_event(api):
    _, task = start(api)
    a = entry_of(api, submit_finding(api, task["id"])["id"])
    b = entry_of(api, submit_finding(api, task["id"], title="同一路段坑洼（重复）")["id"])
    c = entry_of(api, submit_finding(api, task["id"], title="不实反映")["id"])
    merged = ok(api.post(f"/api/v1/reviews/{b['id']}/merge", as_="inspector2", json={"into_id": a["id"]}))
    assert merged["status"] == "merged" and merged["merged_into"] == a["id"]
    target = ok(api.get(f"/api/v1/reviews/{a['id']}", as_="inspector2"))
    assert target["merged_ids"] == [b["id"]] and target["events"][-1]["action"] == "absorb"
    rejected = ok(api.post(f"/api/v1/reviews/{c['id']}/reject", as_="inspector2", json={"reason": "经核实不属实"}))
    assert rejected["status"] == "rejected"
    # a decided entry takes no second decision
    r = api.post(f"/api/v1/reviews/{c['id']}/approve", as_="inspector2",
                 json={"problem_type": "organisation", "problem_class": "deadline", "deadline_days": 30})
    assert r.status_code == 409 and r.get_json()["code"] == "invalid_transition"
    # a stale version loses
    r = api.post(f"/api/v1/reviews/{a['id']}/approve", as_="inspector2",
                 json={"version": 1, "problem_type": "organisation", "problem_class": "deadline", "deadline_days": 30})
    assert r.status_code == 409 and r.get_json()["code"] == "stale"


def test_approval_classes_and_types(api, run_jobs):
    _, task = start(api)
    entries = [entry_of(api, submit_finding(api, task["id"], title=f"问题{i}")["id"]) for i in range(5)]
    deadline = approve(api, entries[0]["id"], deadline_months=2)
    assert deadline["decision"]["problem_class"] == "deadline" and deadline["problem_id"]
    r = api.post(f"/api/v1/reviews/{entries[1]['id']}/approve", as_="inspector2",
                 json={"problem_type": "organisation", "problem_class": "long_term"})
    assert r.status_code == 422 and "milestones" in r.get_json()["errors"]
    long_term = approve(api, entries[1]["id"], problem_class="long_term", milestones=[
        {"title": "完成规划", "due_on": str(TODAY + timedelta(days=200))},
        {"title": "完成建设", "due_on": str(TODAY + timedelta(days=700))}])
    assert len(long_term["decision"]["milestones"]) == 2
    immediate = approve(api, entries[2]["id"], problem_class="immediate")
    problem = ok(api.get(f"/api/v1/problems/{immediate['problem_id']}", as_="office"))
    assert problem["ticket_id"]   # 立行立改: dispatched at once through the ticket loop
    run_jobs()
    assert ok(api.get(f"/api/v1/tickets/{problem['ticket_id']}", as_="office"))["status"] == "dispatched"
    clue = approve(api, entries[3]["id"], problem_type="clue", problem_class=None)
    assert clue["problem_id"] is None and clue["handed_off"].startswith("clue:")
    registered = ok(api.get(f"/api/v1/clues/{clue['handed_off'].split(':')[1]}", as_="office"))
    assert registered["status"] == "registered" and registered["finding_id"] == entries[3]["source_id"]
    suggestion = approve(api, entries[4]["id"], problem_type="suggestion", problem_class=None,
                         department_code="transport")
    assert suggestion["handed_off"].startswith("suggestion:") and suggestion["decision"]["department_code"] == "transport"
    sent = ok(api.get(f"/api/v1/suggestions/{suggestion['handed_off'].split(':')[1]}", as_="dept-transport"))
    assert sent["status"] == "sent" and sent["source"] == "round_report"
    # the inspector who found the clue sees only that it was transferred (移交)
    mine = ok(api.get("/api/v1/mobile/findings", as_="inspector1"))
    assert next(f for f in mine if f["id"] == entries[3]["source_id"])["clue_status"] == "transferred"
    # the round's report lists the problems by village and category (clues only counted)
    report = ok(api.get(f"/api/v1/rounds/{entries[0]['round_id']}/report", as_="office"))
    assert report["by_type"] == {"organisation": 3, "clue": 1, "suggestion": 1}
    yangdong = next(v for v in report["by_village"] if v["village_code"] == "371323001001")
    assert yangdong["categories"] == {"livelihood": 4}
    assert report["by_class"] == {"deadline": 1, "long_term": 1, "immediate": 1}


def test_the_report_phase_waits_for_the_review(api):
    found, task = start(api)
    submit_finding(api, task["id"])
    ok(api.post(f"/api/v1/rounds/{found['id']}/advance", as_="office", json={}))
    r = api.post(f"/api/v1/rounds/{found['id']}/advance", as_="office", json={})
    assert r.status_code == 409 and r.get_json()["code"] == "review_pending"


def test_a_finding_outside_any_round_is_reviewed_by_the_office(api):
    task = api.task_id("inspector1", 0)   # the demo's task, in no round
    finding = ok(api.post("/api/v1/mobile/findings", as_="inspector1",
                          json=finding_payload(task, immediate=False, client_id=str(uuid.uuid4()))), 201)
    queue = ok(api.get("/api/v1/reviews", as_="office"))
    assert [e["source_id"] for e in queue] == [finding["id"]]


def test_the_rounds_messages_are_in_chinese_by_default(api):
    r = api.get("/api/v1/rounds/000000000000000000000000", as_="office")
    assert r.status_code == 404 and r.get_json()["message"] == "没有您可查看的巡察轮次 000000000000000000000000。"
    english = api.client.get("/api/v1/rounds/000000000000000000000000",
                             headers={**api.headers("office"), "Accept-Language": "en"})
    assert english.get_json()["message"] == "No inspection round 000000000000000000000000 that you can see."

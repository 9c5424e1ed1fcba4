"""Suggestions to departments (意见建议): from a common problem to a department, its reply
with measures and rules, the office's decision, and a reply owed past its deadline."""
from datetime import date, datetime, timedelta

from workers.jobs import sweep_reply_clocks

OFFICE = "office"


def common_problem(api, submit, run_jobs):
    """Three villages in two townships with the same drinking-water problem."""
    for task, village in ((0, "371323001001"), (0, "371323001002"), (1, "371323101200")):
        r = submit(task_index=task, village_code=village, title="自来水水质浑浊", description="村里自来水水质浑浊，群众反映强烈。")
        assert r.status_code == 201, r.get_json()
    run_jobs()
    problems = api.get("/api/v1/stats/common-problems", as_=OFFICE).get_json()["problems"]
    return next(p for p in problems if p["kind"] == "keyword")


def create(api, **overrides):
    body = {"department_code": "water_resources", "title": "关于加强农村饮水安全管理的建议",
            "content": "建议开展农村供水水质专项检测。", **overrides}
    return api.post("/api/v1/suggestions", as_=OFFICE, json=body)


def test_the_office_writes_a_suggestion_from_a_common_problem_and_the_department_answers(api, submit, run_jobs):
    problem = common_problem(api, submit, run_jobs)
    r = create(api, department_code=problem["department_code"], source="common_problem",
               source_ref=f"{problem['kind']}:{problem['key']}", ticket_ids=[t["id"] for t in problem["tickets"]])
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert made["number"].endswith("-JY-%d-0001" % datetime.now().year) and made["status"] == "sent"
    assert len(made["ticket_ids"]) == 3 and made["department_code"] == "water_resources"
    due = datetime.fromisoformat(made["due_at"])
    assert 29 <= (due - datetime.fromisoformat(made["created_at"])).days <= 30  # SUGGESTION_REPLY_DAYS

    # Only the department it is written to sees it.
    assert [s["id"] for s in api.get("/api/v1/suggestions", as_="dept-water_resources").get_json()["suggestions"]] \
        == [made["id"]]
    assert api.get("/api/v1/suggestions", as_="dept-transport").get_json()["suggestions"] == []
    assert api.get(f"/api/v1/suggestions/{made['id']}", as_="dept-transport").status_code == 404
    assert api.get("/api/v1/suggestions", as_="inspector1").status_code == 403
    assert api.post(f"/api/v1/suggestions/{made['id']}/reply", as_="dept-transport",
                    json={"measures": "x"}).status_code == 404
    assert api.post(f"/api/v1/suggestions/{made['id']}/accept", as_=OFFICE, json={}).get_json()["code"] \
        == "invalid_transition"

    r = api.post(f"/api/v1/suggestions/{made['id']}/reply", as_="dept-water_resources", json={
        "measures": "已对全县农村供水工程开展水质检测，完成3处净化设施改造。",
        "rules": ["《沂水县农村供水水质检测办法》", "《农村供水工程运行管护制度》"]})
    assert r.status_code == 200, r.get_json()
    replied = r.get_json()
    assert (replied["status"], replied["replied_on_time"], len(replied["rules"])) == ("replied", True, 2)

    back = api.post(f"/api/v1/suggestions/{made['id']}/send-back", as_=OFFICE,
                    json={"note": "请补充长效机制", "reply_due_on": (date.today() + timedelta(days=10)).isoformat()})
    assert back.status_code == 200 and back.get_json()["status"] == "sent"
    assert back.get_json()["due_at"] != made["due_at"]
    api.post(f"/api/v1/suggestions/{made['id']}/reply", as_="dept-water_resources",
             json={"measures": "已建立水质月检制度。", "rules": ["《水质月检制度》"]})
    done = api.post(f"/api/v1/suggestions/{made['id']}/accept", as_=OFFICE, json={"note": "同意销号"}).get_json()
    assert done["status"] == "accepted"
    assert [e["action"] for e in done["events"]] == ["send", "reply", "send_back", "reply", "accept"]

    figures = api.get("/api/v1/suggestions/figures", as_=OFFICE).get_json()
    assert {k: figures[k] for k in ("sent", "replied", "replied_on_time", "accepted", "overdue")} == {
        "sent": 1, "replied": 1, "replied_on_time": 1, "accepted": 1, "overdue": 0}
    assert figures["departments"] == [{"department_code": "water_resources", "department_name": "沂水县水利局",
                                       "sent": 1, "replied": 1, "replied_on_time": 1, "accepted": 1, "overdue": 0}]


def test_a_suggestion_needs_a_known_department_a_future_deadline_and_a_named_problem(api):
    assert create(api, department_code="nowhere").status_code == 422
    past = create(api, reply_due_on=(date.today() - timedelta(days=1)).isoformat())
    assert past.status_code == 422 and "reply_due_on" in past.get_json()["errors"]
    unnamed = create(api, source="common_problem")
    assert unnamed.status_code == 422 and "source_ref" in unnamed.get_json()["errors"]
    unknown = create(api, ticket_ids=["0123456789abcdef01234567"])
    assert unknown.status_code == 422 and "ticket_ids" in unknown.get_json()["errors"]
    assert create(api, source="round_report", source_ref="2026年第四轮巡察报告").status_code == 201
    assert api.post("/api/v1/suggestions", as_="dept-transport", json={}).status_code == 403


def test_an_owed_reply_is_reminded_then_escalated_to_the_head_and_the_office(app, api):
    from backend.models import Notification
    made = create(api).get_json()

    def at(field, **delta):
        return (datetime.fromisoformat(made[field]) + timedelta(**delta)).isoformat()
    assert sweep_reply_clocks(at("remind_at", minutes=1))["suggestions"]["remind"] == 1
    assert sweep_reply_clocks(at("due_at", minutes=1))["suggestions"]["overdue"] == 1
    assert api.get("/api/v1/suggestions/figures", as_=OFFICE).get_json()["departments"][0]["overdue"] == 1
    assert api.get("/api/v1/suggestions?overdue=true", as_="dept-water_resources").get_json()["total"] == 1
    late = sweep_reply_clocks(at("escalate2_at", minutes=1))["suggestions"]
    assert (late["escalate1"], late["escalate2"]) == (1, 1)
    assert sweep_reply_clocks(at("escalate2_at", minutes=2))["suggestions"] == {
        "remind": 0, "overdue": 0, "escalate1": 0, "escalate2": 0}
    detail = api.get(f"/api/v1/suggestions/{made['id']}", as_=OFFICE).get_json()
    assert detail["escalation_level"] == 2 and detail["overdue"] is True
    with app.app_context():
        audiences = {n.kind: (n.audience, n.department_code) for n in Notification.objects(kind__startswith="sugg")}
    assert audiences == {"suggestion_remind": ("department", "water_resources"),
                         "suggestion_overdue": ("department", "water_resources"),
                         "suggestion_escalate1": ("department_head", "water_resources"),
                         "suggestion_escalate2": ("office", "water_resources")}
    # A late reply counts as replied, not on time; the overdue figure clears.
    r = api.post(f"/api/v1/suggestions/{made['id']}/reply", as_="dept-water_resources", json={"measures": "已整改"})
    assert r.get_json()["replied_on_time"] is False
    figures = api.get("/api/v1/suggestions/figures", as_=OFFICE).get_json()
    assert (figures["replied"], figures["replied_on_time"], figures["overdue"]) == (1, 0, 0)


def test_a_sweep_that_stopped_before_its_notices_is_finished_by_the_next(app, api, monkeypatch):
    """The reply clock marks the stage first and notifies afterwards: a run that dies in
    between leaves the stage marked (never marked again) and its notice is sent by the next."""
    import pytest

    from backend.models import Notification
    from backend.services import notifications
    made = create(api).get_json()
    at = (datetime.fromisoformat(made["remind_at"]) + timedelta(minutes=1)).isoformat()

    def died(**_kw):
        raise RuntimeError("the process stopped here")
    real, notifications.publish = notifications.publish, died
    try:
        with pytest.raises(RuntimeError):
            sweep_reply_clocks(at)
    finally:
        notifications.publish = real
    with app.app_context():
        assert Notification.objects(kind="suggestion_remind").count() == 0
    assert sweep_reply_clocks(at)["suggestions"]["remind"] == 0        # marked once, by the stopped run
    assert sweep_reply_clocks(at)["suggestions"]["remind"] == 0
    with app.app_context():
        sent = list(Notification.objects(kind="suggestion_remind"))
    assert len(sent) == 1 and sent[0].payload["tickets"][0]["number"] == made["number"]
    events = api.get(f"/api/v1/suggestions/{made['id']}", as_=OFFICE).get_json()["events"]
    assert [e["action"] for e in events].count("remind") == 1

"""Accountability (问责): the 整改不力 list (tickets reopened twice, items past 督办 level 2),
decisions recorded against them with their documents, and the figures."""
import io
from datetime import datetime, timedelta

from backend.domain.sla import CHINA
from lifecycle_helpers import at, dispatched
from workers.jobs import sweep_deadlines, sweep_reply_clocks

OFFICE = "office"


def reopened_twice(api, submit, run_jobs) -> dict:
    ticket = dispatched(api, submit, run_jobs)
    tid, dept = ticket["id"], f"dept-{ticket['department_code']}"
    assert api.post(f"/api/v1/tickets/{tid}/claim", as_=dept, json={}).status_code == 200
    for _ in range(2):
        assert api.post(f"/api/v1/tickets/{tid}/resolve", as_=dept, json={"note": "已修复"}).status_code == 200
        r = api.post(f"/api/v1/tickets/{tid}/verify", as_=OFFICE, json={"outcome": "not_fixed", "note": "仍有坑洼"})
        assert r.status_code == 200, r.get_json()
    return api.get(f"/api/v1/tickets/{tid}", as_=OFFICE).get_json()


def decide(api, **overrides):
    body = {"person_name": "王某", "person_position": "局长", "form": "public_criticism",
            "decided_on": datetime.now(CHINA).date().isoformat(), "reason": "整改不力", **overrides}
    return api.post("/api/v1/accountability/decisions", as_=OFFICE, json=body)


def test_the_underperforming_list_and_a_decision_with_its_document(api, submit, run_jobs):
    late = dispatched(api, submit, run_jobs, title="村口桥梁护栏缺失", description="桥梁护栏缺失")
    sweep_deadlines(at(late["escalate2_at"], minutes=1))
    twice = reopened_twice(api, submit, run_jobs)
    assert twice["reopen_count"] == 2
    fine = dispatched(api, submit, run_jobs, title="垃圾", description="垃圾未清运", category="living_environment")
    suggestion = api.post("/api/v1/suggestions", as_=OFFICE, json={
        "department_code": "health", "title": "关于村卫生室建设的建议", "content": "x"}).get_json()
    sweep_reply_clocks(at(suggestion["escalate2_at"], minutes=1))

    listed = api.get("/api/v1/accountability/underperforming", as_=OFFICE).get_json()
    by_id = {i["id"]: i for i in listed["items"]}
    assert set(by_id) == {twice["id"], late["id"], suggestion["id"]} and fine["id"] not in by_id
    assert by_id[twice["id"]]["reasons"] == ["reopened"] and by_id[twice["id"]]["reopen_count"] == 2
    assert by_id[late["id"]]["reasons"] == ["escalated"] and by_id[late["id"]]["escalation_level"] == 2
    assert by_id[suggestion["id"]]["kind"] == "suggestion" and by_id[suggestion["id"]]["department_name"]
    assert api.get("/api/v1/accountability/underperforming", as_="dept-transport").status_code == 403

    r = decide(api, target_kind="ticket", target_id=twice["id"])
    assert r.status_code == 201, r.get_json()
    decision = r.get_json()
    assert decision["number"].endswith("-WZ-%d-0001" % datetime.now().year)
    assert decision["department_code"] == twice["department_code"] and twice["number"] in decision["target_label"]
    decide(api, target_kind="suggestion", target_id=suggestion["id"], form="interview", person_name="李某")

    url = f"/api/v1/accountability/decisions/{decision['id']}/document"
    fake = api.post(url, as_=OFFICE, data={"file": (io.BytesIO(b"<html>decision</html>"), "决定书.pdf")},
                    content_type="multipart/form-data")
    assert fake.status_code == 415
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    up = api.post(url, as_=OFFICE, data={"file": (io.BytesIO(pdf), "决定书.pdf")}, content_type="multipart/form-data")
    assert up.status_code == 200 and up.get_json()["document_id"]
    got = api.get(url, as_=OFFICE)
    assert got.status_code == 200 and got.data == pdf and got.mimetype == "application/pdf"

    again = {i["id"]: i for i in api.get("/api/v1/accountability/underperforming", as_=OFFICE).get_json()["items"]}
    assert again[twice["id"]]["decisions"] == [{"number": decision["number"], "form": "public_criticism"}]
    assert again[late["id"]]["decisions"] == []

    figures = api.get("/api/v1/accountability/figures", as_=OFFICE).get_json()
    assert figures["decisions"] == 2
    assert {f["form"]: f["decisions"] for f in figures["by_form"]}["interview"] == 1
    rows = {d["code"]: d for d in figures["departments"]}
    assert rows[twice["department_code"]]["public_criticism"] == 1 and rows["health"]["interview"] == 1
    assert rows["health"]["name"] == "沂水县卫生健康局"
    found = api.get(f"/api/v1/accountability/decisions?target_id={twice['id']}", as_=OFFICE).get_json()
    assert [d["id"] for d in found["decisions"]] == [decision["id"]]


def test_a_decision_needs_a_known_target_of_a_known_kind_and_a_past_date(api, submit, run_jobs):
    ticket = dispatched(api, submit, run_jobs)
    clue = submit(category="misconduct", title="线索", description="线索").get_json()
    assert decide(api, target_kind="ticket", target_id="0123456789abcdef01234567").status_code == 422
    assert decide(api, target_kind="planet", target_id=ticket["id"]).get_json()["errors"].keys() == {"target_kind"}
    assert decide(api, target_kind="ticket", target_id=clue["id"]).status_code == 422  # a finding, not a ticket
    future = (datetime.now(CHINA) + timedelta(days=2)).date().isoformat()
    assert decide(api, target_kind="ticket", target_id=ticket["id"], decided_on=future).status_code == 422
    assert decide(api, target_kind="ticket", target_id=ticket["id"], form="fined").status_code == 422
    assert api.post("/api/v1/accountability/decisions", as_="dept-transport", json={}).status_code == 403


def test_a_new_kind_of_target_links_by_kind_and_id_and_counts_by_organisation(api, submit, run_jobs, monkeypatch):
    """How the rounds' party organisations join at merge: a resolver for their kind."""
    from backend.services import accountability
    ticket = dispatched(api, submit, run_jobs)
    monkeypatch.setitem(accountability.TARGETS, "organisation", lambda actor, oid: {
        "label": "阳东社区党支部", "department_code": None, "organisation_code": "371323001001"})
    r = decide(api, target_kind="organisation", target_id=ticket["id"], form="admonition")
    assert r.status_code == 201 and r.get_json()["organisation_code"] == "371323001001"
    figures = api.get("/api/v1/accountability/figures", as_=OFFICE).get_json()
    assert figures["organisations"] == [{"code": "371323001001", "name": "371323001001", "interview": 0,
                                         "public_criticism": 0, "admonition": 1, "organisational": 0,
                                         "disciplinary": 0, "decisions": 1}]

"""码上巡视: villagers report through a village's QR code, without an account; the office
decides what each report becomes; nothing is dispatched unreviewed."""
import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from backend.domain import geo
from backend.models import Finding, Photo, Ticket
from backend.models.public_reports import PublicReport
from conftest import PHOTOS
from public_helpers import VILLAGE, complete_finding, entry_of_report, qr_of, report, review_report, solved

JPEG = (PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()


@pytest.fixture(autouse=True)
def cheap_work(app, monkeypatch):
    """A light proof of work: these stories are about what happens after it."""
    monkeypatch.setitem(app.config, "PUBLIC_POW_BITS", 4)


def test_a_village_qr_code_is_a_printable_png_holding_the_report_page_of_that_village(api, client):
    response = api.get(f"/api/v1/villages/{VILLAGE}/qr.png", as_="office")
    assert response.status_code == 200 and response.mimetype == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert [d.text for d in decoded] == [response.headers["X-QR-URL"]]
    url, qr = qr_of(api)
    assert url.startswith("http://localhost/report/?c=371323&t=")
    place = client.get("/public/v1/place", query_string=qr).get_json()
    assert place["village_name"] and place["county_name"] == "沂水县" and place["task_name"] is None
    # the page it opens is served by the product
    page = client.get("/report/")
    assert page.status_code == 200 and "码上巡视" in page.get_data(as_text=True)
    assert api.get(f"/api/v1/villages/{VILLAGE}/qr.png", as_="dept-transport").status_code == 403
    assert api.get("/api/v1/villages/110101001001/qr.png", as_="office").status_code == 404


def test_a_forged_token_or_another_countys_is_refused(app, api, client):
    _, qr = qr_of(api)
    forged = dict(qr, t=qr["t"][:-2] + ("AA" if not qr["t"].endswith("AA") else "BB"))
    from backend.services import public_reports
    with app.test_request_context():
        # signed for another county (its own salt): not valid here, nor there (no such village)
        elsewhere = public_reports.qr_token("110101", VILLAGE)
    for query in (forged, {"c": "371323", "t": elsewhere}, {"c": "110101", "t": elsewhere},
                  {"c": "110101", "t": qr["t"]}, {"c": "371323", "t": "garbage"}):
        response = client.get("/public/v1/place", query_string=query)
        assert response.status_code == 404 and response.get_json()["code"] == "invalid_qr", query
        assert report(client, query).status_code == 404
    assert PublicReport.objects.count() == 0


def test_a_villager_reports_with_a_photo_and_a_map_position_and_reads_the_receipt(api, client, run_jobs):
    _, qr = qr_of(api)
    tickets_before = Ticket.objects.count()
    response = report(client, qr, photos=[JPEG], lat="35.7893", lon="118.6348", crs="gcj02",
                      accuracy_m="15", name="张三", phone="13812341234",
                      text="村东头自来水管破了，我的电话13812341234，身份证371323199001011234。")
    assert response.status_code == 201, response.get_json()
    receipt = response.get_json()
    code = receipt["receipt_code"]
    assert len(code) == 14 and receipt["status"] == "received"
    # the receipt never shows personal data
    body = client.get(f"/public/v1/receipts/{code.lower()}").get_data(as_text=True)
    assert "13812341234" not in body and "张三" not in body and "199001011234" not in body
    assert "138****1234" in body
    # stored in WGS-84 with what the phone's map sent
    stored = PublicReport.objects.get(receipt_code=code)
    assert stored.location.crs == "gcj02" and stored.location.sent_lat == 35.7893
    assert (stored.location.lat, stored.location.lon) == geo.to_wgs84(35.7893, 118.6348, "gcj02")
    assert abs(stored.location.lon - 118.6348) > 0.003  # GCJ-02 is shifted by hundreds of metres
    photo = Photo.objects.get(id=stored.photo_ids[0])
    assert photo.purpose == "report" and photo.status == "processing"
    run_jobs()  # the same derivation job as inspectors' photos
    assert Photo.objects.get(id=photo.id).status == "ready"
    # reviewed before any dispatch: no ticket yet
    assert Ticket.objects.count() == tickets_before and Finding.objects(public_report_id=stored.id).count() == 0
    # the office sees it, the phone masked in the list, whole in the detail (recorded)
    listed = api.get("/api/v1/public-reports?state=received", as_="office").get_json()
    assert [r["receipt_code"] for r in listed] == [code] and listed[0]["reporter_phone"] == "138****1234"
    detail = api.get(f"/api/v1/public-reports/{stored.id}", as_="office").get_json()
    assert detail["reporter_phone"] == "13812341234" and detail["photos"][0]["id"] == str(photo.id)
    assert PublicReport.objects.get(id=stored.id).phone_reveals[0]["username"] == "office"
    assert api.get(f"/api/v1/photos/{photo.id}", as_="office").status_code == 200
    for user in ("dept-water_resources", "inspector1"):
        assert api.get("/api/v1/public-reports", as_=user).status_code == 403
        assert api.get(f"/api/v1/photos/{photo.id}", as_=user).status_code == 404


def test_an_anonymous_report_keeps_no_name_or_phone(api, client):
    _, qr = qr_of(api)
    response = report(client, qr, anonymous="true", name="李四", phone="13900001111")
    assert response.status_code == 201
    stored = PublicReport.objects.get(receipt_code=response.get_json()["receipt_code"])
    assert stored.anonymous and stored.reporter_name is None and stored.reporter_phone is None


def test_the_challenge_is_the_servers_solved_and_good_for_one_report(app, api, client, monkeypatch):
    _, qr = qr_of(api)
    monkeypatch.setitem(app.config, "PUBLIC_POW_BITS", 12)
    challenge = client.get("/public/v1/challenge").get_json()
    assert challenge["bits"] == 12
    wrong = next(str(n) for n in range(10_000) if not __import__("backend.domain.public_reports", fromlist=["x"])
                 .work_is_done(challenge["challenge"], str(n), 12))
    assert report(client, qr, challenge=challenge["challenge"], solution=wrong).get_json()["code"] == "challenge_failed"
    assert report(client, qr, challenge="made-up", solution="1").get_json()["code"] == "challenge_failed"
    missing = client.post("/public/v1/reports", query_string=qr, data={"text": "x"},
                          content_type="multipart/form-data")
    assert missing.status_code == 422 and "challenge" in missing.get_json()["errors"]
    good = solved(client)
    assert report(client, qr, **good).status_code == 201
    again = report(client, qr, **good)
    assert again.status_code == 422 and again.get_json()["code"] == "challenge_used"
    assert PublicReport.objects.count() == 1


def test_rate_limits_per_address_and_per_qr_code_answer_429_with_retry_after(app, api, client, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_RATE_PER_ADDRESS", "3/hour")
    monkeypatch.setitem(app.config, "PUBLIC_RATE_PER_QR", "5/hour")
    _, qr = qr_of(api)
    assert [report(client, qr, addr="198.51.100.1").status_code for _ in range(4)] == [201, 201, 201, 429]
    limited = report(client, qr, addr="198.51.100.1")
    assert limited.status_code == 429 and limited.get_json()["code"] == "too_many_requests"
    assert 0 < int(limited.headers["Retry-After"]) <= 3600
    # refused attempts (a wrong challenge) do not use up the village's code for everyone
    assert [report(client, qr, addr="198.51.100.4", challenge="made-up").status_code for _ in range(3)] == [422] * 3
    # another address may still report through this QR code, until the code's own limit
    assert [report(client, qr, addr="198.51.100.2").status_code for _ in range(3)] == [201, 201, 429]
    # another village's code is counted apart
    _, other = qr_of(api, "371323001002")
    assert report(client, other, addr="198.51.100.3").status_code == 201
    assert PublicReport.objects.count() == 6


def test_size_limits_text_photos_and_body(app, api, client, monkeypatch):
    _, qr = qr_of(api)
    assert report(client, qr, text="长" * 1001).status_code == 422
    assert report(client, qr, text="   ").status_code == 422
    four = report(client, qr, photos=[JPEG] * 4)
    assert four.status_code == 422 and "photo" in four.get_json()["errors"]
    assert report(client, qr, photos=[b"not an image at all"]).status_code == 415
    monkeypatch.setitem(app.config, "PUBLIC_MAX_PHOTO_MB", 1)
    big = (PHOTOS / "mobile").glob("*.jpg")
    large = next(p for p in sorted(big) if p.stat().st_size > 1024 * 1024).read_bytes()
    assert report(client, qr, photos=[large]).status_code == 413
    monkeypatch.setitem(app.config, "PUBLIC_MAX_BODY_MB", 1)
    response = report(client, qr, photos=[large])
    assert response.status_code == 413 and response.get_json()["code"] == "payload_too_large"
    assert PublicReport.objects.count() == 0 and Photo.objects(purpose="report").count() == 0


def test_approved_in_review_it_opens_a_ticket_like_an_inspectors_finding_and_the_receipt_follows(
        api, client, run_jobs):
    _, qr = qr_of(api)
    code = report(client, qr, photos=[JPEG], phone="13812341234").get_json()["receipt_code"]
    stored = PublicReport.objects.get(receipt_code=code)
    entry = entry_of_report(api, stored.id)
    assert entry["status"] == "pending" and entry["author_id"] is None and entry["round_id"] is None
    assert entry["village_code"] == VILLAGE and "13812341234" not in str(entry)
    # its reviewer reads the whole report, the phone too (each view recorded on the report)
    seen = api.get(f"/api/v1/reviews/{entry['id']}", as_="office").get_json()
    assert seen["report"]["reporter_phone"] == "13812341234" and len(seen["report"]["photo_ids"]) == 1
    assert PublicReport.objects.get(id=stored.id).phone_reveals[0]["username"] == "office"
    url = f"/api/v1/reviews/{entry['id']}/approve"
    incomplete = api.post(url, as_="office", json={**complete_finding(), "fact_basis": None})
    assert incomplete.status_code == 422 and "fact_basis" in incomplete.get_json()["errors"]
    misconduct = api.post(url, as_="office", json=complete_finding(category="misconduct"))
    assert misconduct.status_code == 422 and "problem_type" in misconduct.get_json()["errors"]
    # no author to send it back to
    back = api.post(f"/api/v1/reviews/{entry['id']}/return", as_="office", json={"reason": "请补充"})
    assert back.status_code == 409 and back.get_json()["code"] == "no_author"
    decided = api.post(url, as_="office", json=complete_finding())
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["status"] == "approved" and decided.get_json()["fact_basis"].startswith("村民反映")
    listed = api.get(f"/api/v1/public-reports/{stored.id}", as_="office").get_json()
    assert listed["state"] == "accepted" and listed["ticket_id"] and listed["review_entry_id"] == entry["id"]
    assert [e["action"] for e in listed["events"]] == ["submit", "accept"]
    finding = Finding.objects.get(public_report_id=stored.id)
    assert finding.fact_basis.startswith("村民反映") and finding.village_code == VILLAGE
    assert finding.task_id is None and "13812341234" not in finding.description
    # reviewed once, as the report: no second entry for the finding it became
    assert len(api.get("/api/v1/reviews", as_="office", query_string={"status": "all"}).get_json()) == 1
    ticket = Ticket.objects.get(id=listed["ticket_id"])
    assert ticket.status == "pending_routing" and ticket.public_report_id == stored.id
    run_jobs()
    ticket.reload()
    assert ticket.status == "dispatched" and ticket.department_code == "water_resources"
    # the department sees the problem and the villager's photo, never the reporter
    detail = api.get(f"/api/v1/tickets/{ticket.id}", as_="dept-water_resources")
    assert detail.status_code == 200 and [p["purpose"] for p in detail.get_json()["photos"]] == ["report"]
    assert "13812341234" not in detail.get_data(as_text=True)
    photo_id = detail.get_json()["photos"][0]["id"]
    assert api.get(f"/api/v1/photos/{photo_id}", as_="dept-water_resources").status_code == 200
    receipt = client.get(f"/public/v1/receipts/{code}").get_json()
    assert receipt["status"] == "in_progress" and receipt["public_reply"] == "已受理，转有关部门办理。"
    assert "water" not in str(receipt) and "internal" not in str(receipt)
    # decided once
    again = api.post(f"/api/v1/reviews/{entry['id']}/reject", as_="office", json={"reason": "重复"})
    assert again.status_code == 409
    # the separate decision endpoint is gone: the review is the one way
    assert api.post(f"/api/v1/public-reports/{stored.id}/decision", as_="office",
                    json={"decision": "not_accepted", "reason": "x"}).status_code in (404, 405)


def test_rejected_with_a_reason_the_reporter_reads_and_a_misconduct_report_becomes_a_clue(api, client):
    _, qr = qr_of(api)
    first, second = (report(client, qr).get_json()["receipt_code"] for _ in range(2))
    one, two = (PublicReport.objects.get(receipt_code=c) for c in (first, second))
    no_reason = review_report(api, one.id, "reject")
    assert no_reason.status_code == 422
    assert review_report(api, one.id, "reject", reason="不属于巡察范围，请拨打12345。").status_code == 200
    receipt = client.get(f"/public/v1/receipts/{first}").get_json()
    assert receipt["status"] == "not_accepted" and receipt["reason"] == "不属于巡察范围，请拨打12345。"
    clue = review_report(api, two.id, problem_type="clue", note="村支书优亲厚友")
    assert clue.status_code == 200, clue.get_json()
    decided = api.get(f"/api/v1/public-reports/{two.id}", as_="office").get_json()
    assert decided["state"] == "clue" and decided["ticket_id"] is None
    receipt = client.get(f"/public/v1/receipts/{second}").get_json()
    assert receipt["status"] == "transferred" and "村支书" not in str(receipt)
    assert Ticket.objects(public_report_id__in=[one.id, two.id]).count() == 0
    # it is registered once in the confidential clue loop, where the office transfers it
    clues = api.get("/api/v1/clues", as_="office", query_string={"source": "report"}).get_json()["clues"]
    assert len(clues) == 1 and clues[0]["status"] == "registered"
    assert PublicReport.objects.get(id=two.id).clue_id is not None
    again = review_report(api, two.id, problem_type="clue")
    assert again.status_code == 409
    assert api.get("/api/v1/clues", as_="office", query_string={"source": "report"}).get_json()["total"] == 1
    assert api.get("/api/v1/clues", as_="inspector1").status_code == 403
    for user in ("dept-transport", "dept-discipline_commission"):  # no handler named yet
        assert api.get("/api/v1/clues", as_=user).get_json()["total"] == 0


def test_a_report_waits_in_the_queue_of_whoever_reviews_a_finding_of_the_same_task_or_village(api, client):
    """A round's task's QR code: the round's 组长 reviews the report, the office does not;
    a village's QR code while the round's team is there: the 组长 too; elsewhere: the office."""
    from round_helpers import advance_to, create_round, create_task
    found = create_round(api)                       # 组长 inspector2; villages 371323001001, 371323001002
    task = create_task(api, found["id"])
    response = api.get(f"/api/v1/tasks/{task['id']}/qr.png", as_="office", query_string={"village_code": VILLAGE})
    from urllib.parse import parse_qs, urlsplit
    task_qr = {k: v[0] for k, v in parse_qs(urlsplit(response.headers["X-QR-URL"]).query).items()}
    by_task = PublicReport.objects.get(receipt_code=report(client, task_qr).get_json()["receipt_code"])
    entry = entry_of_report(api, by_task.id, reviewer="inspector2")
    assert entry["round_id"] == found["id"] and entry["task_id"] == task["id"]
    assert [e for e in api.get("/api/v1/reviews", as_="office").get_json() if e["source_id"] == str(by_task.id)] == []
    assert api.get(f"/api/v1/reviews/{entry['id']}", as_="inspector1").status_code == 404   # a member, not the 组长
    # the village's own QR code, while the round's team is in the village
    _, village_qr = qr_of(api, VILLAGE)
    in_round = PublicReport.objects.get(receipt_code=report(client, village_qr, addr="203.0.113.8")
                                        .get_json()["receipt_code"])
    assert entry_of_report(api, in_round.id, reviewer="inspector2")["round_id"] == found["id"]
    # a village no round is in: the office
    _, other_qr = qr_of(api, "371323101200")
    outside = PublicReport.objects.get(receipt_code=report(client, other_qr, addr="203.0.113.9")
                                       .get_json()["receipt_code"])
    assert entry_of_report(api, outside.id, reviewer="office")["round_id"] is None
    assert [e for e in api.get("/api/v1/reviews", as_="inspector2").get_json() if e["source_id"] == str(outside.id)] == []
    # the 组长 decides it like a finding: rejected, the reason on the receipt
    rejected = review_report(api, by_task.id, "reject", reviewer="inspector2", reason="已在巡察中一并核实")
    assert rejected.status_code == 200
    assert client.get(f"/public/v1/receipts/{by_task.receipt_code}").get_json()["reason"] == "已在巡察中一并核实"
    # once the team has left the village (the report phase), its QR code reaches the office again
    assert review_report(api, in_round.id, "reject", reviewer="inspector2", reason="重复反映").status_code == 200
    advance_to(api, found["id"], "report")
    later = PublicReport.objects.get(receipt_code=report(client, village_qr, addr="203.0.113.10")
                                     .get_json()["receipt_code"])
    assert entry_of_report(api, later.id, reviewer="office")["round_id"] is None


def test_a_tasks_qr_code_names_the_task(api, client):
    task = api.get("/api/v1/tasks", as_="office").get_json()[0]
    village = task["village_codes"][0]
    response = api.get(f"/api/v1/tasks/{task['id']}/qr.png", as_="office", query_string={"village_code": village})
    assert response.status_code == 200
    url = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))[0].text
    from urllib.parse import parse_qs, urlsplit
    qr = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert client.get("/public/v1/place", query_string=qr).get_json()["task_name"] == task["name"]
    code = report(client, qr).get_json()["receipt_code"]
    assert str(PublicReport.objects.get(receipt_code=code).task_id) == task["id"]
    outside = api.get(f"/api/v1/tasks/{task['id']}/qr.png", as_="office", query_string={"village_code": "371323201999"})
    assert outside.status_code in (404, 422)


def test_unknown_receipt_codes_are_404(client):
    for code in ("AAAA-BBBB-CCCC", "not-a-code", "x" * 30):
        response = client.get(f"/public/v1/receipts/{code}")
        assert response.status_code == 404 and response.get_json()["code"] == "unknown_receipt"


def test_a_report_takes_the_same_classes_and_types_as_a_finding(api, client):
    """限期 (a problem of the village's organisation, closed by 销号, no ticket), a suggestion
    to a department, or merged into an entry already there: each accepted on the receipt."""
    _, qr = qr_of(api)
    codes = [report(client, qr, addr=f"203.0.113.{20 + i}").get_json()["receipt_code"] for i in range(3)]
    deadline, suggestion, merged = (PublicReport.objects.get(receipt_code=c) for c in codes)
    problem_entry = review_report(api, deadline.id, **complete_finding(
        problem_type="organisation", problem_class="deadline", deadline_days=30, department_code=None)).get_json()
    problem = api.get(f"/api/v1/problems/{problem_entry['problem_id']}", as_="office").get_json()
    assert problem["unit_kind"] == "organisation" and problem["village_code"] == VILLAGE
    assert problem["fact_basis"].startswith("村民反映") and problem["ticket_id"] is None
    assert Ticket.objects(public_report_id=deadline.id).count() == 0
    assert client.get(f"/public/v1/receipts/{deadline.receipt_code}").get_json()["status"] == "in_progress"

    approved = review_report(api, suggestion.id, problem_type="suggestion", department_code="water_resources",
                             title="建议开展农村供水管网排查")
    assert approved.status_code == 200, approved.get_json()
    (made,) = api.get("/api/v1/suggestions", as_="dept-water_resources").get_json()["suggestions"]
    assert made["title"] == "建议开展农村供水管网排查"
    assert api.get(f"/api/v1/public-reports/{suggestion.id}", as_="office").get_json()["state"] == "accepted"

    into = entry_of_report(api, deadline.id)
    joined = review_report(api, merged.id, "merge", into_id=into["id"], note="同一问题")
    assert joined.status_code == 200, joined.get_json()
    assert client.get(f"/public/v1/receipts/{merged.receipt_code}").get_json()["status"] == "in_progress"
    events = api.get(f"/api/v1/public-reports/{merged.id}", as_="office").get_json()["events"]
    assert events[-1]["action"] == "accept" and events[-1]["data"]["merged_into"] == into["id"]


def test_a_report_stored_without_its_entry_is_queued_by_the_sweep(app, api, client, monkeypatch):
    """The process stopped between storing the report and queueing it: the periodic sweep
    that opens findings' missing tickets puts it in the review queue, once."""
    from backend.models import ReviewEntry
    from backend.services import review
    from workers.jobs import sweep_pending_routing

    def stopped(report):
        raise RuntimeError("the process stopped here")
    monkeypatch.setattr(review, "queue_report", stopped)
    _, qr = qr_of(api)
    assert report(client, qr).status_code == 500
    monkeypatch.undo()
    (lost,) = PublicReport.objects(review_entry_id=None)
    assert ReviewEntry.objects(source_id=lost.id).count() == 0
    monkeypatch.setitem(app.config, "ROUTING_SWEEP_GRACE_SECONDS", -1)
    sweep_pending_routing()
    sweep_pending_routing()
    assert ReviewEntry.objects(source_kind="public_report", source_id=lost.id).count() == 1
    assert entry_of_report(api, lost.id)["status"] == "pending"

"""Helpers for the stories of 码上巡视: a village's QR code, a solved challenge, a report."""
import io
from urllib.parse import parse_qs, urlsplit

from backend.domain.public_reports import solve

VILLAGE = "371323001001"


def qr_of(api, village=VILLAGE, as_="office") -> tuple[str, dict]:
    """The URL a village's printed QR code holds, and its query (c, t)."""
    response = api.get(f"/api/v1/villages/{village}/qr.png", as_=as_)
    assert response.status_code == 200, response.get_json()
    url = response.headers["X-QR-URL"]
    return url, {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def solved(client) -> dict:
    challenge = client.get("/public/v1/challenge").get_json()
    return {"challenge": challenge["challenge"], "solution": solve(challenge["challenge"], challenge["bits"])}


def report(client, qr: dict, photos=(), addr="203.0.113.7", **fields):
    """POST a villager's report as the page does (multipart), from address `addr`."""
    form = {"text": "村东头的自来水管破了三天，一直在漏水。", **solved(client), **fields}
    data = {k: str(v) for k, v in form.items() if v is not None}
    data["photo"] = [(io.BytesIO(p), f"p{i}.jpg") for i, p in enumerate(photos)]
    return client.post("/public/v1/reports", query_string=qr, data=data, content_type="multipart/form-data",
                       environ_base={"REMOTE_ADDR": addr})


def complete_finding(**overrides) -> dict:
    """The reviewer's approval that completes a report as a county department's 立行立改
    problem: dispatched at once through the ticket loop, as an inspector's finding would be."""
    return {"problem_type": "department", "department_code": "water_resources", "problem_class": "immediate",
            "category": "livelihood", "severity": "general",
            "title": "村东自来水管漏水", "fact_basis": "村民反映，巡察组电话核实属实。",
            "policy_basis": "《农村供水工程管理办法》", "responsibility_basis": "县水利局负责农村供水。",
            "public_reply": "已受理，转有关部门办理。", **overrides}


def entry_of_report(api, report_id, reviewer="office") -> dict:
    """The report's 底稿 entry in its reviewer's queue."""
    entries = api.get("/api/v1/reviews", as_=reviewer, query_string={"status": "all", "page_size": 100}).get_json()
    (entry,) = [e for e in entries if e["source_id"] == str(report_id)]
    assert entry["source_kind"] == "public_report"
    return entry


def review_report(api, report_id, decision="approve", reviewer="office", **body):
    """The reviewer decides the report in the review (approve with `complete_finding()`, or
    reject with a reason); returns the response."""
    entry = entry_of_report(api, report_id, reviewer)
    return api.post(f"/api/v1/reviews/{entry['id']}/{decision}", as_=reviewer, json=body)


def accepted_ticket(api, client, run_jobs, qr: dict, **report_fields) -> tuple[str, str]:
    """A villager's report, approved in review as 立行立改 and routed: (receipt code, ticket id)."""
    from backend.models.public_reports import PublicReport
    code = report(client, qr, **report_fields).get_json()["receipt_code"]
    report_id = PublicReport.objects.get(receipt_code=code).id
    decided = review_report(api, report_id, **complete_finding())
    assert decided.status_code == 200, decided.get_json()
    run_jobs()
    return code, str(PublicReport.objects.get(id=report_id).ticket_id)


def fix_and_close(api, ticket_id: str, department="dept-water_resources", claim=True) -> None:
    """The department claims (once) and resolves; the office verifies on site: closed."""
    if claim:
        assert api.post(f"/api/v1/tickets/{ticket_id}/claim", as_=department, json={}).status_code == 200
    assert api.post(f"/api/v1/tickets/{ticket_id}/resolve", as_=department,
                    json={"note": "已更换水管"}).status_code == 200
    closed = api.post(f"/api/v1/tickets/{ticket_id}/verify", as_="office", json={"outcome": "confirmed", "note": "现场核实"})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"

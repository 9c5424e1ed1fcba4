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
    """The reviewer's decision that completes a report as a finding."""
    return {"decision": "finding", "category": "livelihood", "severity": "general",
            "title": "村东自来水管漏水", "fact_basis": "村民反映，巡察组电话核实属实。",
            "policy_basis": "《农村供水工程管理办法》", "responsibility_basis": "县水利局负责农村供水。",
            "public_reply": "已受理，转有关部门办理。", **overrides}

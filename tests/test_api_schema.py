"""The API as its OpenAPI document says, for every role: schemathesis generates requests for
every operation (with the ids of a real ticket, finding, task, photo, round, 底稿 entry,
organisation, rectification case and problem, clue, suggestion, bulletin, decision, report…
in the paths, so the handlers run past their lookups) and runs all its checks on the answers.
None may be a server error or break the documented response schema, status codes, content
types or headers. The roles are the demo's (with its round loaded: the 组长, a village
secretary, the city office) and a province office; the villagers' door (`/public/v1`) is
also called without an account.

Two of schemathesis' checks are left out on purpose: `positive_data_acceptance` and
`negative_data_rejection` expect the schema to say everything the API refuses or accepts,
but the API applies domain rules beyond it (a window up to a year after today, a village of
the task, a claimed ticket before a resolution) and answers each batch item on its own (a
bad item is an `invalid` result, not a 422 for the batch). Stateful runs need OpenAPI links,
which the document does not declare.

Bounded: EXAMPLES generated requests per operation and role (SCHEMATHESIS_EXAMPLES, default
20), fewer (REFUSED_EXAMPLES) where the role is refused the operation as a whole.
"""
import io
import os
import re

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from conftest import PASSWORD, PHOTOS
from lifecycle_helpers import dispatched
from public_helpers import qr_of, report

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.specs.openapi import checks as openapi_checks  # noqa: E402

pytestmark = pytest.mark.schemathesis
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))
REFUSED_EXAMPLES = 3
ROLES = ["admin", "office", "inspector1", "zuzhang", "dept-transport", "dept-discipline_commission",
         "shuji", "linyi-city", "shandong", None]   # None: a villager, without an account
SKIPPED = {("POST", "/api/v1/auth/logout")}  # would end the session the run uses
EXCLUDED_CHECKS = [openapi_checks.positive_data_acceptance, openapi_checks.negative_data_rejection]
UNKNOWN = ("0" * 24, "not-an-id")


def _created(response, status=201) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.fixture
def world(app, api, client, submit, run_jobs):
    """Real objects for the path parameters."""
    from backend.services import accounts, demo_round
    with app.app_context():
        demo_round.load("371323", PASSWORD)
        accounts.upsert_user("shandong", PASSWORD, "province_office", "370000", None, "山东省委巡视办")
    ticket = dispatched(api, submit, run_jobs)
    api.post(f"/api/v1/tickets/{ticket['id']}/claim", as_="dept-transport", json={})
    finding = api.get("/api/v1/mobile/findings", as_="inspector1").get_json()[0]
    photo = api.post(f"/api/v1/mobile/findings/{finding['id']}/photos", as_="inspector1",
                     data={"file": (io.BytesIO((PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()), "a.jpg")},
                     content_type="multipart/form-data").get_json()
    export = api.post("/api/v1/stats/exports", as_="office", json={"format": "csv"}).get_json()
    users = api.get("/api/v1/users?role=inspector", as_="office").get_json()
    (found,) = api.get("/api/v1/rounds", as_="office").get_json()
    entry = api.get("/api/v1/reviews", as_="zuzhang", query_string={"status": "all"}).get_json()[0]
    organisation = next(o for o in api.get("/api/v1/organisations", as_="office",
                                           query_string={"page_size": 100}).get_json() if o["members"])
    case = api.get("/api/v1/rectifications", as_="office").get_json()[0]
    problem = next(p for p in api.get("/api/v1/problems", as_="office",
                                      query_string={"page_size": 100}).get_json() if p["evidence_document_ids"])
    clue = _created(api.post("/api/v1/clues", as_="office", json={"title": "线索", "description": "反映村干部优亲厚友"}))
    suggestion = _created(api.post("/api/v1/suggestions", as_="office", json={
        "department_code": "water_resources", "title": "关于加强农村饮水安全管理的建议", "content": "建议开展水质检测。"}))
    bulletin = _created(api.post("/api/v1/bulletins", as_="office", json={"month": "2026-01"}), 202)
    decision = _created(api.post("/api/v1/accountability/decisions", as_="office", json={
        "person_name": "王某", "person_position": "局长", "form": "public_criticism",
        "decided_on": "2026-01-05", "reason": "整改不力", "target_kind": "suggestion", "target_id": suggestion["id"]}))
    key = _created(api.post("/api/v1/open311/keys", as_="admin", json={"name": "县12345热线"}))
    receipt = _created(report(client, qr_of(api)[1]))
    from backend.models.public_reports import PublicReport
    run_jobs()
    return {"ticket_id": ticket["id"], "finding_id": finding["id"], "task_id": finding["task_id"],
            "photo_id": photo["id"], "export_id": export["id"],
            "rule_id": api.get("/api/v1/routing/rules", as_="admin").get_json()[0]["id"],
            "user_id": next(u["id"] for u in users if u["username"] == "inspector2"),
            "code": "371323001001", "category": "livelihood", "severity": "general", "day": "2027-02-10",
            "round_id": found["id"], "entry_id": entry["id"], "organisation_id": organisation["id"],
            "member_id": organisation["members"][0]["member_id"], "case_id": case["id"], "problem_id": problem["id"],
            "document_id": problem["evidence_document_ids"][0], "clue_id": clue["id"],
            "suggestion_id": suggestion["id"], "bulletin_id": bulletin["id"], "decision_id": decision["id"],
            "key_id": key["id"], "report_id": str(PublicReport.objects.get(receipt_code=receipt["receipt_code"]).id),
            ("/public/v1/receipts/{code}", "code"): receipt["receipt_code"]}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "villager")
def test_every_answer_matches_the_openapi_document(app, client, world, role, monkeypatch):
    for limit in ("LOGIN_RATE_PER_ADDRESS", "PUBLIC_RATE_PER_ADDRESS", "PUBLIC_RATE_PER_QR", "PUBLIC_RATE_READ"):
        monkeypatch.setitem(app.config, limit, "100000/minute")
    # identity: the WSGI transport would not undo the phones' gzip (tested in test_sync.py)
    headers = {"Accept-Encoding": "identity"}
    if role:
        token = client.post("/api/v1/auth/token", json={"username": role, "password": PASSWORD}).get_json()["access_token"]
        headers["Authorization"] = f"Bearer {token}"
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    failures, calls = {}, [0]
    for result in schema.get_all_operations():
        operation = result.ok()
        name = f"{operation.method.upper()} {operation.path}"
        public = operation.definition.raw.get("security") == []
        if (operation.method.upper(), operation.path) in SKIPPED or (role is None and not public):
            continue
        # a role refused the whole operation (403 before any input is read) needs few examples
        ids = {k: world.get(k, "x") for k in re.findall(r"{(\w+)}", operation.path)}
        probe = client.open(operation.path.format_map(ids), method=operation.method.upper(), headers=headers)
        examples = REFUSED_EXAMPLES if probe.status_code in (401, 403) and not public else EXAMPLES

        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            calls[0] += 1
            for n, param in enumerate(case.path_parameters or {}):
                value = world.get((operation.path, param), world.get(param))
                if value is not None:   # every fifth request names an unknown or a malformed id
                    case.path_parameters[param] = value if calls[0] % 5 != n + 1 else UNKNOWN[calls[0] % 2]
            try:
                case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # every failure is collected and reported
                failures.setdefault(name, []).append(f"{type(exc).__name__}: {str(exc)[:1200]}")
        run()
    assert calls[0] > 50
    assert failures == {}, "\n\n".join(f"{name} ({len(found)} failures): {found[0]}" for name, found in failures.items()) \
        + f"\n\n({sum(map(len, failures.values()))} failures in {calls[0]} calls)"


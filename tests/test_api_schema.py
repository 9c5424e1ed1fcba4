"""The API as its OpenAPI document says, for every role: schemathesis generates requests for
every operation (with the ids of a real ticket, finding, task, photo… in the paths, so the
handlers run past their lookups) and runs all its checks on the answers. None may be a
server error or break the documented response schema, status codes, content types or
headers.

Two of schemathesis' checks are left out on purpose: `positive_data_acceptance` and
`negative_data_rejection` expect the schema to say everything the API refuses or accepts,
but the API applies domain rules beyond it (a window up to a year after today, a village of
the task, a claimed ticket before a resolution) and answers each batch item on its own (a
bad item is an `invalid` result, not a 422 for the batch). Stateful runs need OpenAPI links,
which the document does not declare.

Bounded: EXAMPLES generated requests per operation and role (20: about a minute in all;
SCHEMATHESIS_EXAMPLES=60 ran clean in under 4 minutes).
"""
import io
import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from conftest import PASSWORD, PHOTOS
from lifecycle_helpers import dispatched

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.specs.openapi import checks as openapi_checks  # noqa: E402

pytestmark = pytest.mark.schemathesis
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))
ROLES = ["admin", "office", "inspector1", "dept-transport", "dept-discipline_commission"]
SKIPPED = {("POST", "/api/v1/auth/logout")}  # would end the session the run uses
EXCLUDED_CHECKS = [openapi_checks.positive_data_acceptance, openapi_checks.negative_data_rejection]


@pytest.fixture
def world(app, api, submit, run_jobs):
    """Real objects for the path parameters."""
    ticket = dispatched(api, submit, run_jobs)
    api.post(f"/api/v1/tickets/{ticket['id']}/claim", as_="dept-transport", json={})
    finding = api.get("/api/v1/mobile/findings", as_="inspector1").get_json()[0]
    photo = api.post(f"/api/v1/mobile/findings/{finding['id']}/photos", as_="inspector1",
                     data={"file": (io.BytesIO((PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()), "a.jpg")},
                     content_type="multipart/form-data").get_json()
    export = api.post("/api/v1/stats/exports", as_="office", json={"format": "csv"}).get_json()
    run_jobs()
    users = api.get("/api/v1/users?role=inspector", as_="office").get_json()
    return {"ticket_id": ticket["id"], "finding_id": finding["id"], "task_id": finding["task_id"],
            "photo_id": photo["id"], "export_id": export["id"],
            "rule_id": api.get("/api/v1/routing/rules", as_="admin").get_json()[0]["id"],
            "user_id": next(u["id"] for u in users if u["username"] == "inspector2"),
            "code": "371323001001", "category": "livelihood", "severity": "general", "day": "2027-02-10"}


@pytest.mark.parametrize("role", ROLES)
def test_every_answer_matches_the_openapi_document(app, client, world, role, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_PER_ADDRESS", "100000/minute")
    token = client.post("/api/v1/auth/token", json={"username": role, "password": PASSWORD}).get_json()["access_token"]
    # identity: the WSGI transport would not undo the phones' gzip (tested in test_sync.py)
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    failures, calls = [], [0]
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            for name in list(case.path_parameters or {}):
                if name in world:
                    case.path_parameters[name] = world[name]
            calls[0] += 1
            try:
                case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # every failure is collected and reported
                failures.append(f"{operation.method.upper()} {operation.path}: {type(exc).__name__}: "
                                f"{str(exc)[:1500]}")
        run()
    assert calls[0] > 100
    assert failures == [], "\n\n".join(failures[:10]) + f"\n\n({len(failures)} failures in {calls[0]} calls)"

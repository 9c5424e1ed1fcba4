"""The office's dashboard page in headless Chromium (Debian's, see scripts/ensure-chromium.sh):
log in, read the tiles of a known data set, click through to a department, download exports."""
import csv
import io
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook
from werkzeug.serving import make_server

from conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VILLAGES = ["371323001001", "371323001002", "371323001003", "371323001004"]


@pytest.fixture
def server(app):
    """The app on a free localhost port, served by a real server in a thread."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(5)


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing at /usr/bin/chromium: run scripts/ensure-chromium.sh")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def known_county(api, submit, run_jobs):
    """Four road tickets for transport and one water ticket (water_resources):
    transport closes two (one of them after a failed verification), claims one more."""
    roads = [submit(village_code=v).get_json()["ticket_id"] for v in VILLAGES]
    water = submit(village_code=VILLAGES[0], title="自来水停水", description="自来水停水三天").get_json()["ticket_id"]
    run_jobs()
    t = "dept-transport"
    for ticket_id in roads[:3]:
        assert api.post(f"/api/v1/tickets/{ticket_id}/claim", as_=t, json={}).status_code == 200
    for ticket_id, outcomes in ((roads[0], ["confirmed"]), (roads[1], ["not_fixed", "confirmed"])):
        for outcome in outcomes:
            assert api.post(f"/api/v1/tickets/{ticket_id}/resolve", as_=t, json={"note": "已修复"}).status_code == 200
            assert api.post(f"/api/v1/tickets/{ticket_id}/verify", as_="office",
                            json={"outcome": outcome, "note": "复查"}).status_code == 200
    return roads, water


def tiles(page) -> dict:
    return {node.get_attribute("data-kpi"): node.inner_text() for node in page.query_selector_all("[data-kpi]")}


def test_the_office_logs_in_reads_the_tiles_clicks_a_department_and_downloads_the_ledger(
        app, server, browser, known_county, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844}, accept_downloads=True)  # a phone
    page.goto(f"{server}/office/")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", "wrong password")
    page.click("#login-form button[type=submit]")
    page.wait_for_function("document.querySelector('#login-error').textContent.length > 0")
    assert page.is_visible("#login-form") and not page.is_visible("#dashboard")

    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-loaded]", state="attached", timeout=10_000)
    # 5 tickets, 2 closed, both on time, 1 of them reopened; 3 of 5 claimed within 24 h
    assert tiles(page) == {"tickets": "5", "resolution_rate": "40.0%", "on_time_rate": "100.0%",
                           "claim_24h_rate": "60.0%", "reopen_rate": "50.0%", "open_overdue": "0",
                           "satisfaction_rate": "—"}
    bars = page.query_selector_all("#departments button")
    assert [b.get_attribute("data-department") for b in bars] == ["transport", "water_resources"]
    assert page.query_selector("[data-month]") is not None
    assert page.inner_text("#problems").count("关键词：道路") == 1  # four villages
    # readable on a phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    loaded = page.get_attribute("body", "data-loaded")
    page.click("#departments button[data-department=transport]")
    page.wait_for_function(f"document.body.dataset.loaded !== '{loaded}'")
    assert page.inner_text("#scope").startswith("部门：")
    assert tiles(page)["tickets"] == "4" and tiles(page)["resolution_rate"] == "50.0%"
    assert tiles(page)["claim_24h_rate"] == "75.0%"

    with page.expect_download() as info:
        page.click("#export-csv")
    path = tmp_path / "ledger.csv"
    info.value.save_as(path)
    raw = path.read_bytes()
    assert info.value.suggested_filename.startswith("ledger-371323-") and raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "工单编号" and len(rows) == 1 + 4  # the department's four tickets


def test_the_excel_export_is_built_in_the_background_and_downloaded(app, server, browser, known_county, tmp_path):
    from workers.runtime import start_in_process

    stop = start_in_process(app)  # the embedded mode's job runner, as in `make demo`
    try:
        page = browser.new_page(accept_downloads=True)
        page.goto(f"{server}/office/")
        page.fill("input[name=username]", "office")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("body[data-loaded]", state="attached", timeout=10_000)
        with page.expect_download(timeout=30_000) as info:
            page.click("#export-xlsx")
        path = tmp_path / "ledger.xlsx"
        info.value.save_as(path)
    finally:
        stop.set()
    assert info.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["民生实事"] and book["民生实事"].max_row == 1 + 5
    assert "Excel 已下载（5 件）" in page.inner_text("#export-status")

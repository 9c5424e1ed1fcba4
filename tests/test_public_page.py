"""码上巡视 in headless Chromium at a phone's 390 px: scan the printed QR code (decoded from the
PNG with zxing-cpp), open its page, report with a photo, read the receipt. The page is small,
has no external asset, and shows what villagers typed as text, never as markup."""
import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from backend.models.public_reports import PublicReport
from conftest import PASSWORD, PHOTOS
from test_office_page import browser, server  # noqa: F401  (fixtures)

STATIC = Path(__file__).resolve().parents[1] / "backend" / "public" / "static"
HOSTILE = '<img src=x onerror="window.pwned=1">自来水管<b>破了</b>'


@pytest.fixture
def printed_qr(app, api, server, monkeypatch):  # noqa: F811
    """What a villager's phone camera reads from the village's notice."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", server)
    png = api.get("/api/v1/villages/371323001001/qr.png", as_="office").data
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert decoded.format == zxingcpp.BarcodeFormat.QRCode
    return decoded.text


def test_the_page_is_small_and_self_contained():
    files = {p.name: p.read_text(encoding="utf-8") for p in STATIC.iterdir()}
    assert sum(len(text.encode()) for text in files.values()) < 24_000
    for name, text in files.items():
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, name
    assert "innerHTML" not in files["report.js"]  # text only ever goes in as textContent


def test_a_villager_scans_the_qr_code_reports_with_a_photo_and_reads_the_receipt(
        app, server, browser, printed_qr):  # noqa: F811
    assert printed_qr.startswith(f"{server}/report/?c=371323&t=")
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(printed_qr)
    page.wait_for_selector("#report-view:not([hidden])")
    assert page.inner_text("#place")  # the village's name
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.fill("#text", HOSTILE)
    page.set_input_files("#photos", str(PHOTOS / "gps" / "DSCN0010.jpg"))
    page.fill("#name", "王五")
    page.fill("#phone", "13712345678")
    page.click("#submit")
    page.wait_for_selector("#receipt-view:not([hidden])", timeout=30_000)
    code = page.inner_text("#receipt-code")
    assert len(code) == 14
    assert page.get_attribute("#receipt-status", "data-status") == "received"
    assert page.inner_text("#receipt-text") == HOSTILE  # shown as text
    assert page.evaluate("window.pwned") is None and page.query_selector("#receipt-text img") is None
    assert "13712345678" not in page.content() and "王五" not in page.inner_text("#receipt-view")
    stored = PublicReport.objects.get(receipt_code=code)
    assert stored.text == HOSTILE and stored.reporter_phone == "13712345678" and len(stored.photo_ids) == 1
    # the receipt code alone brings the receipt back, on another visit
    page.goto(f"{server}/report/")
    page.fill("#lookup-form input[name=code]", code.lower().replace("-", ""))
    page.click("#lookup-form button")
    page.wait_for_selector("#receipt-view:not([hidden])")
    assert page.inner_text("#receipt-code") == code
    page.close()


def test_a_forged_qr_code_shows_an_error_and_no_form(server, browser, printed_qr):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(printed_qr[:-3] + "xyz")
    page.wait_for_selector("#error:not(:empty)")
    assert "二维码" in page.inner_text("#error")
    assert page.is_hidden("#report-view")
    page.close()


def test_the_reporter_rates_the_closed_ticket_on_the_receipt_page(app, api, client, run_jobs, server, browser,
                                                                   monkeypatch):  # noqa: F811
    from public_helpers import accepted_ticket, fix_and_close, qr_of
    monkeypatch.setitem(app.config, "PUBLIC_POW_BITS", 4)
    code, ticket_id = accepted_ticket(api, client, run_jobs, qr_of(api)[1])
    fix_and_close(api, ticket_id)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{server}/report/?r={code}")
    page.wait_for_selector("#return-visit:not([hidden])")
    assert page.get_attribute("#receipt-status", "data-status") == "closed"
    page.check("input[name=rating][value=basically_satisfied]")
    page.fill("#rating-form textarea", "<b>基本</b>满意")
    page.click("#rating-form button")
    page.wait_for_selector("#return-visit-done:not([hidden])")
    assert page.inner_text("#return-visit-done") == "您的评价：基本满意（<b>基本</b>满意）"
    assert page.is_hidden("#return-visit")
    # the office's dashboard shows it: 满意率 tile and the department's row
    page.goto(f"{server}/office/")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-loaded]")
    assert page.inner_text("[data-kpi=satisfaction_rate]") == "100.0%"
    assert page.inner_text("[data-satisfaction=water_resources]") == "满意率 100.0%"
    page.close()

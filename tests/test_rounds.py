"""The demo county's round mid-rectification, as its demo accounts see it, and on the
office's page."""
import pytest
from test_office_page import browser, server  # noqa: F401  (fixtures)

from conftest import PASSWORD
from round_helpers import ok


@pytest.fixture(autouse=True)
def demo_round(app):
    """The demo round, loaded as `flask demo load` does (the other tests start without it)."""
    from backend.services import demo_round as loader
    with app.app_context():
        loader.load("371323", PASSWORD)


def the_round(api, as_="office") -> dict:
    (found,) = ok(api.get("/api/v1/rounds", as_=as_))
    return found


def test_the_demo_round_is_mid_rectification(api):
    found = the_round(api)
    assert found["status"] == "rectification" and found["county_code"] == "371323"
    assert the_round(api, "zuzhang")["id"] == found["id"]      # the 组长 sees it
    problems = ok(api.get(f"/api/v1/problems?round_id={found['id']}", as_="office"))
    states = [p["status"] for p in problems]
    assert states.count("closed") == 2 and len(problems) == 6
    assert sum(p["overdue"] for p in problems) == 2
    (long_term,) = [p for p in problems if p["problem_class"] == "long_term"]
    assert long_term["milestones"][0]["done_at"] and not long_term["overdue"]
    # the 高桥村 secretary sees only their organisation's three problems
    mine = ok(api.get("/api/v1/mobile/rectification/problems", as_="shuji"))
    assert len(mine) == 3 and {p["village_code"] for p in mine} == {"371323102200"}
    # the city office reads the same figures, grouped by county
    figures = ok(api.get("/api/v1/oversight/figures", as_="linyi-city"))
    (county,) = figures["counties"]
    assert county["county_name"] == "沂水县" and county["total"]["completion_rate"] == 0.3333
    assert county["total"]["overdue"] == 2
    # each problem's history is there: approval, feedback, plan, evidence, 销号
    closed = next(p for p in problems if p["status"] == "closed")
    detail = ok(api.get(f"/api/v1/problems/{closed['id']}", as_="office"))
    assert [e["action"] for e in detail["events"]] == ["open", "feed_back", "measures", "evidence",
                                                       "request_closure", "close"]


def test_the_office_page_shows_the_rounds_figures(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{server}/office/")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-loaded]", state="attached", timeout=10_000)
    text = page.inner_text("#rounds")
    assert "2026年第三轮村级巡察（高桥镇）" in text and "整改完成率 33.3%" in text and "超期 2" in text
    units = page.query_selector_all("#rounds tr[data-unit]")
    assert len(units) == 3 and "中共高桥村支部委员会" in page.inner_text("#rounds tbody")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_rounds_check_compares_the_counters_and_the_event_logs(app):
    from backend.models import RoundCounter
    runner = app.test_cli_runner()
    result = runner.invoke(args=["rounds", "check"])
    assert result.exit_code == 0 and "match" in result.output, result.output
    (doc,) = RoundCounter.objects
    unit = next(iter(doc.c))
    RoundCounter.objects(id=doc.id).update_one(**{f"inc__c__{unit}__closed": 1})   # a lost write
    result = runner.invoke(args=["rounds", "check"])
    assert result.exit_code == 1 and "closed" in result.output
    assert runner.invoke(args=["rounds", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["rounds", "check"]).exit_code == 0

"""The levels above the county: a city office sees its counties' rounds, problems and rates
(read-only, grouped by county) and nothing of another city; a province office its cities'."""
import pytest

from conftest import PASSWORD
from round_helpers import (TODAY, advance_to, approve, create_round, create_task, entry_of, feed_back, ok,
                           submit_finding)

YINAN = ("371321", "沂南县", "371321001", "371321001001")     # Linyi (3713), like 沂水县
LIXIA = ("370102", "历下区", "370102001", "370102001001")     # Jinan (3701): another city


def county(code, name, township, village) -> dict:
    """A small county: one township, one village, an office and two inspectors."""
    from backend.models import County, Department, Township, User, Village
    County(code=code, name=name, city_code=code[:4], province_code=code[:2]).save()
    Township(code=township, county_code=code, name=f"{name}第一街道").save()
    Village(code=village, county_code=code, township_code=township, name="新村村民委员会").save()
    Department(county_code=code, code="inspection_office", name=f"{name}巡察办", kind="office").save()
    for username, role in ((f"office-{code}", "office"), (f"leader-{code}", "inspector"),
                           (f"member-{code}", "inspector")):
        user = User(username=username, username_key=username, role=role, county_code=code, display_name=username)
        user.set_password(PASSWORD, "pbkdf2:sha256:1000")
        user.save()
    return {"office": f"office-{code}", "leader": f"leader-{code}", "member": f"member-{code}", "village": village}


def a_round_with_one_closed_problem_of_two(api, office, leader, member, village) -> str:
    found = create_round(api, office=office, leader=leader, members=(member,), villages=[village])
    task = create_task(api, found["id"], office=office, inspectors=(member,), villages=[village])
    advance_to(api, found["id"], "inspection", office=office)
    entries = [entry_of(api, submit_finding(api, task["id"], username=member, village_code=village,
                                            title=f"问题{i}")["id"], leader=leader) for i in range(2)]
    for entry in entries:
        approve(api, entry["id"], leader=leader, problem_class="immediate")
    advance_to(api, found["id"], "feedback", office=office)
    feed_back(api, found["id"], office=office)
    return found["id"]


def user(username, role, area_code):
    from backend.models import User
    account = User(username=username, username_key=username, role=role, county_code=area_code, display_name=username)
    account.set_password(PASSWORD, "pbkdf2:sha256:1000")
    account.save()


@pytest.fixture
def three_counties(app, api):
    with app.app_context():
        yinan, lixia = county(*YINAN), county(*LIXIA)
        user("linyi-city", "city_office", "371300")
        user("jinan-city", "city_office", "370100")
        user("shandong", "province_office", "370000")
        user("jiangsu", "province_office", "320000")
    rounds = {"371323": a_round_with_one_closed_problem_of_two(api, "office", "inspector2", "inspector1",
                                                               "371323001001"),
              "371321": a_round_with_one_closed_problem_of_two(api, **yinan),
              "370102": a_round_with_one_closed_problem_of_two(api, **lixia)}
    return rounds


def test_a_city_office_sees_its_two_counties_and_not_a_third(api, three_counties):
    figures = ok(api.get("/api/v1/oversight/figures", as_="linyi-city"))
    assert [c["county_code"] for c in figures["counties"]] == ["371321", "371323"]
    for county_figures in figures["counties"]:
        (mine,) = [r for r in county_figures["rounds"] if r["round_id"] == three_counties[county_figures["county_code"]]]
        assert mine["total"]["fed_back"] == 2 and mine["total"]["by_class"]["immediate"] == 2
        assert mine["total"]["completion_rate"] == 0.0 and mine["units"][0]["fed_back"] == 2
    yinan = figures["counties"][0]
    assert yinan["total"]["fed_back"] == 2 and yinan["county_name"] == "沂南县"
    yishui = figures["counties"][1]
    assert yishui["total"]["fed_back"] == 2 and yishui["total"]["closed"] == 0
    assert {r["county_code"] for r in ok(api.get("/api/v1/rounds", as_="linyi-city"))} == {"371321", "371323"}
    problems = ok(api.get("/api/v1/problems", as_="linyi-city"))
    assert {p["county_code"] for p in problems} == {"371321", "371323"}
    assert len([p for p in problems if p["round_id"] in three_counties.values()]) == 4
    # the third county (another city) is invisible, whatever the route
    other = three_counties["370102"]
    assert api.get(f"/api/v1/rounds/{other}", as_="linyi-city").status_code == 404
    assert api.get(f"/api/v1/rounds/{other}/figures", as_="linyi-city").status_code == 404
    assert ok(api.get("/api/v1/problems?county_code=370102", as_="linyi-city")) == []
    jinan = ok(api.get("/api/v1/oversight/figures", as_="jinan-city"))
    assert [c["county_code"] for c in jinan["counties"]] == ["370102"]


def test_a_province_office_sees_its_cities_and_another_province_nothing(api, three_counties):
    shandong = ok(api.get("/api/v1/oversight/figures", as_="shandong"))
    assert [c["county_code"] for c in shandong["counties"]] == ["370102", "371321", "371323"]
    assert ok(api.get("/api/v1/oversight/figures", as_="jiangsu"))["counties"] == []
    assert ok(api.get("/api/v1/rounds", as_="jiangsu")) == []


def test_the_levels_above_read_only(api, three_counties):
    round_id = three_counties["371323"]
    assert ok(api.get(f"/api/v1/rounds/{round_id}/report", as_="linyi-city"))["round_id"] == round_id
    assert api.post(f"/api/v1/rounds/{round_id}/advance", as_="linyi-city", json={}).status_code == 403
    assert api.post(f"/api/v1/rounds/{round_id}/feedback", as_="shandong",
                    json={"on": TODAY.isoformat()}).status_code == 403
    problem = ok(api.get("/api/v1/problems", as_="linyi-city"))[0]
    assert api.post(f"/api/v1/problems/{problem['id']}/closure", as_="linyi-city",
                    json={"approve": True}).status_code == 403
    assert api.get("/api/v1/tickets", as_="linyi-city").status_code == 403
    # a county office sees only its own county in the same figures
    own = ok(api.get("/api/v1/oversight/figures", as_="office"))
    assert [c["county_code"] for c in own["counties"]] == ["371323"]


def test_the_figures_move_with_each_closure(api, three_counties, run_jobs):
    """整改完成率 = 销号 ÷ fed back, from the counters kept on the write path."""
    problem = ok(api.get(f"/api/v1/problems?round_id={three_counties['371323']}", as_="office"))[0]
    ticket_id = problem["ticket_id"]
    run_jobs()
    ticket = ok(api.get(f"/api/v1/tickets/{ticket_id}", as_="office"))
    department = f"dept-{ticket['department_code']}"
    ok(api.post(f"/api/v1/tickets/{ticket_id}/claim", as_=department, json={}))
    ok(api.post(f"/api/v1/tickets/{ticket_id}/resolve", as_=department, json={"note": "已修复"}))
    ok(api.post(f"/api/v1/tickets/{ticket_id}/verify", as_="office", json={"outcome": "confirmed"}))
    ok(api.post(f"/api/v1/problems/{problem['id']}/closure", as_="office", json={"approve": True}))
    figures = ok(api.get("/api/v1/oversight/figures", as_="linyi-city"))
    yishui = next(c for c in figures["counties"] if c["county_code"] == "371323")
    (mine,) = [r for r in yishui["rounds"] if r["round_id"] == three_counties["371323"]]
    assert mine["total"]["closed"] == 1 and mine["total"]["completion_rate"] == 0.5


@pytest.mark.parametrize("role", ["organisation", "city_office", "province_office"])
def test_the_county_admin_cannot_make_accounts_of_other_levels(api, role):
    r = api.post("/api/v1/users", as_="admin", json={"username": f"x-{role}", "role": role, "password": PASSWORD})
    assert r.status_code == 422 and "role" in r.get_json()["errors"]

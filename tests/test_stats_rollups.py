"""Dashboards over whole months read the month documents (12 a year, a few dozen groups
each); the edges of a window and filtered views read the days. Both give the same figures."""
from datetime import UTC, datetime, timedelta

from backend.models import MonthCounter, Ticket
from backend.services import counters, stats as stats_service

YICHENG = ["371323001001", "371323001002", "371323001003", "371323001004"]
MAZHAN = ["371323101200", "371323101256"]


def stats(api, path="/api/v1/stats/resolution", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = api.get(f"{path}?{query}", as_="office")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_month_documents_and_days_give_the_same_figures(app, api, submit, run_jobs, monkeypatch):
    ids = [submit(village_code=v, category=c).get_json()["ticket_id"]
           for v, c in zip(YICHENG, ["livelihood", "farmland", "livelihood", "benefit_policy"])]
    ids += [submit(task_index=1, village_code=v).get_json()["ticket_id"] for v in MAZHAN]
    run_jobs()
    assert api.post(f"/api/v1/tickets/{ids[0]}/claim", as_="dept-transport", json={}).status_code == 200
    now = datetime.now(UTC)
    with app.app_context():  # spread the tickets over three months, then rebuild the counters
        for ticket_id, months_back in zip(ids, [0, 1, 1, 2, 2, 0]):
            Ticket.objects(id=ticket_id).update_one(set__created_at=now - timedelta(days=31 * months_back))
        counters.rebuild("371323")
        assert MonthCounter.objects(county_code="371323").count() == 3
    # a return moves a ticket to another department: its month's groups follow, live
    assert api.post(f"/api/v1/tickets/{ids[2]}/return", as_="dept-transport",
                    json={"reason_code": "not_our_duty", "reason": "不属于本部门"}).status_code == 200

    start = (now - timedelta(days=100)).strftime("%Y-%m-%d")
    read_months = []
    real_read_months = counters.read_months
    monkeypatch.setattr(counters, "read_months", lambda county, months: read_months.append(months)
                        or real_read_months(county, months))
    for group_by in ("department", "township", "category"):
        whole = stats(api, group_by=group_by, **{"from": start})
        assert read_months and len(read_months[-1]) >= 2  # the whole months came from month documents
        assert whole["total"]["tickets"] == 6
        for group in whole["groups"]:
            key = "(none)" if group["key"] == "(none)" else group["key"]
            by_days = stats(api, group_by=group_by, **{"from": start, group_by: key})["total"]
            assert {k: group[k] for k in by_days} == by_days, (group_by, key)

    trend = stats(api, "/api/v1/stats/trend", **{"from": start})
    per_category = [stats(api, "/api/v1/stats/trend", **{"from": start, "category": c})
                    for c in ("livelihood", "farmland", "benefit_policy")]
    for i, month in enumerate(trend["months"]):
        assert month["tickets"] == sum(t["months"][i]["tickets"] for t in per_category), month["key"]
    assert sum(m["tickets"] for m in trend["months"]) == 6


def test_a_window_that_cuts_a_month_reads_its_edge_by_day(app, api, submit, run_jobs):
    ids = [submit(village_code=v).get_json()["ticket_id"] for v in YICHENG[:2]]
    run_jobs()
    now = datetime.now(UTC)
    with app.app_context():
        Ticket.objects(id=ids[0]).update_one(set__created_at=now - timedelta(days=40))
        counters.rebuild("371323")
        days = stats_service._days("371323", (now - timedelta(days=39)).date(), None)
        months, edge = stats_service._whole_months("371323", days)
    assert edge and months  # the first month is cut (read by day); this month is whole
    mid = (now - timedelta(days=39)).strftime("%Y-%m-%d")
    assert stats(api, group_by="department", **{"from": mid})["total"]["tickets"] == 1

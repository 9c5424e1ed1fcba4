"""The sync cursor's watermark never passes a change that is still waiting for the next page."""
from backend.models import Finding
from backend.models.common import utcnow
from backend.services import changes


def pull(api, since=None, limit=None):
    query = {k: v for k, v in (("since", since), ("limit", limit)) if v is not None}
    r = api.get("/api/v1/mobile/sync", as_="inspector1", query_string=query)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_late_writes_below_a_delivered_change_all_arrive_across_pages(app, api, submit, monkeypatch):
    """Two writers took numbers a < b, a third took c and committed first; the phone got c
    (young, so it travels in the cursor). a and b land, everything settles, and the phone
    pages one change at a time: the first page (a) must not move the watermark past b just
    because c, delivered earlier, has settled."""
    one, two = submit(title="甲").get_json(), submit(title="乙").get_json()
    monkeypatch.setitem(app.config, "SYNC_SETTLE_SECONDS", 3600)
    cursor = pull(api)["cursor"]
    with app.app_context():
        a, b = changes.next_seq("371323"), changes.next_seq("371323")  # numbered, not yet written
    fast = submit(title="丙").get_json()               # c > b, written first
    page = pull(api, cursor)
    assert [f["id"] for f in page["findings"]] == [fast["id"]] and "." in page["cursor"]
    with app.app_context():                            # a and b land now
        Finding.objects(id=one["id"]).update_one(set__change_seq=a, set__changed_at=utcnow(), set__title="甲（补）")
        Finding.objects(id=two["id"]).update_one(set__change_seq=b, set__changed_at=utcnow(), set__title="乙（补）")
    app.config["SYNC_SETTLE_SECONDS"] = 0              # ... and everything has settled
    seen, cursor = [], page["cursor"]
    while True:
        page = pull(api, cursor, limit=1)
        seen += [f["title"] for f in page["findings"]]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert seen == ["甲（补）", "乙（补）"]

"""The code asks MongoDB only for what both mongomock and real MongoDB have.

The list is docs/mongodb-features.md; the recorder is tests/mongo_features.py. The check
of the whole session's queries runs last (conftest moves it), after every other test has
sent its queries: run alone, it first plays the main story itself.
"""
import mongo_features
from backend.models import Ticket


def test_the_check_sees_a_query_outside_the_list():
    """A geo query and an update with arrayFilters are seen, and are not allowed."""
    before = dict(mongo_features.seen)
    collection = Ticket._get_collection()
    try:
        for call in (lambda: collection.find_one({"location": {"$near": {"$geometry": {
                         "type": "Point", "coordinates": [118.6, 35.8]}, "$maxDistance": 100}}}),
                     lambda: collection.update_one({"status": "closed"}, {"$set": {"events.$[e].note": "x"}},
                                                   array_filters=[{"e.note": None}])):
            try:
                call()
            except Exception:  # mongomock refuses both; the wire server runs them
                pass
        new = set(mongo_features.seen) - set(before)
    finally:
        for name in set(mongo_features.seen) - set(before):
            del mongo_features.seen[name]
    assert {"$near", "$maxDistance", "arrayFilters"} <= new
    assert not {"$near", "$maxDistance", "arrayFilters"} & mongo_features.allowed_features()


def test_every_query_of_the_session_uses_only_allowed_features(api, submit, run_jobs):
    """Runs last: every command the suite sent (API, jobs, CLI, sweeps) against the list."""
    r = submit()
    assert r.status_code == 201, r.get_json()
    run_jobs()
    ticket = api.get(f"/api/v1/tickets/{r.get_json()['ticket_id']}", as_="office").get_json()
    assert ticket["status"] == "dispatched"
    assert api.post(f"/api/v1/tickets/{ticket['id']}/claim", as_=f"dept-{ticket['department_code']}",
                    json={}).status_code == 200
    assert api.get("/api/v1/stats/resolution?group_by=department", as_="office").status_code == 200
    assert api.get("/api/v1/mobile/sync", as_="inspector1").status_code == 200

    allowed = mongo_features.allowed_features()
    assert {"find", "findAndModify", "$inc", "$in"} <= set(mongo_features.seen)
    outside = {name: example for name, example in mongo_features.seen.items() if name not in allowed}
    assert not outside, ("queries use features outside docs/mongodb-features.md's list: "
                         + ", ".join(f"{name} ({example})" for name, example in sorted(outside.items())))

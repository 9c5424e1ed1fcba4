"""Restore drill on the demo data: dump the database, lose it, restore it, and the office,
the department and the phone see what they saw before (over the wire in `make test-mongo`)."""
import io
import json

import mongoengine

from conftest import PHOTOS


def _everything(db) -> dict:
    return {name: list(db[name].find({}, sort=[("_id", 1)])) for name in sorted(db.list_collection_names())
            if not name.startswith("system.")}


def _indexes(db) -> dict:
    return {name: sorted((list(dict(info["key"]).items()), bool(info.get("unique")))
                         for info in db[name].index_information().values())
            for name in db.list_collection_names() if not name.startswith("system.")}


def test_a_dump_restores_the_demo_county_with_its_tickets_photos_and_indexes(app, api, submit, run_jobs, tmp_path):
    r = submit()
    assert r.status_code == 201, r.get_json()
    finding = r.get_json()
    photo = api.post(f"/api/v1/mobile/findings/{finding['id']}/photos", as_="inspector1",
                     data={"file": (io.BytesIO((PHOTOS / "orientation" / "landscape_1.jpg").read_bytes()), "p.jpg")},
                     content_type="multipart/form-data")
    assert photo.status_code == 201, photo.get_json()
    run_jobs()
    ticket = api.get(f"/api/v1/tickets/{finding['ticket_id']}", as_="office").get_json()
    assert ticket["status"] == "dispatched"
    web_before = api.get(f"/api/v1/photos/{photo.get_json()['id']}", as_="office").data

    db = mongoengine.get_db()
    before, indexes_before = _everything(db), _indexes(db)
    runner = app.test_cli_runner()
    dumped = runner.invoke(args=["backup", "dump", str(tmp_path)])
    assert dumped.exit_code == 0, dumped.output
    metadata = json.loads((tmp_path / db.name / "ticket.metadata.json").read_text())
    assert metadata["collectionName"] == "ticket" and {"_id": {"$numberInt": "1"}} in [i["key"] for i in metadata["indexes"]]

    for name in before:  # the database is lost, indexes and all
        db.drop_collection(name)
    assert _everything(db) == {}
    restored = runner.invoke(args=["backup", "restore", str(tmp_path / db.name)])
    assert restored.exit_code == 0, restored.output
    assert runner.invoke(args=["backup", "restore", str(tmp_path / db.name)]).exit_code == 1  # not over data

    assert _everything(db) == before
    assert _indexes(db) == indexes_before
    for check in (["stats", "check"], ["tickets", "check"]):
        result = runner.invoke(args=check)
        assert result.exit_code == 0, result.output
    assert api.get(f"/api/v1/tickets/{ticket['id']}", as_="dept-transport").get_json()["status"] == "dispatched"
    assert api.get(f"/api/v1/photos/{photo.get_json()['id']}", as_="office").data == web_before
    assert api.post(f"/api/v1/tickets/{ticket['id']}/claim", as_="dept-transport", json={}).status_code == 200

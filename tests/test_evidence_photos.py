"""Proving the fix: the department adds photos while it works, the verifier while checking."""
import io

from conftest import PHOTOS

ROAD = PHOTOS / "gps" / "DSCN0010.jpg"
FIXED = PHOTOS / "gps" / "DSCN0012.jpg"
ON_SITE = PHOTOS / "orientation" / "landscape_6.jpg"
HALFWAY = PHOTOS / "orientation" / "landscape_3.jpg"


def upload(api, path, user, photo_path):
    return api.post(path, as_=user, data={"file": (io.BytesIO(photo_path.read_bytes()), photo_path.name)},
                    content_type="multipart/form-data")


def test_the_fix_is_proven_with_photos_from_finding_to_verification(api, submit, run_jobs):
    finding = submit().get_json()
    assert upload(api, f"/api/v1/mobile/findings/{finding['id']}/photos", "inspector1", ROAD).status_code == 201
    ticket_id = finding["ticket_id"]
    run_jobs()

    # Not before the department has claimed it.
    early = upload(api, f"/api/v1/tickets/{ticket_id}/photos", "dept-transport", FIXED)
    assert early.status_code == 409 and "「办理中」" in early.get_json()["message"]

    api.post(f"/api/v1/tickets/{ticket_id}/claim", as_="dept-transport", json={})
    r = upload(api, f"/api/v1/tickets/{ticket_id}/photos", "dept-transport", HALFWAY)
    halfway = r.get_json()["id"]
    r = api.post(f"/api/v1/tickets/{ticket_id}/progress", as_="dept-transport",
                 json={"note": "已铺设基层", "photo_ids": [halfway]})
    assert r.status_code == 200 and r.get_json()["events"][-1]["data"] == {"photo_ids": [halfway]}
    r = upload(api, f"/api/v1/tickets/{ticket_id}/photos", "dept-transport", FIXED)
    assert r.status_code == 201, r.get_json()
    evidence = r.get_json()
    assert (evidence["purpose"], evidence["ticket_id"]) == ("evidence", ticket_id)
    again = upload(api, f"/api/v1/tickets/{ticket_id}/photos", "dept-transport", FIXED)
    assert again.status_code == 200 and again.get_json()["id"] == evidence["id"]

    r = api.post(f"/api/v1/tickets/{ticket_id}/resolve", as_="dept-transport",
                 json={"note": "路面已修复", "photo_ids": [evidence["id"]]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["events"][-1]["data"] == {"photo_ids": [evidence["id"]]}

    # The inspector adds what they saw on site and verifies with it.
    r = upload(api, f"/api/v1/mobile/tickets/{ticket_id}/photos", "inspector2", ON_SITE)
    assert r.status_code == 201 and r.get_json()["purpose"] == "verification"
    seen = r.get_json()["id"]
    r = api.post(f"/api/v1/mobile/tickets/{ticket_id}/verify", as_="inspector2",
                 json={"outcome": "confirmed", "photo_ids": [seen]})
    assert r.status_code == 200 and r.get_json()["status"] == "closed"

    run_jobs()  # the media queue derives the web versions and thumbnails
    detail = api.get(f"/api/v1/tickets/{ticket_id}", as_="office").get_json()
    assert [p["purpose"] for p in detail["photos"]] == ["finding", "evidence", "evidence", "verification"]
    thumb = api.get(f"/api/v1/photos/{evidence['id']}?size=thumbnail", as_="office")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    # Closed: no more photos.
    assert upload(api, f"/api/v1/mobile/tickets/{ticket_id}/photos", "inspector2", ROAD).status_code == 409


def test_a_resolution_can_only_name_photos_of_its_own_ticket(api, submit, run_jobs):
    first = submit().get_json()["ticket_id"]
    second = submit(title="另一段道路坑洼").get_json()["ticket_id"]
    run_jobs()
    for ticket_id in (first, second):
        api.post(f"/api/v1/tickets/{ticket_id}/claim", as_="dept-transport", json={})
    other = upload(api, f"/api/v1/tickets/{second}/photos", "dept-transport", FIXED).get_json()["id"]
    r = api.post(f"/api/v1/tickets/{first}/resolve", as_="dept-transport",
                 json={"note": "已修", "photo_ids": [other, "not-an-id"]})
    assert r.status_code == 422 and "photo_ids" in r.get_json()["errors"]
    assert api.get(f"/api/v1/tickets/{first}", as_="office").get_json()["status"] == "claimed"


def test_another_department_cannot_see_the_evidence(api, submit, run_jobs):
    ticket_id = submit().get_json()["ticket_id"]
    run_jobs()
    api.post(f"/api/v1/tickets/{ticket_id}/claim", as_="dept-transport", json={})
    photo_id = upload(api, f"/api/v1/tickets/{ticket_id}/photos", "dept-transport", FIXED).get_json()["id"]
    run_jobs()
    assert api.get(f"/api/v1/photos/{photo_id}", as_="dept-agriculture").status_code == 404
    assert upload(api, f"/api/v1/tickets/{ticket_id}/photos", "dept-agriculture", FIXED).status_code == 404
    assert api.get(f"/api/v1/photos/{photo_id}", as_="inspector1").status_code == 200

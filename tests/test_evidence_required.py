"""A fix is proven with a photo unless the admin says a category needs none, and the phone
can see whether each photo of a finding was processed."""
import io

import pytest

from conftest import PHOTOS
from lifecycle_helpers import dispatched

FIXED = PHOTOS / "gps" / "DSCN0012.jpg"


@pytest.fixture
def default_evidence(app):
    """The product's default, which the other stories relax (see conftest)."""
    from backend.models import Setting
    with app.app_context():
        from backend.domain.codes import Category
        Setting.objects(id__in=[f"evidence:371323:{c.value}" for c in Category]).delete()


def upload(api, path, user, photo_path=FIXED):
    return api.post(path, as_=user, data={"file": (io.BytesIO(photo_path.read_bytes()), photo_path.name)},
                    content_type="multipart/form-data")


def test_resolving_needs_an_evidence_photo_unless_the_admin_relaxes_the_category(api, submit, run_jobs,
                                                                               default_evidence):
    ticket_id = dispatched(api, submit, run_jobs)["id"]
    assert api.post(f"/api/v1/tickets/{ticket_id}/claim", as_="dept-transport", json={}).status_code == 200
    bare = api.post(f"/api/v1/tickets/{ticket_id}/resolve", as_="dept-transport", json={"note": "已修复"})
    assert bare.status_code == 422 and bare.get_json()["code"] == "evidence_required"
    assert "photo_ids" in bare.get_json()["errors"]

    policies = {p["category"]: p["photo_required"] for p in api.get("/api/v1/settings/evidence", as_="office").get_json()}
    assert policies["livelihood"] is True and all(policies.values())
    assert api.put("/api/v1/settings/evidence/livelihood", as_="office", json={"photo_required": False}).status_code == 403
    relaxed = api.put("/api/v1/settings/evidence/livelihood", as_="admin", json={"photo_required": False})
    assert relaxed.get_json() == {"category": "livelihood", "photo_required": False}
    assert api.put("/api/v1/settings/evidence/weather", as_="admin", json={"photo_required": False}).status_code == 404
    assert api.post(f"/api/v1/tickets/{ticket_id}/resolve", as_="dept-transport", json={"note": "已修复"}).status_code == 200


def test_with_a_photo_the_default_lets_the_fix_through(api, submit, run_jobs, default_evidence):
    ticket_id = dispatched(api, submit, run_jobs)["id"]
    api.post(f"/api/v1/tickets/{ticket_id}/claim", as_="dept-transport", json={})
    photo = upload(api, f"/api/v1/tickets/{ticket_id}/photos", "dept-transport").get_json()
    r = api.post(f"/api/v1/tickets/{ticket_id}/resolve", as_="dept-transport",
                 json={"note": "路面已修复", "photo_ids": [photo["id"]]})
    assert r.status_code == 200, r.get_json()


def test_a_findings_photos_are_listed_with_their_status_in_every_answer(api, submit, run_jobs):
    finding = submit().get_json()
    assert finding["photos"] == []
    photo = upload(api, f"/api/v1/mobile/findings/{finding['id']}/photos", "inspector1").get_json()
    broken = api.post(f"/api/v1/mobile/findings/{finding['id']}/photos", as_="inspector1",
                      data={"file": (io.BytesIO(b"\xff\xd8\xff" + b"\x00" * 64), "x.jpg")},
                      content_type="multipart/form-data")
    assert broken.status_code in (415, 422)
    listed = api.get("/api/v1/mobile/findings", as_="inspector1").get_json()[0]["photos"]
    assert [(p["id"], p["status"], p["url"]) for p in listed] == [(photo["id"], "processing", None)]
    run_jobs()
    for photos in (api.get("/api/v1/mobile/findings", as_="inspector1").get_json()[0]["photos"],
                   api.get("/api/v1/mobile/sync", as_="inspector1").get_json()["findings"][0]["photos"]):
        assert [(p["id"], p["status"]) for p in photos] == [(photo["id"], "ready")]
        assert photos[0]["url"] == f"/api/v1/photos/{photo['id']}?size=web"
        assert api.get(photos[0]["thumbnail_url"], as_="inspector1").status_code == 200


"""A photo over a failing 3G link: sent in chunks keyed by its SHA-256, resumed where the
link dropped, checked whole, then a photo of the finding like any other."""
import hashlib

import pytest

from conftest import PHOTOS

UPLOADS = "/api/v1/mobile/uploads"
OCTETS = "application/offset+octet-stream"


@pytest.fixture
def photo_bytes():
    return (PHOTOS / "hdr" / "iphone_hdr_NO.jpg").read_bytes()


def announce(api, data, as_="inspector1"):
    return api.post(UPLOADS, as_=as_, json={"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})


def send(api, sha, offset, chunk, as_="inspector1"):
    return api.client.patch(f"{UPLOADS}/{sha}", data=chunk,
                            headers={**api.headers(as_), "Upload-Offset": str(offset), "Content-Type": OCTETS})


def test_a_cut_upload_resumes_where_it_stopped_and_becomes_the_findings_photo(api, submit, run_jobs, photo_bytes):
    finding = submit().get_json()
    sha = hashlib.sha256(photo_bytes).hexdigest()
    r = announce(api, photo_bytes)
    assert r.status_code == 201 and r.get_json()["offset"] == 0 and r.headers["Upload-Offset"] == "0"
    chunk = 256 * 1024
    half = len(photo_bytes) // 2 // chunk * chunk
    for offset in range(0, half, chunk):
        assert send(api, sha, offset, photo_bytes[offset:offset + chunk]).status_code == 200
    # the link drops while the next chunk is on its way: it never arrives whole
    again = announce(api, photo_bytes)
    assert again.status_code == 200 and again.get_json()["offset"] == half  # where to resume
    assert api.get(f"{UPLOADS}/{sha}", as_="inspector1").get_json() == {
        "sha256": sha, "size": len(photo_bytes), "offset": half, "complete": False, "chunk_max": 1024 * 1024}

    stale = send(api, sha, 0, b"x" * chunk)  # a phone that lost track is told where to go on, and stores nothing
    assert stale.status_code == 409 and stale.get_json()["code"] == "offset_mismatch"
    assert stale.get_json()["errors"] == {"offset": [half]}
    attach = api.post(f"{UPLOADS}/{sha}/attach", as_="inspector1", json={"finding_id": finding["id"]})
    assert attach.status_code == 409 and attach.get_json()["code"] == "upload_incomplete"

    for offset in range(half, len(photo_bytes), chunk):
        r = send(api, sha, offset, photo_bytes[offset:offset + chunk])
        assert r.status_code == 200, r.get_json()
    assert r.get_json()["complete"] and r.headers["Upload-Offset"] == str(len(photo_bytes))

    attach = api.post(f"{UPLOADS}/{sha}/attach", as_="inspector1", json={"finding_id": finding["id"]})
    assert attach.status_code == 201, attach.get_json()
    photo = attach.get_json()
    assert photo["status"] == "processing"
    again = api.post(f"{UPLOADS}/{sha}/attach", as_="inspector1", json={"finding_id": finding["id"]})
    assert again.status_code == 200 and again.get_json()["id"] == photo["id"]
    run_jobs()
    original = api.get(f"/api/v1/photos/{photo['id']}?size=original", as_="inspector1")
    assert original.status_code == 200 and hashlib.sha256(original.data).hexdigest() == sha
    assert api.get(f"/api/v1/photos/{photo['id']}", as_="office").status_code == 200  # the web version


def test_bytes_that_do_not_match_their_sha256_start_over(api, photo_bytes):
    sha = hashlib.sha256(photo_bytes).hexdigest()
    announce(api, photo_bytes)
    forged = b"\0" * len(photo_bytes)
    r = send(api, sha, 0, forged[:1024 * 1024])
    assert r.status_code == 200
    for offset in range(1024 * 1024, len(forged), 1024 * 1024):
        r = send(api, sha, offset, forged[offset:offset + 1024 * 1024])
    assert r.status_code == 422 and "sha256" in r.get_json()["errors"]
    assert api.get(f"{UPLOADS}/{sha}", as_="inspector1").get_json()["offset"] == 0


def test_chunks_are_bounded_and_uploads_are_the_uploaders_own(api, photo_bytes):
    sha = hashlib.sha256(photo_bytes).hexdigest()
    announce(api, photo_bytes)
    assert send(api, sha, 0, photo_bytes[: 1024 * 1024 + 1]).status_code == 413
    assert send(api, sha, 0, b"").status_code == 422
    assert api.get(f"{UPLOADS}/{sha}", as_="inspector2").status_code == 404
    assert send(api, sha, 0, photo_bytes[:1024], as_="inspector2").status_code == 404
    too_big = api.post(UPLOADS, as_="inspector1", json={"sha256": "a" * 64, "size": 21 * 1024 * 1024})
    assert too_big.status_code == 413
    assert api.post(UPLOADS, as_="inspector1", json={"sha256": "XYZ", "size": 10}).status_code == 422
    assert api.post(UPLOADS, as_="inspector1", json={"sha256": sha, "size": 10}).status_code == 409

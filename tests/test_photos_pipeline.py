"""Real phone and camera photos through the pipeline: checked at upload, derived by the
media job, served upright without EXIF; their GPS helps place the finding."""
import io

import pytest
from PIL import Image, ImageChops, ImageOps

from conftest import PHOTOS

GPS = sorted((PHOTOS / "gps").glob("*.jpg"))
INVALID = sorted((PHOTOS / "invalid").glob("*.jpg"))
ORIENTATION = PHOTOS / "orientation"

# EXIF GPS of the gaia-gis sample photos (degrees, minutes, seconds as the files store them;
# see photos/gps/README), converted by hand to decimal degrees.
EXPECTED_GPS = {
    "DSCN0010.jpg": (43 + 28 / 60 + 2.814 / 3600, 11 + 53 / 60 + 6.456 / 3600),
    "DSCN0012.jpg": (43 + 28 / 60 + 1.764 / 3600, 11 + 53 / 60 + 7.422 / 3600),
    "DSCN0021.jpg": (43 + 28 / 60 + 1.494 / 3600, 11 + 53 / 60 + 4.338 / 3600),
    "DSCN0025.jpg": (43 + 28 / 60 + 6.114 / 3600, 11 + 52 / 60 + 53.886 / 3600),
    "DSCN0027.jpg": (43 + 28 / 60 + 6.390 / 3600, 11 + 52 / 60 + 53.454 / 3600),
    "DSCN0029.jpg": (43 + 28 / 60 + 5.676 / 3600, 11 + 52 / 60 + 48.618 / 3600),
    "DSCN0038.jpg": (43 + 28 / 60 + 2.118 / 3600, 11 + 52 / 60 + 45.168 / 3600),
    "DSCN0040.jpg": (43 + 27 / 60 + 57.642 / 3600, 11 + 52 / 60 + 44.802 / 3600),
    "DSCN0042.jpg": (43 + 27 / 60 + 52.038 / 3600, 11 + 52 / 60 + 53.322 / 3600),
}


def upload(api, finding_id, path_or_bytes, name="photo.jpg", as_="inspector1"):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    name = name if isinstance(path_or_bytes, bytes) else path_or_bytes.name
    return api.post(f"/api/v1/mobile/findings/{finding_id}/photos", as_=as_,
                    data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.fixture
def finding(submit, run_jobs):
    r = submit()
    assert r.status_code == 201, r.get_json()
    run_jobs()  # routes its ticket: later counts are the photos' jobs alone
    return r.get_json()


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    histogram = ImageChops.difference(a.convert("L"), b.convert("L")).histogram()
    return sum(i * c for i, c in enumerate(histogram)) / (a.width * a.height)


def image_of(response) -> Image.Image:
    assert response.status_code == 200, response.get_json()
    return Image.open(io.BytesIO(response.data))


def test_gps_of_the_camera_photos_comes_out_right_with_time_and_camera(api, finding):
    assert len(GPS) == 9
    for path in GPS:
        r = upload(api, finding["id"], path)
        assert r.status_code == 201, (path.name, r.get_json())
        photo = r.get_json()
        lat, lon = EXPECTED_GPS[path.name]
        assert photo["gps"]["lat"] == pytest.approx(lat, abs=1e-6), path.name
        assert photo["gps"]["lon"] == pytest.approx(lon, abs=1e-6), path.name
        assert (photo["camera_make"], photo["camera_model"]) == ("NIKON", "COOLPIX P6000")
        assert photo["taken_at"].startswith("2008-10-2")
        assert photo["status"] == "processing"


def test_every_orientation_comes_out_upright_in_the_web_version_and_thumbnail(api, finding, run_jobs):
    ids = {}
    for shape in ("landscape", "portrait"):
        for n in range(1, 9):
            r = upload(api, finding["id"], ORIENTATION / f"{shape}_{n}.jpg")
            assert r.status_code == 201, r.get_json()
            ids[shape, n] = r.get_json()
    run_jobs()
    for shape in ("landscape", "portrait"):
        reference = image_of(api.get(f"/api/v1/photos/{ids[shape, 1]['id']}?size=web", as_="inspector1")).convert("L")
        assert (reference.width > reference.height) == (shape == "landscape")
        for n in range(1, 9):
            assert (ids[shape, n]["width"], ids[shape, n]["height"]) == reference.size
            web = image_of(api.get(f"/api/v1/photos/{ids[shape, n]['id']}?size=web", as_="inspector1"))
            assert web.size == reference.size, (shape, n)
            assert not web.getexif(), "the web version carries no EXIF"
            # The samples differ by JPEG noise (about 15 of 255); a wrong turn or mirror by 40 or more.
            assert mean_difference(web, reference) < 25, (shape, n)
            thumb = image_of(api.get(f"/api/v1/photos/{ids[shape, n]['id']}?size=thumbnail", as_="inspector1"))
            assert max(thumb.size) == 320 and (thumb.width > thumb.height) == (shape == "landscape")
        # ...and the comparison does tell: a mirrored or upside-down reference is far off.
        assert mean_difference(ImageOps.mirror(reference), reference) > 25
        assert mean_difference(reference.rotate(180), reference) > 25


def test_the_web_version_is_1600_px_and_strips_gps_while_the_original_stays_private(api, finding, run_jobs):
    phone = PHOTOS / "mobile" / "HMD_Nokia_8.3_5G.jpg"
    photo = upload(api, finding["id"], phone).get_json()
    assert photo["gps"]["lat"] == pytest.approx(60.1467, abs=1e-3)
    assert api.get(photo["url"], as_="inspector1").status_code == 409  # still processing
    assert run_jobs() == 1
    web = image_of(api.get(photo["url"], as_="inspector1"))
    assert max(web.size) == 1600 and web.format == "JPEG"
    assert not web.getexif().get_ifd(0x8825) and not web.getexif()
    original = api.get(f"/api/v1/photos/{photo['id']}?size=original", as_="inspector1")
    assert original.data == phone.read_bytes()
    r = api.post(f"/api/v1/mobile/findings/{finding['id']}/photos", as_="inspector1",
                 data={"file": (io.BytesIO(phone.read_bytes()), "again.jpg")}, content_type="multipart/form-data")
    assert r.status_code == 200 and r.get_json()["status"] == "ready"


def test_iphone_heic_is_accepted_and_derived(api, finding, run_jobs):
    r = upload(api, finding["id"], PHOTOS / "heic" / "IMG_5195.HEIC")
    assert r.status_code == 201, r.get_json()
    photo = r.get_json()
    assert photo["content_type"] == "image/heic" and photo["camera_make"] == "Apple"
    assert photo["gps"]["accuracy_m"] == pytest.approx(38.8, abs=0.1)
    run_jobs()
    web = image_of(api.get(photo["url"], as_="inspector1"))
    assert web.format == "JPEG" and max(web.size) == 1600 and web.height > web.width


def test_broken_files_are_rejected_cleanly_and_nothing_is_kept(app, api, finding, run_jobs):
    from backend.models import Photo
    corrupted = upload(api, finding["id"], PHOTOS / "corrupted.jpg")
    assert corrupted.status_code == 422, corrupted.get_json()
    assert "corrupted" in corrupted.get_json()["message"]
    truncated = upload(api, finding["id"], (PHOTOS / "mobile" / "jolla.jpg").read_bytes()[:300_000])
    assert truncated.status_code == 422 and "truncated" in truncated.get_json()["message"]
    text = upload(api, finding["id"], b"%PDF-1.4 not a photo", name="report.pdf")
    assert text.status_code == 415 and "HEIC" in text.get_json()["message"]
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert upload(api, finding["id"], gif.getvalue(), name="a.gif").status_code == 415
    with app.app_context():
        assert Photo.objects.count() == 0


def test_the_exif_loop_samples_do_not_hang_the_pipeline(app, api, finding, run_jobs):
    """invalid/ holds files that sent EXIF readers into endless loops. Pillow decodes their
    pixels completely (they are well-formed JPEGs with odd metadata), so they are kept and
    derived, and reading their metadata ends."""
    assert len(INVALID) == 7
    for path in INVALID:
        r = upload(api, finding["id"], path)
        assert r.status_code == 201, (path.name, r.get_json())
        assert r.get_json()["gps"] == {}
    assert run_jobs() == 7
    statuses = [p["status"] for p in api.get(f"/api/v1/tickets/{finding['ticket_id']}", as_="office").get_json()["photos"]]
    assert statuses == ["ready"] * 7


def test_a_decompression_bomb_is_refused_before_decoding(app, api, finding):
    bomb = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(bomb, "PNG")  # 144 megapixels in a few kB
    assert len(bomb.getvalue()) < 100_000
    r = upload(api, finding["id"], bomb.getvalue(), name="bomb.png")
    assert r.status_code == 422 and "像素" in r.get_json()["message"]  # (Chinese by default)


def test_a_photo_that_cannot_be_decoded_fails_with_the_reason(app, api, finding, run_jobs):
    heic = (PHOTOS / "heic" / "samplefilehub.heif").read_bytes()
    r = upload(api, finding["id"], heic[: len(heic) - 4000], name="cut.heif")
    assert r.status_code == 201, r.get_json()  # the header is fine; the pixels are not
    run_jobs()
    photos = api.get(f"/api/v1/tickets/{finding['ticket_id']}", as_="office").get_json()["photos"]
    assert photos[0]["status"] == "failed" and "broken" in photos[0]["failure_reason"]
    again = api.get(photos[0]["url"], as_="inspector1")
    assert again.status_code == 409 and again.get_json()["code"] == "photo_failed"


def test_a_body_over_the_limit_is_refused_from_its_content_length(app, api, finding):
    """413 from the Content-Length header alone: the body is never read."""
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the body was read")
    headers = {**api.headers("inspector1"), "Content-Type": "multipart/form-data; boundary=x"}
    r = api.client.post(f"/api/v1/mobile/findings/{finding['id']}/photos", headers=headers,
                        input_stream=Unreadable(b"x" * 100),
                        environ_overrides={"CONTENT_LENGTH": str(21 * 1024 * 1024)})
    assert r.status_code == 413 and "20 MB" in r.get_json()["message"]


def test_the_photos_gps_places_a_finding_sent_without_a_fix(api, submit, run_jobs):
    r = submit(location=None)
    assert r.status_code == 201, r.get_json()
    finding = r.get_json()
    assert finding["location"] is None and finding["flags"] == []
    upload(api, finding["id"], PHOTOS / "heic" / "IMG_5195.HEIC")
    mine = [f for f in api.get("/api/v1/mobile/findings", as_="inspector1").get_json() if f["id"] == finding["id"]][0]
    assert mine["location"]["source"] == "photo"
    assert mine["location"]["lat"] == pytest.approx(39.0513, abs=1e-3)
    assert "outside_county" in mine["flags"]  # Missouri is not 沂水县
    ticket = api.get(f"/api/v1/tickets/{finding['ticket_id']}", as_="office").get_json()
    assert ticket["location"]["lat"] == pytest.approx(39.0513, abs=1e-3)


def test_a_photo_taken_far_from_the_finding_is_flagged_but_kept(api, finding):
    assert finding["flags"] == [] and finding["location"]["source"] == "phone"
    r = upload(api, finding["id"], GPS[0])   # Tuscany, far from 沂水县
    assert r.status_code == 201
    mine = [f for f in api.get("/api/v1/mobile/findings", as_="inspector1").get_json() if f["id"] == finding["id"]][0]
    assert mine["flags"] == ["photo_location_mismatch"]
    assert mine["location"]["source"] == "phone"  # the camera gave no accuracy: not a better fix


def test_photos_can_live_in_a_local_directory(app, api, finding, run_jobs, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_STORAGE", "local")
    monkeypatch.setitem(app.config, "PHOTO_STORAGE_DIR", str(tmp_path))
    photo = upload(api, finding["id"], GPS[1]).get_json()
    run_jobs()
    assert sorted(p.name for p in (tmp_path / photo["id"]).iterdir()) == ["original", "thumbnail", "web"]
    assert image_of(api.get(photo["thumbnail_url"], as_="inspector1")).size == (320, 240)


def test_a_photo_whose_job_was_lost_is_derived_by_the_sweep(app, api, finding, run_jobs):
    from datetime import timedelta

    from backend.models import Photo
    from workers.jobs import sweep_processing_photos
    photo = upload(api, finding["id"], GPS[2]).get_json()
    app.extensions["redis"].flushdb()            # Redis lost the queued job
    assert run_jobs() == 0
    assert sweep_processing_photos() == 0        # too young: its job may still be on its way
    with app.app_context():
        Photo.objects(id=photo["id"]).update_one(set__created_at=Photo.objects.get(id=photo["id"]).created_at
                                                 - timedelta(minutes=5))
    assert sweep_processing_photos() == 1
    assert run_jobs() == 1
    assert api.get(photo["thumbnail_url"], as_="inspector1").status_code == 200
    assert sweep_processing_photos() == 0

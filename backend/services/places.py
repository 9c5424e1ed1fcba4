"""Reference data a county's users look up: its departments, townships and villages."""
from ..auth import Actor
from ..domain import geo
from ..errors import InvalidInput
from ..models import Department, Township, Village
from ..i18n import _


def wgs84_of(lat: float, lon: float, crs: str | None, field: str) -> tuple[float, float]:
    """What a phone or the admin sent, in WGS-84; a point that cannot be converted is a 422
    naming `field`, with the reason."""
    try:
        return geo.to_wgs84(lat, lon, crs or geo.Crs.WGS84.value)
    except geo.CoordinateError as exc:
        raise InvalidInput(exc.args[0], errors={field: [exc.args[0]]}, code="unconvertible_position")


def departments(actor: Actor):
    return Department.objects(county_code=actor.county_code, active=True).order_by("kind", "code")


def townships(actor: Actor):
    return Township.objects(county_code=actor.county_code).order_by("code")


def villages(actor: Actor, township_code: str | None = None, name: str | None = None):
    query = Village.objects(county_code=actor.county_code)
    if township_code:
        query = query.filter(township_code=township_code)
    if name:
        query = query.filter(name__contains=name)
    return query.order_by("code")


# ---------------------------------------------------------------- village positions

def village_position(actor: Actor, code: str) -> dict:
    """The village's known position and the one its verified check-ins propose (median)."""
    from ..domain import geo
    from ..models import CheckIn

    village = _village(actor, code)
    checkins = [c for c in CheckIn.objects(village_code=village.code, county_code=actor.county_code)
                .only("lat", "lon", "accuracy_m", "flags") if c.verified]
    proposed = geo.median_position([(c.lat, c.lon) for c in checkins])
    known = None
    if village.lat is not None:
        known = {"lat": village.lat, "lon": village.lon, "source": village.position_source,
                 "set_at": village.position_set_at}
    return {"code": village.code, "name": village.name, "position": known,
            "proposed": {"lat": proposed[0], "lon": proposed[1], "checkins": len(checkins)} if proposed else None}


def set_village_position(actor: Actor, code: str, data: dict) -> dict:
    """The admin sets the village's position, in any of the map coordinate systems, or
    accepts the position its verified check-ins propose (`from_checkins`)."""
    from ..domain import geo
    from ..errors import InvalidInput
    from ..models.common import utcnow

    village = _village(actor, code)
    if data.get("from_checkins"):
        proposal = village_position(actor, code)["proposed"]
        if proposal is None:
            raise InvalidInput(_("No verified check-ins at this village yet (accuracy within 100 m, inside "
                               "the county); set the position by hand."), errors={"from_checkins": [_("Nothing to use.")]})
        lat, lon, source = proposal["lat"], proposal["lon"], "checkins"
    else:
        if data.get("lat") is None or data.get("lon") is None:
            raise InvalidInput(_("Send lat and lon (and crs), or from_checkins: true."),
                               errors={"lat": [_("Required without from_checkins.")]})
        lat, lon = wgs84_of(data["lat"], data["lon"], data.get("crs"), "lat")
        source = "admin"
    Village.objects(id=village.id).update_one(set__lat=lat, set__lon=lon, set__point=[lon, lat],
                                              set__position_source=source, set__position_set_at=utcnow())
    return village_position(actor, code)


def _village(actor: Actor, code: str) -> Village:
    from ..errors import NotFound

    village = Village.objects(code=code, county_code=actor.county_code).first()
    if village is None:
        raise NotFound(_("No village %(code)s in your county.", code=code))
    return village

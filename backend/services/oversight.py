"""The round's figures (整改完成率, problems by class and state, overdue, 销号), read from
the round counters (services/rectification_counters.py): for the county office its own
county's rounds; for a city office its counties'; for a province office its cities'
counties' — grouped by county, each round with its units. Read-only."""
from collections import defaultdict

from ..auth import Actor
from ..models import County, InspectionRound, Rectification
from ..models.common import utcnow
from . import rectification_counters as figures
from .rounds import scope


def round_figures(found: InspectionRound, doc: dict | None, names: dict[str, str], now) -> dict:
    cells = (doc or {}).get("c", {})
    opens = defaultdict(list)
    for entry in (doc or {}).get("o", {}).values():
        opens[entry["unit"]].append(entry)
    units, total = [], {}
    for unit, values in sorted(cells.items()):
        if not values.get("problems"):
            continue
        figures.add(total, values)
        units.append({"unit_key": unit, "unit_name": names.get(unit, unit),
                      **figures.unit_figures(values, opens[unit], now)})
    units.sort(key=lambda u: (u["completion_rate"] is None, -(u["completion_rate"] or 0), u["unit_name"]))
    every_open = [o for entries in opens.values() for o in entries]
    return {"round_id": str(found.id), "name": found.name, "county_code": found.county_code,
            "phase": found.status, "total": figures.unit_figures(total, every_open, now), "units": units}


def figures_for(actor: Actor, round_ids: list | None = None) -> dict:
    """The visible rounds' figures grouped by county, with each county's total."""
    now = utcnow()
    rounds = list(InspectionRound.objects(scope(actor)).only("id", "name", "county_code", "status"))
    if round_ids is not None:
        rounds = [r for r in rounds if str(r.id) in {str(i) for i in round_ids}]
    docs = {d["_id"]: d for d in figures.read([r.id for r in rounds])}
    names = {c.unit_key: c.unit_name for c in Rectification.objects(round_id__in=[r.id for r in rounds])
             .only("unit_key", "unit_name")}
    counties = {c.code: c.name for c in County.objects(code__in=list({r.county_code for r in rounds}))}
    by_county: dict[str, dict] = {}
    for found in rounds:
        row = round_figures(found, docs.get(str(found.id)), {k.replace(".", "_"): v for k, v in names.items()}, now)
        county = by_county.setdefault(found.county_code, {"county_code": found.county_code,
                                                          "county_name": counties.get(found.county_code, ""),
                                                          "rounds": [], "_cells": {}, "_opens": []})
        county["rounds"].append(row)
        doc = docs.get(str(found.id)) or {}
        for values in doc.get("c", {}).values():
            figures.add(county["_cells"], values)
        county["_opens"] += list(doc.get("o", {}).values())
    out = []
    for code in sorted(by_county):
        county = by_county[code]
        county["total"] = figures.unit_figures(county.pop("_cells"), county.pop("_opens"), now)
        out.append(county)
    return {"level": actor.role, "area_code": actor.county_code, "counties": out}

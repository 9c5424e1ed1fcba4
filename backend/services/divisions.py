"""Importing a county's townships and villages from the statistical division files.

The files are those of `../shared/data/divisions` (NBS 2023): areas.csv, streets.csv[.gz],
villages.csv[.gz]. The demo county ships a slice of them in the same format under
`fixtures/`. Importing is idempotent: a re-run updates names, never duplicates.
"""
import csv
import gzip
import io
from pathlib import Path

from ..models import County, Department, Township, Village
from ..domain.routing import township_department


class DivisionsError(Exception):
    pass


def _open(source: Path, stem: str):
    for name in (f"{stem}.csv", f"{stem}.csv.gz"):
        path = source / name
        if path.exists():
            raw = gzip.open(path, "rb") if name.endswith(".gz") else open(path, "rb")
            return csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig"))
    raise DivisionsError(f"{source} has no {stem}.csv or {stem}.csv.gz; point --source at the "
                         "divisions folder (areas.csv, streets.csv.gz, villages.csv.gz).")


def read_county(source: Path, county_code: str) -> tuple[dict, list[dict], list[dict]]:
    source = Path(source)
    if not source.is_dir():
        raise DivisionsError(f"The source folder {source} does not exist.")
    if not (len(county_code) == 6 and county_code.isdigit()):
        raise DivisionsError(f"A county code has 6 digits (e.g. 371323); got {county_code!r}.")
    county = next((row for row in _open(source, "areas") if row["code"] == county_code), None)
    if county is None:
        raise DivisionsError(f"County {county_code} is not in {source}/areas.csv.")
    townships = [row for row in _open(source, "streets") if row["areaCode"] == county_code]
    villages = [row for row in _open(source, "villages") if row["areaCode"] == county_code]
    return county, townships, villages


def import_county(source: Path, county_code: str, progress=lambda rows: rows) -> dict:
    """Upsert the county, its townships (each with its township government department) and
    villages. `progress` wraps the iterable of rows (the CLI passes a progress bar)."""
    county, townships, villages = read_county(source, county_code)
    County.objects(code=county_code).update_one(
        upsert=True, set__name=county["name"], set__city_code=county.get("cityCode"),
        set__province_code=county.get("provinceCode"))
    counts = {"townships": 0, "villages": 0}
    rows = [("township", r) for r in townships] + [("village", r) for r in villages]
    for kind, row in progress(rows):
        if kind == "township":
            Township.objects(code=row["code"]).update_one(
                upsert=True, set__county_code=county_code, set__name=row["name"])
            Department.objects(county_code=county_code, code=township_department(row["code"])).update_one(
                upsert=True, set__name=f"{row['name']}人民政府", set__kind="township",
                set__township_code=row["code"], set_on_insert__active=True)
            counts["townships"] += 1
        else:
            Village.objects(code=row["code"]).update_one(
                upsert=True, set__county_code=county_code, set__township_code=row["streetCode"],
                set__name=row["name"])
            counts["villages"] += 1
    return {"county_code": county_code, "county_name": county["name"], **counts}

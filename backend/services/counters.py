"""Keeping the office's counters (see backend/models/counters.py) and proving them right.

`record(before, after)` runs after every successful ticket write (`tickets._transition` and
`tickets.open_from_finding`) and applies the difference of the ticket's two snapshots with
one upsert per touched day document. The ticket write and the counter write are two
single-document writes (no transactions): if the process dies between them the counters
are off until `flask stats rebuild`; `flask stats check` finds any such difference.
"""
from collections import defaultdict
from itertools import groupby

from ..domain import metrics
from ..domain.dotted import flatten, open_item, unflatten
from ..extensions import find_by_ids
from ..models import CountyCounter, DayCounter, MonthCounter, Ticket

ROLLUP_DIMENSIONS = ("department", "township", "category")  # the month documents' groups


def _snapshot(ticket) -> dict:
    return {f: getattr(ticket, f, None) for f in metrics.FIELDS} | {"id": str(ticket.id)}


def _entries(snap: dict | None) -> tuple[str, dict, dict] | None:
    """(day document id, {counter path: n}, {open path: value}) for one ticket snapshot."""
    if snap is None:
        return None
    day = metrics.day_key(snap["created_at"])
    cell = metrics.cell_key(snap)
    incs = {f"c.{cell}.{path}": n for path, n in metrics.contribution(snap).items()}
    due = metrics.open_due(snap)
    opens = {f"o.{snap['id']}": {"due": due, "cell": cell}} if due else {}
    return f"{snap['county_code']}:{day}", incs, opens


def record(before, after) -> None:
    """Apply a ticket's change to the counters; `before` is None for a new ticket."""
    old = _entries(_snapshot(before)) if before is not None else None
    new = _entries(_snapshot(after))
    ops: dict[str, dict] = defaultdict(lambda: {"$inc": defaultdict(int), "$set": {}, "$unset": {}})
    if old:
        doc_id, incs, opens = old
        for path, n in incs.items():
            ops[doc_id]["$inc"][path] -= n
        for path, value in opens.items():
            if not (new[0] == doc_id and new[2].get(path) == value):
                ops[doc_id]["$unset"][path] = ""
    doc_id, incs, opens = new
    for path, n in incs.items():
        ops[doc_id]["$inc"][path] += n
    for path, value in opens.items():
        if not (old and old[0] == doc_id and old[2].get(path) == value):
            ops[doc_id]["$set"][path] = value
            ops[doc_id]["$unset"].pop(path, None)
    collection = DayCounter._get_collection()
    for doc_id, op in ops.items():
        op["$inc"] = {path: n for path, n in op["$inc"].items() if n}
        update = {name: fields for name, fields in op.items() if fields}
        if update:  # a change that moves no figure (a progress report) writes nothing
            county, day = doc_id.split(":")
            update["$setOnInsert"] = {"county_code": county, "day": day}
            collection.update_one({"_id": doc_id}, update, upsert=True)
            _roll_up(county, day, op)
        for path, n in op["$inc"].items():
            if n < 0 and path.endswith(".tickets"):
                # The ticket left this cell. A cell without tickets holds only zeros: drop it,
                # unless another ticket has come in meanwhile (the filter is the guard).
                collection.update_one({"_id": doc_id, path: 0}, {"$unset": {path[:-len(".tickets")]: ""}})
    if before is None:
        county, day = new[0].split(":")
        CountyCounter._get_collection().update_one({"_id": county}, {"$min": {"first_day": day}},
                                                   upsert=True)


def _month_paths(path: str) -> list[str]:
    """A day document's counter path `c.<cell>.<figure>` as the month document's paths,
    one per dimension: `g.department.<code>.<figure>`, …"""
    cell, figure = path[2:].split(".", 1)
    parts = metrics.split_cell(cell)
    return [f"g.{dimension}.{metrics.NO_DEPARTMENT if parts[dimension] is None else parts[dimension]}.{figure}"
            for dimension in ROLLUP_DIMENSIONS]


def _roll_up(county: str, day: str, op: dict) -> None:
    """The same change in the month's document: one more upsert."""
    update: dict = {}
    incs: dict[str, int] = defaultdict(int)
    for path, n in (op.get("$inc") or {}).items():
        for month_path in _month_paths(path):  # a ticket moving between departments: -1 and +1 meet
            incs[month_path] += n
    if incs := {path: n for path, n in incs.items() if n}:
        update["$inc"] = incs
    for name in ("$set", "$unset"):
        if op.get(name):
            update[name] = dict(op[name])  # the open tickets (o.<id>) as they are
    if update:
        update["$setOnInsert"] = {"county_code": county, "month": day[:6]}
        MonthCounter._get_collection().update_one({"_id": f"{county}:{day[:6]}"}, update, upsert=True)


# ---------------------------------------------------------------- reading

def first_day(county_code: str) -> str | None:
    doc = CountyCounter._get_collection().find_one({"_id": county_code})
    return doc["first_day"] if doc else None


def read_days(county_code: str, days: list[str]) -> list[dict]:
    """The county's day documents for `days` (missing days have none)."""
    return find_by_ids(DayCounter._get_collection(), [f"{county_code}:{day}" for day in days])


def read_months(county_code: str, months: list[str]) -> list[dict]:
    """The county's month documents for `months` (YYYYMM; missing months have none)."""
    return find_by_ids(MonthCounter._get_collection(), [f"{county_code}:{month}" for month in months])


# ---------------------------------------------------------------- rebuild and check

def _months_of(days: dict[str, dict]) -> dict[str, dict]:
    """The month documents (flattened) that the day documents (flattened) add up to."""
    months: dict[str, dict] = defaultdict(dict)
    for doc_id, flat in days.items():
        month = months[doc_id[:-2]]  # "<county>:<YYYYMMDD>" -> "<county>:<YYYYMM>"
        for path, value in flat.items():
            if path.startswith("c."):
                for month_path in _month_paths(path):
                    month[month_path] = month.get(month_path, 0) + value
            else:
                month[path] = value
    return {doc_id: {p: v for p, v in flat.items() if v != 0} for doc_id, flat in months.items()}


def _expected(county_code: str | None) -> tuple[dict[str, dict], dict[str, str]]:
    """Counter documents (flattened) and first days, computed from the tickets themselves."""
    query = {"county_code": county_code} if county_code else {}
    return _expected_from(Ticket._get_collection().find(query, {f: 1 for f in metrics.FIELDS}))


def _expected_from(rows) -> tuple[dict[str, dict], dict[str, str]]:
    docs: dict[str, dict] = defaultdict(dict)
    firsts: dict[str, str] = {}
    for row in rows:
        snap = {f: row.get(f) for f in metrics.FIELDS} | {"id": str(row["_id"])}
        doc_id, incs, opens = _entries(snap)
        flat = docs[doc_id]
        for path, n in incs.items():
            flat[path] = flat.get(path, 0) + n
        flat.update(opens)
        county, day = doc_id.split(":")
        firsts[county] = min(firsts.get(county, day), day)
    return docs, firsts


def _live(county_code: str | None) -> tuple[dict[str, dict], dict[str, str]]:
    query = {"county_code": county_code} if county_code else {}
    docs = {}
    for doc in DayCounter._get_collection().find(query):
        flat = flatten(doc.get("c", {}), "c", leaf=open_item)
        flatten(doc.get("o", {}), "o", leaf=open_item, out=flat)
        if flat:
            docs[doc["_id"]] = flat
    for doc in MonthCounter._get_collection().find(query):
        flat = flatten(doc.get("g", {}), "g", leaf=open_item)
        flatten(doc.get("o", {}), "o", leaf=open_item, out=flat)
        if flat:
            docs[f"month {doc['_id']}"] = flat
    county_query = {"_id": county_code} if county_code else {}
    firsts = {d["_id"]: d["first_day"] for d in CountyCounter._get_collection().find(county_query)}
    return docs, firsts


def check(county_code: str | None = None) -> list[str]:
    """Every difference between the live counters and counters rebuilt from the tickets."""
    expected, expected_firsts = _expected(county_code)
    expected.update({f"month {doc_id}": flat for doc_id, flat in _months_of(expected).items()})
    live, live_firsts = _live(county_code)
    problems = []
    for doc_id in sorted(expected.keys() | live.keys()):
        want, have = expected.get(doc_id, {}), live.get(doc_id, {})
        for path in sorted(want.keys() | have.keys()):
            if want.get(path) != have.get(path):
                problems.append(f"{doc_id} {path}: counters have {have.get(path)!r}, "
                                f"the tickets give {want.get(path)!r}")
    for county in sorted(expected_firsts.keys() | live_firsts.keys()):
        # The first day may lie before the tickets' (a ticket moved or deleted): harmless.
        if county in expected_firsts and live_firsts.get(county, "99999999") > expected_firsts[county]:
            problems.append(f"county {county} first_day: counters have {live_firsts.get(county)!r}, "
                            f"the tickets give {expected_firsts[county]!r}")
    return problems


def rebuild(county_code: str | None = None) -> dict:
    """Recompute the counters of one county (or all) from the tickets and replace them.

    Run it when no ticket is changing (a change made during the rebuild may be lost), after
    raw edits to tickets, or when `check` reports differences. All counties are rebuilt
    streaming, county by county: one pass over the tickets in county order (the
    county_code index on MongoDB), holding one county's counters in memory at a time."""
    if county_code is not None:
        return _replace(county_code, *_expected(county_code))
    DayCounter._get_collection().delete_many({})
    MonthCounter._get_collection().delete_many({})
    CountyCounter._get_collection().delete_many({})
    rows = Ticket._get_collection().find({}, {f: 1 for f in metrics.FIELDS}, sort=[("county_code", 1)])
    totals = {"days": 0, "counties": 0}
    for county, county_rows in groupby(rows, key=lambda row: row["county_code"]):
        result = _replace(county, *_expected_from(county_rows), clear=False)
        totals["days"] += result["days"]
        totals["counties"] += result["counties"]
    return totals


def _replace(county_code: str, expected: dict, firsts: dict, clear: bool = True) -> dict:
    days, counties = DayCounter._get_collection(), CountyCounter._get_collection()
    months = MonthCounter._get_collection()
    if clear:
        days.delete_many({"county_code": county_code})
        months.delete_many({"county_code": county_code})
        counties.delete_many({"_id": county_code})
    documents = []
    for doc_id, flat in expected.items():
        county, day = doc_id.split(":")
        nested = unflatten(flat)
        documents.append({"_id": doc_id, "county_code": county, "day": day,
                          "c": nested.get("c", {}), "o": nested.get("o", {})})
    for start in range(0, len(documents), 10_000):
        days.insert_many(documents[start:start + 10_000])
    month_documents = []
    for doc_id, flat in _months_of(expected).items():
        county, month = doc_id.split(":")
        nested = unflatten(flat)
        month_documents.append({"_id": doc_id, "county_code": county, "month": month,
                                "g": nested.get("g", {}), "o": nested.get("o", {})})
    if month_documents:
        months.insert_many(month_documents)
    if firsts:
        counties.insert_many([{"_id": c, "first_day": d} for c, d in firsts.items()])
    return {"days": len(documents), "counties": len(firsts)}

"""The round's figures, kept on the write path (the `services/counters.py` approach).

Every write of a rectification problem (`rectification._transition`, `open_problem`) calls
`record(before, after)`, which applies the difference of the problem's contribution
(`domain.rectification.contribution`) to its round's counter document with one upsert.
`check` compares the live documents with documents rebuilt from the problems; `rebuild`
replaces them. Overdue is read against now from the open problems' clocks (`o`), so the
figures never wait for the deadline sweep.
"""
from collections import defaultdict

from ..domain import rectification as rect
from ..domain.dotted import flatten, open_item, unflatten
from ..models import RectificationProblem, RoundCounter


def _safe(key: str) -> str:
    return key.replace(".", "_").replace("$", "_")


def _snapshot(problem) -> dict:
    return {f: getattr(problem, f, None) for f in rect.FIELDS} | {
        "id": str(problem.id), "city_code": problem.city_code, "province_code": problem.province_code}


def _entries(snap: dict) -> tuple[str, dict, dict]:
    unit = _safe(snap["unit_key"])
    incs = {f"c.{unit}.{path}": n for path, n in rect.contribution(snap).items()}
    due = rect.open_due(snap)
    opens = {f"o.{snap['id']}": {"due": due, "unit": unit}} if due else {}
    return str(snap["round_id"]), incs, opens


def record(before, after) -> None:
    """Apply a problem's change to its round's counters; `before` is None for a new problem."""
    new_snap = _snapshot(after)
    if new_snap["round_id"] is None:
        return
    old = _entries(_snapshot(before)) if before is not None else None
    doc_id, incs, opens = _entries(new_snap)
    inc: dict[str, int] = defaultdict(int)
    unset, set_ = {}, {}
    if old:
        for path, n in old[1].items():
            inc[path] -= n
        for path, value in old[2].items():
            if opens.get(path) != value:
                unset[path] = ""
    for path, n in incs.items():
        inc[path] += n
    for path, value in opens.items():
        if not (old and old[2].get(path) == value):
            set_[path] = value
            unset.pop(path, None)
    update = {}
    if inc := {p: n for p, n in inc.items() if n}:
        update["$inc"] = inc
    if set_:
        update["$set"] = set_
    if unset:
        update["$unset"] = unset
    if update:
        update["$setOnInsert"] = {"county_code": new_snap["county_code"], "city_code": new_snap["city_code"],
                                  "province_code": new_snap["province_code"]}
        RoundCounter._get_collection().update_one({"_id": doc_id}, update, upsert=True)


# ---------------------------------------------------------------- reading

def read(round_ids: list[str]) -> list[dict]:
    from ..extensions import find_by_ids
    return find_by_ids(RoundCounter._get_collection(), [str(i) for i in round_ids])


def unit_figures(values: dict, opens: list[dict], now) -> dict:
    """The figures of one unit (or a total) from its counter cell and its open clocks."""
    fed_back, closed = values.get("fed_back", 0), values.get("closed", 0)
    return {"problems": values.get("problems", 0), "fed_back": fed_back, "closed": closed,
            "completion_rate": rect.completion_rate(closed, fed_back),
            "by_class": {c: values.get(f"class_{c}", 0) for c in ("immediate", "deadline", "long_term")},
            "by_state": {s.value: values.get(f"state_{s.value}", 0) for s in rect.ProblemStatus},
            "overdue": sum(1 for o in opens if o["due"] < now)}


def add(total: dict, values: dict) -> dict:
    for key, n in values.items():
        if isinstance(n, int):
            total[key] = total.get(key, 0) + n
    return total


# ---------------------------------------------------------------- rebuild and check

def _expected(county_code: str | None) -> dict[str, dict]:
    query = {"county_code": county_code} if county_code else {}
    fields = {f: 1 for f in (*rect.FIELDS, "city_code", "province_code")}
    docs: dict[str, dict] = {}
    for row in RectificationProblem._get_collection().find(query, fields):
        snap = {f: row.get(f) for f in (*rect.FIELDS, "city_code", "province_code")} | {"id": str(row["_id"])}
        if snap["round_id"] is None:
            continue
        doc_id, incs, opens = _entries(snap)
        doc = docs.setdefault(doc_id, {"meta": (snap["county_code"], snap["city_code"], snap["province_code"]),
                                       "flat": {}})
        for path, n in incs.items():
            doc["flat"][path] = doc["flat"].get(path, 0) + n
        doc["flat"].update(opens)
    return docs


def check(county_code: str | None = None) -> list[str]:
    """Every difference between the live round counters and counters rebuilt from the problems."""
    expected = _expected(county_code)
    query = {"county_code": county_code} if county_code else {}
    live = {d["_id"]: flatten({"c": d.get("c") or {}, "o": d.get("o") or {}}, leaf=open_item)
            for d in RoundCounter._get_collection().find(query)}
    problems = []
    for doc_id in sorted(expected.keys() | live.keys()):
        want, have = expected.get(doc_id, {}).get("flat", {}), live.get(doc_id, {})
        for path in sorted(want.keys() | have.keys()):
            if want.get(path) != have.get(path):
                problems.append(f"round {doc_id} {path}: counters have {have.get(path)!r}, "
                                f"the problems give {want.get(path)!r}")
    return problems


def rebuild(county_code: str | None = None) -> int:
    """Recompute the round counters from the problems and replace them (when no problem changes)."""
    expected = _expected(county_code)
    collection = RoundCounter._get_collection()
    collection.delete_many({"county_code": county_code} if county_code else {})
    documents = []
    for doc_id, doc in expected.items():
        nested = unflatten(doc["flat"])
        county, city, province = doc["meta"]
        documents.append({"_id": doc_id, "county_code": county, "city_code": city, "province_code": province,
                          "c": nested.get("c", {}), "o": nested.get("o", {})})
    if documents:
        collection.insert_many(documents)
    return len(documents)

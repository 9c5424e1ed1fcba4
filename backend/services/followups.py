"""What the clue, suggestion and accountability use cases share.

- `transition`, `create`: `lifecycle.transition`/`create` (the one writer) followed by
  the county's figures, updated by the difference the write made.
- `Tallies`: the office's figures of one kind, kept on the write path (one small document
  per county and kind, `$inc` of what a write changed) and checked by recomputing them.

The reply clock (催办, 超期, 督办) of clues and suggestions is `reply_clock.py`'s.
"""
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from ..auth import Actor
from ..domain.dotted import flatten, unflatten
from ..domain.followups import number
from ..domain.lifecycle import Machine
from ..models import Sequence, Tally
from . import lifecycle


# ---------------------------------------------------------------- figures on the write path

class Tallies:
    """The figures of one kind: `fields` snapshot a document, `contribution` says what it
    adds to its county's counters."""

    def __init__(self, kind: str, model, fields: tuple, contribution: Callable[[dict], dict]):
        self.kind, self.model, self.fields, self.contribution = kind, model, fields, contribution

    def snapshot(self, doc) -> dict | None:
        if doc is None:
            return None
        if isinstance(doc, dict):   # a raw row (the sweeps' bulk writes)
            return {f: doc.get(f) for f in self.fields}
        return {f: getattr(doc, f, None) for f in self.fields}

    def record(self, before, after) -> None:
        """Apply the difference a write made (`before` None for a new document); documents
        or raw rows."""
        old, new = self.snapshot(before), self.snapshot(after)
        county = (new or old)["county_code"]
        diff = defaultdict(int)
        for path, n in (self.contribution(old) if old else {}).items():
            diff[path] -= n
        for path, n in (self.contribution(new) if new else {}).items():
            diff[path] += n
        inc = {f"c.{path}": n for path, n in diff.items() if n}
        if inc:
            Tally._get_collection().update_one(
                {"_id": f"{self.kind}:{county}"},
                {"$inc": inc, "$setOnInsert": {"kind": self.kind, "county_code": county}}, upsert=True)

    def read(self, county_code: str) -> dict:
        tally = Tally.objects(id=f"{self.kind}:{county_code}").first()
        return unflatten({k: v for k, v in flatten(tally.c if tally else {}).items() if v})

    def recompute(self, county_code: str | None = None) -> dict[str, dict]:
        """{county: flat counters} rebuilt from the documents themselves."""
        out: dict[str, dict] = defaultdict(lambda: defaultdict(int))
        query = self.model.objects(county_code=county_code) if county_code else self.model.objects
        for row in query.only(*self.fields).as_pymongo():
            snap = {f: row.get(f) for f in self.fields}
            for path, n in self.contribution(snap).items():
                out[snap["county_code"]][path] += n
        return {county: dict(c) for county, c in out.items()}

    def check(self, county_code: str | None = None) -> list[str]:
        """Differences between the live figures and the recomputed ones."""
        expected = self.recompute(county_code)
        live_query = Tally.objects(kind=self.kind, **({"county_code": county_code} if county_code else {}))
        live = {t.county_code: {k: v for k, v in flatten(t.c).items() if v} for t in live_query}
        problems = []
        for county in sorted(set(expected) | set(live)):
            want, have = expected.get(county, {}), live.get(county, {})
            for path in sorted(set(want) | set(have)):
                if want.get(path, 0) != have.get(path, 0):
                    problems.append(f"{self.kind} {county} {path}: live {have.get(path, 0)}, "
                                    f"recomputed {want.get(path, 0)}")
        return problems

    def rebuild(self, county_code: str | None = None) -> int:
        expected = self.recompute(county_code)
        Tally.objects(kind=self.kind, **({"county_code": county_code} if county_code else {})).delete()
        for county, flat in expected.items():
            Tally(id=f"{self.kind}:{county}", kind=self.kind, county_code=county, c=unflatten(flat)).save()
        return len(expected)


# ---------------------------------------------------------------- the writer, with the figures

def transition(doc, machine: Machine, tallies: Tallies, action: str, target: str, actor: Actor | None, **kw):
    """`lifecycle.transition` (the one writer), then the county's figures by the difference."""
    updated = lifecycle.transition(doc, machine, action, target, actor, **kw)
    tallies.record(doc, updated)
    return updated


def create(doc, machine: Machine, tallies: Tallies, action: str, actor: Actor | None, **kw):
    """`lifecycle.create`, then the county's figures."""
    lifecycle.create(doc, machine, action, actor, **kw)
    tallies.record(None, doc)
    return doc


def next_number(county_code: str, prefix: str, now: datetime) -> str:
    seq = Sequence.objects(key=f"{prefix}:{county_code}:{now.year}").modify(upsert=True, new=True, inc__value=1)
    return number(county_code, prefix, now.year, seq.value)

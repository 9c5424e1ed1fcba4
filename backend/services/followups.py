"""What the clue, suggestion and accountability use cases share.

- `transition`, `create`: `lifecycle.transition`/`create` (the one writer) followed by
  the county's figures, updated by the difference the write made.
- `Tallies`: the office's figures of one kind, kept on the write path (one small document
  per county and kind, `$inc` of what a write changed) and checked by recomputing them.
- `sweep`: the reply clock (催办 before the deadline, 超期 at it, 督办 after it), each stage
  once per deadline: marked by a guarded update with the run's id, notified afterwards.
"""
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from ..auth import Actor
from ..domain.followups import number
from ..domain.lifecycle import Machine
from ..errors import Conflict
from ..models import Sequence, Tally
from ..models.common import utcnow
from . import lifecycle

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- figures on the write path

class Tallies:
    """The figures of one kind: `fields` snapshot a document, `contribution` says what it
    adds to its county's counters."""

    def __init__(self, kind: str, model, fields: tuple, contribution: Callable[[dict], dict]):
        self.kind, self.model, self.fields, self.contribution = kind, model, fields, contribution

    def snapshot(self, doc) -> dict | None:
        return None if doc is None else {f: getattr(doc, f, None) for f in self.fields}

    def record(self, before, after) -> None:
        """Apply the difference a write made (`before` None for a new document)."""
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
        return _unflatten({k: v for k, v in _flatten(tally.c if tally else {}).items() if v})

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
        live = {t.county_code: {k: v for k, v in _flatten(t.c).items() if v} for t in live_query}
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
            Tally(id=f"{self.kind}:{county}", kind=self.kind, county_code=county, c=_unflatten(flat)).save()
        return len(expected)


def _flatten(tree: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in (tree or {}).items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def _unflatten(flat: dict) -> dict:
    tree: dict = {}
    for path, value in flat.items():
        node = tree
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


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


# ---------------------------------------------------------------- the reply clock

# stage: (clock field, "not yet" guard, fields set, action, event data)
STAGES = (
    ("remind", "remind_at", {"sweep_marks.remind": {"$exists": False}}, {}, "remind", {}),
    ("overdue", "due_at", {"overdue": {"$ne": True}}, {"overdue": True}, "overdue", {}),
    ("escalate1", "escalate1_at", {"escalation_level": {"$lt": 1}}, {"escalation_level": 1}, "escalate",
     {"level": 1}),
    ("escalate2", "escalate2_at", {"escalation_level": {"$lt": 2}}, {"escalation_level": 2}, "escalate",
     {"level": 2}),
)


def sweep(model, machine: Machine, tallies: Tallies, owed: tuple, notify: Callable[[str, str, list], None],
          now: datetime | None = None, run_id: str | None = None) -> dict:
    """Mark every document whose clock point has passed, one stage at a time, each stage
    once per deadline; then send the notices of every run not yet notified (this one, and
    any that stopped between marking and notifying). `notify(stage, run_id, docs)`."""
    now = now or utcnow()
    run_id = run_id or uuid.uuid4().hex
    counts = {}
    collection = model._get_collection()
    for name, clock, not_yet, fields, action, data in STAGES:
        guard = {clock: {"$lte": now}, **not_yet}
        ids = [row["_id"] for row in collection.find({"status": {"$in": list(owed)}, **guard}, {"_id": 1})]
        marked = 0
        for doc in model.objects(id__in=ids):
            expect = {"status__in": list(owed), f"{clock}__lte": now}
            expect.update(_guard_filter(not_yet))
            try:
                transition(doc, machine, tallies, action, doc.status, None, data={**data, "run": run_id},
                           set_fields={**fields, f"sweep_marks__{name}": run_id, "sweep_run": run_id},
                           expect=expect)
                marked += 1
            except Conflict:
                continue  # changed meanwhile: the next run looks again
        counts[name] = marked
    _notify_pending(model, notify)
    return counts


def _guard_filter(not_yet: dict) -> dict:
    """The stage's "not yet" condition as MongoEngine filter keywords."""
    (path, cond), = not_yet.items()
    op, value = next(iter(cond.items()))
    name = path.replace(".", "__")
    return {f"{name}__{op[1:]}": value}


def _notify_pending(model, notify) -> None:
    for run_id in model.objects(sweep_run__ne=None).distinct("sweep_run"):
        docs = list(model.objects(sweep_run=run_id, notified_run__ne=run_id))
        if not docs:
            continue
        by_stage = defaultdict(list)
        for doc in docs:
            for name, *_rest in STAGES:
                if (doc.sweep_marks or {}).get(name) == run_id:
                    by_stage[name].append(doc)
        for name, marked in by_stage.items():
            notify(name, run_id, marked)
        model.objects(id__in=[d.id for d in docs], sweep_run=run_id).update(set__notified_run=run_id)

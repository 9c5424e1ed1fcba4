"""The one writer of every object with a lifecycle but the ticket (whose writer is
`tickets._transition`, the pattern followed here): rounds, 底稿 review entries,
rectification cases and problems, clues, suggestions and villagers' reports.

Each such object has `status`, `version`, `events` and `updated_at`. `create` stores a new
one in its first state with its first event. A change is one conditional update guarded
by the version the caller read (and any `expect` conditions) that sets the new state and
fields and appends the event: the change and its event cannot exist without each other,
and of two concurrent actors exactly one wins; the other gets a 409. `transition_many` is
its bulk form for the sweeps. Each area wraps `transition` in its own `_transition` (the
only writer of that object) and updates its figures from the same change.
"""
from datetime import datetime
from typing import NamedTuple

from pymongo import UpdateOne

from ..auth import Actor
from ..domain.lifecycle import Machine, TransitionNotAllowed
from ..errors import Conflict
from ..i18n import _, shown
from ..models.common import utcnow
from ..models.lifecycle import LifecycleEvent


class Someone(NamedTuple):
    """Who acts without an account (a villager through the QR page or an Open311 client)."""
    username: str
    role: str
    id: None = None


VILLAGER = Someone("villager", "villager")


def event(version: int, status: str | None, action: str, target: str, actor: Actor | Someone | None,
          now: datetime, *, note: str | None = None, data: dict | None = None) -> LifecycleEvent:
    return LifecycleEvent(seq=version + 1, action=str(action), at=now,
                          actor_id=actor.id if actor else None,
                          actor_name=actor.username if actor else "system",
                          actor_role=actor.role if actor else "system",
                          from_status=status, to_status=target, note=note, data=data or {})


def _value(x) -> str:
    return str(getattr(x, "value", x))


def check(machine: Machine, action, status: str | None, target) -> None:
    """409 `invalid_transition` unless `action` may lead from `status` to `target`."""
    try:
        machine.check(_value(action), status, _value(target))
    except TransitionNotAllowed as exc:
        raise Conflict(exc.args[0], code="invalid_transition")


def create(doc, machine: Machine, action, actor: Actor | Someone | None, *, note: str | None = None,
           data: dict | None = None):
    """Store a new `doc` (its `status` set) as version 1 with its first event. A unique
    index the document breaks raises NotUniqueError for the caller (a concurrent twin)."""
    check(machine, action, None, doc.status)
    now = utcnow()
    doc.version, doc.created_at, doc.updated_at = 1, now, now
    doc.events = [event(0, None, _value(action), doc.status, actor, now, note=note, data=data)]
    doc.save(force_insert=True)
    return doc


def transition(doc, machine: Machine, action: str, target: str, actor: Actor | None, *,
               note: str | None = None, data: dict | None = None, set_fields: dict | None = None,
               inc: dict | None = None, push: dict | None = None, expect: dict | None = None):
    """Apply one change to `doc` (as read) and return the updated document; 409 when the
    move is not allowed or the stored object is no longer as read."""
    action, target = _value(action), _value(target)
    check(machine, action, doc.status, target)
    now = utcnow()
    update = {f"set__{k}": v for k, v in (set_fields or {}).items()}
    update.update({f"inc__{k}": v for k, v in (inc or {}).items()})
    update.update({f"push__{k}": v for k, v in (push or {}).items()})
    update.update(set__status=target, set__updated_at=now, inc__version=1,
                  push__events=event(doc.version, doc.status, action, target, actor, now, note=note, data=data))
    updated = type(doc).objects(id=doc.id, version=doc.version, **(expect or {})).modify(new=True, **update)
    if updated is None:
        current = type(doc).objects(id=doc.id).only("status").first()
        raise Conflict(_("The %(kind)s changed while you were acting on it (it is now %(status)s); "
                         "reload it and try again.", kind=shown(machine.kind),
                         status=shown(machine.named(current.status)) if current else _("deleted")),
                       code="stale")
    return updated


class _UpdateOne(UpdateOne):
    """UpdateOne added to a bulk with the arguments every driver (and mongomock) accepts."""
    __slots__ = ()

    def _add_to_bulk(self, bulkobj) -> None:
        bulkobj.add_update(self._filter, self._doc, False, bool(self._upsert))


def transition_many(model, rows: list[dict], machine: Machine, action: str, *, guard: dict,
                    set_fields: dict, data: dict | None = None, note: str | None = None,
                    extra: dict | None = None) -> int:
    """The system's bulk form of `transition` for the sweeps: each raw row (_id, version,
    status) gets one conditional update guarded by its version and `guard`, appending its
    event (and any `extra` update operators, e.g. `$addToSet`). Returns how many changed;
    one that changed meanwhile is left for the next run."""
    if not rows:
        return 0
    now = utcnow()
    ops = []
    for row in rows:
        machine.check(action, row["status"], row["status"])
        ev = event(row["version"], row["status"], action, row["status"], None, now, note=note, data=data)
        update = {"$set": {**set_fields, "updated_at": now}, "$inc": {"version": 1},
                  "$push": {"events": ev.to_mongo().to_dict()}}
        for operator, value in (extra or {}).items():
            update.setdefault(operator, {}).update(value)
        ops.append(_UpdateOne({"_id": row["_id"], "version": row["version"], **guard}, update))
    return model._get_collection().bulk_write(ops, ordered=False).modified_count


def problems_of(doc: dict, machine: Machine) -> list[str]:
    """The consistency check of one raw object against its event log: events numbered
    1..n, the first one creating it, each leaving from where the previous one led by a
    move the machine allows, the version and status where the last one led."""
    events = doc.get("events") or []
    if not events:
        return ["no events"]
    found = []
    if [e.get("seq") for e in events] != list(range(1, len(events) + 1)):
        found.append(f"event numbers {[e.get('seq') for e in events]} are not 1..{len(events)}")
    first = events[0]
    if first.get("from_status") is not None or not machine.allows(first.get("action"), None):
        found.append("the first event does not create it")
    for before, ev in zip(events, events[1:]):
        if ev.get("from_status") != before.get("to_status"):
            found.append(f"event {ev.get('seq')} leaves {ev.get('from_status')} but it was {before.get('to_status')}")
            continue
        try:
            machine.check(ev.get("action"), ev.get("from_status"), ev.get("to_status"))
        except (TransitionNotAllowed, ValueError) as exc:
            found.append(f"event {ev.get('seq')}: {exc}")
    if doc.get("version") != events[-1].get("seq"):
        found.append(f"version {doc.get('version')} but the last event is {events[-1].get('seq')}")
    if doc.get("status") != events[-1].get("to_status"):
        found.append(f"status {doc.get('status')} but the events lead to {events[-1].get('to_status')}")
    return found

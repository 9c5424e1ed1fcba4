"""The reply clock of what is owed to the inspection office: a clue's feedback, a
suggestion's reply, a rectification problem's fix (a 限期 deadline or a 长期 milestone),
an inspected unit's plan and report. One sweep for all of them (the tickets' own clocks
are `deadlines.py`, the same pattern).

Each kind of object lists its stages (催办 before the clock, 超期 at it, 督办 after it):
the clock field, the states in which it runs, a "not yet" condition, the fields a mark
sets, and the event. A stage is one indexed range query and one bulk write of
conditional updates (`lifecycle.transition_many`: guarded by the version read and the
stage still unmarked) that mark it with the run's id (`sla_marks.<stage>`) and append
the event, so each stage is marked once per deadline however often, or however
concurrently, the sweep runs. A new deadline resets the marks.

The mark also puts the stage in `sla_pending`; the notices go out afterwards for every
pending stage, whichever run marked it (a run that stopped between marking and
notifying is finished by the next), and the stage leaves `sla_pending`. A notice's key
names the run that marked it, so sending again is harmless.
"""
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..domain.lifecycle import Machine
from ..models.common import utcnow
from . import lifecycle

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stage:
    name: str                  # remind / overdue / escalate1 / escalate2 / plan_overdue / …
    clock: str                 # the field holding the moment it is due
    statuses: tuple[str, ...]  # the states in which the clock runs
    not_yet: dict              # raw condition: the stage is not marked for this deadline
    fields: dict               # what the mark sets (besides the mark)
    action: str                # the event's action
    data: dict = field(default_factory=dict)


def reply_stages(owed: tuple[str, ...], *, remind: bool = True) -> tuple[Stage, ...]:
    """The usual four stages of a reply owed by `remind_at`, `due_at`, `escalate1_at`,
    `escalate2_at` (without 催办 where `remind` is False)."""
    stages = (
        Stage("remind", "remind_at", owed, {"sla_marks.remind": {"$exists": False}}, {}, "remind"),
        Stage("overdue", "due_at", owed, {"overdue": {"$ne": True}}, {"overdue": True}, "overdue"),
        Stage("escalate1", "escalate1_at", owed, {"escalation_level": {"$lt": 1}}, {"escalation_level": 1},
              "escalate", {"level": 1}),
        Stage("escalate2", "escalate2_at", owed, {"escalation_level": {"$lt": 2}}, {"escalation_level": 2},
              "escalate", {"level": 2}),
    )
    return stages if remind else stages[1:]


@dataclass(frozen=True)
class Clock:
    """One kind of object on the reply clock.

    `row` is the projection the notices and the figures read; `record(before, after)`
    updates the figures a mark changes (raw rows; None where a mark changes none);
    `notify(stage, run_id, rows)` sends the notices of one stage marked by one run (None:
    the mark is the whole effect)."""
    kind: str
    model: type
    machine: Machine
    stages: tuple[Stage, ...]
    row: dict
    notify: Callable[[str, str, list[dict]], None] | None = None
    record: Callable[[dict, dict], None] | None = None


def sweep(clock: Clock, now: datetime, run_id: str) -> dict:
    """Mark every stage of `clock` due at `now`; then send the notices still pending.
    Returns {stage: how many this run marked}."""
    collection = clock.model._get_collection()
    counts = {}
    for stage in clock.stages:
        guard = {stage.clock: {"$lte": now}, **stage.not_yet}
        rows = list(collection.find({"status": {"$in": list(stage.statuses)}, **guard},
                                    {**clock.row, "version": 1, "status": 1}))
        extra = {"$addToSet": {"sla_pending": stage.name}} if clock.notify else None
        counts[stage.name] = lifecycle.transition_many(
            clock.model, rows, clock.machine, stage.action, guard=guard, extra=extra,
            set_fields={**stage.fields, f"sla_marks.{stage.name}": run_id, "sla_run": run_id},
            data={**stage.data, "run": run_id})
        if clock.record and counts[stage.name]:
            marked = {d["_id"] for d in collection.find(
                {"_id": {"$in": [r["_id"] for r in rows]}, f"sla_marks.{stage.name}": run_id}, {"_id": 1})}
            for row in rows:
                if row["_id"] in marked:
                    clock.record(row, {**row, **stage.fields})
    if clock.notify:
        notify_pending(clock)
    return counts


def notify_pending(clock: Clock) -> int:
    """Send the notices of every stage still pending (this run's, and a stopped run's),
    grouped by stage and the run that marked it; then take the stages off `sla_pending`."""
    collection = clock.model._get_collection()
    names = [s.name for s in clock.stages]
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in collection.find({"sla_pending": {"$in": names}}, {**clock.row, "sla_marks": 1, "sla_pending": 1}):
        for name in row.get("sla_pending") or []:
            # no mark: a new deadline reset it before the notice went out; nothing to send
            groups[(name, (row.get("sla_marks") or {}).get(name))].append(row)
    for (name, run), rows in groups.items():
        if run:
            clock.notify(name, run, rows)
        collection.update_many({"_id": {"$in": [r["_id"] for r in rows]}, f"sla_marks.{name}": run},
                               {"$pull": {"sla_pending": name}})
    return len(groups)


def sweep_all(clocks: list[Clock], now: datetime | None = None, run_id: str | None = None) -> dict:
    """One run over every kind: {kind: {stage: marked}}."""
    now = now or utcnow()
    run_id = run_id or uuid.uuid4().hex
    result = {clock.kind: sweep(clock, now, run_id) for clock in clocks}
    if any(n for counts in result.values() for n in counts.values()):
        log.info("reply-clock sweep %s: %s", run_id, result)
    return result


def clocks() -> list[Clock]:
    """Every kind on the reply clock (each area declares its own `CLOCK`)."""
    from . import clues, rectification, suggestions
    return [clues.CLOCK, suggestions.CLOCK, rectification.PROBLEM_CLOCK, rectification.CASE_CLOCK]

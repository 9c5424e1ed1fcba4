"""Benchmark: deadline computation per call, and the deadline sweep over 100,000 open tickets.

1. Deadlines. ``--calls`` dispatch moments spread over 2025-2026 (Asia/Shanghai, any hour),
   each timed for: the resolve deadline alone (``WorkCalendar.add_working_days``, official
   holidays and make-up days of ``chinesecalendar``), every clock point of a dispatch
   (``WorkCalendar.deadlines``: claim, 75% reminder, deadline, two escalations), and the
   service call a dispatch makes (``services.sla.deadlines``: reads the county's SLA table and
   the calendar overrides, then computes). Baseline in the same run: ``start + timedelta``.
2. The sweep. The embedded app (mongomock, in-process fake Redis), the demo county, then
   ``--tickets`` open tickets (dispatched or claimed, 2-5 events each, dispatched over the last
   40 days with their real clock points) inserted with ``insert_many`` on the raw collection.
   ``deadlines.sweep()`` runs twice at the same moment (the second finds nothing to do), and
   once a day later. Reported: seconds, tickets marked per stage, and database round trips.

mongomock checks unique indexes by scanning the whole collection for every document it writes
(O(n) per write, so O(n²) for a sweep or a load); a real MongoDB looks them up in the index's
B-tree. And its cursor copies the whole result list for every document it yields (O(n²) per
find: 160 s to list 100,000 ids here). The bench turns both off (the generated numbers and
finding ids are unique by construction; the cursor keeps its sliced list), so that the
figures measure the sweep rather than these two artefacts of the test double.

Round trips are counted by wrapping every method of mongomock's ``Collection`` that sends a
command to a real server (find, find_one, update_one, update_many, bulk_write, insert_one,
insert_many, aggregate, count_documents, distinct, find_one_and_update, delete_*): one call is
counted as one round trip. On a real MongoDB a ``find`` whose result exceeds one batch
(101 documents, then 16 MB per getMore) costs extra getMore round trips, and pymongo splits
a ``bulk_write`` into batches of at most 100,000 operations / 48 MB; the report estimates
both from the sizes involved. Baseline in the same run: one scan of the whole collection
(``find({}, {"_id": 1})``), the cheapest thing that touches every ticket.

Run (from the project root):

    .venv/bin/python bench/sla_sweep.py                 # 100,000 tickets
    .venv/bin/python bench/sla_sweep.py --tickets 10000 --calls 5000
"""
from __future__ import annotations

import argparse
import functools
import logging
import math
import random
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COUNTED = ("find", "find_one", "find_one_and_update", "update_one", "update_many", "bulk_write",
           "insert_one", "insert_many", "aggregate", "count_documents", "distinct",
           "delete_one", "delete_many", "estimated_document_count")
calls: Counter = Counter()


def skip_mongomock_quadratic_costs() -> None:
    """Two mongomock artefacts that a real MongoDB does not have (see the module docstring)."""
    import mongomock.collection
    mongomock.collection.Collection._ensure_uniques = lambda self, new_data: None

    def next_document(cursor):
        if getattr(cursor, "_bench_rows", None) is None or cursor._bench_factory is not cursor._factory:
            cursor._bench_rows = cursor._compute_results(with_limit_and_skip=True)
            cursor._bench_factory = cursor._factory
        try:
            document = cursor._bench_rows[cursor._emitted]
        except IndexError as err:
            raise StopIteration() from err
        cursor._emitted += 1
        return document
    mongomock.collection.Cursor.__next__ = next_document


def count_round_trips() -> None:
    import mongomock.collection
    collection = mongomock.collection.Collection
    for name in COUNTED:
        original = getattr(collection, name)

        @functools.wraps(original)
        def counted(self, *args, __name=name, __original=original, **kwargs):
            calls[(self.name, __name)] += 1
            return __original(self, *args, **kwargs)
        setattr(collection, name, counted)


def per_call(fn, args_list) -> float:
    started = time.perf_counter()
    for args in args_list:
        fn(*args)
    return (time.perf_counter() - started) / len(args_list) * 1e6


def bench_deadlines(app, n: int, rng: random.Random) -> None:
    from backend.domain.sla import CHINA, DEFAULT_CLAIM_HOURS, DEFAULT_RESOLVE_DAYS, WorkCalendar
    from backend.services import sla

    cal = WorkCalendar()
    first = datetime(2025, 1, 1, tzinfo=CHINA)
    severities = list(DEFAULT_RESOLVE_DAYS)
    starts = [(first + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60)), rng.choice(severities))
              for _ in range(n)]
    print(f"== deadline computation, {n} dispatch moments over 2025-2026 ==")
    base = per_call(lambda s, sev: s + timedelta(days=DEFAULT_RESOLVE_DAYS[sev]), starts)
    days = per_call(lambda s, sev: cal.add_working_days(s, DEFAULT_RESOLVE_DAYS[sev]), starts)
    full = per_call(lambda s, sev: cal.deadlines(s, DEFAULT_CLAIM_HOURS[sev], DEFAULT_RESOLVE_DAYS[sev]), starts)
    with app.app_context():
        service = per_call(lambda s, sev: sla.deadlines("371323", "livelihood", sev, s), starts[: max(1, n // 10)])
    print(f"baseline start + timedelta(days)          {base:9.2f} µs/call")
    print(f"resolve deadline (working days)           {days:9.2f} µs/call   ratio {days / base:8.1f}x")
    print(f"all five clock points of a dispatch       {full:9.2f} µs/call   ratio {full / base:8.1f}x")
    print(f"service call (SLA table + overrides read) {service:9.2f} µs/call   ratio {service / base:8.1f}x")


def load_tickets(n: int, rng: random.Random) -> tuple[list, datetime]:
    from bson import ObjectId

    from backend.domain.sla import WorkCalendar, DEFAULT_CLAIM_HOURS, DEFAULT_RESOLVE_DAYS
    from backend.models import Department, Ticket
    from backend.models.common import utcnow
    from backend.services.sla import clock_fields

    cal = WorkCalendar()
    now = utcnow()
    departments = [d.code for d in Department.objects(county_code="371323")]
    collection = Ticket._get_collection()
    severities = list(DEFAULT_RESOLVE_DAYS)
    started = time.perf_counter()
    batch = []
    for i in range(n):
        dispatched = now - timedelta(minutes=rng.randrange(0, 40 * 24 * 60))
        severity = rng.choice(severities)
        clocks = clock_fields(cal.deadlines(dispatched, DEFAULT_CLAIM_HOURS[severity], DEFAULT_RESOLVE_DAYS[severity]))
        claimed = rng.random() < 0.6
        version = (3 if claimed else 2) + (rng.randrange(0, 3) if claimed else 0)
        department = rng.choice(departments)
        status = "claimed" if claimed else "dispatched"
        trail = ["pending_routing", "dispatched"] + ["claimed"] * (version - 2)
        events = [{"seq": k + 1, "action": ["open", "route", "claim", "progress", "progress"][k], "at": dispatched,
                   "actor_name": "bench", "actor_role": "system", "from_status": trail[k - 1] if k else None,
                   "to_status": trail[k], "department_code": department if k else None, "note": "bench", "data": {}}
                  for k in range(version)]
        batch.append({"_id": ObjectId(), "number": f"371323-2026-B{i:07d}", "county_code": "371323",
                      "finding_id": ObjectId(), "task_id": ObjectId(), "inspector_id": ObjectId(),
                      "village_code": "371323001001", "township_code": "371323001", "category": "livelihood",
                      "severity": severity, "title": f"bench ticket {i}", "description": "路面坑洼" * 20,
                      "status": status, "version": version, "department_code": department,
                      "created_at": dispatched, "updated_at": dispatched, "dispatched_at": dispatched,
                      "first_dispatched_at": dispatched, "events": events, "return_count": 0, "reopen_count": 0,
                      **clocks})
        if len(batch) == 10_000:
            collection.insert_many(batch)
            batch = []
    if batch:
        collection.insert_many(batch)
    print(f"loaded {n} open tickets in {time.perf_counter() - started:.1f} s "
          f"({len(departments)} departments)")
    return departments, now


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    rng = random.Random(args.seed)
    skip_mongomock_quadratic_costs()

    from backend import create_app
    from backend.services import demo

    app = create_app({"REDIS_URL": None, "JOBS_IN_PROCESS": False, "MONGODB_DB": "bench_sla",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        demo.load("bench-password")
    bench_deadlines(app, args.calls, rng)

    from backend.models import Notification, Ticket
    from backend.services import deadlines

    with app.app_context():
        print(f"\n== deadline sweep over {args.tickets} open tickets ==")
        _, now = load_tickets(args.tickets, rng)
        count_round_trips()
        collection = Ticket._get_collection()
        started = time.perf_counter()
        scanned = sum(1 for _ in collection.find({}, {"_id": 1}))
        scan_s = time.perf_counter() - started
        print(f"baseline: one scan of all {scanned} tickets: {scan_s:.2f} s, 1 round trip")
        calls.clear()
        for label, moment in (("first pass", now), ("same moment again", now),
                              ("a day later", now + timedelta(days=1))):
            calls.clear()
            started = time.perf_counter()
            counts = deadlines.sweep(moment)
            seconds = time.perf_counter() - started
            trips = sum(calls.values())
            marked = sum(counts.values())
            print(f"{label:18s} {seconds:7.2f} s  ratio to the scan {seconds / scan_s:5.1f}x  "
                  f"round trips {trips:4d}  tickets marked {marked:6d}  {counts}")
            print(f"{'':18s} round trips by call: "
                  + ", ".join(f"{c}.{m}={k}" for (c, m), k in sorted(calls.items())))
            if marked:
                # a find answers 101 rows, then up to 16 MB (~80,000 rows of ~200 B) per getMore;
                # pymongo sends a bulk write in batches of up to 100,000 operations (or 48 MB).
                get_more = sum(math.ceil(max(0, k - 101) / 80_000) for k in counts.values())
                batches = sum(max(1, math.ceil(k / 100_000)) for k in counts.values() if k)
                print(f"{'':18s} on a real MongoDB add ~{get_more} getMore for the stage finds; the "
                      f"{marked} updates go in {batches} bulk batch(es)")
        print(f"notifications in the outbox: {Notification.objects.count()} "
              f"(one per stage and department and run)")
        events = collection.count_documents({"events.action": {"$in": ["remind", "overdue", "escalate",
                                                                      "claim_reminder"]}})
        print(f"tickets with a sweep event: {events}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

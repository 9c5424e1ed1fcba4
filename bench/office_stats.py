"""Benchmark: the office's counters at national scale, in the embedded mode (mongomock).

What it does, in one process:

1. Generates ``--tickets`` tickets (default 1,400,000: a national year) spread over the
   country's counties in proportion to their villages (real codes from
   ../shared/data/divisions), created at random moments of 2026 (Asia/Shanghai). Each
   ticket goes through a lifecycle (open, route or triage+assign, claim, sometimes return,
   resolve, sometimes a failed verification and a second resolve, verify, or a close as
   duplicate/invalid; some stay open with a deadline, part of them overdue) and every
   step calls ``backend.services.counters.record(before, after)`` — the very function
   ``tickets._transition`` calls — on the snapshots before and after the step. Reported:
   the number of counter updates and their cost per state change (mean, median, p95, p99).
2. Stores the tickets' final documents in mongomock with raw ``insert_many`` batches
   (without their event lists, to fit in memory; without the unique indexes on number and
   finding_id, whose checks mongomock makes by scanning the collection on every insert).
3. Dashboard queries over HTTP (Flask test client, bearer token of an office user) for
   ``--counties`` counties, the largest first: ``GET /api/v1/stats/resolution?group_by=
   department`` for the year 2026, plus ``/stats/trend`` and ``/stats/overdue``; and, in the
   same loop, ``GET /api/v1/tickets/<id>`` of one of the county's tickets as the baseline.
   Reported: median and p95 of each, and the ratio dashboard / single ticket read.
4. Check and rebuild: ``counters.check(county)`` for three of those counties (the live
   counters built by the record() calls against counters computed from their tickets) and,
   unless ``--no-full-check``, ``counters.check()`` of everything: there must be no
   difference (exit status 1 otherwise). Then ``counters.rebuild(county)`` for two counties
   (each scans the whole tickets collection: mongomock has no index) and, unless
   ``--no-full-rebuild``, the rebuild of every counter from all tickets.

Steps 3 and 4 also run at each of ``--checkpoints`` (one county checked and rebuilt there),
with their figures flushed at once, so that a run cut short keeps what it measured.

Run from the project root (about 8 GB of RAM at full size):

    .venv/bin/python bench/office_stats.py                       # 1.4 M tickets
    .venv/bin/python bench/office_stats.py --tickets 50000 --no-full-rebuild   # quick look
"""
from __future__ import annotations

import argparse
import csv
import gc
import gzip
import itertools
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DIVISIONS = ROOT.parent / "shared" / "data" / "divisions"

CATEGORIES = ["benefit_policy", "collective_assets", "farmland", "petty_power", "party_building",
              "misconduct", "village_projects", "collective_economy", "living_environment",
              "livelihood", "disputes"]
DEPARTMENTS = ["agriculture", "civil_affairs", "natural_resources", "housing", "transport",
               "water_resources", "health", "education", "ecology_environment", "human_resources",
               "organization_dept", "discipline_commission", "finance", "emergency", "market_supervision",
               "culture_tourism", "veterans", "public_security", "justice", "statistics"]
YEAR_START = datetime(2025, 12, 31, 16, tzinfo=UTC)  # 2026-01-01 00:00 Asia/Shanghai
YEAR_SECONDS = 365 * 86400


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def load_counties() -> dict[str, list[str]]:
    villages: dict[str, list[str]] = defaultdict(list)
    with gzip.open(DIVISIONS / "villages.csv.gz", "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            villages[row["areaCode"]].append(row["code"])
    return villages


class Lifecycle:
    """One ticket's snapshots, step by step; `step()` records each change in the counters."""

    def __init__(self, record, timings: list, ticket: dict):
        self.record, self.timings, self.t = record, timings, ticket

    def step(self, **changes) -> None:
        before = SimpleNamespace(**self.t)
        self.t.update(changes)
        after = SimpleNamespace(**self.t)
        started = time.perf_counter()
        self.record(before, after)
        self.timings.append(time.perf_counter() - started)

    def open(self) -> None:
        started = time.perf_counter()
        self.record(None, SimpleNamespace(**self.t))
        self.timings.append(time.perf_counter() - started)


def generate(start: int, stop: int, counties: dict[str, list[str]], now: datetime,
             rng: random.Random, timings: list[float], per_county: Counter) -> float:
    """Tickets number `start` to `stop - 1`; returns the seconds it took."""
    from bson import ObjectId

    from backend.models import Ticket
    from backend.services import counters

    codes = list(counties)
    cumulative = list(itertools.accumulate(len(counties[c]) for c in codes))
    collection = Ticket._get_collection()
    batch = []
    started = time.perf_counter()
    for i in range(start, stop):
        county = rng.choices(codes, cum_weights=cumulative)[0]
        village = rng.choice(counties[county])
        created = YEAR_START + timedelta(seconds=rng.random() * YEAR_SECONDS)
        if created > now:
            created = now - timedelta(seconds=rng.random() * 86400 * 30)
        category = rng.choice(CATEGORIES)
        t = {"id": ObjectId(), "county_code": county, "status": "pending_routing", "outcome": None,
             "created_at": created, "dispatched_at": None, "first_claim_hours": None,
             "resolved_at": None, "due_at": None, "closed_at": None, "reopen_count": 0,
             "return_count": 0, "department_code": None, "village_code": village, "category": category}
        life = Lifecycle(counters.record, timings, t)
        life.open()
        clock = created + timedelta(minutes=rng.uniform(0.1, 5))
        department = "discipline_commission" if category == "misconduct" else rng.choice(DEPARTMENTS)
        if rng.random() < 0.05:
            life.step(status="triage")
            clock += timedelta(hours=rng.uniform(1, 48))
        due = clock + timedelta(days=rng.choice([5, 10, 15, 20]))

        def done() -> bool:
            return clock >= now

        if not done():
            life.step(status="dispatched", department_code=department, dispatched_at=clock, due_at=due)
            if rng.random() < 0.08 and not done():  # returned once, re-dispatched
                clock += timedelta(hours=rng.uniform(1, 30))
                department = rng.choice(DEPARTMENTS)
                if not done():
                    life.step(status="dispatched", department_code=department, dispatched_at=clock,
                              return_count=1, due_at=clock + timedelta(days=10))
            end = rng.random()
            if end < 0.03 and not done():
                life.step(status="closed", outcome=rng.choice(["duplicate", "invalid"]), closed_at=clock)
            elif end < 0.93:
                hours = rng.expovariate(1 / 14)
                clock += timedelta(hours=hours)
                if not done():
                    life.step(status="claimed", first_claim_hours=round(
                        (clock - t["dispatched_at"]).total_seconds() / 3600, 3))
                    clock += timedelta(days=rng.expovariate(1 / 8))
                    if not done() and rng.random() < 0.92:
                        life.step(status="resolved", resolved_at=clock)
                        clock += timedelta(days=rng.uniform(0.5, 5))
                        if not done() and rng.random() < 0.06:
                            life.step(status="claimed", reopen_count=1,
                                      due_at=clock + timedelta(days=10))
                            clock += timedelta(days=rng.uniform(1, 8))
                            if not done():
                                life.step(status="resolved", resolved_at=clock)
                                clock += timedelta(days=1)
                        if not done() and t["status"] == "resolved":
                            life.step(status="closed", outcome="fixed", closed_at=clock)
        doc = {k: v for k, v in t.items() if k != "id"}
        doc.update(_id=t["id"], number=f"{county}-2026-{i:07d}", finding_id=ObjectId(),
                   task_id=ObjectId(), inspector_id=ObjectId(), township_code=village[:9],
                   severity="general", title="村内道路坑洼", version=5,
                   description="村内主干道路面坑洼严重，雨天积水，群众出行不便。", updated_at=clock,
                   returned_by=[], routing_trace=[], events=[])
        batch.append(doc)
        per_county[county] += 1
        if len(batch) == 10_000:
            collection.insert_many(batch)
            batch = []
            if (i + 1) % 100_000 == 0:
                rate = (i + 1 - start) / (time.perf_counter() - started)
                print(f"  {i + 1:>9,} tickets ({rate:,.0f}/s in this stage, {len(timings):,} counter updates)",
                      flush=True)
    if batch:
        collection.insert_many(batch)
    return time.perf_counter() - started


def measure(client, headers, paths: dict[str, str], rounds: int) -> dict[str, list[float]]:
    """Each round calls every path once (interleaved, so noise hits all alike)."""
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name, path in paths.items():
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            times[name].append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code, response.get_data()[:300])
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_400_000)
    parser.add_argument("--counties", type=int, default=10, help="counties whose dashboards are timed")
    parser.add_argument("--rounds", type=int, default=30, help="dashboard rounds per county")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only-county", default=None,
                        help="put every ticket in this county (a dashboard's cost depends on its own county)")
    parser.add_argument("--no-full-rebuild", action="store_true")
    parser.add_argument("--no-full-check", action="store_true",
                        help="check only three of the timed counties, not every counter")
    parser.add_argument("--checkpoints", type=lambda v: [int(x) for x in v.split(",") if x],
                        default=[350_000, 700_000, 1_050_000],
                        help="ticket counts at which every figure is also measured (comma-separated)")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()

    os.environ.pop("MONGODB_URI", None)
    from backend import create_app
    from backend.models import Ticket

    # Raw inserts: no unique-index checks (mongomock scans the collection for each).
    Ticket._meta["auto_create_index"] = False
    app = create_app({"TESTING": True, "REDIS_URL": None, "JOBS_IN_PROCESS": False})
    rng = random.Random(args.seed)
    figures: dict = {"tickets": args.tickets}
    with app.app_context():
        print("Reading the national village list …", flush=True)
        counties = load_counties()
        if args.only_county:
            counties = {args.only_county: counties[args.only_county]}
        print(f"{len(counties):,} counties, {sum(map(len, counties.values())):,} villages")
        now = datetime.now(UTC)
        timings: list[float] = []
        per_county: Counter = Counter()
        users: dict[str, dict] = {}
        checkpoints = sorted({*(c for c in args.checkpoints if c < args.tickets), args.tickets})
        done, elapsed = 0, 0.0
        for checkpoint in checkpoints:
            print(f"Generating tickets {done:,}–{checkpoint:,} through the counter path …", flush=True)
            gc.disable()  # millions of long-lived documents: no cycles to find, only time to lose
            elapsed += generate(done, checkpoint, counties, now, rng, timings, per_county)
            gc.enable()
            done = checkpoint
            stage = figures.setdefault("stages", {})[checkpoint] = {"generate_seconds": round(elapsed, 1)}
            stage.update(measure_stage(app, args, checkpoint, timings, per_county, users, elapsed,
                                       final=checkpoint == args.tickets))
            figures.update(stage)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1, default=str))
    return 1 if figures["check_differences"] else 0


def measure_stage(app, args, n: int, timings, per_county, users, elapsed, final: bool) -> dict:
    """Every figure with `n` tickets stored; flushed as it goes, so a long run that is cut
    short still leaves the figures of its last checkpoint."""
    from backend.auth import issue_token
    from backend.models import Ticket, User
    from backend.services import counters

    figures: dict = {"counter_updates": len(timings)}
    figures["counter_update_ms"] = {"mean": round(statistics.fmean(timings) * 1000, 4),
                                    "median": round(statistics.median(timings) * 1000, 4),
                                    "p95": round(pct(timings, 0.95) * 1000, 4),
                                    "p99": round(pct(timings, 0.99) * 1000, 4),
                                    "max": round(max(timings) * 1000, 3)}
    day_docs = counters.DayCounter._get_collection().estimated_document_count()
    print(f"== {n:,} tickets, generated in {elapsed:.0f} s: {len(timings):,} counter updates "
          f"({len(timings) / n:.2f} per ticket), {day_docs:,} county-day documents", flush=True)
    print("Counter cost per state change: " + ", ".join(
        f"{k} {v} ms" for k, v in figures["counter_update_ms"].items()), flush=True)

    sampled = [c for c, _ in per_county.most_common(args.counties)]
    client = app.test_client()
    dashboards, reads, trends, overdues = [], [], [], []
    for county in sampled:
        if county not in users:
            user = User(username=f"office-{county}", username_key=f"office-{county}", password_hash="-",
                        role="office", county_code=county).save()
            users[county] = {"Authorization": f"Bearer {issue_token(user)}"}
        ticket = Ticket._get_collection().find_one({"county_code": county}, {"_id": 1})
        window = "from=2026-01-01&to=2026-12-31"
        times = measure(client, users[county], {
            "dashboard": f"/api/v1/stats/resolution?group_by=department&{window}",
            "trend": f"/api/v1/stats/trend?{window}",
            "overdue": f"/api/v1/stats/overdue?{window}&limit=50",
            "ticket": f"/api/v1/tickets/{ticket['_id']}",
        }, args.rounds)
        dashboards += times["dashboard"][1:]  # the first round warms caches
        trends += times["trend"][1:]
        overdues += times["overdue"][1:]
        reads += times["ticket"][1:]
    figures["counties_timed"] = {c: per_county[c] for c in sampled}
    for name, values in (("dashboard", dashboards), ("trend", trends), ("overdue", overdues),
                         ("ticket_read", reads)):
        figures[f"{name}_ms"] = {"median": round(statistics.median(values) * 1000, 2),
                                 "p95": round(pct(values, 0.95) * 1000, 2)}
    figures["ratio_dashboard_to_ticket_read"] = round(statistics.median(dashboards) / statistics.median(reads), 2)
    print(f"Dashboards of {len(sampled)} counties ({min(figures['counties_timed'].values()):,}–"
          f"{max(figures['counties_timed'].values()):,} tickets each), {args.rounds - 1} rounds each, HTTP:")
    for name in ("dashboard", "trend", "overdue", "ticket_read"):
        print(f"  {name:<12} median {figures[name + '_ms']['median']} ms, p95 {figures[name + '_ms']['p95']} ms")
    print(f"  ratio dashboard / single ticket read (medians): {figures['ratio_dashboard_to_ticket_read']}",
          flush=True)

    # The live counters (built by the record() calls above) against the tickets themselves.
    checked = sampled[:3] if final else sampled[:1]
    started = time.perf_counter()
    problems = [p for county in checked for p in counters.check(county)]
    figures["check_differences"] = len(problems)
    print(f"Check of {len(checked)} timed counties (live counters vs their tickets): "
          f"{len(problems)} differences in {time.perf_counter() - started:.1f} s", flush=True)
    for line in problems[:5]:
        print("  " + line)
    if final and not args.no_full_check:
        started = time.perf_counter()
        problems = counters.check()
        figures["check_all_s"] = round(time.perf_counter() - started, 1)
        figures["check_differences"] += len(problems)
        print(f"Check of all counters: {len(problems)} differences in {figures['check_all_s']} s", flush=True)

    started = time.perf_counter()
    counters.rebuild(sampled[-1])
    figures["rebuild_one_county_s"] = round(time.perf_counter() - started, 2)
    print(f"Rebuild of one county's counters ({per_county[sampled[-1]]:,} tickets): "
          f"{figures['rebuild_one_county_s']} s", flush=True)
    if final and not args.no_full_rebuild:
        started = time.perf_counter()
        result = counters.rebuild()
        figures["rebuild_all_s"] = round(time.perf_counter() - started, 1)
        print(f"Rebuild of all counters from {n:,} tickets: {figures['rebuild_all_s']} s "
              f"({result['days']:,} county-days)", flush=True)
    return figures


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the full counter rebuild (`flask stats rebuild`), streaming county by county.

Puts ``--tickets`` generated tickets (the counters' fields only: county spread over the
country's 2,978 counties, creation moments over 2026, a mix of states) straight into the
embedded engine's store, then times ``counters.rebuild()`` of every county and reports the
peak memory it added (tracemalloc) against the tickets' own size in memory, and
``counters.check()`` of the largest county afterwards.

    .venv/bin/python bench/counter_rebuild.py --tickets 200000
"""
import argparse
import random
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--counties", type=int, default=2978)
    parser.add_argument("--memory", action="store_true", help="trace the memory the rebuild adds (2-3x slower)")
    args = parser.parse_args()
    from bson import ObjectId

    from backend import create_app, embedded_mongo
    from backend.models import Ticket
    from backend.services import counters

    app = create_app({"TESTING": True})
    rng = random.Random(2026)
    counties = [f"{110101 + i:06d}" for i in range(args.counties)]
    weights = [rng.paretovariate(2.0) for _ in counties]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    statuses = ["closed"] * 6 + ["claimed", "dispatched", "resolved", "triage"]
    documents = []
    for county in rng.choices(counties, weights, k=args.tickets):
        created = start + timedelta(seconds=rng.randrange(330 * 86400))
        status = rng.choice(statuses)
        documents.append({
            "_id": ObjectId(), "county_code": county, "status": status, "outcome": None, "created_at": created,
            "dispatched_at": created + timedelta(hours=1), "first_claim_hours": round(rng.random() * 48, 2),
            "resolved_at": created + timedelta(days=5) if status in ("resolved", "closed") else None,
            "due_at": created + timedelta(days=15), "closed_at": created + timedelta(days=7) if status == "closed" else None,
            "reopen_count": rng.choice([0, 0, 0, 1]), "return_count": rng.choice([0, 0, 1]),
            "department_code": rng.choice(["transport", "agriculture", "water_resources", "health"]),
            "village_code": f"{county}{rng.randrange(100, 130):03d}{rng.randrange(1, 40):03d}",
            "category": rng.choice(["livelihood", "farmland", "benefit_policy", "living_environment"])})
    with app.app_context():
        embedded_mongo.restore(Ticket._get_collection(), documents)
        del documents
        largest = max(counties, key=lambda c: Ticket.objects(county_code=c).count()) if args.counties <= 50 else None
        if args.memory:
            tracemalloc.start()
        started = time.perf_counter()
        result = counters.rebuild()
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if args.memory else 0
        tracemalloc.stop()
        print(f"full rebuild of {args.tickets:,} tickets in {result['counties']:,} counties: {elapsed:.1f} s "
              f"({args.tickets / elapsed:,.0f} tickets/s), {result['days']:,} day documents"
              + (f"; peak memory added {peak / 1e6:.0f} MB" if args.memory else ""))
        county = largest or counties[0]
        started = time.perf_counter()
        problems = counters.check(county)
        print(f"check of county {county} afterwards: {len(problems)} differences in {time.perf_counter() - started:.1f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Resolution metrics of the county office, as defined in PRODUCT.md.

Each ticket comes in as a plain mapping with the fields named below; the functions here
only count. Duplicates and invalid tickets are left out of every figure.
"""
from collections import defaultdict
from datetime import datetime
from statistics import median

from .states import Outcome, TicketStatus, is_overdue


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def summarize(tickets: list[dict], now: datetime) -> dict:
    """Metrics for one group of tickets.

    Fields read: status, outcome, dispatched_at, first_claim_hours, resolved_at, due_at,
    closed_at, created_at, reopen_count, return_count.
    """
    counted = [t for t in tickets if t.get("outcome") not in (Outcome.DUPLICATE, Outcome.INVALID)]
    closed = [t for t in counted if t["status"] == TicketStatus.CLOSED]
    dispatched = [t for t in counted if t.get("dispatched_at")]
    claim_hours = [t["first_claim_hours"] for t in dispatched if t.get("first_claim_hours") is not None]
    on_time = [t for t in closed if t.get("due_at") and t.get("resolved_at") and t["resolved_at"] <= t["due_at"]]
    days_to_close = [(t["closed_at"] - t["created_at"]).total_seconds() / 86400
                     for t in closed if t.get("closed_at")]
    open_overdue = [t for t in counted if is_overdue(t["status"], t.get("due_at"), now)]
    return {
        "tickets": len(counted),
        "closed": len(closed),
        "dispatched": len(dispatched),
        "resolution_rate": _ratio(len(closed), len(counted)),
        "on_time_rate": _ratio(len(on_time), len(closed)),
        "claim_24h_rate": _ratio(sum(1 for h in claim_hours if h <= 24), len(dispatched)),
        "reopen_rate": _ratio(sum(1 for t in closed if t.get("reopen_count", 0) > 0), len(closed)),
        "return_rate": _ratio(sum(1 for t in dispatched if t.get("return_count", 0) > 0), len(dispatched)),
        "median_hours_to_claim": round(median(claim_hours), 2) if claim_hours else None,
        "median_days_to_close": round(median(days_to_close), 2) if days_to_close else None,
        "open_overdue": len(open_overdue),
    }


def grouped(tickets: list[dict], key, now: datetime, min_tickets: int) -> list[dict]:
    """Metrics per group, ranked by resolution rate among groups with enough tickets.

    Groups below `min_tickets` are reported but not ranked (rank is None), so that one
    lucky ticket does not top the league table.
    """
    groups: dict[str, list[dict]] = defaultdict(list)
    for ticket in tickets:
        groups[key(ticket)].append(ticket)
    rows = [{"key": k, **summarize(v, now)} for k, v in groups.items()]
    rankable = sorted((r for r in rows if r["tickets"] >= min_tickets and r["resolution_rate"] is not None),
                      key=lambda r: (-r["resolution_rate"], -(r["on_time_rate"] or 0), r["key"]))
    ranks = {r["key"]: i for i, r in enumerate(rankable, start=1)}
    for row in rows:
        row["rank"] = ranks.get(row["key"])
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, str(r["key"])))

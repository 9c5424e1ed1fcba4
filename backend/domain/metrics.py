"""Resolution metrics of the county office, as defined in PRODUCT.md, kept as counters.

A ticket counts in the cohort of the Asia/Shanghai day it was created, in one cell of that
day: (department, village, category). `contribution` says what one ticket adds to its cell
given its current fields; the counters hold the sum over all tickets, and a state change
adds `contribution(after) - contribution(before)`. Nothing here looks at action names, so
any new kind of event counts correctly as long as it leaves the ticket's fields right.

Duplicates and invalid tickets are left out of every figure. Medians come from histograms
with a resolution of 0.01 (hours to claim, days to close).
"""
from collections import Counter
from datetime import datetime, timedelta
from functools import lru_cache
from .sla import CHINA
from .states import OPEN_STATES, Outcome, TicketStatus

NO_DEPARTMENT = "-"
COUNTS = ("tickets", "closed", "dispatched", "on_time", "claimed_24h", "reopened", "returned",
          "rated", "satisfied")
# Keys "h<n>": n hundredths of an hour / of a day (a letter first: MongoDB would treat a
# numeric path component as an array index).
HISTOGRAMS = ("claim_hours", "close_days")
# What a ticket snapshot must carry (the Ticket field names).
FIELDS = ("county_code", "status", "outcome", "created_at", "dispatched_at", "first_claim_hours",
          "resolved_at", "due_at", "closed_at", "reopen_count", "return_count",
          "department_code", "village_code", "category", "satisfaction")
# 满意 and 基本满意 (domain.public_reports.SATISFIED_RATINGS): the numerator of satisfaction_rate.
SATISFIED = frozenset({"satisfied", "basically_satisfied"})


def day_key(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y%m%d")


def _safe(code: str | None) -> str:
    # Cell keys become MongoDB field names: no dots, no leading '$'.
    return (code or NO_DEPARTMENT).replace(".", "_").replace("$", "_")


def cell_key(ticket: dict) -> str:
    return "|".join((_safe(ticket.get("department_code")), _safe(ticket["village_code"]),
                     _safe(ticket["category"])))


@lru_cache(maxsize=65536)
def split_cell(key: str) -> dict:
    """The cell's dimensions (cached: a county's cells repeat day after day; do not modify)."""
    department, village, category = key.split("|")
    return {"department": None if department == NO_DEPARTMENT else department,
            "village": village, "township": village[:9], "category": category}


def counted(ticket: dict) -> bool:
    return ticket.get("outcome") not in (Outcome.DUPLICATE, Outcome.INVALID)


def contribution(ticket: dict) -> dict[str, int]:
    """What one ticket adds to its cell: flat paths (`closed`, `claim_hours.h1250`) → count."""
    if not counted(ticket):
        return {}
    out = {"tickets": 1}
    closed = ticket["status"] == TicketStatus.CLOSED
    if closed:
        out["closed"] = 1
        due, resolved = ticket.get("due_at"), ticket.get("resolved_at")
        if due and resolved and resolved <= due:
            out["on_time"] = 1
        if (ticket.get("reopen_count") or 0) > 0:
            out["reopened"] = 1
        if ticket.get("closed_at"):
            days = (ticket["closed_at"] - ticket["created_at"]).total_seconds() / 86400
            out[f"close_days.h{round(days * 100)}"] = 1
    if ticket.get("dispatched_at"):
        out["dispatched"] = 1
        hours = ticket.get("first_claim_hours")
        if hours is not None:
            out[f"claim_hours.h{round(hours * 100)}"] = 1
            if hours <= 24:
                out["claimed_24h"] = 1
        if (ticket.get("return_count") or 0) > 0:
            out["returned"] = 1
    if ticket.get("satisfaction"):  # its latest 回访 rating, whatever its state now
        out["rated"] = 1
        if ticket["satisfaction"] in SATISFIED:
            out["satisfied"] = 1
    return out


def open_due(ticket: dict) -> datetime | None:
    """The deadline of an open counted ticket (the overdue list reads these), else None."""
    if counted(ticket) and ticket["status"] in OPEN_STATES and ticket.get("due_at"):
        return ticket["due_at"]
    return None


class Accumulator:
    """Sums of cells (and open tickets past their deadline) for one group."""

    def __init__(self):
        self.counts = Counter()
        self.histograms: dict[str, dict[str, int]] = {name: {} for name in HISTOGRAMS}
        self.open_overdue = 0

    def add_cell(self, cell: dict) -> None:
        counts, histograms = self.counts, self.histograms
        for name, value in cell.items():
            histogram = histograms.get(name)
            if histogram is None:
                counts[name] += value
            else:
                for bucket, n in value.items():
                    histogram[bucket] = histogram.get(bucket, 0) + n

    @property
    def empty(self) -> bool:
        """Nothing counted (a cell all of whose tickets moved on leaves zeros behind)."""
        return not self.counts["tickets"] and not self.open_overdue

    def metrics(self) -> dict:
        c = self.counts
        return {
            "tickets": c["tickets"],
            "closed": c["closed"],
            "dispatched": c["dispatched"],
            "resolution_rate": _ratio(c["closed"], c["tickets"]),
            "on_time_rate": _ratio(c["on_time"], c["closed"]),
            "claim_24h_rate": _ratio(c["claimed_24h"], c["dispatched"]),
            "reopen_rate": _ratio(c["reopened"], c["closed"]),
            "return_rate": _ratio(c["returned"], c["dispatched"]),
            "rated": c["rated"],
            "satisfaction_rate": _ratio(c["satisfied"], c["rated"]),
            "median_hours_to_claim": _median(self.histograms["claim_hours"]),
            "median_days_to_close": _median(self.histograms["close_days"]),
            "open_overdue": self.open_overdue,
        }


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _median(histogram: dict[str, int]) -> float | None:
    """The median of values kept as {hundredths: count}, as statistics.median would give."""
    items = sorted((int(k[1:]), n) for k, n in histogram.items() if n > 0)
    total = sum(n for _, n in items)
    if not total:
        return None
    wanted = {(total - 1) // 2, total // 2}
    found, seen = [], 0
    for value, n in items:
        for position in sorted(wanted):
            if seen <= position < seen + n:
                found.append(value)
        seen += n
    return round(sum(found) / len(found) / 100, 2)


# The composite score's parts (12345 practice: 响应率 / 解决率 / 满意率): the rate behind each.
SCORE_PARTS = {"response": "claim_24h_rate", "resolution": "resolution_rate",
               "satisfaction": "satisfaction_rate"}


def composite_score(row: dict, weights: dict[str, float]) -> float | None:
    """0-100: the weighted mean of the rates a group has (a rate without a denominator, e.g.
    no ticket rated yet, leaves its weight out rather than counting as zero); None if none."""
    parts = [(weights.get(name, 0), row.get(rate)) for name, rate in SCORE_PARTS.items()]
    parts = [(w, r) for w, r in parts if w > 0 and r is not None]
    total = sum(w for w, _ in parts)
    return round(100 * sum(w * r for w, r in parts) / total, 2) if total else None


def rank(rows: list[dict], min_tickets: int, unranked: frozenset | set = frozenset(),
         by: str = "resolution_rate") -> list[dict]:
    """League table: groups with at least `min_tickets` are ranked by `by` (resolution rate,
    or composite_score), then on-time rate; smaller groups, and the keys in `unranked`, are
    reported unranked (rank None), after the ranked ones, so that one lucky ticket does not
    top the table."""
    rankable = sorted((r for r in rows if r["tickets"] >= min_tickets and r.get(by) is not None
                       and r["key"] not in unranked),
                      key=lambda r: (-r[by], -(r["on_time_rate"] or 0), r["key"]))
    ranks = {r["key"]: i for i, r in enumerate(rankable, start=1)}
    for row in rows:
        row["rank"] = ranks.get(row["key"])
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, str(r["key"])))


def days_between(first: str, last: str) -> list[str]:
    """Day keys from `first` to `last` inclusive (YYYYMMDD)."""
    lo, hi = datetime.strptime(first, "%Y%m%d"), datetime.strptime(last, "%Y%m%d")
    return [(lo + timedelta(days=i)).strftime("%Y%m%d") for i in range((hi - lo).days + 1)]


def summarize(tickets: list[dict], now: datetime) -> dict:
    """Metrics of a list of ticket mappings, through the same contributions as the counters."""
    acc = Accumulator()
    for ticket in tickets:
        acc.add_cell(_nested(contribution(ticket)))
        due = open_due(ticket)
        if due and due < now:
            acc.open_overdue += 1
    return acc.metrics()


def grouped(tickets: list[dict], key, now: datetime, min_tickets: int) -> list[dict]:
    """Metrics per group (`key(ticket)`), as a league table (see `rank`)."""
    groups: dict[str, list[dict]] = {}
    for ticket in tickets:
        groups.setdefault(key(ticket), []).append(ticket)
    return rank([{"key": k, **summarize(v, now)} for k, v in groups.items()], min_tickets)


def _nested(flat: dict[str, int]) -> dict:
    cell: dict = {}
    for path, n in flat.items():
        name, _, bucket = path.partition(".")
        if bucket:
            cell.setdefault(name, {})[bucket] = n
        else:
            cell[name] = n
    return cell

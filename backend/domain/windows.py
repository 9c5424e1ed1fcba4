"""The date windows people may ask figures for: one rule for every report and export.

From 2000-01-01 (no county kept tickets before) to a year after today, `from` not after
`to`. A window outside it is a mistake (0800-01-01, 9999-12-31) and would make the
server count days for nothing.
"""
from datetime import date, timedelta
from .messages import _

EARLIEST = date(2000, 1, 1)
AHEAD = timedelta(days=366)
PLANNED_AHEAD = timedelta(days=5 * 366)   # a single planned day: a 长期 milestone may lie three years on


def latest(today: date) -> date:
    return today + AHEAD


def window_errors(start: date | None, end: date | None, today: date) -> dict[str, list[str]]:
    """Per-field messages for a window that breaks the rule; empty when it is fine."""
    errors: dict[str, list[str]] = {}
    for field, day in (("from", start), ("to", end)):
        if day is not None and not EARLIEST <= day <= latest(today):
            errors[field] = [_("Must lie between %(earliest)s and %(latest)s.", earliest=EARLIEST.isoformat(),
                               latest=latest(today).isoformat())]
    if not errors and start and end and end < start:
        errors["to"] = [_("Must not be before 'from'.")]
    return errors


def day_errors(day: date, today: date) -> list[str]:
    """Messages for one day people type (a deadline, a milestone, a 进驻 or decision day)
    outside 2000-01-01 to five years after today; empty when it is fine. The use may narrow
    it further (no decision in the future, no deadline in the past)."""
    furthest = today + PLANNED_AHEAD
    if EARLIEST <= day <= furthest:
        return []
    return [_("Must lie between %(earliest)s and %(latest)s.", earliest=EARLIEST.isoformat(),
              latest=furthest.isoformat())]

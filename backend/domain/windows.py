"""The date windows people may ask figures for: one rule for every report and export.

From 2000-01-01 (no county kept tickets before) to a year after today, `from` not after
`to`. A window outside it is a mistake (0800-01-01, 9999-12-31) and would make the
server count days for nothing.
"""
from datetime import date, timedelta
from .messages import _

EARLIEST = date(2000, 1, 1)
AHEAD = timedelta(days=366)


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

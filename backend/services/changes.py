"""Change numbers for the sync cursor (GET /api/v1/mobile/sync).

Every write an inspector's phone must learn about stamps the changed document with the next
number of one deployment-wide counter (an atomic `$inc` on one document, so two API
processes never hand out the same number, whatever their clocks say) and the time.

Numbers are handed out before the write that carries them commits, so a reader can see 12
while 11 is still on its way. The cursor therefore never moves past a number younger than
SYNC_SETTLE_SECONDS: below its watermark everything has settled, and the few newer
changes it has already delivered travel in the cursor so they are not sent twice.
"""
from flask import current_app

from ..models import Sequence
from ..models.common import utcnow

KEY = "sync:changes"


def next_seq() -> int:
    return Sequence.objects(key=KEY).modify(upsert=True, new=True, inc__value=1).value


def reserve(count: int) -> int:
    """Reserve `count` consecutive numbers with one $inc; returns the first."""
    return Sequence.objects(key=KEY).modify(upsert=True, new=True, inc__value=count).value - count + 1


def stamp() -> dict:
    """Update arguments that mark a document changed now: `Model.objects(...).update(**stamp())`."""
    return {"set__change_seq": next_seq(), "set__changed_at": utcnow()}


def settle_seconds() -> int:
    return current_app.config["SYNC_SETTLE_SECONDS"]

"""Change numbers for the sync cursor (GET /api/v1/mobile/sync), one counter per county.

Every write an inspector's phone must learn about stamps the changed document with the next
number of its county's counter (an atomic `$inc` on one small document, so two API
processes never hand out the same number, whatever their clocks say) and the time. Writes
in different counties never touch the same counter: no deployment-wide hot spot, and the
counter lives on the county's shard.

Numbers are handed out before the write that carries them commits, so a reader can see 12
while 11 is still on its way. The cursor therefore never moves past a number younger than
SYNC_SETTLE_SECONDS: below its watermark everything has settled, and the few newer
changes it has already delivered travel in the cursor so they are not sent twice.

Each counter has an `epoch`, made when the counter is: a cursor names it, so a cursor from
another database, or from before the data was lost (the embedded demo's restart), is
recognised and answered with a full sync instead of "nothing new" forever.
"""
import uuid

from flask import current_app
from mongoengine.errors import NotUniqueError

from ..models import Sequence
from ..models.common import utcnow
from ..models.sync import SyncCounter

LEGACY_KEY = "sync:changes"  # the one deployment-wide counter before counters per county


def reserve(county_code: str, count: int = 1) -> int:
    """Reserve `count` consecutive numbers of the county with one $inc; returns the first."""
    counter = SyncCounter.objects(id=county_code).modify(new=True, inc__value=count)
    if counter is None:
        _create(county_code)
        counter = SyncCounter.objects(id=county_code).modify(new=True, inc__value=count)
    return counter.value - count + 1


def next_seq(county_code: str) -> int:
    return reserve(county_code, 1)


def _create(county_code: str) -> None:
    """A county's first counter starts above every number the single deployment-wide
    counter of earlier versions handed out, so no change is numbered below a cursor."""
    legacy = Sequence.objects(key=LEGACY_KEY).first()
    try:
        SyncCounter(id=county_code, value=legacy.value if legacy else 0, epoch=uuid.uuid4().hex[:12]).save(
            force_insert=True)
    except NotUniqueError:
        pass  # another process made it first


def counter(county_code: str) -> SyncCounter:
    """The county's counter (made if it is not there yet): its value and epoch."""
    found = SyncCounter.objects(id=county_code).first()
    if found is None:
        _create(county_code)
        found = SyncCounter.objects(id=county_code).first()
    return found


def stamp(county_code: str) -> dict:
    """Update arguments that mark a document of the county changed now:
    `Model.objects(...).update(**stamp(county))`."""
    return {"set__change_seq": next_seq(county_code), "set__changed_at": utcnow()}


def settle_seconds() -> int:
    return current_app.config["SYNC_SETTLE_SECONDS"]

"""Offline-safe sync for inspectors' phones (GET/POST /api/v1/mobile/sync).

Push: a batch of queued findings and check-ins, each with its client_id; every item gets
its own result, so one bad item never sinks the batch.

Pull: what changed since a cursor. Changed documents carry a change number of their
county's counter (services/changes.py); the cursor is `<epoch>:<watermark>` or
`<epoch>:<watermark>.<delivered,...>`: every change numbered up to the watermark has been
delivered, and so have the listed newer ones, which are not old enough yet to be sure that
no smaller number is still being written. A cursor this database cannot honour (another
epoch, numbers it has not reached, unreadable) gets a full sync that says why.
"""
import logging
from datetime import timedelta
from enum import Enum

from ..auth import Actor
from ..errors import Conflict, DomainError, InvalidInput
from ..models import Finding, InspectionTask, Ticket
from ..models.common import utcnow
from ..models.sync import SyncRemoval
from . import changes, findings, tasks, tickets
from ..i18n import _, translated

MAX_BATCH = 50
log = logging.getLogger(__name__)


# ---------------------------------------------------------------- push

def push(actor: Actor, items: list[dict]) -> list[dict]:
    """Store each queued item once. Results in the order sent, one per item: created,
    replayed, conflict or invalid (with the reason and the field errors), or error (our
    fault, logged: the phone keeps the item and sends it again).

    Each item arrives loaded by its schema (`data`), or with the schema's `errors`."""
    results = []
    for item in items:
        kind, client_id = item["type"], str(item["client_id"])
        result = {"type": kind, "client_id": client_id}
        try:
            if item.get("errors"):
                raise InvalidInput(_("Invalid or missing fields; see errors."), errors=item["errors"])
            data = {**item["data"], "client_id": client_id}
            if kind == "finding":
                stored, created = findings.submit(actor, data)
                result.update(ticket_id=str(stored.ticket_id) if stored.ticket_id else None,
                              linked_ticket_id=str(stored.linked_ticket_id) if stored.linked_ticket_id else None,
                              flags=list(stored.flags), nearby_open_tickets=stored.nearby_open_tickets)
            else:
                data = dict(data)
                stored, created = tasks.check_in(actor, data.pop("task_id"), data)
                result["flags"] = list(stored.flags)
            # "revised": a finding sent back in review, resubmitted as its new revision
            status = "created" if created else "revised" if getattr(stored, "revised", False) else "replayed"
            result.update(status=status, id=str(stored.id))
        except Conflict as exc:
            result.update(status="conflict", code=exc.code, reason=translated(exc.message))
        except DomainError as exc:
            result.update(status="invalid", code=exc.code, reason=translated(exc.message),
                          errors=translated(exc.errors))
        except Exception:  # a fault of ours: logged; the phone keeps the item and sends it again
            log.exception("sync item %s (%s) failed", client_id, kind)
            result.update(status="error", code="internal_error",
                          reason="The server could not store this item; it has been logged. Send it again later.")
        results.append(result)
    return results


# ---------------------------------------------------------------- pull

class FullSync(str, Enum):
    """Why a pull answers everything (`full: true`) instead of the changes since a cursor."""
    NO_CURSOR = "no_cursor"                  # the phone's first sync, or it asked for everything
    UNREADABLE = "unreadable_cursor"         # not a cursor this server gives out
    OTHER_DATABASE = "cursor_from_another_database"  # another server's, or from before the data was reset
    AHEAD = "cursor_ahead_of_server"         # names changes this database has not made (restored backup)


def read_cursor(cursor: str | None, counter) -> tuple[tuple[int, set[int]] | None, str | None]:
    """((watermark, delivered), None) for a cursor this database can honour, else
    (None, the reason for a full sync). Cursors are `<epoch>:<watermark>[.<delivered,...>]`."""
    if cursor in (None, ""):
        return None, FullSync.NO_CURSOR.value
    try:
        epoch, numbers = cursor.split(":")
        watermark, _, delivered = numbers.partition(".")
        parsed = int(watermark), {int(s) for s in delivered.split(",") if s}
    except ValueError:
        return None, FullSync.UNREADABLE.value
    if epoch != counter.epoch:
        return None, FullSync.OTHER_DATABASE.value
    if parsed[0] < 0 or max([parsed[0], *parsed[1]]) > counter.value:
        return None, FullSync.AHEAD.value
    return parsed, None


def _format_cursor(epoch: str, watermark: int, delivered: set[int]) -> str:
    numbers = f"{watermark}.{','.join(str(s) for s in sorted(delivered))}" if delivered else str(watermark)
    return f"{epoch}:{numbers}"


def pull(actor: Actor, since: str | None, limit: int) -> dict:
    """Tasks, findings and tickets of this inspector changed since the cursor (all of them
    without one), removals, and the next cursor. At most `limit` changes per page
    (`has_more` says to ask again at once with the new cursor)."""
    counter = changes.counter(actor.county_code)
    parsed, full_reason = read_cursor(since, counter)
    full = parsed is None
    watermark, delivered_before = parsed or (0, set())
    newer = {} if full else {"change_seq__gt": watermark}

    task_ids = [t.id for t in InspectionTask.objects(county_code=actor.county_code,
                                                     inspector_ids=actor.id).only("id")]
    found = []  # (seq, kind, document)
    for task in InspectionTask.objects(county_code=actor.county_code, inspector_ids=actor.id, **newer):
        found.append((task.change_seq or 0, "task", task))
    for finding in Finding.objects(inspector_id=actor.id, county_code=actor.county_code, **newer):
        found.append((finding.change_seq or 0, "finding", finding))
    ticket_query = Ticket.objects(tickets.scope(actor), task_id__in=task_ids, **newer).exclude("events", "routing_trace")
    for ticket in ticket_query:
        found.append((ticket.change_seq or 0, "ticket", ticket))
    for removal in SyncRemoval.objects(inspector_id=actor.id, **newer):
        # A full sync replaces what the phone keeps: older removals count as delivered.
        found.append((removal.change_seq, "skip" if full else "removed", removal))
    found.sort(key=lambda item: (item[0], item[1]))

    fresh = [item for item in found if item[0] == 0 or item[0] not in delivered_before]
    page, has_more = fresh, False
    if len(fresh) > limit:
        cut = limit
        while cut < len(fresh) and fresh[cut][0] == 0:  # unnumbered (older) documents all come at once
            cut += 1
        page, has_more = fresh[:cut], cut < len(fresh)
    last = page[-1][0] if page else None

    # Advance the watermark to the newest settled change among those delivered (now or
    # before): everything numbered below it was handed out earlier and has been written.
    settled_before = utcnow() - timedelta(seconds=changes.settle_seconds())
    delivered = {seq for seq, _, _ in page if seq} | {seq for seq, _, _ in found if seq in delivered_before}
    settled = [seq for seq, kind, doc in found
               if seq in delivered and doc.changed_at is not None and doc.changed_at <= settled_before
               and not (has_more and seq > last)]  # never past changes still waiting for the next page
    new_watermark = max([watermark, *settled])
    remaining = {seq for seq in delivered if seq > new_watermark}

    out = {"tasks": [], "findings": [], "tickets": [], "removed": []}
    for _seq, kind, doc in page:
        if kind == "skip":
            continue
        if kind == "removed":
            out["removed"].append({"kind": doc.kind, "id": str(doc.object_id), "reason": doc.reason})
        else:
            out[f"{kind}s"].append(doc)
    out.update(cursor=_format_cursor(counter.epoch, new_watermark, remaining), has_more=has_more, full=full,
               full_reason=full_reason)
    return out

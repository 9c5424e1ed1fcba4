"""Files built by a background job and fetched through their link: the ledger exports and
the monthly 通报. One document per request holds the county, the status (queued → running →
done | failed), the error and the file (GridFS); these two functions queue it and build it,
the same way for both."""
from collections.abc import Callable

from ..errors import Conflict
from ..models.common import utcnow


def queue(doc, job: str, job_id: str, unavailable: str):
    """Save `doc` (status queued) and queue `job(doc id)` on the exports queue; when the
    queue cannot take it, nothing is kept and the caller gets a 409 `unavailable`."""
    from ..queue import EXPORTS, enqueue

    doc.save()
    if enqueue(job, str(doc.id), queue=EXPORTS, job_id=job_id.format(id=doc.id)) is None:
        doc.delete()
        raise Conflict(unavailable, code="queue_unavailable")
    return doc


def build(model, doc_id: str, make: Callable) -> object | None:
    """Build the file of `model` `doc_id` with `make(doc) -> (bytes, content type, filename,
    {field: value})`. Safe to run twice: a finished one is left as it is; a failure is kept
    on the document (status failed, the error) and raised for the job's retry."""
    doc = model.objects(id=doc_id).first()
    if doc is None or doc.status == "done":
        return doc
    model.objects(id=doc.id).update_one(set__status="running")
    try:
        data, content_type, filename, fields = make(doc)
        doc.file.put(data, content_type=content_type, filename=filename)
        for name, value in fields.items():
            setattr(doc, name, value)
        doc.status, doc.finished_at, doc.error = "done", utcnow(), None
    except Exception as exc:
        doc.status, doc.error, doc.finished_at = "failed", str(exc)[:500], utcnow()
        doc.save()
        raise
    doc.save()
    return doc

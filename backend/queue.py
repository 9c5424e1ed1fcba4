"""The one way services hand work to the background: RQ queues on Redis.

Services enqueue a job by its dotted path (`"workers.jobs.route_ticket"`), so nothing here
imports the workers: jobs call services, services never import jobs. Enqueueing never fails
a user's request: if Redis is down the job is skipped and a periodic sweep picks up what
was left behind (tickets stay `pending_routing`, photos `processing`).

Production runs a forking worker per queue (deploy/: routing, notifications, media, exports
and default), and the scheduler with `rq cron workers.cron` (see README).
"""
import logging

from flask import after_this_request, current_app, has_request_context
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import JobStatus

from .observability import current_request_id

ROUTING = "routing"              # one job per new ticket: what users wait for, never starved
NOTIFICATIONS = "notifications"  # one delivery per notification and channel (webhook, SMS)
MEDIA = "media"                  # photo derivation (web version, thumbnail): heavier, can lag behind
EXPORTS = "exports"              # ledger exports: long, rare
DEFAULT = "default"              # the periodic sweeps and 回头看 sampling
QUEUE_NAMES = (ROUTING, NOTIFICATIONS, MEDIA, EXPORTS, DEFAULT)  # a worker on several takes them in this order

# A job with one of these statuses will still run: enqueueing it again would only repeat it.
WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED}

log = logging.getLogger(__name__)


def enqueue(func_path: str, *args, queue: str = DEFAULT, job_id: str | None = None,
            retry: Retry | None = None, at=None, connection=None) -> str | None:
    """Enqueue `func_path(*args)`; return the job id, or None if Redis could not take it.

    With a `job_id`, a job of that id that is still waiting to run is left alone. With `at`
    (an aware datetime), the job waits in the scheduled registry until then. The Redis
    connection is the app's unless one is given."""
    meta = {"request_id": current_request_id()}  # the logs of the job name the request that made it
    try:
        q = Queue(queue, connection=connection or current_app.extensions["redis"])
        if job_id:
            waiting = q.fetch_job(job_id)
            if waiting is not None and waiting.get_status(refresh=False) in WAITING:
                return waiting.id
        if at is not None:
            return q.enqueue_at(at, func_path, *args, job_id=job_id, retry=retry, meta=meta,
                                result_ttl=3600, failure_ttl=7 * 24 * 3600).id
        job = q.enqueue_call(func_path, args=args, job_id=job_id, retry=retry, meta=meta,
                             result_ttl=3600, failure_ttl=7 * 24 * 3600)
        if queue == ROUTING:
            _route_after_response(q, job.id, func_path, args)
        return job.id
    except RedisError as exc:
        log.warning("could not enqueue %s%r on %s (%s); the sweep will retry", func_path, args, queue, exc)
        return None


def _route_after_response(q: Queue, job_id: str, func_path: str, args: tuple) -> None:
    """Routing never starves behind the requests (ROUTE_AFTER_RESPONSE, on by default). The
    request that opened a ticket routes it on its own thread once its answer has gone out,
    before the thread takes another request, so routing keeps pace with submissions however
    busy the database is. The queued job stays the safety net: removed once this succeeded,
    harmless if a worker got to it first (routing is idempotent), and it is what retries a
    failure (the routing workers, or the embedded runner)."""
    if not (has_request_context() and current_app.config["ROUTE_AFTER_RESPONSE"]):
        return
    app = current_app._get_current_object()

    @after_this_request
    def route_once_answered(response):
        response.call_on_close(lambda: _run_now(app, q, job_id, func_path, args))
        return response


def _run_now(app, q: Queue, job_id: str, func_path: str, args: tuple) -> None:
    from rq.utils import import_attribute
    try:
        import_attribute(func_path)(*args)
    except Exception:
        log.exception("routing %r after the response failed; the queued job will retry", args)
        return
    try:
        if q.remove(job_id):  # still waiting: nothing left for it to do
            job = q.fetch_job(job_id)
            if job is not None:
                job.delete(remove_from_queue=False)
    except RedisError:
        pass

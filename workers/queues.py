"""Queue names and the one way to enqueue.

Production: `rq worker --with-scheduler routing default media` (see README). Enqueueing never
fails a user's request: if Redis is down the job is skipped and a periodic sweep picks up
whatever was left behind (tickets stay `pending_routing`).
"""
import logging

from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import JobStatus

from . import runtime

ROUTING = "routing"
DEFAULT = "default"
MEDIA = "media"      # photo derivation (web version, thumbnail): heavier, can lag behind
QUEUE_NAMES = (ROUTING, DEFAULT, MEDIA)

log = logging.getLogger(__name__)


def get_queue(name: str) -> Queue:
    return Queue(name, connection=runtime.redis())


# A job with one of these statuses will still run: enqueueing it again would only repeat it.
WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED}


def enqueue(func_path: str, *args, queue: str = DEFAULT, job_id: str | None = None,
            retry: Retry | None = None, at=None) -> str | None:
    """Enqueue `func_path(*args)`; return the job id, or None if Redis could not take it.

    With a `job_id`, a job of that id that is still waiting to run is left alone. With `at`
    (an aware datetime), the job waits in the scheduled registry until then."""
    try:
        q = get_queue(queue)
        if job_id:
            waiting = q.fetch_job(job_id)
            if waiting is not None and waiting.get_status(refresh=False) in WAITING:
                return waiting.id
        if at is not None:
            return q.enqueue_at(at, func_path, *args, job_id=job_id, retry=retry,
                                result_ttl=3600, failure_ttl=7 * 24 * 3600).id
        job = q.enqueue_call(func_path, args=args, job_id=job_id, retry=retry,
                             result_ttl=3600, failure_ttl=7 * 24 * 3600)
        return job.id
    except RedisError as exc:
        log.warning("could not enqueue %s%r on %s (%s); the sweep will retry", func_path, args, queue, exc)
        return None

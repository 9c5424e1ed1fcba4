"""Queue names and the one way to enqueue.

Production: `rq worker --with-scheduler routing default` (see README). Enqueueing never
fails a user's request: if Redis is down the job is skipped and a periodic sweep picks up
whatever was left behind (tickets stay `pending_routing`).
"""
import logging

from redis.exceptions import RedisError
from rq import Queue, Retry

from . import runtime

ROUTING = "routing"
DEFAULT = "default"
QUEUE_NAMES = (ROUTING, DEFAULT)

log = logging.getLogger(__name__)


def get_queue(name: str) -> Queue:
    return Queue(name, connection=runtime.redis())


def enqueue(func_path: str, *args, queue: str = DEFAULT, job_id: str | None = None,
            retry: Retry | None = None) -> str | None:
    """Enqueue `func_path(*args)`; return the job id, or None if Redis could not take it."""
    try:
        job = get_queue(queue).enqueue_call(func_path, args=args, job_id=job_id, retry=retry,
                                            result_ttl=3600, failure_ttl=7 * 24 * 3600)
        return job.id
    except RedisError as exc:
        log.warning("could not enqueue %s%r on %s (%s); the sweep will retry", func_path, args, queue, exc)
        return None

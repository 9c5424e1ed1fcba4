"""The queues as the workers (and tests) see them. Services enqueue through `backend.queue`."""
from rq import Queue

from backend.queue import DEFAULT, EXPORTS, MEDIA, NOTIFICATIONS, QUEUE_NAMES, ROUTING  # noqa: F401 (the names, for workers)

from . import runtime


def get_queue(name: str) -> Queue:
    return Queue(name, connection=runtime.redis())

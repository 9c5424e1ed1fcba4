"""A real forking RQ worker in its own process, for the worker-dies-mid-job story.

This process builds its own app (on mongomock, which another process cannot see, or on the
MONGODB_URI the suite runs against, in a database of its own), stores one webhook notification, enqueues its delivery (retried without back-off) and
runs a forking `Worker` in burst mode against the Redis it is given. The test process kills
the work horse while it is sending and watches the webhook receiver.

    python tests/fork_worker.py <redis url> <webhook url>
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(redis_url: str, webhook_url: str) -> None:
    from rq import Worker

    from backend import create_app
    from backend.services import notifications
    from workers.queues import QUEUE_NAMES, get_queue

    # On mongomock, JOBS_IN_PROCESS keeps the work horse on the data it inherits at fork
    # (reconnecting, as a production horse does, would give it an empty mongomock). Over
    # the wire the horse reconnects, as in production.
    wire = bool(os.environ.get("MONGODB_URI"))
    app = create_app({"REDIS_URL": redis_url, "JOBS_IN_PROCESS": not wire, "MONGODB_DB": "fork_worker",
                      "SECRET_KEY": "fork-worker-test-secret-thirty-two-chars", "NOTIFY_CHANNELS": ["webhook"],
                      "WEBHOOK_URL": webhook_url, "WEBHOOK_SECRET": "k"})
    if wire:  # a database of its own, empty at every run
        import mongoengine
        from backend.models import Notification
        Notification.objects.delete()
        assert mongoengine.get_db().name == "fork_worker"
    notifications.DELIVERY_RETRY = (0, 0)  # retry at once: no scheduler in a burst worker
    with app.app_context():
        notifications.publish(key="fork-test", kind="remind", county_code="371323", department_code=None,
                              audience="office", tickets=[])
    print("enqueued", flush=True)
    worker = Worker([get_queue(n) for n in QUEUE_NAMES], connection=app.extensions["redis"])
    worker.work(burst=True, logging_level="WARNING")
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

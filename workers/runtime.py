"""Where jobs find the application, and the in-process runner of the embedded mode.

A forking `rq worker` imports the job functions without any app: `app()` then builds one
from the environment. In the embedded mode and in tests the app already exists in this
process (MongoDB is mongomock, which other processes cannot see) and is bound here.
"""
import logging
import os
import threading
import time

from rq import SimpleWorker, Worker
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

log = logging.getLogger(__name__)
_app = None
_pid = None


def bind(app) -> None:
    global _app, _pid
    _app, _pid = app, os.getpid()


def app():
    """The application for jobs. In a forked work horse, MongoDB is connected again:
    a MongoClient must not be shared across fork()."""
    global _pid
    if _app is None:
        from backend import create_app
        create_app()  # binds itself
    elif _pid != os.getpid() and not _app.config["JOBS_IN_PROCESS"]:
        from backend.extensions import connect_mongo, connect_redis
        connect_mongo(_app.config, create_indexes=False)  # the parent made them
        _app.extensions["redis"] = connect_redis(_app.config)
        _pid = os.getpid()
    return _app


class _CarriesRequestId:
    """A job's logs carry the id of the request that enqueued it (backend/observability.py)."""

    def perform_job(self, job, *args, **kwargs):
        from backend.observability import request_id_var
        token = request_id_var.set((job.meta or {}).get("request_id") or f"job:{job.id}")
        try:
            return super().perform_job(job, *args, **kwargs)
        finally:
            request_id_var.reset(token)


class AppWorker(_CarriesRequestId, Worker):
    """The production worker: builds the app once before forking, so that each job's
    work horse starts with everything imported (`rq worker -w workers.runtime.AppWorker`).
    Its logs follow the app's format (JSON in production)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        flask_app = app()
        from backend.observability import configure_logging
        if not flask_app.testing:
            configure_logging(flask_app.config)


class RoutingWorker(_CarriesRequestId, SimpleWorker):
    """The routing queue's worker: jobs run in the worker process itself, one after the
    other, on its open MongoDB connection (`rq worker -w workers.runtime.RoutingWorker
    routing`). A routing job is a few milliseconds of work; forking a work horse and
    connecting to MongoDB again for each would cost more than the job and let routing fall
    behind a burst of submissions. The job takes ids, has a time limit and is retried, so
    a forked horse's isolation buys little here; the other queues keep forking workers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        flask_app = app()
        from backend.observability import configure_logging
        if not flask_app.testing:
            configure_logging(flask_app.config)


def redis():
    return app().extensions["redis"]


class ThreadWorker(_CarriesRequestId, SimpleWorker):
    """A SimpleWorker that can live in a thread: no signal handlers, timer-based timeouts."""
    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self):
        pass


def start_in_process(flask_app, stop: threading.Event | None = None) -> threading.Event:
    """Run the queues and the periodic jobs inside this process (embedded mode)."""
    from .queues import QUEUE_NAMES, get_queue
    from .jobs import (sample_lookback, sweep_deadlines, sweep_pending_routing,
                       sweep_processing_photos, sweep_reply_clocks)

    stop = stop or threading.Event()
    connection = flask_app.extensions["redis"]

    def work():
        worker = ThreadWorker([get_queue(n) for n in QUEUE_NAMES], connection=connection)
        while not stop.is_set():
            try:
                worker.work(burst=True, logging_level="WARNING")
            except Exception:  # Redis gone: keep the thread alive and try again
                log.exception("in-process worker stopped; restarting in 2 s")
                stop.wait(2)
            stop.wait(0.05)

    periodic = [(sweep_pending_routing, "ROUTING_SWEEP_INTERVAL_SECONDS"),
                (sweep_processing_photos, "ROUTING_SWEEP_INTERVAL_SECONDS"),  # lost media jobs
                (sweep_deadlines, "SLA_SWEEP_INTERVAL_SECONDS"),
                (sweep_reply_clocks, "SLA_SWEEP_INTERVAL_SECONDS"),  # clues, suggestions, rectification
                (sample_lookback, "LOOKBACK_INTERVAL_SECONDS")]

    def tick():
        scheduler = RQScheduler(list(QUEUE_NAMES), connection=connection)
        next_run = [0.0] * len(periodic)
        while not stop.is_set():
            try:
                scheduler.acquire_locks()
                scheduler.enqueue_scheduled_jobs()  # retries waiting for their interval
            except Exception:
                log.exception("in-process scheduler tick failed")
            for i, (job, interval_setting) in enumerate(periodic):
                if time.monotonic() < next_run[i]:
                    continue
                try:
                    job()
                except Exception:
                    log.exception("in-process periodic job %s failed", job.__name__)
                next_run[i] = time.monotonic() + flask_app.config[interval_setting]
            stop.wait(1)

    for target, name in ((work, "rq-in-process"), (tick, "rq-scheduler-in-process")):
        threading.Thread(target=target, name=name, daemon=True).start()
    return stop

"""Is this deployment alive, ready, and keeping up? (/healthz, /readyz, /metrics)

Liveness asks nothing of anyone: the process answers. Readiness asks MongoDB and Redis to
answer a ping and, where workers are required (production), that every queue has a worker
whose heartbeat is fresh, so a proxy or an orchestrator sends users only to an API that
can do their work.
"""
import time
from datetime import UTC, datetime, timedelta

import mongoengine
from flask import current_app
from rq import Queue, Worker

from ..domain.states import DEADLINE_STATES
from ..models import Ticket
from ..queue import QUEUE_NAMES

_cache: dict = {}
FIGURES_TTL_SECONDS = 15  # scrapes from several Prometheus servers share one read


def readiness() -> tuple[bool, dict]:
    """(ready, what each check found)."""
    checks = {"mongodb": _check(lambda: mongoengine.get_db().command("ping")),
              "redis": _check(lambda: current_app.extensions["redis"].ping())}
    ready = all(c["ok"] for c in checks.values())
    if checks["redis"]["ok"]:
        workers = live_workers()
        required = current_app.config["READY_REQUIRES_WORKERS"]
        missing = [q for q in QUEUE_NAMES if not workers.get(q)]
        checks["workers"] = {"ok": not (required and missing), "per_queue": workers,
                             **({"missing": missing} if missing else {}),
                             **({} if required else {"required": False})}
        ready = ready and checks["workers"]["ok"]
    return ready, checks


def _check(probe) -> dict:
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # any failure means not ready; say which
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def live_workers() -> dict[str, int]:
    """Per queue, the workers whose heartbeat is younger than WORKER_HEARTBEAT_MAX_AGE_SECONDS."""
    oldest = datetime.now(UTC) - timedelta(seconds=current_app.config["WORKER_HEARTBEAT_MAX_AGE_SECONDS"])
    counts = {q: 0 for q in QUEUE_NAMES}
    for worker in Worker.all(connection=current_app.extensions["redis"]):
        if worker.last_heartbeat is not None and worker.last_heartbeat >= oldest:
            for name in worker.queue_names():
                if name in counts:
                    counts[name] += 1
    return counts


def operating_figures() -> dict:
    """Queue depths, failed jobs and live workers (Redis), routing lag and overdue tickets
    (MongoDB; indexed by status). Read at most every FIGURES_TTL_SECONDS."""
    if _cache.get("until", 0) > time.monotonic():
        return _cache["figures"]
    redis = current_app.extensions["redis"]
    workers = live_workers()
    queues = {}
    for name in QUEUE_NAMES:
        queue = Queue(name, connection=redis)
        queues[name] = {"depth": queue.count, "failed": queue.failed_job_registry.count,
                        "workers": workers[name]}
    pending = Ticket.objects(status="pending_routing")
    oldest = pending.order_by("created_at").only("created_at").first()
    figures = {
        "queues": queues,
        "pending_routing": pending.count(),
        "routing_lag_seconds": max(0.0, (datetime.now(UTC) - oldest.created_at).total_seconds()) if oldest else 0.0,
        "overdue_tickets": Ticket.objects(status__in=sorted(DEADLINE_STATES), overdue=True).count(),
    }
    _cache.update(figures=figures, until=time.monotonic() + FIGURES_TTL_SECONDS)
    return figures

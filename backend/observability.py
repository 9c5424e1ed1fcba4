"""Logs, request ids and metrics: what the people running a deployment see.

- Logs: one JSON object a line in production (`LOG_FORMAT=json`, python-json-logger),
  plain lines in the embedded mode; every line carries the request id.
- Request id: taken from the proxy's `X-Request-ID` (when it looks like one) or made here,
  sent back in the answer, stored in the meta of every job the request enqueues
  (backend/queue.py), and set again around the job in the worker (workers/runtime.py), so
  one id follows a finding from the phone to its routing and notifications.
- Metrics (`GET /metrics`, Prometheus' text format, prometheus-client): request latency;
  and, read when scraped, queue depth, failed jobs, live workers, routing lag and overdue
  tickets. Under gunicorn with several processes, PROMETHEUS_MULTIPROC_DIR makes the
  request histogram add up across them (deploy/gunicorn.conf.py sets it).
"""
import contextvars
import logging
import os
import re
import sys
import time
import uuid

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")

REQUEST_SECONDS = Histogram(
    "xuncha_http_request_duration_seconds", "Time to answer an HTTP request.",
    ["method", "endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

log = logging.getLogger("xuncha.requests")


# ---------------------------------------------------------------- logs

class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def log_handler(stream=None, fmt: str = "json") -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter
        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    return handler


def configure_logging(config: dict) -> None:
    """The root logger writes to stderr (journald, docker logs) in the configured format."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_xuncha", False):
            root.removeHandler(handler)
    handler = log_handler(fmt=config["LOG_FORMAT"])
    handler._xuncha = True
    root.addHandler(handler)
    root.setLevel(config["LOG_LEVEL"])


def current_request_id() -> str | None:
    return request_id_var.get()


# ---------------------------------------------------------------- requests

def init_app(app: Flask) -> None:
    if not app.testing:
        configure_logging(app.config)

    @app.before_request
    def start():
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if _REQUEST_ID.match(sent) else uuid.uuid4().hex
        g.request_token = request_id_var.set(g.request_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def finish(response):
        if "request_started" not in g:
            return response
        elapsed = time.perf_counter() - g.request_started
        endpoint = request.url_rule.rule if request.url_rule else "(unmatched)"
        REQUEST_SECONDS.labels(request.method, endpoint, str(response.status_code)).observe(elapsed)
        response.headers["X-Request-ID"] = g.request_id
        log.info("%s %s %s", request.method, endpoint, response.status_code,
                 extra={"method": request.method, "path": request.path, "status": response.status_code,
                        "duration_ms": round(elapsed * 1000, 1)})
        return response

    @app.teardown_request
    def forget(_exc):
        token = g.pop("request_token", None)
        if token is not None:
            request_id_var.reset(token)


# ---------------------------------------------------------------- metrics

class StateCollector:
    """Figures read when scraped: from Redis (queues, workers) and MongoDB (tickets)."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        from .services import health
        with self.app.app_context():
            state = health.operating_figures()
        depth = GaugeMetricFamily("xuncha_queue_depth", "Jobs waiting in a queue.", labels=["queue"])
        failed = GaugeMetricFamily("xuncha_failed_jobs", "Jobs in a queue's failed registry (kept 7 days).",
                                   labels=["queue"])
        workers = GaugeMetricFamily("xuncha_workers", "Workers with a fresh heartbeat listening to a queue.",
                                    labels=["queue"])
        for queue, figures in state["queues"].items():
            depth.add_metric([queue], figures["depth"])
            failed.add_metric([queue], figures["failed"])
            workers.add_metric([queue], figures["workers"])
        yield from (depth, failed, workers)
        yield GaugeMetricFamily("xuncha_routing_lag_seconds",
                                "Age of the oldest ticket waiting to be routed (0: none waiting).",
                                value=state["routing_lag_seconds"])
        yield GaugeMetricFamily("xuncha_tickets_pending_routing", "Tickets waiting to be routed.",
                                value=state["pending_routing"])
        yield GaugeMetricFamily("xuncha_overdue_tickets", "Open tickets past their deadline.",
                                value=state["overdue_tickets"])


def metrics_response(app: Flask) -> Response:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_RequestCollector())
    registry.register(StateCollector(app))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class _RequestCollector:
    """This process's request histogram (single-process servers: the demo, tests)."""

    def collect(self):
        yield from REQUEST_SECONDS.collect()

"""What the people running a deployment see: liveness, readiness, metrics, JSON logs
with a request id that follows the request into its jobs."""
import io
import json
import logging

import redis as redis_lib
from rq import Worker

from backend import observability
from backend.services import health
from workers.queues import QUEUE_NAMES, ROUTING, get_queue
from workers.runtime import ThreadWorker


def test_liveness_asks_nothing_of_anyone(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_readiness_needs_mongodb_redis_and_a_live_worker_on_every_queue(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "READY_REQUIRES_WORKERS", True)
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["checks"]["mongodb"]["ok"] and body["checks"]["redis"]["ok"]
    assert body["checks"]["workers"]["missing"] == list(QUEUE_NAMES)

    worker = Worker(list(QUEUE_NAMES), connection=app.extensions["redis"])
    worker.register_birth()
    worker.heartbeat()
    try:
        r = client.get("/readyz")
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["checks"]["workers"]["per_queue"] == {q: 1 for q in QUEUE_NAMES}
    finally:
        worker.register_death()

    monkeypatch.setitem(app.extensions, "redis", redis_lib.Redis(port=1, socket_connect_timeout=0.2))
    r = client.get("/readyz")
    assert r.status_code == 503
    assert not r.get_json()["checks"]["redis"]["ok"] and "ConnectionError" in r.get_json()["checks"]["redis"]["error"]


def test_metrics_show_latency_queues_routing_lag_and_overdue(api, submit, client, monkeypatch):
    monkeypatch.setattr(health, "_cache", {})
    assert submit().status_code == 201
    text = client.get("/metrics").get_data(as_text=True)
    assert 'xuncha_http_request_duration_seconds_count{endpoint="/api/v1/mobile/findings",method="POST",status="201"}' in text
    assert 'xuncha_queue_depth{queue="routing"} 1.0' in text
    assert "xuncha_tickets_pending_routing 1.0" in text
    assert "xuncha_overdue_tickets 0.0" in text
    lag = float(next(line for line in text.splitlines() if line.startswith("xuncha_routing_lag_seconds ")).split()[1])
    assert 0 <= lag < 60
    assert 'xuncha_failed_jobs{queue="routing"} 0.0' in text


def test_a_request_id_is_logged_as_json_and_follows_the_request_into_its_job(api, submit, app):
    stream = io.StringIO()
    handler = observability.log_handler(stream, "json")
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        payload_id = "phone-req-0001"
        r = api.client.post("/api/v1/mobile/findings", json=_payload(api),
                            headers={**api.headers("inspector1"), "X-Request-ID": payload_id})
        assert r.status_code == 201 and r.headers["X-Request-ID"] == payload_id
        [job_id] = get_queue(ROUTING).job_ids
        assert get_queue(ROUTING).fetch_job(job_id).meta["request_id"] == payload_id
        ThreadWorker([get_queue(ROUTING)], connection=app.extensions["redis"]).work(burst=True)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    request_line = next(line for line in lines if line.get("path") == "/api/v1/mobile/findings")
    assert request_line["request_id"] == payload_id and request_line["status"] == 201
    assert request_line["level"] == "INFO" and "duration_ms" in request_line
    routed = next(line for line in lines if line["logger"] == "backend.services.tickets")
    assert routed["request_id"] == payload_id and routed["status"] == "dispatched"

    r = api.client.get("/api/v1/me", headers={**api.headers("inspector1"), "X-Request-ID": "bad id with spaces"})
    assert len(r.headers["X-Request-ID"]) == 32 and r.headers["X-Request-ID"] != "bad id with spaces"


def _payload(api):
    from conftest import finding_payload
    return finding_payload(api.task_id("inspector1"))

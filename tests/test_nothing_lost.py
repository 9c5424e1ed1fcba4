"""Nothing lost, nothing twice, against real Redis: a Redis that stops while findings come
in, jobs that raise, and a work horse killed in the middle of a job."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis as redis_lib
from rq.job import Job

from backend.models import Ticket
from lifecycle_helpers import Receiver, events, free_port, release_scheduled
from workers.jobs import sweep_pending_routing
from workers.queues import NOTIFICATIONS, ROUTING, get_queue

HERE = Path(__file__).resolve().parent


class PrivateRedis:
    """A redis-server of this test's own, which it may stop and start again."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        client = redis_lib.Redis(port=self.port)
        for _ in range(200):
            try:
                if client.ping():
                    return
            except redis_lib.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError("private redis-server did not start")

    def stop(self):
        self.process.kill()
        self.process.wait()

    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def private_redis(app, monkeypatch):
    server = PrivateRedis()
    server.start()
    monkeypatch.setitem(app.extensions, "redis", redis_lib.Redis.from_url(
        server.url(), socket_connect_timeout=0.5, socket_timeout=2))
    yield server
    server.stop()


def test_redis_stopped_while_findings_come_in_every_ticket_is_routed_once(app, api, submit, run_jobs,
                                                                          private_redis, monkeypatch):
    api.token("inspector1")
    api.task_id("inspector1")
    private_redis.stop()
    ids = []
    for i in range(5):
        r = submit(title=f"道路坑洼 {i}")
        assert r.status_code == 201, r.get_json()
        ids.append(r.get_json()["ticket_id"])
    assert {t.status for t in Ticket.objects(id__in=ids)} == {"pending_routing"}
    assert sweep_pending_routing() == 0  # Redis is still down: nothing enqueued, nothing fails

    private_redis.start()
    monkeypatch.setitem(app.config, "ROUTING_SWEEP_GRACE_SECONDS", 0)
    assert sweep_pending_routing() == 5
    assert sweep_pending_routing() == 5  # the same five jobs, still waiting: none added
    assert get_queue(ROUTING).count == 5
    assert run_jobs() == 5
    assert sweep_pending_routing() == 0
    for ticket_id in ids:
        assert [e["to_status"] for e in events(api, ticket_id, "route")] == ["dispatched"]


def test_a_routing_job_that_raises_is_retried_and_routes_once(app, api, submit, run_jobs, monkeypatch):
    from backend.services import routing
    real, calls = routing.decide_for, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return real(*args, **kwargs)

    monkeypatch.setattr(routing, "decide_for", flaky)
    ticket_id = submit().get_json()["ticket_id"]
    run_jobs()
    assert Ticket.objects.get(id=ticket_id).status == "pending_routing"
    assert get_queue(ROUTING).scheduled_job_registry.count == 1  # its retry waits for the back-off
    release_scheduled()
    run_jobs()
    release_scheduled()
    run_jobs()
    assert [e["action"] for e in events(api, ticket_id)] == ["open", "route"]
    assert len(calls) == 2


def test_a_notification_job_that_raises_is_retried_and_sent_once(app, api, submit, run_jobs, monkeypatch):
    from backend.models import Notification
    from backend.services import notifications
    calls = []

    def flaky_log(notification):
        calls.append(notification.id)
        if len(calls) == 1:
            raise OSError("log shipper unavailable")
        return "sent"

    monkeypatch.setitem(notifications.SENDERS, "log", flaky_log)
    with app.app_context():
        n = notifications.publish(key="k1", kind="remind", county_code="371323", department_code="transport",
                                  audience="department", tickets=[])
        assert notifications.publish(key="k1", kind="remind", county_code="371323", department_code="transport",
                                     audience="department", tickets=[]).id == n.id
    run_jobs()
    release_scheduled()
    run_jobs()
    release_scheduled()
    run_jobs()
    assert len(calls) == 2
    assert Notification.objects.get(id=n.id).deliveries["log"] == {
        "status": "sent", "attempts": 2, "at": Notification.objects.get(id=n.id).deliveries["log"]["at"]}


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def test_a_work_horse_killed_mid_job_is_retried_and_the_webhook_is_delivered_once(app):
    """A real forking worker (another process) against real Redis; the receiver holds the
    first delivery open while the test kills the work horse with SIGKILL."""
    receiver = Receiver(hold_first=True)
    url = app.config["REDIS_URL"]
    worker = subprocess.Popen([sys.executable, str(HERE / "fork_worker.py"), url, receiver.url],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(HERE.parent)})
    try:
        assert receiver.first_arrived.wait(60), worker.stderr.read() if worker.poll() is not None else "no request"
        horses = _children(worker.pid)
        assert len(horses) == 1
        os.kill(horses[0], signal.SIGKILL)
        receiver.release.set()
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
    finally:
        if worker.poll() is None:
            worker.kill()
        receiver.close()
    assert len(receiver.requests) == 2 and len(receiver.acknowledged) == 1
    [first, second] = receiver.requests
    assert first["headers"]["X-Xuncha-Notification-Id"] == second["headers"]["X-Xuncha-Notification-Id"]
    queue = get_queue(NOTIFICATIONS)
    job = Job.fetch(f"notify-{second['headers']['X-Xuncha-Notification-Id']}-webhook", connection=queue.connection)
    assert job.get_status() == "finished" and job.retries_left == 1
    assert queue.failed_job_registry.count == 0

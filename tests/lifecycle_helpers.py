"""Shared steps of the lifecycle stories: a dispatched ticket, the sweep at a given moment,
a local HTTP receiver for webhooks and SMS, and releasing jobs that wait for a retry."""
import json
import socket
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rq.job import Job

from workers.queues import QUEUE_NAMES, get_queue


def dispatched(api, submit, run_jobs, **overrides) -> dict:
    r = submit(**overrides)
    assert r.status_code == 201, r.get_json()
    run_jobs()
    ticket = api.get(f"/api/v1/tickets/{r.get_json()['ticket_id']}", as_="office").get_json()
    assert ticket["status"] == "dispatched", ticket
    return ticket


def at(iso: str, **delta) -> str:
    """A moment `delta` after the ticket's clock point `iso`."""
    return (datetime.fromisoformat(iso) + timedelta(**delta)).isoformat()


def events(api, ticket_id, action=None) -> list[dict]:
    found = api.get(f"/api/v1/tickets/{ticket_id}", as_="office").get_json()["events"]
    return [e for e in found if action is None or e["action"] == action]


def release_scheduled() -> int:
    """Move every job waiting in a scheduled registry (a retry's back-off) to its queue now."""
    moved = 0
    for name in QUEUE_NAMES:
        queue = get_queue(name)
        registry = queue.scheduled_job_registry
        for job_id in registry.get_job_ids():
            registry.remove(job_id)
            queue.enqueue_job(Job.fetch(job_id, connection=queue.connection))
            moved += 1
    return moved


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """An HTTP endpoint that records what it is sent; `fail_first` answers 500 that many times;
    `hold_first` keeps the first request waiting until `release` is set."""

    def __init__(self, fail_first: int = 0, hold_first: bool = False):
        self.requests: list[dict] = []
        self.acknowledged: list[dict] = []
        self.fail_first, self.hold_first = fail_first, hold_first
        self.first_arrived, self.release = threading.Event(), threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                record = {"headers": dict(self.headers), "body": body, "json": json.loads(body)}
                receiver.requests.append(record)
                if receiver.hold_first and len(receiver.requests) == 1:
                    receiver.first_arrived.set()
                    receiver.release.wait(30)
                    return  # the sender is gone: nothing is acknowledged
                failing = len(receiver.requests) <= receiver.fail_first
                self.send_response(500 if failing else 200)
                self.end_headers()
                self.wfile.write(b"{}")
                if not failing:
                    receiver.acknowledged.append(record)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

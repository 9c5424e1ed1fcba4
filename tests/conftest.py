"""Test fixtures: one app per session, a clean database and Redis for every test.

Redis is real (TEST_REDIS_URL, default redis://127.0.0.1:6379/15); MongoDB is mongomock
unless MONGODB_URI is set, in which case the same suite runs against that server over TCP
(`make test-mongo`: a wire-protocol server), with the jobs run by a forking RQ worker in
another process (tests/job_runner.py), as in production.
"""
import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from datetime import UTC, datetime, timedelta

import mongoengine
import pytest
from redis import Redis
from rq import SimpleWorker

import mongo_features

WIRE = bool(os.environ.get("MONGODB_URI"))
# Before the app connects: every command of every client is recorded (see mongo_features).
mongo_features.install() if WIRE else mongo_features.install_mongomock()

from backend import create_app, embedded_mongo  # noqa: E402
from backend.services import demo  # noqa: E402
from workers.queues import QUEUE_NAMES, get_queue  # noqa: E402

PASSWORD = "test-password"
# The real data (villages, photos): SHARED_DATA_DIR, or ../shared/data beside the checkout
# (CI lays a copy there too). Without it the suite stops at once and says where it looked.
SHARED_DATA = Path(os.environ.get("SHARED_DATA_DIR")
                   or Path(__file__).resolve().parents[2] / "shared" / "data")
PHOTOS = SHARED_DATA / "photos"
if not (PHOTOS.is_dir() and (SHARED_DATA / "divisions").is_dir()):
    pytest.exit(f"The shared test data (photos/, divisions/) is not at {SHARED_DATA}: put the shared folder "
                "beside the checkout, or set SHARED_DATA_DIR to its data folder.", returncode=4)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def app():
    overrides = {"REDIS_URL": REDIS_URL, "JOBS_IN_PROCESS": False, "ROUTE_AFTER_RESPONSE": False, "TESTING": True,
                 "MONGODB_DB": os.environ.get("TEST_MONGODB_DB", "xuncha_test"),
                 "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "DEMO_PASSWORD": PASSWORD,
                 "SECRET_KEY": "test-secret-of-at-least-thirty-two-characters"}
    application = create_app(overrides)
    redis = application.extensions["redis"]
    try:
        redis.ping()
    except Exception as exc:  # fail loudly: the suite needs a real Redis
        pytest.exit(f"Redis at {REDIS_URL} does not answer ({exc}); start it (see README).", returncode=3)
    return application


def _collections(db) -> list[str]:
    return [name for name in db.list_collection_names() if not name.startswith("system.")]


@pytest.fixture(scope="session")
def demo_snapshot(app):
    """The demo county loaded once; each test starts from a copy of these documents."""
    db = mongoengine.get_db()
    for name in _collections(db):
        db[name].delete_many({})
    with app.app_context():
        demo.load(PASSWORD, with_round=False)  # the demo round: tests/test_rounds.py loads it
        # Stories about other steps resolve with a note alone; the default (an evidence photo
        # is required) is restored and tested in test_evidence_required.py.
        from backend.domain.codes import Category
        from backend.models import Setting
        for category in Category:
            Setting(id=f"evidence:371323:{category.value}", flag=0).save()
    return {name: list(db[name].find()) for name in _collections(db)}


@pytest.fixture(autouse=True)
def clean(app, demo_snapshot):
    """Every test starts from the demo county and nothing else, with empty queues.

    Over the wire only the collections written since the last reset (by this process or
    the worker's horses, as recorded by mongo_features) are put back: each insert costs a
    wire-protocol server O(collection size), and most tests never touch the villages."""
    db = mongoengine.get_db()
    if WIRE:
        mongo_features.drain_worker_reports(app.extensions["redis"])
        names = set(mongo_features.written)  # the demo's load was recorded too
    else:  # mongomock lists no collection a test emptied: the snapshot's are named too
        names = set(_collections(db)) | set(demo_snapshot)
    for name in names:
        db[name].delete_many({})
        if documents := demo_snapshot.get(name):
            _restore(db[name], documents)
    mongo_features.written.clear()
    app.extensions["redis"].flushdb()
    yield


def _restore(collection, documents: list[dict]) -> None:
    """Put the snapshot's documents back: an insert_many, or on mongomock a write into its
    store (its inserts scan the collection for every unique index: O(n²))."""
    if embedded_mongo.is_embedded(collection):
        embedded_mongo.restore(collection, documents)
    else:
        collection.insert_many([dict(d) for d in documents])


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def job_runner(app):
    """Over the wire: the forking RQ worker in its own process (tests/job_runner.py)."""
    if not WIRE:
        yield None
        return
    here = Path(__file__).resolve().parent
    env = {**os.environ, "REDIS_URL": REDIS_URL, "MONGODB_DB": app.config["MONGODB_DB"],
           "SECRET_KEY": app.config["SECRET_KEY"], "PYTHONPATH": str(here.parent), "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([sys.executable, str(here / "job_runner.py")], env=env,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready", "tests/job_runner.py did not start"
    threading.Thread(target=process.stdout.read, daemon=True).start()  # never let its pipe fill up
    yield process
    app.extensions["redis"].rpush("xuncha-test:run-jobs", json.dumps({"stop": True}))
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def run_jobs(app, job_runner, request):
    """Run every queued job through RQ. On mongomock in this process (its data lives here);
    over the wire in the forking worker's process, unless the test patches code or settings
    with `monkeypatch` (what it patched exists only here)."""
    in_process = job_runner is None or "monkeypatch" in request.fixturenames

    def run() -> int:
        """Returns how many jobs ran (including failed ones)."""
        queues = [get_queue(n) for n in QUEUE_NAMES]
        before = sum(q.finished_job_registry.count + q.failed_job_registry.count for q in queues)
        if in_process:
            worker = SimpleWorker(queues, connection=app.extensions["redis"])
            worker.work(burst=True, logging_level="WARNING")
        else:
            redis = Redis.from_url(REDIS_URL, socket_timeout=330)  # redis-py's default (5 s) ends a long wait
            reply = f"xuncha-test:jobs-done:{uuid.uuid4().hex}"
            redis.rpush("xuncha-test:run-jobs", json.dumps({"reply": reply}))
            assert redis.blpop([reply], timeout=300), "the forking worker did not answer"
            assert job_runner.poll() is None, "the forking worker's process died"
            mongo_features.drain_worker_reports(redis)
        return sum(q.finished_job_registry.count + q.failed_job_registry.count for q in queues) - before
    return run


class Api:
    """A thin HTTP helper: log in as a demo user and call the API as them."""

    def __init__(self, client):
        self.client = client
        self._tokens = {}

    def token(self, username: str) -> str:
        if username not in self._tokens:
            r = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.get_json()
            self._tokens[username] = r.get_json()["access_token"]
        return self._tokens[username]

    def headers(self, username: str | None) -> dict:
        return {"Authorization": f"Bearer {self.token(username)}"} if username else {}

    def get(self, path, as_=None, **kw):
        return self.client.get(path, headers=self.headers(as_), **kw)

    def post(self, path, as_=None, **kw):
        return self.client.post(path, headers=self.headers(as_), **kw)

    def put(self, path, as_=None, **kw):
        return self.client.put(path, headers=self.headers(as_), **kw)

    def patch(self, path, as_=None, **kw):
        return self.client.patch(path, headers=self.headers(as_), **kw)

    def delete(self, path, as_=None, **kw):
        return self.client.delete(path, headers=self.headers(as_), **kw)

    def task_id(self, username="inspector1", index=0) -> str:
        tasks = self.get("/api/v1/mobile/tasks", as_=username).get_json()
        return sorted(tasks, key=lambda t: t["name"])[index]["id"]


@pytest.fixture
def api(client):
    return Api(client)


def finding_payload(task_id: str, **overrides) -> dict:
    """A complete, valid finding as a phone would send it."""
    payload = {
        "client_id": str(uuid.uuid4()),
        "task_id": task_id,
        "village_code": "371323001001",
        "category": "livelihood",
        "severity": "general",
        "title": "村内主干道路面坑洼",
        "description": "阳东社区东侧道路路面坑洼严重，雨天积水，群众出行不便。",
        "location": {"lat": 35.79, "lon": 118.63, "accuracy_m": 12.0},
        "observed_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "fact_basis": "现场查看，路面坑洼约200米，走访群众5人。",
        "policy_basis": "《山东省农村公路条例》第十二条",
        "responsibility_basis": "县交通运输局负责农村公路养护管理。",
        # 立行立改: the demo county dispatches marked findings before review (边巡边改)
        "immediate": True,
    }
    payload.update(overrides)
    return payload


def approve_as_clue(api, finding_id: str, reviewer: str = "office") -> dict:
    """The reviewer types a misconduct 底稿 entry a clue (线索): it is registered in the clue
    loop. The office reviews the entries of tasks outside any round (the demo's)."""
    entries = api.get("/api/v1/reviews", as_=reviewer, query_string={"page_size": 100}).get_json()
    entry = next(e for e in entries if e["source_id"] == finding_id)
    r = api.post(f"/api/v1/reviews/{entry['id']}/approve", as_=reviewer, json={"problem_type": "clue"})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@pytest.fixture
def submit(api):
    """Submit a finding as an inspector; returns the response."""
    def do(username="inspector1", task_index=0, **overrides):
        payload = finding_payload(api.task_id(username, task_index), **overrides)
        return api.post("/api/v1/mobile/findings", as_=username, json=payload)
    do.api = api
    return do


@pytest.fixture(autouse=True)
def counters_match_tickets(app, clean):
    """After every test the office's live counters equal counters rebuilt from the tickets."""
    yield
    from backend.services import counters, rectification_counters
    with app.app_context():
        problems = counters.check()
        round_problems = rectification_counters.check()
    assert not problems, "counters differ from the tickets:\n" + "\n".join(problems[:20])
    assert not round_problems, "round counters differ from the problems:\n" + "\n".join(round_problems[:20])
    from backend.services import accountability, clues, suggestions
    with app.app_context():
        problems = [p for t in (clues.TALLIES, suggestions.TALLIES, accountability.TALLIES) for p in t.check()]
    assert not problems, "figures differ from their documents:\n" + "\n".join(problems[:20])
    from backend.services.consistency import check_rounds
    with app.app_context():
        logs = list(check_rounds())
    assert not logs, "states differ from their event logs:\n" + "\n".join(map(str, logs[:20]))


def pytest_sessionfinish(session, exitstatus):
    if out := os.environ.get("XUNCHA_FEATURES_OUT"):
        Path(out).write_text(json.dumps(mongo_features.seen, indent=1, sort_keys=True), encoding="utf-8")


def pytest_collection_modifyitems(session, config, items):
    """The check of every query the session sent runs after all the others."""
    last = [item for item in items if item.name == "test_every_query_of_the_session_uses_only_allowed_features"]
    items[:] = [item for item in items if item not in last] + last

"""Benchmark: sustained finding submissions, and how long routing takes to dispatch them.

What it measures, against the embedded demo server (mongomock + in-process RQ jobs,
gunicorn with 8 threads; the request that opens a ticket routes it once answered) on
loopback, or against ``--base-url`` (e.g. the demo on MongoDB with separate workers):

0. In this process first: database round trips of a submission and of its routing with
   the county holding ``--county-sizes`` tickets, and the time split into the engine's
   share (mongomock) and the product's (see ``round_trips_by_county_size``).

1. Finding submissions: ``--threads`` threads, each with its own ``requests.Session``,
   POST ``/api/v1/mobile/findings`` as ``inspector1`` for ``--duration`` seconds. Each
   submission is a new finding (new client_id) that opens a ticket. The categories and
   texts vary so that different routing rules fire (transport, agriculture, civil affairs,
   water resources). Reported: findings submitted, findings/s, p50/p95 latency, errors
   (anything but 201, or a 201 without a ticket_id).
2. Submission -> dispatched: routing is a background RQ job. After the load phase the
   script waits (at most ``--routing-timeout`` s) until none of the submitted tickets is
   still ``pending_routing``, counts how the tickets ended (dispatched / triage / still
   pending), then reads up to ``--sample`` tickets as ``office`` and takes, per ticket,
   the ``at`` of its ``route`` event minus its ``created_at`` (both server clock).
3. ``GET /api/v1/me`` throughput with the same thread count for ``--me-duration`` s, as a
   baseline for the cheapest authenticated request; the report ends with the ratio
   findings/s / (GET /me req/s).

Unless ``--base-url`` is given, the script starts the demo server itself
(``.venv/bin/flask --app backend demo run --port <port>``, cwd = project root), waits for
``GET /api/v1/me`` to answer 401, and always terminates it at the end. The server's output
goes to a temporary file (outside the repository); the report summarises tracebacks,
5xx responses and warnings found in it. Only loopback addresses are accepted.

Run (from the project root):

    .venv/bin/python bench/submit_findings.py                    # 30 s, 8 threads
    .venv/bin/python bench/submit_findings.py --duration 5 --me-duration 3 --json
    .venv/bin/python bench/submit_findings.py --base-url http://127.0.0.1:5000

Exit status: 0 when all went well; 1 when any submission failed or any ticket is still
``pending_routing`` at the end (or a GET /me failed); 2 when the server could not be
started or logged into.

Standard library + requests only.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_ERRORS_KEPT = 5
HARD_CAP_PER_THREAD = 1_000_000  # loops stop on time; this only bounds them in count too

# Each submission uses one of these, in turn, so that different routing rules fire.
VARIANTS = [
    {"category": "livelihood", "severity": "general", "title": "村内道路路面坑洼",
     "description": "道路路面坑洼，雨天积水", "policy_basis": "农村公路条例",
     "responsibility_basis": "交通运输局"},                      # -> transport
    {"category": "living_environment", "severity": "general", "title": "村口垃圾长期堆放",
     "description": "村口垃圾长期堆放未及时清运，影响村容村貌", "policy_basis": "农村人居环境整治提升行动方案",
     "responsibility_basis": "农业农村局"},                      # -> agriculture
    {"category": "benefit_policy", "severity": "serious", "title": "低保对象认定不规范",
     "description": "部分低保对象家庭收入超标仍在享受低保，名单未按规定公示", "policy_basis": "社会救助暂行办法",
     "responsibility_basis": "民政局"},                          # -> civil_affairs
    {"category": "livelihood", "severity": "general", "title": "自来水供水不稳定",
     "description": "村内自来水经常停水，饮水保障不足", "policy_basis": "农村供水工程管理办法",
     "responsibility_basis": "水利局"},                          # -> water_resources
]


# ---------------------------------------------------------------- small helpers

def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (0 < p < 100), linear interpolation; None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")  # cuts[k-1] = k-th percentile
    return cuts[int(p) - 1]


def per_window(done_at_s: list[float], elapsed_s: float, window_s: float) -> list[float]:
    """Completions per second in consecutive windows of `window_s` (the last may be shorter)."""
    windows = max(1, int(-(-elapsed_s // window_s)))
    counts = [0] * windows
    for t in done_at_s:
        counts[min(int(t // window_s), windows - 1)] += 1
    spans = [min(window_s, elapsed_s - k * window_s) or window_s for k in range(windows)]
    if windows > 1 and spans[-1] < window_s / 2:  # fold a short tail into the window before
        counts[-2] += counts.pop()
        spans[-2] += spans.pop()
    return [c / span for c, span in zip(counts, spans)]


def fmt_ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} ms"


def fmt_rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}/s"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " …"


class BenchError(RuntimeError):
    """The benchmark cannot go on (server down, login refused, …)."""


# ---------------------------------------------------------------- the server

class DemoServer:
    """`flask --app backend demo run` as a subprocess; output to a temporary file."""

    def __init__(self, port: int, startup_timeout: float):
        self.port = port
        self.startup_timeout = startup_timeout
        self.base_url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="submit_findings_server_", suffix=".log",
                                               delete=False)
        self.log_path = Path(self.log.name)

    def start(self) -> None:
        flask = ROOT / ".venv" / "bin" / "flask"
        if not flask.exists():
            flask = Path(shutil.which("flask") or "flask")
        env = dict(os.environ, PORT=str(self.port), PYTHONUNBUFFERED="1")
        # Embedded mode only: in-process mongomock and queue, nothing outside this machine.
        env.pop("MONGODB_URI", None)
        env.pop("REDIS_URL", None)
        self.proc = subprocess.Popen(
            [str(flask), "--app", "backend", "demo", "run", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"the server exited with status {self.proc.returncode} while starting; "
                                 f"see {self.log_path}:\n{self.tail()}")
            try:
                if requests.get(f"{self.base_url}/api/v1/me", timeout=2).status_code == 401:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.25)
        raise BenchError(f"the server did not answer GET /api/v1/me with 401 within "
                         f"{self.startup_timeout:.0f} s; see {self.log_path}:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3})')
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def summarize_server_log(path: Path) -> dict:
    """Tracebacks, 5xx responses and warnings/errors in the server's output."""
    text = ANSI.sub("", path.read_text(encoding="utf-8", errors="replace"))
    lines = text.splitlines()
    statuses: dict[str, int] = {}
    five_xx = []
    notable = []
    tracebacks = []
    i = 0
    while i < len(lines):
        line = lines[i]
        match = ACCESS_LINE.search(line)
        if match:
            statuses[match["status"]] = statuses.get(match["status"], 0) + 1
            if match["status"].startswith("5"):
                five_xx.append(line.strip())
        elif line.startswith("Traceback"):
            block = [line]
            i += 1
            while i < len(lines):
                nxt = lines[i]
                if nxt.startswith((" ", "\t", "Traceback", "During handling", "The above exception")) \
                        or not nxt.strip():
                    block.append(nxt)
                    i += 1
                    continue
                block.append(nxt)  # an exception line: the chain goes on if a link follows
                i += 1
                j = i
                while j < len(lines) and not lines[j].strip():
                    j += 1
                if j < len(lines) and lines[j].startswith(("During handling", "The above exception")):
                    continue
                break
            tracebacks.append("\n".join(line for line in block).rstrip())
            continue
        elif re.search(r"\b(ERROR|CRITICAL|Exception|WARNING|warning)\b", line) \
                and "development server" not in line:
            notable.append(line.strip())
        i += 1
    return {"path": str(path), "lines": len(lines), "access_statuses": statuses,
            "five_xx": five_xx, "tracebacks": tracebacks, "notable": notable}


FRAME = re.compile(r'^\s+File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)')


def condense_traceback(tb: str) -> list[str]:
    """A chained traceback in a few lines: the exceptions in order, then the project's frames."""
    lines = tb.splitlines()
    chain = [ln.strip() for ln in lines if ln and not ln.startswith((" ", "\t", "Traceback", "During handling",
                                                                      "The above exception"))]
    frames = []
    for ln in lines:
        m = FRAME.match(ln)
        if m and "/site-packages/" not in m["file"] and str(ROOT) in m["file"]:
            where = f"{Path(m['file']).relative_to(ROOT)}:{m['line']} in {m['func']}"
            if where not in frames:
                frames.append(where)
    return (["exceptions: " + "  ->  ".join(short(c, 120) for c in chain)]
            + (["project frames: " + ", ".join(frames)] if frames else []))


# ---------------------------------------------------------------- the API client

def login(base_url: str, username: str, password: str, timeout: float) -> str:
    resp = requests.post(f"{base_url}/api/v1/auth/token",
                         json={"username": username, "password": password}, timeout=timeout)
    if resp.status_code != 200:
        raise BenchError(f"login as {username} failed: {resp.status_code} {short(resp.text)}")
    return resp.json()["access_token"]


def session_for(token: str) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    return s


def finding_body(task: dict, n: int, rng: random.Random) -> dict:
    variant = VARIANTS[n % len(VARIANTS)]
    return {
        "client_id": str(uuid.uuid4()),
        "task_id": task["id"],
        "village_code": rng.choice(task["village_codes"]),
        "category": variant["category"],
        "severity": variant["severity"],
        "title": variant["title"],
        "description": variant["description"],
        "location": {"lat": 35.79, "lon": 118.63, "accuracy_m": 10},
        "observed_at": datetime.now(timezone.utc).isoformat(),
        "fact_basis": "现场查看",
        "policy_basis": variant["policy_basis"],
        "responsibility_basis": variant["responsibility_basis"],
        "immediate": True,  # 立行立改: the demo county dispatches it before review (边巡边改)
    }


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)  # successful requests only
    done_at_s: list[float] = field(default_factory=list)     # their completion, s after the start
    ticket_ids: list[str] = field(default_factory=list)
    requests: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    started: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.error_samples) < MAX_ERRORS_KEPT:
                self.error_samples.append(text)


def run_threads(threads: int, duration: float, worker) -> LoadResult:
    """Run `worker(index, session_result, deadline)` on `threads` threads until `duration` is over."""
    result = LoadResult()
    start_gate = threading.Barrier(threads + 1)
    deadline_box: list[float] = []

    def body(index: int):
        start_gate.wait()
        worker(index, result, deadline_box[0])

    pool = [threading.Thread(target=body, args=(i,), name=f"bench-{i}", daemon=True) for i in range(threads)]
    for t in pool:
        t.start()
    started = time.monotonic()
    result.started = started
    deadline_box.append(started + duration)
    start_gate.wait()
    for t in pool:
        t.join()
    result.elapsed_s = time.monotonic() - started
    return result


def submit_findings(base_url: str, token: str, tasks: list[dict], threads: int, duration: float,
                    timeout: float, rate: float = 0.0) -> LoadResult:
    """Submit as fast as the server answers, or paced at `rate` findings/s in all."""
    interval = threads / rate if rate > 0 else 0.0

    def worker(index: int, result: LoadResult, deadline: float):
        rng = random.Random(index)
        next_at = time.monotonic() + interval * index / threads
        session = session_for(token)
        url = f"{base_url}/api/v1/mobile/findings"
        n = index  # threads start at different variants
        latencies, ticket_ids, done_at = [], [], []
        try:
            while time.monotonic() < deadline and n - index < HARD_CAP_PER_THREAD:
                if interval:
                    time.sleep(max(0.0, next_at - time.monotonic()))
                    next_at += interval
                    if time.monotonic() >= deadline:
                        break
                body = finding_body(tasks[n % len(tasks)], n, rng)
                n += 1
                t0 = time.perf_counter()
                try:
                    resp = session.post(url, json=body, timeout=timeout)
                except requests.RequestException as exc:
                    result.error(f"POST /mobile/findings raised {type(exc).__name__}: {exc}")
                    continue
                ms = (time.perf_counter() - t0) * 1000
                if resp.status_code != 201:
                    result.error(f"POST /mobile/findings -> {resp.status_code}: {short(resp.text)}")
                    continue
                ticket_id = resp.json().get("ticket_id")
                if not ticket_id:
                    result.error(f"POST /mobile/findings -> 201 without ticket_id: {short(resp.text)}")
                    continue
                latencies.append(ms)
                ticket_ids.append(ticket_id)
                done_at.append(time.monotonic() - result.started)
        finally:
            session.close()
            with result.lock:
                result.requests += n - index
                result.latencies_ms.extend(latencies)
                result.ticket_ids.extend(ticket_ids)
                result.done_at_s.extend(done_at)

    return run_threads(threads, duration, worker)


def hammer_me(base_url: str, token: str, threads: int, duration: float, timeout: float) -> LoadResult:
    def worker(index: int, result: LoadResult, deadline: float):
        session = session_for(token)
        url = f"{base_url}/api/v1/me"
        count, latencies = 0, []
        try:
            while time.monotonic() < deadline and count < HARD_CAP_PER_THREAD:
                count += 1
                t0 = time.perf_counter()
                try:
                    resp = session.get(url, timeout=timeout)
                except requests.RequestException as exc:
                    result.error(f"GET /me raised {type(exc).__name__}: {exc}")
                    continue
                ms = (time.perf_counter() - t0) * 1000
                if resp.status_code != 200:
                    result.error(f"GET /me -> {resp.status_code}: {short(resp.text)}")
                    continue
                latencies.append(ms)
        finally:
            session.close()
            with result.lock:
                result.requests += count
                result.latencies_ms.extend(latencies)

    return run_threads(threads, duration, worker)


def list_ticket_ids(session: requests.Session, base_url: str, status: str, timeout: float,
                    max_pages: int = 2000) -> tuple[set[str] | None, int]:
    """Ids of all tickets with `status` (office view), and the total the first page announced.
    The ids are None when the listing moved under us (items were routed while paging), so the
    caller polls again."""
    ids: set[str] = set()
    expected = None
    for page in range(1, max_pages + 1):
        resp = session.get(f"{base_url}/api/v1/tickets",
                           params={"status": status, "page": page, "page_size": 100}, timeout=timeout)
        if resp.status_code != 200:
            raise BenchError(f"GET /tickets?status={status}&page={page} -> {resp.status_code}: {short(resp.text)}")
        pagination = json.loads(resp.headers.get("X-Pagination", "{}") or "{}")
        if expected is None:
            expected = pagination.get("total", 0)
        items = resp.json()
        ids.update(t["id"] for t in items)
        if not items or page >= pagination.get("last_page", page):
            break
    return (ids if len(ids) == expected else None), (expected or 0)


def wait_for_routing(session: requests.Session, base_url: str, ours: set[str], timeout_s: float,
                     http_timeout: float) -> tuple[set[str], float, int]:
    """Poll until none of `ours` is pending_routing, or `timeout_s` is over.
    Returns (our tickets still pending, seconds waited, how many were pending at the start)."""
    started = time.monotonic()
    pending = set(ours)
    at_start = None
    while True:
        listed, total = list_ticket_ids(session, base_url, "pending_routing", http_timeout)
        if at_start is None:  # the listing is county-wide: exact on a fresh demo server
            at_start = len(listed & ours) if listed is not None else min(total, len(ours))
        if listed is not None:
            pending = listed & ours
            if not pending:
                break
        if time.monotonic() - started >= timeout_s:
            break
        time.sleep(0.5)
    return pending, time.monotonic() - started, at_start


def read_dispatch_latencies(base_url: str, token: str, ticket_ids: list[str], threads: int,
                            timeout: float) -> tuple[list[float], list[float], dict[str, int], list[str]]:
    """Read the tickets; return (ms to dispatched, ms to triage, statuses seen, problems)."""
    local = threading.local()
    sessions: list[requests.Session] = []
    sessions_lock = threading.Lock()

    def read(ticket_id: str):
        if not hasattr(local, "session"):
            local.session = session_for(token)
            with sessions_lock:
                sessions.append(local.session)
        try:
            resp = local.session.get(f"{base_url}/api/v1/tickets/{ticket_id}", timeout=timeout)
        except requests.RequestException as exc:
            return ticket_id, None, f"GET /tickets/{ticket_id} raised {type(exc).__name__}: {exc}"
        if resp.status_code != 200:
            return ticket_id, None, f"GET /tickets/{ticket_id} -> {resp.status_code}: {short(resp.text)}"
        return ticket_id, resp.json(), None

    to_dispatched, to_triage, statuses, problems = [], [], {}, []
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for ticket_id, ticket, problem in pool.map(read, ticket_ids):
            if problem:
                problems.append(problem)
                continue
            statuses[ticket["status"]] = statuses.get(ticket["status"], 0) + 1
            routes = [e for e in ticket.get("events", []) if e.get("action") == "route"]
            if not routes:
                continue
            ms = (parse_time(routes[0]["at"]) - parse_time(ticket["created_at"])).total_seconds() * 1000
            (to_dispatched if routes[0].get("to_status") == "dispatched" else to_triage).append(ms)
    for s in sessions:
        s.close()
    return to_dispatched, to_triage, statuses, problems


# ---------------------------------------------------------------- the run

def check_loopback(base_url: str) -> str:
    parsed = urlparse(base_url)
    if parsed.scheme != "http" or parsed.hostname not in LOOPBACK_HOSTS:
        raise SystemExit(f"--base-url must be an http:// loopback address (127.0.0.1), got {base_url!r}")
    return base_url.rstrip("/").removesuffix("/api/v1")


def run(args) -> dict:
    base_url = args.base_url
    password = os.environ.get("DEMO_PASSWORD", "demo12345")
    t = args.request_timeout

    inspector = login(base_url, "inspector1", password, t)
    office = login(base_url, "office", password, t)
    with session_for(inspector) as s:
        resp = s.get(f"{base_url}/api/v1/mobile/tasks", params={"page_size": 100}, timeout=t)
    if resp.status_code != 200:
        raise BenchError(f"GET /mobile/tasks -> {resp.status_code}: {short(resp.text)}")
    tasks = [task for task in resp.json() if task.get("village_codes")]
    if not tasks:
        raise BenchError("inspector1 has no inspection task with villages")

    pace = f", paced at {args.rate:g}/s" if args.rate else ", as fast as the server answers"
    print(f"Submitting findings for {args.duration:g} s on {args.threads} threads{pace} …", flush=True)
    load = submit_findings(base_url, inspector, tasks, args.threads, args.duration, t, args.rate)

    ours = set(load.ticket_ids)
    print(f"Waiting (at most {args.routing_timeout:g} s) for {len(ours)} tickets to be routed …", flush=True)
    with session_for(office) as s:
        pending, waited, pending_after_load = wait_for_routing(s, base_url, ours, args.routing_timeout, t)
        counts = {"dispatched": 0, "triage": 0, "pending_routing": len(pending)}
        for status in ("dispatched", "triage"):
            listed = None
            for _attempt in range(5):  # routing has settled; a moving listing is unlikely
                listed, _total = list_ticket_ids(s, base_url, status, t)
                if listed is not None:
                    break
            counts[status] = len((listed or set()) & ours)
    counts["other"] = len(ours) - sum(counts.values())

    sample = list(ours) if len(ours) <= args.sample else random.Random(0).sample(sorted(ours), args.sample)
    print(f"Reading {len(sample)} tickets as office …", flush=True)
    to_dispatched, to_triage, sample_statuses, read_problems = read_dispatch_latencies(
        base_url, office, sample, args.threads, t)

    print(f"GET /me for {args.me_duration:g} s on {args.threads} threads …", flush=True)
    me = hammer_me(base_url, inspector, args.threads, args.me_duration, t)

    findings_ok = len(load.latencies_ms)
    findings_rate = findings_ok / load.elapsed_s if load.elapsed_s else None
    me_rate = len(me.latencies_ms) / me.elapsed_s if me.elapsed_s else None
    window = 5.0 if args.duration >= 15 else 1.0
    drained = pending_after_load - len(pending)
    return {
        "base_url": base_url,
        "duration_s": args.duration,
        "threads": args.threads,
        "rate": args.rate,
        "load_elapsed_s": round(load.elapsed_s, 3),
        "findings_attempted": load.requests,
        "findings_submitted": findings_ok,
        "findings_per_s": findings_rate,
        "submit_p50_ms": percentile(load.latencies_ms, 50),
        "submit_p95_ms": percentile(load.latencies_ms, 95),
        "submit_max_ms": max(load.latencies_ms, default=None),
        "findings_per_s_window_s": window,
        "findings_per_s_by_window": [round(x, 1) for x in per_window(load.done_at_s, load.elapsed_s, window)],
        "errors": load.errors,
        "error_samples": load.error_samples,
        "routing_wait_s": round(waited, 3),
        "pending_after_load": pending_after_load,
        "routed_per_s_during_load": (len(ours) - pending_after_load) / load.elapsed_s if load.elapsed_s else None,
        "routed_per_s_after_load": drained / waited if waited and drained > 0 else None,
        "tickets": len(ours),
        "ticket_status": counts,
        "dispatch_sample": len(sample),
        "dispatch_sample_status": sample_statuses,
        "dispatch_read_problems": read_problems[:MAX_ERRORS_KEPT],
        "dispatch_read_problem_count": len(read_problems),
        "to_dispatched_n": len(to_dispatched),
        "to_dispatched_p50_ms": percentile(to_dispatched, 50),
        "to_dispatched_p95_ms": percentile(to_dispatched, 95),
        "to_dispatched_max_ms": max(to_dispatched, default=None),
        "to_triage_n": len(to_triage),
        "to_triage_p50_ms": percentile(to_triage, 50),
        "me_duration_s": args.me_duration,
        "me_elapsed_s": round(me.elapsed_s, 3),
        "me_requests": len(me.latencies_ms),
        "me_per_s": me_rate,
        "me_p50_ms": percentile(me.latencies_ms, 50),
        "me_p95_ms": percentile(me.latencies_ms, 95),
        "me_errors": me.errors,
        "me_error_samples": me.error_samples,
        "ratio_findings_to_me": (findings_rate / me_rate) if findings_rate and me_rate else None,
    }


def report(r: dict, server_log: dict | None) -> None:
    st = r["ticket_status"]
    lines = [
        "",
        "=== submit_findings benchmark ===",
        f"server                       {r['base_url']}",
        f"duration                     {r['duration_s']:g} s (measured {r['load_elapsed_s']:.2f} s)",
        f"threads                      {r['threads']}",
        f"target rate                  {str(r['rate']) + '/s' if r['rate'] else 'none (as fast as answered)'}",
        "",
        "-- POST /api/v1/mobile/findings",
        f"findings submitted (201)     {r['findings_submitted']}  (of {r['findings_attempted']} attempted)",
        f"findings/s                   {fmt_rate(r['findings_per_s'])}",
        f"findings/s per {r['findings_per_s_window_s']:g} s window    "
        + " ".join(f"{x:g}" for x in r["findings_per_s_by_window"]),
        f"latency p50 / p95 / max      {fmt_ms(r['submit_p50_ms'])} / {fmt_ms(r['submit_p95_ms'])} / "
        f"{fmt_ms(r['submit_max_ms'])}",
        f"errors                       {r['errors']}",
    ]
    lines += [f"  e.g. {e}" for e in r["error_samples"]]
    lines += [
        "",
        "-- submission -> dispatched (route event at - ticket created_at, server clock)",
        f"pending when the load ended  {r['pending_after_load']}",
        f"waited for routing           {r['routing_wait_s']:.2f} s",
        f"routing rate                 {fmt_rate(r['routed_per_s_during_load'])} during the load, "
        f"{fmt_rate(r['routed_per_s_after_load'])} after it",
        f"tickets                      {r['tickets']}: dispatched {st['dispatched']}, triage {st['triage']}, "
        f"pending_routing {st['pending_routing']}, other {st['other']}",
        f"tickets read (sample)        {r['dispatch_sample']}"
        + (f"  ({r['dispatch_read_problem_count']} reads failed)" if r["dispatch_read_problem_count"] else ""),
        f"to dispatched p50 / p95 / max {fmt_ms(r['to_dispatched_p50_ms'])} / {fmt_ms(r['to_dispatched_p95_ms'])} / "
        f"{fmt_ms(r['to_dispatched_max_ms'])}  (n={r['to_dispatched_n']})",
    ]
    if r["to_triage_n"]:
        lines.append(f"to triage p50               {fmt_ms(r['to_triage_p50_ms'])}  (n={r['to_triage_n']})")
    lines += [f"  e.g. {e}" for e in r["dispatch_read_problems"]]
    lines += [
        "",
        f"-- GET /api/v1/me ({r['me_duration_s']:g} s, measured {r['me_elapsed_s']:.2f} s)",
        f"requests                     {r['me_requests']}",
        f"req/s                        {fmt_rate(r['me_per_s'])}",
        f"latency p50 / p95            {fmt_ms(r['me_p50_ms'])} / {fmt_ms(r['me_p95_ms'])}",
        f"errors                       {r['me_errors']}",
    ]
    lines += [f"  e.g. {e}" for e in r["me_error_samples"]]
    ratio = r["ratio_findings_to_me"]
    lines += [
        "",
        f"findings/s / (GET /me req/s) {'n/a' if ratio is None else f'{ratio:.3f}'}",
    ]
    if server_log:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(server_log["access_statuses"].items()))
        lines += [
            "",
            f"-- server output ({server_log['path']}, {server_log['lines']} lines)",
            f"responses by status          {statuses or 'none logged'}",
            f"5xx responses                {len(server_log['five_xx'])}",
            f"tracebacks                   {len(server_log['tracebacks'])}",
            f"warnings/errors logged       {len(server_log['notable'])}",
        ]
        lines += [f"  {line}" for line in server_log["five_xx"][:3]]
        lines += [f"  {line}" for line in server_log["notable"][:5]]
        kinds: dict[str, int] = {}
        for tb in server_log["tracebacks"]:
            last = condense_traceback(tb)[0].rsplit("  ->  ", 1)[-1]
            kinds[last] = kinds.get(last, 0) + 1
        for kind, count in kinds.items():
            lines.append(f"  {count} x traceback ending in: {kind}")
        if server_log["tracebacks"]:
            lines += ["first traceback (condensed; full text in the server output file):"]
            lines += ["  " + line for line in condense_traceback(server_log["tracebacks"][0])]
    failed = r["errors"] > 0 or st["pending_routing"] > 0 or r["me_errors"] > 0
    lines += ["", "RESULT: " + ("FAIL" if failed else "OK")
              + ("" if not failed else f"  (errors={r['errors']}, still pending_routing={st['pending_routing']}, "
                                       f"GET /me errors={r['me_errors']})")]
    print("\n".join(lines), flush=True)


def round_trips_by_county_size(sizes: list[int], samples: int) -> list[dict]:
    """In this process (embedded app, mongomock, in-process fake Redis): the county is
    filled with `size` tickets (and their findings) straight into mongomock's store, then
    `samples` findings are submitted through the API and routed. Per size: database round
    trips per submission and per routing job (every collection call counted, as
    bench/sla_sweep.py does), and the time per submission split into the engine's share
    (inside mongomock's calls and cursors) and the product's (everything else)."""
    import copy

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import roundtrips
    roundtrips.install()
    import mongoengine
    from bson import ObjectId

    from backend import create_app, embedded_mongo
    from backend.services import demo
    from workers.jobs import route_ticket
    from workers.queues import ROUTING, get_queue
    from workers.runtime import ThreadWorker

    app = create_app({"TESTING": True, "JOBS_IN_PROCESS": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        demo.load("bench-password")
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "inspector1", "password": "bench-password"}
                        ).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    task = sorted(client.get("/api/v1/mobile/tasks", headers=headers).get_json(), key=lambda t: t["name"])[0]
    rng = random.Random(7)
    db = mongoengine.get_db()
    routing = get_queue(ROUTING)

    def submit(n: int) -> tuple[int, dict]:
        body = finding_body(task, n, rng)
        response = client.post("/api/v1/mobile/findings", headers=headers, json=body)
        return response.status_code, response.get_json()

    status, first = submit(0)  # the template for the filler documents
    if status != 201:
        raise BenchError(f"submission failed in-process: {status} {first}")
    ThreadWorker([routing], connection=app.extensions["redis"]).work(burst=True, logging_level="ERROR")
    template_ticket = db.ticket.find_one({"_id": ObjectId(first["ticket_id"])})
    template_finding = db.finding.find_one({"_id": ObjectId(first["id"])})
    filled, results, n = 1, [], 1
    for size in sizes:
        tickets, findings_ = [], []
        while filled < size:
            finding_id, ticket_id = ObjectId(), ObjectId()
            lat, lon = 35.6 + rng.random() * 0.5, 118.3 + rng.random() * 0.6
            f = copy.deepcopy(template_finding)
            f.update(_id=finding_id, client_id=str(uuid.uuid4()), ticket_id=ticket_id,
                     location={**f["location"], "lat": lat, "lon": lon}, point=[lon, lat])
            t_ = copy.deepcopy(template_ticket)
            t_.update(_id=ticket_id, finding_id=finding_id, number=f"fill-{filled}",
                      location={**t_["location"], "lat": lat, "lon": lon}, point=[lon, lat])
            findings_.append(f)
            tickets.append(t_)
            filled += 1
        embedded_mongo.restore(db.finding, findings_)
        embedded_mongo.restore(db.ticket, tickets)
        submit_trips, route_trips, totals, engines, route_totals, route_engines = [], [], [], [], [], []
        for _ in range(samples):
            before_engine = roundtrips.engine_seconds[0]
            started = time.perf_counter()
            with roundtrips.counting() as trips:
                status, body = submit(n)
            totals.append((time.perf_counter() - started) * 1000)
            engines.append((roundtrips.engine_seconds[0] - before_engine) * 1000)
            n += 1
            if status != 201:
                raise BenchError(f"submission failed in-process: {status} {body}")
            submit_trips.append(sum(trips.values()))
            before_engine = roundtrips.engine_seconds[0]
            started = time.perf_counter()
            with roundtrips.counting() as trips:
                route_ticket(body["ticket_id"])  # the job's function, without the queue around it
            route_totals.append((time.perf_counter() - started) * 1000)
            route_engines.append((roundtrips.engine_seconds[0] - before_engine) * 1000)
            route_trips.append(sum(trips.values()))
        filled += samples
        results.append({
            "county_tickets": size, "submissions": samples,
            "round_trips_per_submission": sorted(set(submit_trips)),
            "round_trips_per_routing": sorted(set(route_trips)),
            "submit_ms_median": statistics.median(totals), "engine_ms_median": statistics.median(engines),
            "product_ms_median": statistics.median(t - e for t, e in zip(totals, engines)),
            "route_ms_median": statistics.median(route_totals),
            "route_product_ms_median": statistics.median(t - e for t, e in zip(route_totals, route_engines)),
        })
        print(f"  {size:>7} tickets: round trips per submission {results[-1]['round_trips_per_submission']}, "
              f"per routing {results[-1]['round_trips_per_routing']}; submission {results[-1]['submit_ms_median']:.1f} ms "
              f"= engine {results[-1]['engine_ms_median']:.1f} + product {results[-1]['product_ms_median']:.1f}; "
              f"routing {results[-1]['route_ms_median']:.1f} ms (product {results[-1]['route_product_ms_median']:.1f})",
              flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0,
                        help="seconds of finding submissions (default: %(default)g)")
    parser.add_argument("--threads", type=int, default=8, help="client threads (default: %(default)s)")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="target findings/s in all; 0 = as fast as the server answers (default)")
    parser.add_argument("--port", type=int, default=None, help="port for the started server (default: a free one)")
    parser.add_argument("--base-url", default=None,
                        help="use this already running server (loopback), e.g. http://127.0.0.1:5000")
    parser.add_argument("--me-duration", type=float, default=10.0,
                        help="seconds of GET /api/v1/me (default: %(default)g)")
    parser.add_argument("--routing-timeout", type=float, default=60.0,
                        help="at most this many seconds waiting for tickets to leave pending_routing "
                             "(default: %(default)g)")
    parser.add_argument("--sample", type=int, default=500,
                        help="at most this many tickets read for dispatch times (default: %(default)s)")
    parser.add_argument("--startup-timeout", type=float, default=60.0,
                        help="seconds for the server to come up (default: %(default)g)")
    parser.add_argument("--request-timeout", type=float, default=30.0,
                        help="seconds per HTTP request (default: %(default)g)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--county-sizes", default="0,2000,8000",
                        help="tickets in the county for the round-trip phase (default: %(default)s; empty: skip)")
    parser.add_argument("--round-trip-samples", type=int, default=20,
                        help="submissions per county size in the round-trip phase (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.duration <= 0 or args.me_duration <= 0 or args.sample < 1:
        parser.error("--threads, --duration, --me-duration and --sample must be positive")

    server = None
    server_log = None
    round_trips = []
    if args.county_sizes:
        sizes = [int(s) for s in args.county_sizes.split(",") if s.strip()]
        print(f"Round trips per submission, in-process, county of {sizes} tickets …", flush=True)
        try:
            round_trips = round_trips_by_county_size(sizes, args.round_trip_samples)
        except BenchError as exc:
            print(f"benchmark aborted: {exc}", file=sys.stderr)
            return 2
    try:
        if args.base_url:
            args.base_url = check_loopback(args.base_url)
        else:
            server = DemoServer(args.port or free_port(), args.startup_timeout)
            print(f"Starting the demo server on port {server.port} (output: {server.log_path}) …", flush=True)
            server.start()
            args.base_url = server.base_url
        result = run(args)
    except (BenchError, requests.RequestException) as exc:
        print(f"benchmark aborted: {type(exc).__name__}: {exc}", file=sys.stderr)
        if server:
            print(f"server output: {server.log_path}", file=sys.stderr)
        return 2
    finally:
        if server:
            server.stop()
            server_log = summarize_server_log(server.log_path)
    report(result, server_log)
    if round_trips:
        print("round trips per submission by county size (in-process; engine = mongomock's calls and cursors):")
        for row in round_trips:
            print(f"  {row['county_tickets']:>7} tickets  submission {row['round_trips_per_submission']} "
                  f"routing {row['round_trips_per_routing']}  {row['submit_ms_median']:.1f} ms "
                  f"(engine {row['engine_ms_median']:.1f}, product {row['product_ms_median']:.1f}); "
                  f"routing {row['route_ms_median']:.1f} ms (product {row['route_product_ms_median']:.1f})")
    if args.json:
        print(json.dumps({**result, "round_trips_by_county_size": round_trips, "server_log": None if not server_log else {
            k: (v[:20] if isinstance(v, list) else v) for k, v in server_log.items()}},
            ensure_ascii=False))
    failed = result["errors"] > 0 or result["ticket_status"]["pending_routing"] > 0 or result["me_errors"] > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

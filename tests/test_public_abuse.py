"""An abuse test of the villagers' door, bounded and on 127.0.0.1 only: a real server in a
thread, concurrent clients over HTTP. The rate limit holds under concurrency (Redis counts),
one solved challenge buys one report however many copies race, and an oversize body is
refused from its Content-Length without being read."""
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from backend.domain.public_reports import solve
from backend.models.public_reports import PublicReport
from public_helpers import qr_of
from test_office_page import server  # noqa: F401  (fixture)

ATTEMPTS = 30   # bounded: a few dozen requests in all


@pytest.fixture(autouse=True)
def limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_POW_BITS", 8)
    monkeypatch.setitem(app.config, "PUBLIC_RATE_PER_ADDRESS", "10/hour")
    monkeypatch.setitem(app.config, "PUBLIC_RATE_PER_QR", "1000/hour")
    monkeypatch.setitem(app.config, "PUBLIC_RATE_READ", "1000/minute")


def _challenge(base: str) -> dict:
    body = requests.get(f"{base}/public/v1/challenge", timeout=10).json()
    return {"challenge": body["challenge"], "solution": solve(body["challenge"], body["bits"])}


def _post(base: str, qr: dict, form: dict) -> requests.Response:
    return requests.post(f"{base}/public/v1/reports", params=qr, timeout=30,
                         files={"text": (None, "路灯坏了"), **{k: (None, v) for k, v in form.items()}})


def test_the_address_limit_holds_under_concurrent_flooding(api, server):  # noqa: F811
    _, qr = qr_of(api)
    forms = [_challenge(server) for _ in range(ATTEMPTS)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda form: _post(server, qr, form).status_code, forms))
    assert statuses.count(201) == 10 and statuses.count(429) == ATTEMPTS - 10, statuses
    assert PublicReport.objects.count() == 10


def test_one_solved_challenge_buys_one_report_however_many_copies_race(api, server):  # noqa: F811
    _, qr = qr_of(api)
    form = _challenge(server)
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: _post(server, qr, form).status_code, range(8)))
    assert sorted(statuses) == [201] + [422] * 7, statuses
    assert PublicReport.objects.count() == 1


def test_an_oversize_body_is_refused_before_it_is_read(app, api, server):  # noqa: F811
    _, qr = qr_of(api)
    host, port = server.removeprefix("http://").split(":")
    claimed = (app.config["PUBLIC_MAX_BODY_MB"] + 1) * 1024 * 1024
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall((f"POST /public/v1/reports?c={qr['c']}&t={qr['t']} HTTP/1.1\r\nHost: {host}\r\n"
                      f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {claimed}\r\n"
                      "Connection: close\r\n\r\n").encode() + b"--x\r\n" + b"\0" * 65536)
        answer = sock.recv(4096).decode(errors="replace")  # answered with most of the body unsent
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert PublicReport.objects.count() == 0

"""Refusing a wrong password: a known username against an unknown one (issue 9, item 4).

Builds the embedded app with the production password hash (scrypt), loads the demo county,
and times wrong-password logins in the same run: median and p90 per username kind, and
their ratio (near 1: the time does not tell whether a username exists). The per-account
lock and the per-address limit are lifted for the measurement.

    .venv/bin/python bench/login_timing.py [--rounds 40]
"""
import argparse
import statistics
import time

from backend import create_app
from backend.services import demo


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    rounds = parser.parse_args().rounds
    app = create_app({"PASSWORD_HASH_METHOD": "scrypt", "LOGIN_MAX_FAILURES": 10**9,
                      "LOGIN_RATE_PER_ADDRESS": "1000000/minute"})
    with app.app_context():
        demo.load("demo12345")
    client = app.test_client()
    timings = {"known": [], "unknown": []}
    for n in range(rounds):
        for kind, username in (("known", "office"), ("unknown", f"nobody-{n}")):
            start = time.perf_counter()
            status = client.post("/api/v1/auth/token", json={"username": username, "password": "wrong-guess"}).status_code
            timings[kind].append((time.perf_counter() - start) * 1000)
            assert status == 401, status
    for kind, values in timings.items():
        values.sort()
        print(f"{kind:8} median {statistics.median(values):7.1f} ms   p90 {values[int(len(values) * 0.9)]:7.1f} ms")
    print(f"ratio unknown/known (medians): {statistics.median(timings['unknown']) / statistics.median(timings['known']):.2f}")


if __name__ == "__main__":
    main()

"""Per-address request limits (Flask-Limiter), stored in the queues' Redis.

Used for failed logins (see services/throttle.py for the per-account side): Flask-Limiter
is the ecosystem's tool for limits keyed by the client's address, with several windows at
once and the `Retry-After` header. The per-account lock is not built on it because it must
take its count *before* the password is checked and release it on success, atomically, in
one Redis script.
"""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)


def init_app(app) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)  # Redis down: not limited rather than refused
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "xuncha")
    limiter.init_app(app)

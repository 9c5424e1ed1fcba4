"""Per-address request limits: Flask-Limiter, counting in the deployment's Redis, so every
API process shares the counts (an in-process store in the embedded mode without Redis).

Used by the doors without an account (码上巡视, Open311) and by failed logins (see
services/throttle.py for the per-account side: that lock is not built on Flask-Limiter
because it must take its count *before* the password is checked and release it on
success, atomically, in one Redis script).

A limit applies only where a view is decorated with `limiter.limit(...)`; the limits
themselves are settings (`PUBLIC_RATE_*`). A request over a limit gets the JSON error body
with 429 and `Retry-After` (seconds). If Redis fails, each process counts in memory
meanwhile rather than refusing villagers.

The address is `request.remote_addr`: behind a reverse proxy, `TRUSTED_PROXY_HOPS` (1 behind
one nginx) makes it the address the proxy saw (werkzeug's ProxyFix); otherwise every villager
would share one count.
"""
from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from .i18n import _

limiter = Limiter(key_func=lambda: request.remote_addr or "unknown")


def setting(name: str):
    """A limit read from the settings when the request comes (tests and deployments change them)."""
    return lambda: current_app.config[name]


def init_app(app) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "xuncha")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded):
        from .errors import error_body
        response = error_body(429, "too_many_requests",
                              _("Too many requests from here (limit: %(limit)s); wait and try again.",
                                limit=str(exc.limit.limit) if exc.limit else "?"))
        return response

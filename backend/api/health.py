"""Operations endpoints, outside /api/v1 and the OpenAPI document: the proxy keeps
/readyz and /metrics for the internal network (deploy/nginx.conf)."""
from flask import Flask, current_app, jsonify

from .. import observability
from ..services import health


def register(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        """Liveness: the process answers."""
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        """Readiness: MongoDB, Redis and (in production) a worker on every queue."""
        ready, checks = health.readiness()
        return jsonify(status="ready" if ready else "not_ready", checks=checks), 200 if ready else 503

    @app.get("/metrics")
    def metrics():
        return observability.metrics_response(current_app._get_current_object())

"""The Flask application: `create_app()` wires config, databases, the API and the jobs."""
from flask import Flask, request
from flask_smorest import Api

from . import config as config_module
from . import errors, i18n, observability
from .api.schemas import ErrorSchema
from .extensions import connect_mongo, connect_redis


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(config_module.from_env(overrides))
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    i18n.init_app(app)
    observability.init_app(app)
    connect_mongo(app.config)
    app.extensions["redis"] = connect_redis(app.config)

    api = DocumentedApi(app, spec_kwargs={
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    })
    from .api import register_blueprints
    register_blueprints(api)
    import mobile_api
    mobile_api.register_blueprints(api)
    errors.register(app)
    from . import office
    office.register(app)
    from .api import health
    health.register(app)

    @app.before_request
    def refuse_large_bodies():
        """413 from the Content-Length header, before a byte of the body is read."""
        limit = app.config["MAX_CONTENT_LENGTH"]
        if limit and request.content_length and request.content_length > limit:
            from werkzeug.exceptions import RequestEntityTooLarge
            raise RequestEntityTooLarge()

    @app.before_request
    def require_json_bodies():
        if request.method in ("POST", "PUT", "PATCH") and request.content_length:
            mimetype = request.mimetype or ""
            if not (request.is_json or mimetype.startswith("multipart/") or _is_upload_chunk(mimetype)):
                raise _unsupported(mimetype)

    from . import cli
    cli.register(app)

    from workers import runtime
    runtime.bind(app)
    return app


def _is_upload_chunk(mimetype: str) -> bool:
    """A chunk of a resumable upload (mobile/uploads): raw bytes, as in the tus protocol."""
    return (mimetype == "application/offset+octet-stream" and request.method == "PATCH"
            and request.path.startswith("/api/v1/mobile/uploads/"))


class DocumentedApi(Api):
    """Documents the error responses in the shape `errors.py` sends."""
    ERROR_SCHEMA = ErrorSchema


def _unsupported(mimetype: str):
    from werkzeug.exceptions import UnsupportedMediaType
    from .i18n import _
    return UnsupportedMediaType(_(
        "Send the body as application/json (got %(mimetype)s); photos go as multipart/form-data.",
        mimetype=mimetype or _("no content type")))

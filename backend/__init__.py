"""The Flask application: `create_app()` wires config, databases, the API and the jobs."""
from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api

from . import config as config_module
from . import errors, i18n, observability
from .api.schemas import ErrorSchema
from .extensions import connect_mongo, connect_redis


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.json = EncodableJSONProvider(app)
    app.config.update(config_module.from_env(overrides))
    if hops := app.config["TRUSTED_PROXY_HOPS"]:  # the client's address as the proxy saw it
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    i18n.init_app(app)
    observability.init_app(app)
    connect_mongo(app.config)
    app.extensions["redis"] = connect_redis(app.config)
    if not app.config["SECRET_KEY"]:  # the embedded mode (production refuses to start without one)
        from .services.settings import embedded_secret_key
        app.config["SECRET_KEY"] = embedded_secret_key()

    api = DocumentedApi(app, spec_kwargs={
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    })
    from .api import register_blueprints
    register_blueprints(api, app)
    import mobile_api
    mobile_api.register_blueprints(api)
    errors.register(app)
    from . import docs, office, public
    office.register(app)
    public.register(app)
    docs.register(app)
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
        if request.blueprint == "open311":
            return  # Open311 clients POST application/x-www-form-urlencoded, as its specification says
        if request.method in ("POST", "PUT", "PATCH") and request.content_length:
            mimetype = request.mimetype or ""
            if not (request.is_json or mimetype.startswith("multipart/") or _is_upload_chunk(mimetype)):
                raise _unsupported(mimetype)

    from . import limits
    limits.init_app(app)  # after the body-size check: a refused body is not counted

    from . import cli
    cli.register(app)

    from workers import runtime
    runtime.bind(app)
    return app


class EncodableJSONProvider(DefaultJSONProvider):
    """JSON answers that can always be encoded as UTF-8: a lone surrogate stored before text
    was cleaned on the way in becomes U+FFFD instead of a server error."""

    def dumps(self, obj, **kwargs) -> str:
        from .domain.text import scrub
        return scrub(super().dumps(obj, **kwargs))


def _is_upload_chunk(mimetype: str) -> bool:
    """A chunk of a resumable upload (mobile/uploads): raw bytes, as in the tus protocol."""
    return (mimetype == "application/offset+octet-stream" and request.method == "PATCH"
            and request.path.startswith("/api/v1/mobile/uploads/"))


class DocumentedApi(Api):
    """Documents the error responses in the shape `errors.py` sends, and the pagination
    header as what it is on the wire: a string holding JSON (flask-smorest documents it as
    an object, which no client reads from a header)."""
    ERROR_SCHEMA = ErrorSchema

    def _register_pagination_header(self):
        self.spec.components.header("PAGINATION", {
            "description": "Pagination metadata, as JSON: total, total_pages, first_page, last_page, "
                           "page, previous_page, next_page",
            "schema": {"type": "string"}}, lazy=True)


def _unsupported(mimetype: str):
    from werkzeug.exceptions import UnsupportedMediaType
    from .i18n import _
    return UnsupportedMediaType(_(
        "Send the body as application/json (got %(mimetype)s); photos go as multipart/form-data.",
        mimetype=mimetype or _("no content type")))

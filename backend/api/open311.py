"""Open311 GeoReport v2 (`/open311/v2`): discovery, services, service definitions, requests
(GET and POST), one request, tokens; `.json` or `.xml` as the specification requires.

These views answer in the specification's shapes, errors included
(`[{"code": 404, "description": "..."}]`, `<errors><error>…`), because Open311 clients parse
those, not this API's `{code, status, message, errors}`. The admin issues the api_keys that
POST needs (`/api/v1/open311/keys`).
"""
import json
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.exceptions import HTTPException

from ..auth import current_actor, requires
from ..domain import text
from ..domain.codes import Role
from ..errors import DomainError
from ..limits import limiter, setting
from ..services import open311
from .schemas import Code, Text

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
FORMATS = "<any(json,xml):fmt>"
# How a list's items are named in XML.
ITEMS = {"services": "service", "service_requests": "request", "endpoints": "endpoint", "formats": "format",
         "attributes": "attribute", "values": "value", "errors": "error"}


def _fmt() -> str:
    return "xml" if request.path.endswith(".xml") else "json"


def _element(parent, name: str, value) -> None:
    node = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _element(node, key, item)
    elif isinstance(value, list):
        for item in value:
            _element(node, ITEMS.get(name, "item"), item)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = text.xml_text(str(value))


def render(payload, root: str, status: int = 200) -> Response:
    """JSON as it is; XML with `root` as the document element (a list's items named after it)."""
    if _fmt() == "json":
        return Response(text.scrub(json.dumps(payload, ensure_ascii=False)), status=status,
                        content_type="application/json; charset=utf-8")
    document = ET.Element(root)
    if isinstance(payload, list):
        for item in payload:
            _element(document, ITEMS[root], item)
    else:
        for key, item in payload.items():
            _element(document, key, item)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(document, encoding="utf-8")
    return Response(body, status=status, content_type="text/xml; charset=utf-8")


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    return render([{"code": exc.status, "description": exc.message}], "errors", exc.status)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    response = render([{"code": exc.code, "description": exc.description}], "errors", exc.code or 500)
    for name, value in exc.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


class PostSchema(Schema):
    """A POSTed service request (application/x-www-form-urlencoded)."""
    class Meta:
        unknown = EXCLUDE  # attribute[...], media_url, email: not kept
    api_key = Code(200, required=True)
    jurisdiction_id = Code(20, load_default=None)
    service_code = Code(64, required=True)
    lat = fields.Float(load_default=None, validate=validate.Range(-90, 90))
    long = fields.Float(load_default=None, validate=validate.Range(-180, 180))
    address_string = Text(200, load_default=None)
    address_id = Code(20, load_default=None)
    description = Text(1000, required=True)
    first_name = Text(25, load_default=None)
    last_name = Text(25, load_default=None)
    phone = fields.Str(load_default=None, validate=validate.Regexp(r"^1[3-9]\d{9}$"))
    device_id = Code(100, load_default=None)
    account_id = Code(100, load_default=None)


def _form() -> dict:
    try:
        return PostSchema().load({k: v for k, v in request.form.items() if v != ""})
    except ValidationError as exc:
        from ..i18n import _
        fields_ = ", ".join(sorted(exc.messages))
        raise open311.BadRequest(_("Invalid or missing: %(fields)s.", fields=fields_))


def _key() -> str:
    return "open311:" + (request.form.get("api_key") or "")[:10]


@bp.get(f"/discovery.{FORMATS}")
@limiter.limit(setting("PUBLIC_RATE_READ"))
def discovery(fmt):
    return render(open311.discovery(), "discovery")


@bp.get("/discovery")
@limiter.limit(setting("PUBLIC_RATE_READ"))
def discovery_default():
    """Without a suffix: JSON."""
    return render(open311.discovery(), "discovery")


@bp.get(f"/services.{FORMATS}")
@limiter.limit(setting("PUBLIC_RATE_READ"))
def services(fmt):
    open311.jurisdiction(request.args.get("jurisdiction_id"))
    return render(open311.services(), "services")


@bp.get(f"/services/<code>.{FORMATS}")
@limiter.limit(setting("PUBLIC_RATE_READ"))
def service_definition(code, fmt):
    open311.jurisdiction(request.args.get("jurisdiction_id"))
    return render(open311.service_definition(code), "service_definition")


@bp.get(f"/requests.{FORMATS}")
@limiter.limit(setting("PUBLIC_RATE_READ"))
def requests(fmt):
    county = open311.jurisdiction(request.args.get("jurisdiction_id"))
    return render(open311.requests(county, request.args), "service_requests")


@bp.post(f"/requests.{FORMATS}")
@limiter.limit(setting("OPEN311_RATE_PER_KEY"), key_func=_key)
def post_request(fmt):
    form = _form()
    county = open311.jurisdiction(form["jurisdiction_id"])
    return render([open311.post_request(county, form)], "service_requests", 201)


@bp.get(f"/requests/<number>.{FORMATS}")
@limiter.limit(setting("PUBLIC_RATE_READ"))
def one_request(number, fmt):
    county = open311.jurisdiction(request.args.get("jurisdiction_id"))
    return render(open311.one_request(county, number), "service_requests")


@bp.get(f"/tokens/<token>.{FORMATS}")
@limiter.limit(setting("PUBLIC_RATE_READ"))
def token(token, fmt):
    return render([open311.token(token)], "service_requests")


# ---------------------------------------------------------------- the admin's keys

keys = ApiBlueprint("open311_keys", __name__, url_prefix="/api/v1/open311/keys",
                    description="Open311: api_keys of the clients that may POST service requests")


class KeySchema(Schema):
    id = fields.Str(dump_only=True)
    name = Text(100, required=True, metadata={"description": "who the client is"})
    prefix = fields.Str(dump_only=True)
    active = fields.Bool(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    revoked_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    api_key = fields.Str(dump_only=True, metadata={"description": "shown once, when issued; only its hash is kept"})


@keys.route("")
class Keys(MethodView):
    @requires(Role.ADMIN)
    @keys.response(200, KeySchema(many=True))
    def get(self):
        """The county's Open311 keys (never the keys themselves)"""
        return open311.list_keys(current_actor())

    @requires(Role.ADMIN)
    @keys.arguments(KeySchema)
    @keys.response(201, KeySchema)
    def post(self, data):
        """Issue a key to a client of the county: the answer is the only time it is shown"""
        key, plain = open311.issue_key(current_actor(), data["name"])
        key.api_key = plain
        return key


@keys.route("/<key_id>")
class Key(MethodView):
    @requires(Role.ADMIN)
    @keys.response(200, KeySchema)
    def delete(self, key_id):
        """Revoke a key: its client can no longer POST"""
        return open311.revoke_key(current_actor(), key_id)


def register(app) -> None:
    app.register_blueprint(bp)

"""Domain exceptions and the one JSON error shape: {code, status, message, errors}."""
from flask import jsonify
from werkzeug.exceptions import HTTPException

from .i18n import _, translated

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
         415: "unsupported_media_type", 422: "invalid_input", 429: "too_many_requests",
         500: "internal_error", 503: "unavailable"}


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, errors: dict | None = None, code: str | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.headers = headers or {}
        if code:
            self.code = code


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class InvalidInput(DomainError):
    status, code = 422, "invalid_input"


class PayloadTooLarge(DomainError):
    """An upload over its limit (the message names the limit)."""
    status, code = 413, "payload_too_large"


class UnsupportedDocument(DomainError):
    """An upload whose bytes are not a kind this use accepts (the type is read from the bytes)."""
    status, code = 415, "unsupported_media_type"


class TooManyRequests(DomainError):
    status, code = 429, "too_many_requests"


def error_body(status: int, code: str, message: str, errors: dict | None = None):
    response = jsonify({"code": code, "status": status, "message": translated(message),
                        "errors": translated(errors or {})})
    response.status_code = status
    return response


def handle_domain_error(exc: DomainError):
    response = error_body(exc.status, exc.code, exc.message, exc.errors)
    response.headers.update(exc.headers)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def handle_http_exception(exc: HTTPException):
    from . import library_messages
    status = exc.code or 500
    if status == 304:  # a conditional GET (ETag): no body
        from flask import Response
        return Response(status=304)
    data = getattr(exc, "data", None) or {}
    errors = data.get("messages") or {}
    # webargs nests messages by location ({"json": {...}}); flatten the one location.
    if isinstance(errors, dict) and len(errors) == 1 and next(iter(errors)) in ("json", "query", "files", "form", "view_args"):
        errors = next(iter(errors.values()))
    if isinstance(errors, list):  # a message about the body as a whole
        errors = {"body": errors}
    message = data.get("message") or exc.description or CODES.get(status, "error")
    if message == type(exc).description and status in library_messages.HTTP_MESSAGES:
        message = library_messages.HTTP_MESSAGES[status]  # ours, translatable, for Werkzeug's
    if status == 400 and errors.get("body") == ["Invalid JSON body."]:  # webargs' words
        message, errors = _("The request body is not valid JSON."), {"body": [_("Not valid JSON.")]}
    if status == 422 and errors and not data.get("message"):
        message = _("The request has invalid or missing fields; see errors.")
    if status == 413:
        from flask import current_app
        limit_mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        message = _("The request body is larger than the limit of %(limit)s MB.", limit=limit_mb)
    response = error_body(status, CODES.get(status, "error"), message, errors)
    for name, value in (exc.get_headers() if hasattr(exc, "get_headers") else []):
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def handle_recursion(exc: RecursionError):
    """A JSON body nested deeper than the parser can go (100,000 brackets) is the client's
    fault; any other recursion is ours."""
    from flask import request
    if request.is_json:
        return error_body(400, "bad_request", _("The request body is nested too deeply to read; "
                                                "send a flat JSON object."), {"body": [_("Nested too deeply.")]})
    return handle_unexpected(exc)


def handle_unexpected(exc: Exception):
    from flask import current_app
    current_app.logger.exception("unhandled error")
    return error_body(500, "internal_error", _("Something went wrong on the server; it has been logged."))


def register(app) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(RecursionError, handle_recursion)
    app.register_error_handler(Exception, handle_unexpected)

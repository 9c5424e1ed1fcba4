"""The messages our libraries write (marshmallow's field and validator messages, the 404
and 405 of unknown URLs), made translatable: each is a `Msg`, an English string whose
`.format()` answers in the request's language from the catalogue. `install()` puts them in
the libraries' documented places for default messages (`default_error_messages`, the
validators' message attributes), once, before any schema is defined; a template the
library changed is left alone and logged, so a newer library never gets a wrong text.

`_` here only marks the msgids for `make messages`.
"""
import logging

import marshmallow
from marshmallow import fields, validate

from .i18n import Msg

log = logging.getLogger(__name__)


def _(msgid: str) -> Msg:
    return Msg(msgid)


FIELD_MESSAGES = {
    (fields.Field, "required"): _("Missing data for required field."),
    (fields.Field, "null"): _("Field may not be null."),
    (fields.Field, "validator_failed"): _("Invalid value."),
    (fields.String, "invalid"): _("Not a valid string."),
    (fields.String, "invalid_utf8"): _("Not a valid utf-8 string."),
    (fields.Number, "invalid"): _("Not a valid number."),
    (fields.Number, "too_large"): _("Number too large."),
    (fields.Integer, "invalid"): _("Not a valid integer."),
    (fields.Float, "special"): _("Special numeric values (nan or infinity) are not permitted."),
    (fields.Boolean, "invalid"): _("Not a valid boolean."),
    (fields.UUID, "invalid_uuid"): _("Not a valid UUID."),
    (fields.List, "invalid"): _("Not a valid list."),
    (fields.Mapping, "invalid"): _("Not a valid mapping type."),
    (fields.Nested, "type"): _("Invalid type."),
    (fields.Date, "invalid"): _("Not a valid date."),
    (fields.Date, "format"): _('"{input}" cannot be formatted as a date.'),
    (fields.DateTime, "invalid"): _("Not a valid {obj_type}."),
    (fields.DateTime, "invalid_awareness"): _("Not a valid {awareness} {obj_type}."),
    (fields.DateTime, "format"): _('"{input}" cannot be formatted as a {obj_type}.'),
}
# (obj_type and awareness are English words, "datetime", "naive": translations leave them out.)

VALIDATOR_MESSAGES = {
    (validate.Length, "message_min"): _("Shorter than minimum length {min}."),
    (validate.Length, "message_max"): _("Longer than maximum length {max}."),
    (validate.Length, "message_all"): _("Length must be between {min} and {max}."),
    (validate.Length, "message_equal"): _("Length must be {equal}."),
    (validate.Range, "message_min"): _("Must be {min_op} {{min}}."),
    (validate.Range, "message_max"): _("Must be {max_op} {{max}}."),
    (validate.Range, "message_all"): _("Must be {min_op} {{min}} and {max_op} {{max}}."),
    (validate.Range, "message_gte"): _("greater than or equal to"),
    (validate.Range, "message_gt"): _("greater than"),
    (validate.Range, "message_lte"): _("less than or equal to"),
    (validate.Range, "message_lt"): _("less than"),
    (validate.OneOf, "default_message"): _("Must be one of: {choices}."),
    (validate.Regexp, "default_message"): _("String does not match expected pattern."),
}

SCHEMA_MESSAGES = {
    "type": _("Invalid input type."),
    "unknown": _("Unknown field."),
}

# Werkzeug's descriptions of these errors are replaced by ours (errors.py).
HTTP_MESSAGES = {
    404: _("Nothing here: check the URL (the API is described at /docs)."),
    405: _("This URL does not take that method (see /docs)."),
    429: _("Too many requests; wait a moment and try again."),
}

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    for (cls, key), message in FIELD_MESSAGES.items():
        _replace(cls.default_error_messages, key, message, cls)
    for (cls, attribute), message in VALIDATOR_MESSAGES.items():
        if getattr(cls, attribute, None) == str(message):
            setattr(cls, attribute, message)
        else:
            log.warning("marshmallow changed %s.%s; left untranslated", cls.__name__, attribute)
    # Schema.error_messages: marshmallow's public override of its schema-level messages
    marshmallow.Schema.error_messages = {**(marshmallow.Schema.error_messages or {}), **SCHEMA_MESSAGES}
    _installed = True


def _replace(messages: dict, key: str, message: Msg, owner) -> None:
    if messages.get(key) == str(message):
        messages[key] = message
    else:
        log.warning("marshmallow changed %s's %r message; left untranslated", owner.__name__, key)

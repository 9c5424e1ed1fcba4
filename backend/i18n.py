"""Messages people read: Simplified Chinese by default, English with `Accept-Language: en`.

Write every user-facing message in English, wrapped: `_("No ticket %(id)s that you can
see.", id=ticket_id)` (named placeholders, never f-strings, so the catalogue can match it);
`lazy_("...")` for messages defined at import time (schema and validator messages). The
Chinese lives in `backend/translations/zh/LC_MESSAGES/messages.po` (`make messages`
extracts new msgids into it). The catalogue is read from the .po file the first time a
locale is needed, so no compiled .mo file is generated or kept.
"""
import io
from functools import cached_property
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import has_app_context, has_request_context, request
from flask_babel import Babel, Domain, get_locale, gettext, lazy_gettext

LOCALES = ("zh", "en")   # zh: Simplified Chinese, the default; en: the source messages
DEFAULT_LOCALE = "zh"
CATALOGUES = Path(__file__).parent / "translations"

_ = gettext
lazy_ = lazy_gettext


class Msg(str):
    """A library's message template (str.format placeholders), translated when it is
    formatted in a request: the English msgid as a str everywhere else. A `.format()` outside
    a request (a validator built at import) keeps the values for the final formatting."""

    def __new__(cls, msgid: str, stages: tuple = ()):
        message = super().__new__(cls, msgid)
        message.msgid, message.stages = msgid, stages
        return message

    def format(self, *args, **kwargs):
        if not has_request_context():
            return Msg(self.msgid, self.stages + (kwargs,))
        text = gettext(self.msgid)
        for stage in self.stages + (kwargs,):
            text = text.format(**{k: v.format() if isinstance(v, Msg) else v for k, v in stage.items()})
        return text

    def __reduce__(self):  # (copy and pickle keep it a Msg)
        return Msg, (self.msgid, self.stages)


def translated(value):
    """Messages in an error body in the request's language (templates never formatted by
    their library, such as "Unknown field.", and lazy strings)."""
    from .domain.messages import Message
    if isinstance(value, Msg):
        return value.format()
    if isinstance(value, Message):
        return gettext(value.msgid, **{k: shown(v) for k, v in value.params.items()})
    if isinstance(value, dict):
        return {k: translated(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [translated(v) for v in value]
    if value.__class__.__name__ == "LazyString":
        return str(value)
    return value


def shown(value):
    """A message's value in the request's language: a `domain.messages.Named` (a state, an
    action) by its Chinese name in Chinese, by its code in English; anything else as it is."""
    from .domain.messages import Named
    if isinstance(value, Named) and str(get_locale() or DEFAULT_LOCALE) == "zh":
        return value.name
    return value


def select_locale() -> str:
    """The request's `Accept-Language` picks zh or en; anything else (or none) is zh."""
    if not has_request_context():
        return DEFAULT_LOCALE
    return request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE)


class PoDomain(Domain):
    """Translations read straight from the .po catalogues (compiled in memory, once per
    locale and process)."""

    def __init__(self, directory: Path = CATALOGUES, domain: str = "messages"):
        super().__init__(translation_directories=[str(directory)], domain=domain)
        self._directory, self._domain_name, self._loaded = directory, domain, {}

    def get_translations(self):
        if not has_app_context():
            return NullTranslations()
        locale = str(get_locale() or DEFAULT_LOCALE)
        if locale not in self._loaded:
            self._loaded[locale] = self._load(locale)
        return self._loaded[locale]

    def _load(self, locale: str):
        path = self._directory / locale / "LC_MESSAGES" / f"{self._domain_name}.po"
        if not path.exists():
            return NullTranslations()
        with path.open("rb") as po:
            catalog = read_po(po, locale=locale)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        return Translations(fp=compiled, domain=self._domain_name)


class _Babel(Babel):
    @cached_property
    def domain_instance(self):
        return PoDomain(domain=self.domain)


def init_app(app) -> None:
    _Babel(app, default_locale=DEFAULT_LOCALE, locale_selector=select_locale,
           default_timezone="Asia/Shanghai", configure_jinja=False)


# Before any schema is defined: marshmallow copies its messages into each field it builds.
from . import library_messages  # noqa: E402

library_messages.install()

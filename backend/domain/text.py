"""Text people type, made safe in one place: on the way in (`clean`), and on the way out to
JSON, CSV and XLSX (`scrub`, `spreadsheet_cell`).

Everything a user types is hostile until cleaned: a lone UTF-16 surrogate cannot be encoded
as UTF-8 (so it breaks every answer and file that holds it), control characters break XML
(XLSX), bidi overrides make a title read differently from what it is, and a title of
spaces or zero-width characters looks empty. `clean` refuses or normalises each of these;
`scrub` and `spreadsheet_cell` let readers survive what was stored before it existed.
"""
import re
import unicodedata
from .messages import _


class TextRefused(ValueError):
    """The text cannot be accepted; `reason` is a stable code, the message says why."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


SURROGATES = re.compile("[\ud800-\udfff]")
# Line breaks of other systems (Word's vertical tab, form feed, Unicode separators) become \n.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# C0/C1 control characters other than \t and \n, and the two noncharacters XML refuses.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
# Directional embeddings, overrides and isolates (the "Trojan Source" characters).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What shows nothing: whitespace, and format characters such as zero-width spaces and joiners.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad")


def clean(value: str, *, multiline: bool = True) -> str:
    """The text as it is stored: NFC-normalised, line breaks as \\n, no other control
    characters, no surrounding whitespace. Raises `TextRefused` for a lone surrogate, a
    NUL, a bidi override, or text that shows nothing."""
    if SURROGATES.search(value):
        raise TextRefused("surrogate", _("Contains an invalid character (a lone UTF-16 surrogate); "
                                         "send the text as proper Unicode."))
    if "\x00" in value:
        raise TextRefused("nul", _("Contains a NUL character."))
    if BIDI_CONTROLS.search(value):
        raise TextRefused("bidi_control", _("Contains a character that reverses the direction of the "
                                            "text (U+202A–U+202E, U+2066–U+2069)."))
    value = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", value))
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    value = unicodedata.normalize("NFC", value).strip()
    if is_blank(value):
        raise TextRefused("blank", _("Must not be blank: write some visible text."))
    return value


def is_blank(value: str) -> bool:
    """True when the text shows nothing: only whitespace and invisible format characters."""
    return all(ch.isspace() or ch in _INVISIBLE for ch in value)


def scrub(value: str) -> str:
    """Text that can be encoded whatever was stored: each lone surrogate becomes U+FFFD."""
    return SURROGATES.sub("\ufffd", value) if SURROGATES.search(value) else value


# OWASP's CSV-injection rule: a cell starting with one of these is read as a formula.
# (defusedcsv was not taken: it wraps only csv.writer, leaves a leading tab or CR alone and
# rewrites '|' inside text; the XLSX writer needs the same rule, so it is this one function.)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 (so XLSX) cannot hold: control characters but \t \n \r, and U+FFFE, U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Text an XML 1.0 document can hold: lone surrogates replaced, the control characters
    XML refuses dropped (an echoed NUL would make the whole answer unreadable)."""
    return _XML_ILLEGAL.sub("", scrub(value))


def spreadsheet_cell(value):
    """One cell of a CSV or XLSX file: numbers as they are; text encodable, without the
    control characters XML refuses, and never read as a formula (a leading ' makes it text,
    as OWASP recommends)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    value = xml_text(value)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value

"""Villagers' personal data in free text: masked in every answer, file and message.

PRODUCT.md: phone and ID numbers are shown whole only to the ticket's handler (through the
logged reveal); everyone else, and every list, export, notification and phone, sees
`138****5678`. `mask` is the one function that does it.
"""
import re

from .text import scrub

# 18-digit resident ID numbers (6-digit region, 8-digit birth date, 3 digits, check digit).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
# Mainland mobiles as people write them: 13812345678, +8613812345678, +86 138 1234 5678,
# 138-1234-5678, (+86)138 1234 5678.
_MOBILE = re.compile(r"(?<![0-9A-Za-z+])((?:\(?\+?86\)?[ \-]?)?)(1[3-9]\d)[ \-]?\d{4}[ \-]?(\d{4})(?![0-9A-Za-z])")
# Landlines with their area code: 0539-1234567, 010-12345678, (0539)1234567, 0539 1234567.
_LANDLINE = re.compile(r"(?<![0-9A-Za-z])(\(?0\d{2,3}\)?[ \-]?)\d{3,4}(\d{4})(?![0-9A-Za-z])")


def mask(text: str | None) -> str | None:
    """`text` with every ID number as 371323********1234, every mobile as 138****5678 and
    every landline with its area code as 0539-****4567; encodable whatever was stored."""
    if not text:
        return text
    text = _ID_NUMBER.sub(r"\1********\2", scrub(text))
    text = _MOBILE.sub(r"\1\2****\3", text)
    return _LANDLINE.sub(r"\1****\2", text)


def mask_all(value):
    """`mask` over nested dicts, lists and strings (notification payloads)."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: mask_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_all(v) for v in value]
    return value

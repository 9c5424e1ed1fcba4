"""Phone photos with Pillow: what we accept, what EXIF tells us, and the derived versions.

Plain Python (Pillow, pillow-heif): no Flask, no MongoDB. Every failure is an
`ImageRejected` with a message for the inspector; nothing here can loop on a bad file
(Pillow's EXIF reader follows each IFD once; our JPEG walk only moves forward).
"""
import io
import math
import re
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from .messages import _

pillow_heif.register_heif_opener()

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heif"}
WEB_PX = 1600
THUMBNAIL_PX = 320
SHANGHAI = ZoneInfo("Asia/Shanghai")

GPS_IFD, EXIF_IFD = 0x8825, 0x8769
ORIENTATION, MAKE, MODEL, DATETIME = 0x0112, 0x010F, 0x0110, 0x0132
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011


class ImageRejected(ValueError):
    """`kind` is "unsupported" (not an image we take: 415) or "broken" (422)."""

    def __init__(self, message: str, kind: str = "broken"):
        super().__init__(message)
        self.kind = kind


@dataclass
class PhotoFacts:
    format: str
    content_type: str
    width: int            # upright, as displayed
    height: int
    orientation: int = 1
    taken_at: datetime | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    gps: dict = field(default_factory=dict)   # lat, lon (WGS-84), altitude_m, accuracy_m


def open_image(data: bytes, max_pixels: int) -> Image.Image:
    """Open (header only) and check format and size; the pixels are decoded later."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageRejected(_("The image has too many pixels to decode safely (limit %(limit)s).",
                                  limit=format(max_pixels, ",")))
        except UnidentifiedImageError:
            raise ImageRejected(_("The file is not an image we can read; send JPEG, PNG, WebP or HEIC/HEIF."),
                                "unsupported")
        except (OSError, SyntaxError, ValueError) as exc:
            raise ImageRejected(_("The image is broken (%(exc)s).", exc=exc))
    if image.format not in CONTENT_TYPES:
        raise ImageRejected(_("Photos must be JPEG, PNG, WebP or HEIC/HEIF; this is %(format)s.", format=image.format),
                            "unsupported")
    if image.width * image.height > max_pixels:
        raise ImageRejected(_("The image has %(width)sx%(height)s pixels; the limit is %(limit)s pixels.",
                              width=image.width, height=image.height, limit=format(max_pixels, ",")))
    return image


def inspect(data: bytes, max_pixels: int) -> PhotoFacts:
    """The cheap checks done while the phone waits: format, size, structure, EXIF."""
    image = open_image(data, max_pixels)
    if image.format == "JPEG" and (problem := jpeg_structure_problem(data)):
        raise ImageRejected(_("The JPEG is broken: %(problem)s. Send the photo again from the phone's gallery.",
                              problem=problem))
    if image.format == "PNG":
        try:
            Image.open(io.BytesIO(data)).verify()
        except Exception as exc:  # verify() raises whatever the chunk reader meets
            raise ImageRejected(_("The PNG is broken (%(exc)s).", exc=exc))
    facts = PhotoFacts(format=image.format, content_type=_content_type(image.format, data),
                       width=image.width, height=image.height)
    try:
        exif = image.getexif()
        _read_exif(exif, facts)
    except Exception:  # broken EXIF never costs the inspector the photo itself
        exif = None
    if facts.orientation in (5, 6, 7, 8):
        facts.width, facts.height = facts.height, facts.width
    return facts


def _content_type(fmt: str, data: bytes) -> str:
    if fmt == "HEIF" and data[8:12] in (b"heic", b"heix", b"hevc", b"hevx"):
        return "image/heic"
    return CONTENT_TYPES[fmt]


# ---------------------------------------------------------------- EXIF

def _text(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    value = str(value).strip("\x00 ").strip() if value is not None else ""
    return value[:100] or None


def _degrees(dms, ref) -> float | None:
    try:
        d, m, s = (float(x) for x in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    if math.isnan(value):
        return None
    return -value if _text(ref) in ("S", "W") else value


def _read_exif(exif, facts: PhotoFacts) -> None:
    facts.orientation = int(exif.get(ORIENTATION) or 1) if exif.get(ORIENTATION) in range(1, 9) else 1
    facts.camera_make = _text(exif.get(MAKE))
    facts.camera_model = _text(exif.get(MODEL))
    details = exif.get_ifd(EXIF_IFD)
    facts.taken_at = _taken_at(details.get(DATETIME_ORIGINAL) or exif.get(DATETIME),
                               details.get(OFFSET_TIME_ORIGINAL), exif.get_ifd(GPS_IFD))
    facts.gps = _gps(exif.get_ifd(GPS_IFD))


def _gps(gps) -> dict:
    lat, lon = _degrees(gps.get(2), gps.get(1)), _degrees(gps.get(4), gps.get(3))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat, lon) == (0, 0):
        return {}
    result = {"lat": round(lat, 7), "lon": round(lon, 7)}
    try:
        altitude = float(gps[6])
        below = gps.get(5) in (1, b"\x01")
        result["altitude_m"] = round(-altitude if below else altitude, 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        pass
    try:
        result["accuracy_m"] = round(float(gps[31]), 1)  # GPSHPositioningError
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        pass
    return result


def _taken_at(local, offset, gps) -> datetime | None:
    """When the photo was taken, as aware UTC. The camera's local time with its offset if
    it wrote one; else the GPS time stamp (UTC); else the local time read as China time."""
    try:
        moment = datetime.strptime(_text(local) or "", "%Y:%m:%d %H:%M:%S")
    except ValueError:
        moment = None
    if moment and (text := _text(offset)) and re.fullmatch(r"[+-]\d\d:\d\d", text):
        sign = -1 if text[0] == "-" else 1
        tz = timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[4:6])))
        return moment.replace(tzinfo=tz).astimezone(UTC)
    try:
        day = datetime.strptime(_text(gps.get(29)) or "", "%Y:%m:%d")
        h, m, s = (float(x) for x in gps.get(7))
        return (day + timedelta(hours=h, minutes=m, seconds=int(s))).replace(tzinfo=UTC)
    except (TypeError, ValueError, ZeroDivisionError):
        pass
    return moment.replace(tzinfo=SHANGHAI).astimezone(UTC) if moment else None


# ---------------------------------------------------------------- JPEG structure

_SCAN_END = re.compile(rb"\xff(?![\x00\xd0-\xd7\xff])")
_VALID_AFTER_SCAN = set(range(0xC0, 0xD0)) | {0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xFE} | set(range(0xE0, 0xF0))


def jpeg_structure_problem(data: bytes) -> str | None:
    """What is wrong with the JPEG's markers, or None. libjpeg only warns about corrupt
    image data and Pillow shows grey blocks; phones' half-sent files end up here too."""
    n, i, scans = len(data), 2, 0
    if not data.startswith(b"\xff\xd8"):
        return "it does not start like a JPEG"
    while True:
        while i + 1 < n and data[i] == 0xFF and data[i + 1] == 0xFF:
            i += 1
        if i + 2 > n:
            return "the file ends early (truncated)"
        if data[i] != 0xFF:
            return f"unexpected bytes at offset {i}"
        marker = data[i + 1]
        if marker == 0xD9:
            return None if scans else "it has no image data"
        if i + 4 > n:
            return "the file ends early (truncated)"
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if length < 2 or i + 2 + length > n:
            return "a segment runs past the end of the file (truncated)"
        i += 2 + length
        if marker == 0xDA:
            scans += 1
            found = _SCAN_END.search(data, i)
            if found is None:
                return "the image data has no end (truncated)"
            i = found.start()
            if data[i + 1] not in _VALID_AFTER_SCAN:
                return f"the image data is corrupted (stray marker 0x{data[i + 1]:02X} at byte {i})"


# ---------------------------------------------------------------- derived versions

@dataclass
class Derived:
    web: bytes
    thumbnail: bytes
    width: int
    height: int


def derive(data: bytes, max_pixels: int, reduced: bool = True, web_px: int = WEB_PX,
           thumbnail_px: int = THUMBNAIL_PX) -> Derived:
    """The web version (long side `web_px`, upright, no EXIF) and the thumbnail.

    With `reduced`, a JPEG is decoded at the smallest DCT scale (1/2, 1/4, 1/8) that still
    gives at least `web_px` on the long side (`Image.draft`), aspect-correct so that the
    short side does not force full size."""
    image = open_image(data, max_pixels)
    icc = image.info.get("icc_profile")
    try:
        if reduced and image.format == "JPEG":
            scale = web_px / max(image.size)
            if scale < 1:
                image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(_("The image is broken or truncated (%(exc)s).", exc=exc))
    web = upright if upright.mode == "RGB" else upright.convert("RGB")
    if max(web.size) > web_px:
        web = web.resize(_fit(web.size, web_px), Image.Resampling.LANCZOS, reducing_gap=3.0)
    thumb = web.resize(_fit(web.size, thumbnail_px), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return Derived(web=_jpeg(web, 82, icc), thumbnail=_jpeg(thumb, 78, icc),
                   width=upright.width, height=upright.height)


def _fit(size: tuple[int, int], px: int) -> tuple[int, int]:
    scale = min(1.0, px / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _jpeg(image: Image.Image, quality: int, icc: bytes | None) -> bytes:
    buffer = io.BytesIO()
    # No exif= argument: the saved file carries no EXIF at all (no GPS, no camera serial).
    image.save(buffer, "JPEG", quality=quality, icc_profile=icc)
    return buffer.getvalue()

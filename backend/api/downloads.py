"""One way to answer with a file (ledgers, bulletins, documents, QR codes): the name in
`Content-Disposition` as RFC 6266 wants it (an ASCII fallback, and `filename*` in UTF-8 when
the name is not ASCII, since a header must be Latin-1), never cached on the way
(`no-store`: confidential and personal data), and never sniffed into another type by the
browser (`nosniff`: an uploaded document is served as the type read from its bytes)."""
import unicodedata
from urllib.parse import quote

from flask import Response


def file_response(body, filename: str, content_type: str, *, ascii_name: str | None = None,
                  inline: bool = False, headers: dict | None = None) -> Response:
    """`body`: bytes, or an iterable of chunks (a stream). `ascii_name`: the name for
    clients that cannot read a Chinese one (made from `filename` when not given)."""
    return Response(body, content_type=content_type, headers={
        "Content-Disposition": content_disposition(filename, ascii_name, inline=inline),
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", **(headers or {})})


def content_disposition(filename: str, ascii_name: str | None = None, *, inline: bool = False) -> str:
    kind = "inline" if inline else "attachment"
    fallback = unicodedata.normalize("NFKD", ascii_name or filename).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c if c.isprintable() and c not in '"\\' else "_" for c in fallback) or "download"
    if fallback == filename:
        return f'{kind}; filename="{filename}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"

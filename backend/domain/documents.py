"""What an uploaded document really is, read from its bytes (never from its file name or
the type the browser claims). Plain Python.

- PDF: starts with `%PDF-` and has an `%%EOF` marker near its end (a truncated upload has
  none).
- DOCX / XLSX: a ZIP (Office Open XML) with `[Content_Types].xml` and the main part
  (`word/document.xml` / `xl/workbook.xml`). Macro-enabled files (a `vbaProject.bin` part)
  are refused, and so are archives that would unpack to more than MAX_UNPACKED_BYTES (the
  sizes are read from the directory; nothing is extracted).
- JPEG / PNG: a scan of a paper document, by its signature.

Each use names the kinds it takes (`sniff(data, allowed)`). The messages are English
msgids marked with `N_`; the services translate them (`_(str(exc))`).
"""
import io
import zipfile

from . import N_

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
EXTENSIONS = {"jpeg": "jpg"}  # a file name's extension where it is not the kind itself


class DocumentRejected(ValueError):
    def __init__(self, message: str, kind: str = "invalid"):
        super().__init__(message)
        self.kind = kind  # "unsupported" (415) or "invalid" (422)


def extension(kind: str) -> str:
    return EXTENSIONS.get(kind, kind)


def _kind(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise DocumentRejected(N_("The PDF is truncated (no end-of-file marker); upload it again."))
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        try:
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, ValueError, OSError):
            raise DocumentRejected(N_("The file looks like an Office document but is damaged."))
        names = {i.filename for i in infos}
        if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
            raise DocumentRejected(N_("The document unpacks to more than 200 MB; it is refused."))
        if any(n.endswith("vbaProject.bin") for n in names):
            raise DocumentRejected(N_("Documents with macros (.docm, .xlsm) are not accepted; save it as "
                                      ".docx or .xlsx."), kind="unsupported")
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None


def sniff(data: bytes, allowed: frozenset[str] | set[str] = frozenset(CONTENT_TYPES)) -> str:
    """The document's kind (a key of CONTENT_TYPES) from its bytes, or DocumentRejected
    when it is damaged or not one of `allowed`."""
    kind = _kind(data)
    if kind is None or kind not in allowed:
        raise DocumentRejected(N_("This kind of file is not accepted here; see the accepted kinds."),
                               kind="unsupported")
    return kind

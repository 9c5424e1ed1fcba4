"""Evidence documents (PDF, DOCX, XLSX): the type is read from the content, never from the
file name or the declared content type. Plain Python.

- PDF: starts with `%PDF-` and has an `%%EOF` marker near its end (a truncated upload
  has none).
- DOCX / XLSX: a ZIP (Office Open XML) with `[Content_Types].xml` and the main part
  (`word/document.xml` / `xl/workbook.xml`). Macro-enabled files (a `vbaProject.bin`
  part) are refused, and so are archives that would unpack to more than
  MAX_UNPACKED_BYTES (the names and sizes are read from the directory; nothing is
  extracted).
"""
import io
import zipfile

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class DocumentRejected(ValueError):
    def __init__(self, message: str, kind: str = "invalid"):
        super().__init__(message)
        self.kind = kind  # "unsupported" (415) or "invalid" (422)


def sniff(data: bytes) -> str:
    """The document's kind (pdf, docx, xlsx) from its bytes, or DocumentRejected."""
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise DocumentRejected("The PDF is truncated (no end-of-file marker); upload it again.")
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, ValueError, OSError):
            raise DocumentRejected("The file looks like an Office document but is damaged.")
        names = {i.filename for i in infos}
        if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
            raise DocumentRejected("The document unpacks to more than 200 MB; it is refused.")
        if any(n.endswith("vbaProject.bin") for n in names):
            raise DocumentRejected("Documents with macros (.docm, .xlsm) are not accepted; save it as "
                                   ".docx or .xlsx.", kind="unsupported")
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
        raise DocumentRejected("Only PDF, DOCX and XLSX documents are accepted.", kind="unsupported")
    raise DocumentRejected("Only PDF, DOCX and XLSX documents (and photos) are accepted.", kind="unsupported")

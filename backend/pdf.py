"""Printable PDF documents in Chinese (the 通报 bulletin, a clue's transfer letter) with
reportlab, the font embedded (subset) so that they print the same everywhere.

The font is a TrueType (or TrueType collection) file with Chinese glyphs: PDF_FONT, or the
first found of FONT_CANDIDATES (Debian's fonts-wqy-zenhei, installed by
scripts/ensure-fonts.sh). Without one, building a document fails with MissingFont, which
says what to install. Every text from users is escaped before reportlab reads its markup.
"""
import io
import os
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from .domain.text import xml_text

FONT_NAME = "XunchaCJK"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


class MissingFont(RuntimeError):
    pass


_registered: str | None = None


def font_path(configured: str | None) -> str:
    if configured:
        if not os.path.isfile(configured):
            raise MissingFont(f"PDF_FONT={configured} does not exist: set it to a TrueType font with "
                              "Chinese glyphs, or install fonts-wqy-zenhei (scripts/ensure-fonts.sh).")
        return configured
    for candidate in FONT_CANDIDATES:
        if os.path.isfile(candidate):
            return candidate
    raise MissingFont("No Chinese TrueType font found (looked for " + ", ".join(FONT_CANDIDATES) +
                      "): install Debian's fonts-wqy-zenhei (scripts/ensure-fonts.sh, run by "
                      "`make test`), or set PDF_FONT to such a font.")


def register_font(configured: str | None) -> str:
    """Register the Chinese font with reportlab once per process and path."""
    global _registered
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont, TTFError

    path = font_path(configured)
    if _registered != path:
        try:
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
        except (TTFError, OSError) as exc:
            raise MissingFont(f"{path} cannot be embedded ({exc}): use a TrueType font with Chinese "
                              "glyphs (fonts-wqy-zenhei).") from exc
        _registered = path
    return FONT_NAME


def text(value) -> str:
    """User text for a Paragraph: markup characters escaped, line breaks kept, encodable (a
    lone surrogate kept from before the text cleaner would fail the whole document)."""
    return escape(xml_text("" if value is None else str(value))).replace("\n", "<br/>")


@dataclass
class Document:
    """A simple printable document: a title, headings, paragraphs and tables (A4)."""
    title: str
    subtitle: str = ""
    font: str | None = None
    flow: list = field(default_factory=list)

    def _styles(self):
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.enums import TA_CENTER
        base = dict(fontName=self.font, wordWrap="CJK")
        return {"title": ParagraphStyle("title", fontSize=18, leading=26, alignment=TA_CENTER, **base),
                "subtitle": ParagraphStyle("subtitle", fontSize=11, leading=16, alignment=TA_CENTER, **base),
                "heading": ParagraphStyle("heading", fontSize=13, leading=20, spaceBefore=10, spaceAfter=4, **base),
                "body": ParagraphStyle("body", fontSize=10.5, leading=16, firstLineIndent=21, **base),
                "cell": ParagraphStyle("cell", fontSize=9, leading=12, **base)}

    def heading(self, words: str) -> None:
        self.flow.append(("heading", words))

    def paragraph(self, words: str) -> None:
        self.flow.append(("body", words))

    def table(self, header: list[str], rows: list[list], widths: list[float] | None = None) -> None:
        self.flow.append(("table", (header, rows, widths)))

    def render(self) -> tuple[bytes, int]:
        """The PDF's bytes and its number of pages."""
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

        styles = self._styles()
        story = [Paragraph(text(self.title), styles["title"])]
        if self.subtitle:
            story.append(Paragraph(text(self.subtitle), styles["subtitle"]))
        story.append(Spacer(1, 6 * mm))
        usable = A4[0] - 40 * mm
        for kind, content in self.flow:
            if kind == "table":
                header, rows, widths = content
                cells = [[Paragraph(text(c), styles["cell"]) for c in row] for row in [header, *rows]]
                col_widths = [usable * w for w in widths] if widths else None
                table = Table(cells, colWidths=col_widths, repeatRows=1)
                table.setStyle(TableStyle([
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP")]))
                story += [table, Spacer(1, 3 * mm)]
            else:
                story.append(Paragraph(text(content), styles[kind]))
        buffer = io.BytesIO()
        pages = []
        template = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                                     topMargin=20 * mm, bottomMargin=20 * mm, title=xml_text(self.title),
                                     author="县委巡察办")

        def footer(canvas, doc):
            pages.append(doc.page)
            canvas.setFont(self.font, 9)
            canvas.drawCentredString(A4[0] / 2, 10 * mm, f"— {doc.page} —")
        template.build(story, onFirstPage=footer, onLaterPages=footer)
        return buffer.getvalue(), len(pages)

"""The evidence pack as a PDF, drawn with fpdf2 (pure Python: no system libraries) from the same blocks as the
HTML. fpdf2's built-in fonts cover Latin-1 only and no font file ships with the app, so other characters are
written as their closest Latin-1 form (ŵ → w, “ → ") or "?"; the JSON pack stays the authoritative record, and
is attached to the PDF, byte for byte as sealed, for verification."""

import unicodedata
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from api.evidence_pack.layout import blocks

FILLS = {"red": (246, 213, 213), "amber": (251, 232, 195), "green": (213, 238, 219)}
HEADING = FontFace(emphasis="BOLD", fill_color=(240, 244, 245))
SIZES = {"h1": 15, "h2": 12, "h3": 10}
_REPLACE = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
            "\u2026": "...", "\u2022": "*", "\u00a0": " ", "\u2192": "->", "\u2212": "-"}


def latin1(value: str) -> str:
    out = []
    for char in value:
        char = _REPLACE.get(char, char)
        if len(char) == 1 and ord(char) > 0xFF:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
            char = base or "?"
        if len(char) == 1 and unicodedata.category(char) == "Cc" and char != "\n":
            char = " "
        out.append(char)
    return "".join(out)


def attachment_name(pack: dict[str, Any]) -> str:
    return f"evidence-pack-{pack['plan']['id']}.json"


def render(pack: dict[str, Any], sealed: bytes) -> bytes:
    """The PDF, with the pack's sealed JSON (sealed: the bytes the digest was computed on) attached as an embedded
    file: the printed text is approximated to Latin-1 and cannot be verified, the attachment can."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(latin1(f"Evidence pack: {pack['plan']['title']}"))
    pdf.set_auto_page_break(True, margin=12)
    name = attachment_name(pack)
    pdf.embed_file(bytes=sealed, basename=name, mime_type="application/json", compress=True,
                   desc="The evidence pack's JSON as it was sealed: verify this file")
    pdf.add_page()
    where = (f"The pack's JSON as it was sealed is attached to this PDF as the file {name} (the PDF reader's "
             "attachments panel); this text is drawn from it, with characters outside Latin-1 approximated.")
    for block in blocks(pack, where):
        kind = block[0]
        if kind in SIZES:
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", SIZES[kind])
            pdf.multi_cell(0, SIZES[kind] * 0.5, latin1(block[1]), new_x="LMARGIN", new_y="NEXT")
        elif kind == "p":
            pdf.set_font("Helvetica", "", 9)
            pdf.multi_cell(0, 4.5, latin1(block[1]), new_x="LMARGIN", new_y="NEXT")
        elif kind == "pairs":
            _table(pdf, None, [[k, v] for k, v in block[1]], None, widths=(1, 4))
        else:
            _, headers, rows, classes = block
            if rows:
                _table(pdf, headers, rows, classes)
            else:
                pdf.set_font("Helvetica", "", 9)
                pdf.multi_cell(0, 4.5, "None recorded.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# fpdf2 cannot split one table row across pages, and refused (a 500) a row taller than a page: a cell's text goes
# on in the rows below it, a piece at a time, each short enough for the narrowest column to fit on a page. The worst
# case is words just over half that column wide (34 mm: the activities' attendees), one to a line: 400 characters of
# them ran past a page; 200 make at most about 25 lines of 4 mm.
PIECE_CHARS, PIECE_LINES = 200, 20


def _pieces(value: str) -> list[str]:
    """The text cut into pieces of at most PIECE_CHARS characters and PIECE_LINES lines, at a space if it can."""
    pieces: list[str] = []
    lines: list[str] = []
    for line in value.split("\n"):
        while len(line) > PIECE_CHARS:
            cut = line.rfind(" ", PIECE_CHARS // 2, PIECE_CHARS)
            cut = cut if cut > 0 else PIECE_CHARS
            line_piece, line = line[:cut], line[cut:].lstrip(" ")
            if lines:
                pieces.append("\n".join(lines))
                lines = []
            pieces.append(line_piece)
        if lines and (len(lines) >= PIECE_LINES or sum(map(len, lines)) + len(line) > PIECE_CHARS):
            pieces.append("\n".join(lines))
            lines = []
        lines.append(line)
    pieces.append("\n".join(lines))
    return pieces


def _table(pdf: FPDF, headers: list[str] | None, rows: list[list[str]], classes: list[str] | None,
           widths: tuple[int, ...] | None = None) -> None:
    pdf.set_font("Helvetica", "", 8)
    with pdf.table(width=pdf.epw, col_widths=widths, line_height=4, text_align="LEFT", headings_style=HEADING,
                   first_row_as_headings=headers is not None) as table:
        if headers is not None:
            row = table.row()
            for header in headers:
                row.cell(latin1(header))
        for index, values in enumerate(rows):
            fill = FILLS.get(classes[index]) if classes else None
            cells = [_pieces(latin1(value)) for value in values]
            for n in range(max(len(pieces) for pieces in cells)):
                row = table.row(style=FontFace(fill_color=fill) if fill else None)
                for pieces in cells:
                    row.cell(pieces[n] if n < len(pieces) else "")
    pdf.ln(2)

"""The evidence pack as a printable HTML document. Every value from the pack is escaped (html.escape,
quotes included); the markup around it is fixed, so no stored text can inject HTML or script."""

import base64
import hashlib
from html import escape
from typing import Any

from api.evidence_pack.layout import blocks

STYLE = """body{font-family:Arial,Helvetica,sans-serif;font-size:11pt;margin:2em;color:#212b32}
h1{font-size:18pt}h2{font-size:14pt;border-bottom:2px solid #005eb8;margin-top:1.6em;page-break-after:avoid}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #aeb7bd;padding:3px 5px;
text-align:left;vertical-align:top;word-break:break-word}th{background:#f0f4f5}
.red{background:#f6d5d5}.amber{background:#fbe8c3}.green{background:#d5eedb}tr{page-break-inside:avoid}
@media print{body{margin:0}}"""

# The page's own policy: the API's default (style-src 'self') would block the inline stylesheet above, and the
# page needs nothing else, so it admits that stylesheet alone, by its hash: no script, no other style.
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CSP = (f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")


def _e(value: str) -> str:
    return escape(value, quote=True)


def _block(block: tuple) -> str:
    kind = block[0]
    if kind in ("h1", "h2", "h3", "p"):
        return f"<{kind}>{_e(block[1])}</{kind}>"
    if kind == "pairs":
        return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in block[1]) + "</table>"
    _, headers, rows, classes = block
    if not rows:
        return "<p>None recorded.</p>"
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join((f'<tr class="{_e(classes[i])}">' if classes else "<tr>")
                   + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for i, row in enumerate(rows))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


SEALED_ID = "sealed-pack"
WHERE = (f"The pack's JSON as it was sealed is in this page's source, in the script element with id \"{SEALED_ID}\" "
         "(a data block: nothing runs), with '<', '>' and '&' written as the JSON escapes \\u003c, \\u003e and "
         "\\u0026, which JSON reads as the same characters, so it verifies as sealed.")
# A script element's text is raw: "</script" or "<!--" in a value would end or derail it, so every '<' is written as
# its JSON escape (which decodes to the same pack: verify recomputes the canonical form from what it parses); '>'
# and '&' too, so that a tool that HTML-unescapes the text it extracts still gets the same JSON. Nothing else in
# canonical JSON (control characters are already escaped) means anything there.
_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def sealed_json(sealed: bytes) -> str:
    """The sealed pack's JSON, safe to embed in a script data block."""
    return sealed.decode("utf-8").translate(_SAFE)


def render(pack: dict[str, Any], sealed: bytes) -> str:
    """The printable page, carrying the pack's sealed JSON (sealed: the bytes the digest was computed on) so that
    the digest it prints can be verified. The page's CSP admits no script: a JSON data block is never run."""
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e('Evidence pack: ' + pack['plan']['title'])}</title><style>{STYLE}</style></head><body>"
            + "".join(_block(b) for b in blocks(pack, WHERE))
            + f'<script type="application/json" id="{SEALED_ID}">{sealed_json(sealed)}</script></body></html>')

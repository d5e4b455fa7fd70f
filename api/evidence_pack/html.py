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


def render(pack: dict[str, Any]) -> str:
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e('Evidence pack: ' + pack['plan']['title'])}</title><style>{STYLE}</style></head><body>"
            + "".join(_block(b) for b in blocks(pack)) + "</body></html>")

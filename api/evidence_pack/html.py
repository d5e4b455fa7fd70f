"""The evidence pack as a printable HTML document. Every value from the pack is escaped (html.escape,
quotes included); the markup around it is fixed, so no stored text can inject HTML or script."""

from html import escape
from typing import Any

STYLE = """body{font-family:Arial,Helvetica,sans-serif;font-size:11pt;margin:2em;color:#212b32}
h1{font-size:18pt}h2{font-size:14pt;border-bottom:2px solid #005eb8;margin-top:1.6em;page-break-after:avoid}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #aeb7bd;padding:3px 5px;
text-align:left;vertical-align:top}th{background:#f0f4f5}code{font-size:9pt;word-break:break-all}
.red{background:#f6d5d5}.amber{background:#fbe8c3}.green{background:#d5eedb}tr{page-break-inside:avoid}
@media print{body{margin:0}}"""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _e(value: Any) -> str:
    return escape(_text(value), quote=True)


def _table(headers: list[str], rows: list[list[Any]], row_class: list[str] | None = None) -> str:
    if not rows:
        return "<p>None recorded.</p>"
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        css = f' class="{_e(row_class[index])}"' if row_class else ""
        body.append(f"<tr{css}>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _pairs(pairs: list[tuple[str, Any]]) -> str:
    return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in pairs) + "</table>"


def render(pack: dict[str, Any]) -> str:
    plan, report = pack["plan"], pack["duty_report"]
    parts = [f"<h1>Evidence pack: {_e(plan['title'])}</h1>",
             _pairs([("Organisation", pack["tenant"]["name"]), ("Sealed at", pack["sealed_at"]),
                     ("Sealed by", pack["sealed_by"]["id"]),
                     ("Audit chain head", f"event {pack['audit_head']['seq']}, {pack['audit_head']['hash']}"),
                     ("SHA-256 digest", pack["digest"]), ("Overall duty status", report["status"])]),
             "<p>Verify this pack with <code>involve verify-pack FILE</code> or "
             "<code>POST /api/v1/evidence-packs/verify</code> using the JSON form of the pack.</p>",
             "<h2>Plan</h2>",
             _pairs([(k, plan.get(k)) for k in ("programme", "stage", "status", "purpose", "approach", "start_date",
                                                "end_date", "audience_categories", "approved_at")]),
             "<h2>Duty report</h2>",
             _table(["Duty", "Requirement", "Status", "Reason", "Gaps"],
                    [[i["duty_title"], f"{i['code']}: {i['title']}", i["status"], i["reason"], i["gaps"]]
                     for i in report["items"]], [i["status"] for i in report["items"]]),
             "<h2>Applicability record</h2>",
             _table(["Version", "Recorded", "Signed off", "Entries"],
                    [[v["number"], v["created_at"], v["signed_off_at"],
                      "; ".join(f"{e.get('duty_id')}: {'applies' if e.get('applies') else 'does not apply'}"
                                f" ({e.get('level') or '-'}) {e.get('reasons') or ''}" for e in v["entries"]
                                if isinstance(e, dict))] for v in pack["applicability"]]),
             "<h2>Power/interest grid</h2>",
             _pairs(list(pack["grid"]["counts"].items())),
             _table(["Stakeholder", "Categories", "Interest", "Influence", "Quadrant"],
                    [[s["name"], s["categories"], s["interest"], s["influence"], s["quadrant"]]
                     for s in pack["grid"]["stakeholders"]]),
             "<h2>Activities and attendance</h2>",
             _table(["Starts", "Activity", "Method", "Limb", "Status", "Invited", "Attended", "Attendees"],
                    [[a["starts_at"], a["title"], a["method"], a["duty_limb"], a["status"], a["invited_count"],
                      a["attended_count"], [line["stakeholder_name"] for line in a["attendance"] if line["attended"]]]
                     for a in pack["activities"]]),
             "<h2>Feedback and responses</h2>",
             _table(["Received", "Themes", "Said", "Response", "Told"],
                    [[f["received_at"], f["themes"], f["text"], f["response_text"], f["told_at"]]
                     for f in pack["feedback"]]),
             "<h2>Consultations</h2>"]
    for c in pack["consultations"]:
        parts.append(f"<h3>{_e(c['title'])}</h3>")
        parts.append(_pairs([(k, c[k]) for k in ("opened_date", "closed_date", "minimum_days", "shorter_reason",
                                                 "decision_date", "decision_maker", "decision_summary")]))
        parts.append(_documents(c["documents"]))
    if not pack["consultations"]:
        parts.append("<p>None recorded.</p>")
    if pack["other_documents"]:
        parts += ["<h3>Other documents</h3>", _documents(pack["other_documents"])]
    record = pack["scrutiny"]["record"]
    parts += ["<h2>Scrutiny log</h2>", _pairs(list(record.items())) if record else "<p>No scrutiny record.</p>",
              _table(["Date", "Direction", "Summary"], [[c["correspondence_date"], c["direction"], c["summary"]]
                                                        for c in pack["scrutiny"]["correspondence"]]),
              "<h2>Evidence</h2>",
              _table(["Requirement", "Summary", "Decision", "Decision date"],
                     [[e["requirement_id"], e["summary"], e["decision"], e["decision_date"]]
                      for e in pack["evidence"]])]
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Evidence pack: {_e(plan['title'])}</title><style>{STYLE}</style></head><body>"
            + "".join(parts) + "</body></html>")


def _documents(documents: list[dict[str, Any]]) -> str:
    return _table(["Kind", "Title", "File", "Size (bytes)", "Published", "SHA-256"],
                  [[d["kind"], d["title"], d["filename"], d["size_bytes"], d["published_at"], d["sha256"]]
                   for d in documents])

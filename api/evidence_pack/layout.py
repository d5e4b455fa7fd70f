"""What a printed evidence pack shows, in order, as plain blocks that the HTML and PDF renderers draw:
("h1"|"h2"|"h3"|"p", text), ("pairs", [(label, value)]), ("table", headers, rows, row_classes)."""

from typing import Any

Block = tuple


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {text(v)}" for k, v in value.items())
    return str(value)


def _table(headers: list[str], rows: list[list[Any]], classes: list[str] | None = None) -> Block:
    return ("table", headers, [[text(cell) for cell in row] for row in rows], classes)


def _pairs(pairs: list[tuple[str, Any]]) -> Block:
    return ("pairs", [(label, text(value)) for label, value in pairs])


def _documents(documents: list[dict[str, Any]]) -> Block:
    return _table(["Kind", "Title", "File", "Size (bytes)", "Published", "SHA-256"],
                  [[d["kind"], d["title"], d["filename"], d["size_bytes"], d["published_at"], d["sha256"]]
                   for d in documents])


def _entries(version: dict[str, Any]) -> str:
    return "; ".join(f"{_duty(e)}: {'applies' if e.get('applies') else 'does not apply'} "
                     f"({e.get('level') or '-'}) {e.get('reasons') or ''}".strip()
                     for e in version["entries"] if isinstance(e, dict))


def _duty(entry: dict[str, Any]) -> str:
    """A duty as the version names it (its code and title then), or by id where it names none."""
    if entry.get("duty_code") and entry.get("duty_title"):
        return f"{entry['duty_code']} ({entry['duty_title']})"
    return str(entry.get("duty_id"))


def blocks(pack: dict[str, Any]) -> list[Block]:
    plan, report, head = pack["plan"], pack["duty_report"], pack["audit_head"]
    out: list[Block] = [
        ("h1", f"Evidence pack: {plan['title']}"),
        _pairs([("Organisation", pack["tenant"]["name"]), ("Sealed at", pack["sealed_at"]),
                ("Sealed by", pack["sealed_by"]["id"]), ("Audit chain head", f"event {head['seq']}, {head['hash']}"),
                ("SHA-256 digest", pack["digest"]), ("Overall duty status", report["status"])]),
        ("p", "Verify this pack with `involve verify-pack FILE` or POST /api/v1/evidence-packs/verify, using the JSON "
              "form of the pack exactly as it was sealed."),
        ("h2", "Plan"),
        _pairs([(k, plan.get(k)) for k in ("programme", "stage", "status", "purpose", "approach", "start_date",
                                           "end_date", "audience_categories", "approved_at")]),
        ("h2", "Duty report"),
        _table(["Duty", "Requirement", "Status", "Reason", "Gaps"],
               [[i["duty_title"], f"{i['code']}: {i['title']}", i["status"], i["reason"], i["gaps"]]
                for i in report["items"]], [i["status"] for i in report["items"]]),
        ("h2", "Applicability record"),
        _table(["Version", "Recorded", "Signed off", "Entries"],
               [[v["number"], v["created_at"], v["signed_off_at"], _entries(v)] for v in pack["applicability"]]),
        ("h2", "Power/interest grid"),
        _pairs(list(pack["grid"]["counts"].items())),
        _table(["Stakeholder", "Categories", "Interest", "Influence", "Quadrant"],
               [[s["name"], s["categories"], s["interest"], s["influence"], s["quadrant"]]
                for s in pack["grid"]["stakeholders"]]),
        ("h2", "Activities and attendance"),
        _table(["Starts", "Activity", "Method", "Limb", "Status", "Invited", "Attended", "Attendees"],
               [[a["starts_at"], a["title"], a["method"], a["duty_limb"], a["status"], a["invited_count"],
                 a["attended_count"], [line["stakeholder_name"] for line in a["attendance"] if line["attended"]]]
                for a in pack["activities"]]),
        ("h2", "Feedback and responses"),
        _table(["Received", "Themes", "Said", "Response", "Told"],
               [[f["received_at"], f["themes"], f["text"], f["response_text"], f["told_at"]]
                for f in pack["feedback"]]),
        ("h2", "Consultations"),
    ]
    for c in pack["consultations"]:
        out += [("h3", c["title"]),
                _pairs([(k, c[k]) for k in ("opened_date", "closed_date", "minimum_days", "shorter_reason",
                                            "decision_date", "decision_maker", "decision_summary")]),
                _documents(c["documents"])]
    if not pack["consultations"]:
        out.append(("p", "None recorded."))
    if pack["other_documents"]:
        out += [("h3", "Other documents"), _documents(pack["other_documents"])]
    record = pack["scrutiny"]["record"]
    out += [("h2", "Scrutiny log"),
            _pairs(list(record.items())) if record else ("p", "No scrutiny record."),
            _table(["Date", "Direction", "Summary"], [[c["correspondence_date"], c["direction"], c["summary"]]
                                                      for c in pack["scrutiny"]["correspondence"]]),
            ("h2", "Evidence"),
            _table(["Requirement", "Summary", "Decision", "Decision date"],
                   [[e["requirement_id"], e["summary"], e["decision"], e["decision_date"]] for e in pack["evidence"]])]
    return out

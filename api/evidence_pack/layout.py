"""What a printed evidence pack shows, in order, as plain blocks that the HTML and PDF renderers draw:
("h1"|"h2"|"h3"|"p", text), ("pairs", [(label, value)]), ("table", headers, rows, row_classes).
Instants are printed as UK local time (see instant); dates (no time of day) as the pack holds them."""

from datetime import UTC, datetime
from typing import Any, NamedTuple

from api.activities.engagement import UK

Block = tuple


def instant(value: str | None) -> str:
    """An instant of the pack (ISO 8601, UTC) as UK local time with its zone: "1 June 2026 00:30 BST". The duty
    report reasons in UK days, so a reader must see the UK day: in UTC, 00:30 BST on 1 June read as 31 May 23:30.
    The sealed JSON keeps UTC; only its printed forms are local."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    # The pack writes its instants with their offset (Z); one without is read as UTC, never as the server's zone.
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UK)
    return f"{local.day} {local:%B %Y %H:%M} {local.tzname()}"


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
                  [[d["kind"], d["title"], d["filename"], d["size_bytes"], instant(d["published_at"]), d["sha256"]]
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


def _elsewhere(record: dict[str, Any], plan_id: str) -> str:
    """Why a record the evidence links is not among the plan's own: another plan's (or none's), archived; "" for
    the plan's own live records."""
    notes = []
    if record.get("plan_id") != plan_id:
        notes.append(f"plan {record['plan_id']}" if record.get("plan_id") else "no plan")
    if record.get("archived_at"):
        notes.append(f"archived {instant(record['archived_at'])}")
    return ", ".join(notes)


class _Records(NamedTuple):
    """The records the evidence may cite, by id, as the pack holds them: gathered once per pack, not per item."""

    requirements: dict[str, dict[str, Any]]  # the duty report's items
    activities: dict[str, dict[str, Any]]
    feedback: dict[str, dict[str, Any]]
    documents: dict[str, dict[str, Any]]
    consultations: dict[str, dict[str, Any]]


def _records(pack: dict[str, Any]) -> _Records:
    requirements: dict[str, dict[str, Any]] = {}
    for i in pack["duty_report"]["items"]:
        requirements.setdefault(i.get("requirement_id"), i)  # the first item of a requirement names it
    documents = {d["id"]: d for c in pack["consultations"] for d in c["documents"]}
    documents.update((d["id"], d) for d in pack["other_documents"])
    return _Records(requirements, {a["id"]: a for a in pack["activities"]}, {f["id"]: f for f in pack["feedback"]},
                    documents, {c["id"]: c for c in pack["consultations"]})


def _requirement(records: _Records, requirement_id: str) -> str:
    """The requirement as the duty report names it; its id where the report has no item for it (its duty does not
    apply)."""
    found = records.requirements.get(requirement_id)
    if found is None:
        return f"{requirement_id} (not in the duty report)"
    return f"{found['code']}: {found['title']} ({found['duty_title']})"


def _links(records: _Records, plan_id: str, item: dict[str, Any]) -> str:
    """What an evidence item links, each record as the pack holds it (the pack holds every one it links)."""
    out = []
    for ref in item["activity_ids"]:
        a = records.activities.get(ref)
        where = _elsewhere(a, plan_id) if a else "not in the pack"
        out.append(f"Activity {ref}" + (f": {a['title']} ({instant(a['starts_at'])})" if a else "")
                   + (f" [{where}]" if where else ""))
    for ref in item["feedback_ids"]:
        f = records.feedback.get(ref)
        where = _elsewhere(f, plan_id) if f else "not in the pack"
        out.append(f"Feedback {ref}" + (f" (received {instant(f['received_at'])})" if f else "")
                   + (f" [{where}]" if where else ""))
    for ref in item["document_ids"]:
        d = records.documents.get(ref)
        out.append(f"Document {ref}: {d['title']} ({d['filename']}), SHA-256 {d['sha256']}" if d
                   else f"Document {ref} [not in the pack]")
    return "; ".join(out)


def _archived(record: dict[str, Any]) -> str:
    return f" [archived {instant(record['archived_at'])}]" if record["archived_at"] else ""


def _decision(records: _Records, item: dict[str, Any]) -> str:
    """The decision an evidence item records, and the title of the consultation it is about when it names one (the
    pack holds that consultation, archived or not: a foreign key keeps it, and the pack adds an archived one)."""
    if item["consultation_id"] is None:
        return text(item["decision"])
    c = records.consultations[item["consultation_id"]]
    return "; ".join(part for part in (item["decision"], f"Consultation: {c['title']}{_archived(c)}") if part)


def blocks(pack: dict[str, Any], sealed_json: str) -> list[Block]:
    """The pack's blocks; sealed_json says where the reader finds the pack's JSON as sealed (in the page, attached
    to the PDF), which is what verification checks: the printed text alone cannot be verified."""
    plan, report, head = pack["plan"], pack["duty_report"], pack["audit_head"]
    records = _records(pack)
    own_activities = [a for a in pack["activities"] if not _elsewhere(a, plan["id"])]
    other_activities = [a for a in pack["activities"] if _elsewhere(a, plan["id"])]
    own_feedback = [f for f in pack["feedback"] if not _elsewhere(f, plan["id"])]
    other_feedback = [f for f in pack["feedback"] if _elsewhere(f, plan["id"])]
    out: list[Block] = [
        ("h1", f"Evidence pack: {plan['title']}"),
        _pairs([("Organisation", pack["tenant"]["name"]), ("Sealed at", instant(pack["sealed_at"])),
                ("Sealed by", pack["sealed_by"]["id"]), ("Audit chain head", f"event {head['seq']}, {head['hash']}"),
                ("SHA-256 digest", pack["digest"]), ("Overall duty status", report["status"])]),
        ("p", f"{sealed_json} Save it as a file and verify it with `involve verify-pack FILE` or by sending it to "
              "POST /api/v1/evidence-packs/verify: it is valid only if its digest is the one above, the audit trail "
              "records its sealing and the audit chain is intact. A paper copy carries only the digest: keep the "
              "file."),
        ("h2", "Plan"),
        _pairs([(k, plan.get(k)) for k in ("programme", "stage", "status", "purpose", "approach", "start_date",
                                           "end_date", "audience_categories")]
               + [("approved_at", instant(plan.get("approved_at")))]),
        ("h2", "Duty report"),
        _table(["Duty", "Requirement", "Status", "Reason", "Gaps"],
               [[i["duty_title"], f"{i['code']}: {i['title']}", i["status"], i["reason"], i["gaps"]]
                for i in report["items"]], [i["status"] for i in report["items"]]),
        ("h2", "Applicability record"),
        _table(["Version", "Recorded", "Signed off", "Entries"],
               [[v["number"], instant(v["created_at"]), instant(v["signed_off_at"]), _entries(v)]
                for v in pack["applicability"]]),
        ("h2", "Power/interest grid"),
        _pairs(list(pack["grid"]["counts"].items())),
        _table(["Stakeholder", "Categories", "Interest", "Influence", "Quadrant"],
               [[s["name"], s["categories"], s["interest"], s["influence"], s["quadrant"]]
                for s in pack["grid"]["stakeholders"]]),
        ("h2", "Activities and attendance"),
        _activities(own_activities),
    ]
    if other_activities:
        out += [("h3", "Other activities the evidence links (another plan's or archived)"),
                _activities(other_activities, plan["id"])]
    out += [("h2", "Feedback and responses"), _feedback(own_feedback)]
    if other_feedback:
        out += [("h3", "Other feedback the evidence links (another plan's or archived)"),
                _feedback(other_feedback, plan["id"])]
    out.append(("h2", "Consultations"))
    for c in pack["consultations"]:
        out += [("h3", c["title"] + _archived(c)),
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
            _table(["Requirement", "Summary", "Links", "Decision", "Decision date"],
                   [[_requirement(records, e["requirement_id"]), e["summary"], _links(records, plan["id"], e),
                     _decision(records, e), e["decision_date"]] for e in pack["evidence"]])]
    return out


def _activities(rows: list[dict[str, Any]], plan_id: str | None = None) -> Block:
    """The activities with their attendance; with plan_id, a column saying why each is not the plan's own."""
    where = ["Where"] if plan_id else []
    return _table(where + ["Starts", "Activity", "Method", "Limb", "Status", "Invited", "Attended", "Attendees"],
                  [([_elsewhere(a, plan_id)] if plan_id else [])
                   + [instant(a["starts_at"]), a["title"], a["method"], a["duty_limb"], a["status"],
                      a["invited_count"], a["attended_count"],
                      [line["stakeholder_name"] for line in a["attendance"] if line["attended"]]]
                   for a in rows])


def _feedback(rows: list[dict[str, Any]], plan_id: str | None = None) -> Block:
    """Feedback with its responses; with plan_id, a column saying why each is not the plan's own."""
    where = ["Where"] if plan_id else []
    return _table(where + ["Received", "Themes", "Said", "Response", "Told"],
                  [([_elsewhere(f, plan_id)] if plan_id else [])
                   + [instant(f["received_at"]), f["themes"], f["text"], f["response_text"], instant(f["told_at"])]
                   for f in rows])

"""The printed pack (HTML, PDF) carries the JSON it was sealed from, so the digest it prints can be verified, and
shows what each evidence item links."""

import json
import re
import zlib
from datetime import UTC, datetime
from html.parser import HTMLParser

from sqlalchemy import select

from api.models import AuditEvent
from tests import factories
from tests.duty_report.support import evidence, green_plan, requirement

PACK = "/api/v1/plans/{}/evidence-pack"
VERIFY = "/api/v1/evidence-packs/verify"
HOSTILE = "</script><script>alert(1)</script> <!-- <script> &amp; &lt; \\u003c ŵyr"


class _Sealed(HTMLParser):
    """The text of the page's script elements, as a browser's parser reads it (a script's text is raw)."""

    def __init__(self):
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


async def _last_sealing(session, tenant) -> AuditEvent:
    return (await session.execute(select(AuditEvent).where(AuditEvent.tenant_id == tenant.id)
                                  .order_by(AuditEvent.seq.desc()).limit(1))).scalar_one()


async def _verify(client, headers, body: bytes) -> dict:
    r = await client.post(VERIFY, content=body, headers={**headers, "content-type": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_printed_pack_carries_its_sealed_json_which_verifies(client, session, a):
    # The page printed a digest whose JSON was discarded: asking for the JSON sealed another pack, another digest.
    world = await green_plan(session, a.tenant)
    world.feedback.text = HOSTILE
    await session.commit()
    r = await client.get(PACK.format(world.plan.id), params={"format": "html"}, headers=a["lead"])
    assert r.status_code == 200
    shown = re.search(r"<th>SHA-256 digest</th><td>([0-9a-f]{64})</td>", r.text).group(1)
    parser = _Sealed()
    parser.feed(r.text)
    assert [attrs for attrs, _ in parser.scripts] == [{"type": "application/json", "id": "sealed-pack"}]
    embedded = parser.scripts[0][1]
    assert "<" not in embedded and "&" not in embedded  # nothing in it can end or derail the element
    pack = json.loads(embedded)
    assert pack["digest"] == shown == (await _last_sealing(session, a.tenant)).changes["digest"]
    assert HOSTILE in [f["text"] for f in pack["feedback"]]
    assert (await _verify(client, a["auditor"], embedded.encode()))["valid"] is True
    assert "script element with id &quot;sealed-pack&quot;" in r.text and "/api/v1/evidence-packs/verify" in r.text


def _attachments(pdf: bytes) -> dict[bytes, bytes]:
    """The PDF's embedded files by name: each a file specification (/EF <</F n 0 R>> /F (name)) whose object n is a
    Flate-compressed /EmbeddedFile stream (as fpdf2 writes them)."""
    out = {}
    for number, name in re.findall(rb"/EF <</F (\d+) 0 R>>\n/F \(([^)]*)\)", pdf):
        stream = re.search(rb"\n" + number + rb" 0 obj\n<<\n(.*?)\n>>\nstream\n", pdf, re.S)
        header = stream.group(1)
        assert b"/Type /EmbeddedFile" in header and b"/Filter /FlateDecode" in header, header
        length = int(re.search(rb"/Length (\d+)", header).group(1))
        out[name] = zlib.decompress(pdf[stream.end():stream.end() + length])
    return out


async def test_a_pdf_pack_carries_its_sealed_json_attached_which_verifies(client, session, a):
    world = await green_plan(session, a.tenant)
    world.feedback.text = HOSTILE
    await session.commit()
    r = await client.get(PACK.format(world.plan.id), params={"format": "pdf"}, headers=a["auditor"])
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    attached = _attachments(r.content)
    name = f"evidence-pack-{world.plan.id}.json".encode()
    assert list(attached) == [name]
    pack = json.loads(attached[name])
    assert pack["digest"] == (await _last_sealing(session, a.tenant)).changes["digest"]
    assert (await _verify(client, a["viewer"], attached[name]))["valid"] is True


async def test_the_printed_evidence_shows_its_requirement_and_what_it_links(client, session, a):
    # The Evidence table showed the requirement as a bare UUID and none of the records the item links.
    world = await green_plan(session, a.tenant)
    req = await requirement(session, world.duties["nhs-act-s14z45"], "limb-a-planning")
    gone = await factories.activity(session, a.tenant, plan_id=world.plan.id, duty_limb=None, title="Board workshop")
    await evidence(session, world.plan, req, summary="Minutes", document_ids=[str(world.eia.id)],
                   feedback_ids=[str(world.feedback.id)], activity_ids=[str(gone.id)])
    await session.commit()
    assert (await client.delete(f"/api/v1/activities/{gone.id}", headers=a["lead"])).status_code == 204
    page = (await client.get(PACK.format(world.plan.id), params={"format": "html"}, headers=a["lead"])).text
    section = page.split("<h2>Evidence</h2>", 1)[1].split("<script", 1)[0]
    assert f"{req.code}: {req.title}" in section
    assert f"Document {world.eia.id}: {world.eia.title} ({world.eia.filename}), SHA-256 {world.eia.sha256}" in section
    assert f"Feedback {world.feedback.id} (received " in section
    assert f"Activity {gone.id}: Board workshop (" in section and "[archived " in section
    # and the archived activity is printed with the others, marked
    assert "Other activities the evidence links" in page


async def test_the_printed_pack_shows_instants_as_uk_local_time(client, session, a):
    # Instants were printed in UTC while the duty report reasons in UK days: an activity at 00:30 BST on 1 June
    # printed as 31 May 23:30, a day the report does not mean.
    world = await green_plan(session, a.tenant)
    late = await factories.activity(session, a.tenant, plan_id=world.plan.id, duty_limb=None, title="Late workshop",
                                    starts_at=datetime(2026, 5, 31, 23, 30, tzinfo=UTC))
    winter = await factories.feedback(session, a.tenant, plan_id=world.plan.id, themes=["winter"],
                                      received_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    req = await requirement(session, world.duties["nhs-act-s14z45"], "limb-a-planning")
    await evidence(session, world.plan, req, summary="Late", activity_ids=[str(late.id)],
                   feedback_ids=[str(winter.id)])
    await session.commit()
    page = (await client.get(PACK.format(world.plan.id), params={"format": "html"}, headers=a["lead"])).text
    printed = page.split("<script", 1)[0]
    assert "<td>1 June 2026 00:30 BST</td><td>Late workshop</td>" in printed  # its UK day, not 31 May
    assert "<td>5 January 2026 09:00 GMT</td><td>winter</td>" in printed
    assert f"Activity {late.id}: Late workshop (1 June 2026 00:30 BST)" in printed
    assert f"Feedback {winter.id} (received 5 January 2026 09:00 GMT)" in printed
    assert "<td>4 January 2026 09:00 GMT</td>" in printed  # the documents' publication
    assert re.search(r"<th>Sealed at</th><td>\d{1,2} [A-Z][a-z]+ \d{4} \d\d:\d\d (GMT|BST)</td>", printed)
    assert "2026-05-31" not in printed and not re.search(r"\d\d:\d\d(:\d\d)?(\.\d+)?(Z|\+00:00)", printed)
    # dates (no time of day) are printed as they were
    assert "<th>opened_date</th><td>2026-01-05</td>" in printed

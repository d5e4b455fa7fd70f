import base64
import hashlib
import json

import pytest
from sqlalchemy import func, select

from api import audit
from api.evidence_pack import seal
from api.models import AuditEvent
from tests import factories
from tests.conftest import as_table_owner
from tests.duty_report.support import NIL, ROLES, evidence, green_plan, requirement

PACK = "/api/v1/plans/{}/evidence-pack"
VERIFY = "/api/v1/evidence-packs/verify"
PACK_READERS = ("admin", "lead", "auditor")


async def sealed(client, plan, headers) -> bytes:
    r = await client.get(PACK.format(plan.id), headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    return r.content


async def events(session, tenant):
    return list((await session.execute(select(AuditEvent).where(AuditEvent.tenant_id == tenant.id)
                                       .order_by(AuditEvent.seq))).scalars())


@pytest.mark.parametrize("role", PACK_READERS)
async def test_pack_readers_seal_a_pack_that_verifies(client, session, a, role):
    world = await green_plan(session, a.tenant)
    before = await events(session, a.tenant)
    body = await sealed(client, world.plan, a[role])
    pack = json.loads(body)
    assert body == seal.encode(pack)  # served in its canonical form, digest included
    assert pack["digest"] == hashlib.sha256(seal.canonical(pack)).hexdigest()
    head = before[-1] if before else None
    assert pack["audit_head"] == ({"seq": head.seq, "hash": head.hash} if head else {"seq": 0, "hash": "0" * 64})
    after = await events(session, a.tenant)
    assert len(after) == len(before) + 1
    last = after[-1]
    assert last.action == "evidence_pack.sealed" and last.resource_id == str(world.plan.id)
    assert last.changes["digest"] == pack["digest"] and last.actor_id == a.users[role].id
    assert pack["sealed_by"] == {"type": "user", "id": str(a.users[role].id)}
    r = await client.post(VERIFY, content=body, headers={**a[role], "content-type": "application/json"})
    assert r.status_code == 200
    assert r.json() == {"valid": True, "digest_matches": True, "audit_head_found": True, "sealed_event_found": True,
                        "audit_chain_intact": True, "reasons": []}


async def test_the_pack_holds_the_whole_record(client, session, a):
    world = await green_plan(session, a.tenant)
    req = await requirement(session, world.duties["nhs-act-s14z45"], "limb-a-planning")
    item = await evidence(session, world.plan, req, summary="Board minutes")
    pack = json.loads(await sealed(client, world.plan, a["auditor"]))
    assert pack["format"] == "involve-evidence-pack/1"
    assert pack["tenant"]["id"] == str(a.tenant.id) and pack["plan"]["id"] == str(world.plan.id)
    assert [v["number"] for v in pack["applicability"]] == [1]
    assert pack["grid"]["plan_id"] == str(world.plan.id)
    assert "Bridport Traveller Forum" in [s["name"] for s in pack["grid"]["stakeholders"]]
    proposals = next(x for x in pack["activities"] if x["duty_limb"] == "proposals")
    assert proposals["attendance"] == [{"stakeholder_id": str(world.group.id), "stakeholder_name":
                                        "Bridport Traveller Forum", "invited": True, "attended": True, "role": None,
                                        "stakeholder_withheld": False}]
    assert pack["feedback"][0]["response_text"] == "More spaces"
    documents = pack["consultations"][0]["documents"]
    assert {d["sha256"] for d in documents} == {world.pack.sha256, world.eia.sha256}
    assert pack["scrutiny"]["record"]["substantial_variation"] is True
    assert pack["scrutiny"]["correspondence"][0]["direction"] == "sent"
    assert pack["evidence"][0]["id"] == str(item.id) and pack["duty_report"]["status"] == "green"


def _record(pack: dict) -> dict:
    """A pack without what differs from one sealing to the next."""
    record = {k: v for k, v in pack.items() if k not in ("sealed_at", "sealed_by", "audit_head", "digest")}
    return {**record, "duty_report": {k: v for k, v in record["duty_report"].items() if k != "generated_at"}}


async def test_a_restricted_person_is_in_every_pack_unnamed_and_unlinked(client, session, a):
    """UK GDPR Art. 18: a pack shows a restricted person as anyone but an admin sees them through the API, whoever
    seals it (a sealed record must not depend on who asked): the attendance line without the name, the feedback
    without the link; the lines and the feedback still count. Lifting the restriction brings both back."""
    world = await green_plan(session, a.tenant)
    theirs = await factories.feedback(session, a.tenant, plan_id=world.plan.id, stakeholder_id=world.group.id)
    await session.commit()
    r = await client.post(f"/api/v1/stakeholders/{world.group.id}/restriction", headers=a["admin"],
                          json={"reason": "Accuracy contested (Art. 18(1)(a))"})
    assert r.status_code == 200, r.text
    packs = [json.loads(await sealed(client, world.plan, a[role])) for role in PACK_READERS]
    assert _record(packs[0]) == _record(packs[1]) == _record(packs[2])
    for pack in packs:
        lines = next(x for x in pack["activities"] if x["duty_limb"] == "proposals")["attendance"]
        assert [(x["stakeholder_id"], x["stakeholder_name"]) for x in lines] == [(str(world.group.id), "***")]
        said = next(f for f in pack["feedback"] if f["id"] == str(theirs.id))
        assert (said["stakeholder_id"], said["stakeholder_withheld"]) == (None, True)
        assert "Bridport Traveller Forum" not in json.dumps(pack)
    assert (await client.delete(f"/api/v1/stakeholders/{world.group.id}/restriction",
                                headers=a["admin"])).status_code == 200
    pack = json.loads(await sealed(client, world.plan, a["auditor"]))
    said = next(f for f in pack["feedback"] if f["id"] == str(theirs.id))
    assert (said["stakeholder_id"], said["stakeholder_withheld"]) == (str(world.group.id), False)
    lines = next(x for x in pack["activities"] if x["duty_limb"] == "proposals")["attendance"]
    assert lines[0]["stakeholder_name"] == "Bridport Traveller Forum"


async def test_every_version_of_the_applicability_record_is_in_the_pack(client, session, a):
    from tests.duty_report.support import assessment

    world = await green_plan(session, a.tenant)
    await assessment(session, world.plan, world.duties, signed=False)
    pack = json.loads(await sealed(client, world.plan, a["lead"]))
    assert [v["number"] for v in pack["applicability"]] == [1, 2]
    assert pack["applicability"][1]["signed_off_at"] is None


@pytest.mark.parametrize("role", ("contributor", "viewer"))
async def test_other_roles_cannot_seal_a_pack(client, session, a, role):
    world = await green_plan(session, a.tenant)
    before = len(await events(session, a.tenant))
    r = await client.get(PACK.format(world.plan.id), headers=a[role])
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert len(await events(session, a.tenant)) == before


async def test_another_tenants_plan_is_not_found(client, session, a, b):
    world = await green_plan(session, b.tenant)
    r = await client.get(PACK.format(world.plan.id), headers=a["admin"])
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert (await session.execute(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == "evidence_pack.sealed"))).scalar_one() == 0


@pytest.mark.parametrize("path, params, status", [
    (NIL, {}, 404), ("nope", {}, 422), (None, {"format": "docx"}, 422)])
async def test_bad_input(client, session, a, path, params, status):
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    r = await client.get(PACK.format(path or plan.id), params=params, headers=a["lead"])
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"
    assert await events(session, a.tenant) == []


@pytest.mark.parametrize("role", PACK_READERS)
@pytest.mark.parametrize("fmt", ("json", "html", "pdf"))
async def test_head_answers_as_the_get_and_seals_nothing(client, session, a, role, fmt):
    world = await green_plan(session, a.tenant)
    await session.commit()
    before = await events(session, a.tenant)
    head = await client.head(PACK.format(world.plan.id), params={"format": fmt}, headers=a[role])
    assert head.status_code == 200 and head.content == b""
    assert await events(session, a.tenant) == before
    got = await client.get(PACK.format(world.plan.id), params={"format": fmt}, headers=a[role])
    for name in ("content-type", "content-disposition", "content-security-policy", "cache-control"):
        assert head.headers.get(name) == got.headers.get(name), name
    assert "content-length" not in head.headers  # only a sealed pack has one


@pytest.mark.parametrize("role, path, params, status", [
    ("viewer", None, {}, 403), ("lead", NIL, {}, 404), ("lead", "nope", {}, 422),
    ("lead", None, {"format": "docx"}, 422)])
async def test_head_keeps_the_gets_refusals_and_writes_nothing(client, session, a, role, path, params, status):
    plan = await factories.plan(session, a.tenant)
    await session.commit()
    r = await client.head(PACK.format(path or plan.id), params=params, headers=a[role])
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"
    assert await events(session, a.tenant) == []


async def test_head_of_another_tenants_pack_is_404_and_seals_nothing(client, session, a, b):
    theirs = (await green_plan(session, b.tenant)).plan
    await session.commit()
    before = await events(session, b.tenant)
    r = await client.head(PACK.format(theirs.id), headers=a["admin"])
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert await events(session, b.tenant) == before and await events(session, a.tenant) == []


async def test_html_is_printable_and_escapes_everything(client, session, a):
    world = await green_plan(session, a.tenant)
    world.plan.title = "<script>alert('x')</script> & co"
    world.feedback.text = "<img src=x onerror=alert(1)>"
    await session.commit()
    r = await client.get(PACK.format(world.plan.id), params={"format": "html"}, headers=a["auditor"])
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    page = r.text
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in page
    assert "Duty report" in page and world.eia.sha256 in page and "Bridport Traveller Forum" in page
    last = (await events(session, a.tenant))[-1]
    assert last.action == "evidence_pack.sealed" and last.changes["digest"] in page


async def test_the_html_packs_own_stylesheet_is_allowed_and_nothing_else(client, session, a):
    # The API's default CSP (style-src 'self') blocked the page's inline <style>, so a printed pack lost its layout.
    world = await green_plan(session, a.tenant)
    r = await client.get(PACK.format(world.plan.id), params={"format": "html"}, headers=a["auditor"])
    style = r.text.split("<style>", 1)[1].split("</style>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    csp = r.headers["content-security-policy"]
    assert f"style-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp


@pytest.mark.parametrize("role", PACK_READERS)
async def test_pdf_is_drawn_from_the_sealed_pack(client, session, a, role):
    world = await green_plan(session, a.tenant)
    world.plan.title = "Gwasanaeth ŵyr — 医院 “quoted” <b>"
    world.feedback.text = "Line one\nline two\ttabbed \u202e reversed"
    await session.commit()
    r = await client.get(PACK.format(world.plan.id), params={"format": "pdf"}, headers=a[role])
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-") and r.content.rstrip().endswith(b"%%EOF")
    assert (await events(session, a.tenant))[-1].action == "evidence_pack.sealed"


@pytest.mark.parametrize("text", [
    "The case for change rests on travel times and staffing. " * 350,  # a long purpose: 19,950 characters
    "W" * 20_000,  # one unbroken word
    "A line\n" * 2_500,  # many short lines
])
async def test_a_pdf_is_drawn_however_long_the_texts_are(client, session, a, text):
    # A value taller than a page in one table cell made fpdf2 refuse the row: the PDF was a 500.
    world = await green_plan(session, a.tenant)
    world.plan.purpose = text
    world.feedback.text = text
    await session.commit()
    r = await client.get(PACK.format(world.plan.id), params={"format": "pdf"}, headers=a["lead"])
    assert r.status_code == 200 and r.content.startswith(b"%PDF-"), r.text[:300]


def test_pdf_text_falls_back_to_latin_1():
    from api.evidence_pack.pdf import latin1

    assert latin1("ŵyr — “x” café 医") == 'wyr - "x" café ?'


def test_altering_any_byte_of_a_stored_pack_breaks_its_digest():
    pack = {"format": "involve-evidence-pack/1", "tenant": {"id": NIL, "name": "Dorset ICB — “test”"},
            "plan": {"title": "Café\nopening", "budget": 120050, "tags": ["a", "b"], "approved": True, "x": None},
            "audit_head": {"seq": 12, "hash": "ab" * 32}}
    pack["digest"] = seal.digest(pack)
    stored = seal.encode(pack)
    assert seal.digest(seal.loads(stored)) == pack["digest"]
    for position in range(len(stored)):
        for flip in (0x01, 0x20, 0x80):
            altered = bytearray(stored)
            altered[position] ^= flip
            try:
                parsed = seal.loads(bytes(altered))
            except seal.NotAPack:
                continue
            assert parsed.get("digest") != seal.digest(parsed), (position, flip)


async def test_an_altered_pack_does_not_verify(client, session, a):
    world = await green_plan(session, a.tenant)
    pack = json.loads(await sealed(client, world.plan, a["lead"]))
    pack["activities"][0]["title"] = "A workshop that never happened"
    r = await client.post(VERIFY, json=pack, headers=a["auditor"])
    assert r.status_code == 200
    got = r.json()
    assert got["valid"] is False and got["digest_matches"] is False and got["audit_head_found"] is True
    assert got["reasons"][0].startswith("The digest does not match")


async def test_a_pack_rebuilt_with_a_new_digest_does_not_verify(client, session, a):
    world = await green_plan(session, a.tenant)
    pack = json.loads(await sealed(client, world.plan, a["lead"]))
    pack["duty_report"]["status"] = "green"
    pack["plan"]["title"] = "Forged"
    pack["digest"] = seal.digest(pack)
    got = (await client.post(VERIFY, json=pack, headers=a["lead"])).json()
    assert got["digest_matches"] is True and got["sealed_event_found"] is False and got["valid"] is False


async def test_a_pack_with_an_unknown_audit_head_does_not_verify(client, session, a):
    world = await green_plan(session, a.tenant)
    pack = json.loads(await sealed(client, world.plan, a["lead"]))
    pack["audit_head"]["hash"] = "f" * 64
    got = (await client.post(VERIFY, json=pack, headers=a["lead"])).json()
    assert got["valid"] is False and got["audit_head_found"] is False and got["digest_matches"] is False


async def test_an_altered_audit_trail_fails_verification(client, session, a):
    world = await green_plan(session, a.tenant)
    pack = json.loads(await sealed(client, world.plan, a["lead"]))
    last = (await events(session, a.tenant))[-1]
    async with as_table_owner(session):
        last.changes = {**last.changes, "audit_head_seq": 99}
        await session.flush()
    got = (await client.post(VERIFY, json=pack, headers=a["lead"])).json()
    assert got["valid"] is False and any("audit trail was altered" in r for r in got["reasons"])


async def test_a_pack_whose_sealing_event_was_rewritten_and_rehashed_does_not_verify(client, session, a):
    # Verify checked only that events seq and seq + 1 match their own hashes: a forged pack with its sealing event
    # rewritten to its digest and rehashed verified, though the next event no longer chains to that event.
    world = await green_plan(session, a.tenant)
    pack = json.loads(await sealed(client, world.plan, a["lead"]))
    assert (await client.post("/api/v1/organisations", json={"name": "Later org"}, headers=a["lead"])).status_code \
        == 201
    pack["duty_report"]["status"] = "green"
    pack["plan"]["title"] = "Forged title"
    pack["digest"] = seal.digest(pack)
    sealing = next(e for e in await events(session, a.tenant) if e.seq == pack["audit_head"]["seq"] + 1)
    async with as_table_owner(session):
        sealing.changes = {**sealing.changes, "digest": pack["digest"]}
        sealing.hash = audit.event_hash(sealing)
        await session.flush()
    got = (await client.post(VERIFY, json=pack, headers=a["auditor"])).json()
    assert got["valid"] is False and got["audit_chain_intact"] is False
    assert got["digest_matches"] is True and got["sealed_event_found"] is True  # what was checked before
    assert f"The tenant's audit chain is broken at event {sealing.seq + 1} " in got["reasons"][-1]


async def test_a_rewritten_sealing_event_that_ends_the_chain_does_not_verify(client, session, a):
    # No later event chains to the last one: only the chain's recorded head shows it was rewritten.
    world = await green_plan(session, a.tenant)
    pack = json.loads(await sealed(client, world.plan, a["lead"]))
    pack["plan"]["title"] = "Forged title"
    pack["digest"] = seal.digest(pack)
    sealing = (await events(session, a.tenant))[-1]
    async with as_table_owner(session):
        sealing.changes = {**sealing.changes, "digest": pack["digest"]}
        sealing.hash = audit.event_hash(sealing)
        await session.flush()
    got = (await client.post(VERIFY, json=pack, headers=a["lead"])).json()
    assert got["valid"] is False and got["audit_chain_intact"] is False and got["sealed_event_found"] is True
    assert "is not its recorded head" in got["reasons"][-1]


async def test_another_tenants_pack_does_not_verify(client, session, a, b):
    world = await green_plan(session, b.tenant)
    pack = json.loads(await sealed(client, world.plan, b["lead"]))
    got = (await client.post(VERIFY, json=pack, headers=a["auditor"])).json()
    assert got["valid"] is False and got["digest_matches"] is True and got["audit_head_found"] is False
    assert "The pack was not sealed by this tenant." in got["reasons"]


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_may_verify_and_nothing_is_written(client, session, a, b, role):
    world = await green_plan(session, b.tenant)
    pack = json.loads(await sealed(client, world.plan, b["admin"]))
    before = len(await events(session, a.tenant))
    assert (await client.post(VERIFY, json=pack, headers=a[role])).status_code == 200
    assert len(await events(session, a.tenant)) == before


@pytest.mark.parametrize("body, status", [
    (b"{not json", 400), (b"[]", 422), (b"{}", 422),
    (b'{"digest": "x", "audit_head": {"seq": -1, "hash": "x"}, "tenant": {}}', 422),
    (b'{"digest": "x", "n": 1e400}', 422), (b'{"digest": "x", "n": ' + b"7" * 5000 + b"}", 400),
])
async def test_verify_refuses_what_is_not_a_pack(client, a, body, status):
    r = await client.post(VERIFY, content=body, headers={**a["lead"], "content-type": "application/json"})
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"


async def test_verify_needs_a_token(client):
    assert (await client.post(VERIFY, json={})).status_code == 401


async def test_verify_refuses_a_pack_with_a_duplicate_key(client, session, a):
    world = await green_plan(session, a.tenant)
    body = await sealed(client, world.plan, a["lead"])
    doubled = b'{"digest":"' + b"0" * 64 + b'",' + body[1:]
    r = await client.post(VERIFY, content=doubled, headers={**a["lead"], "content-type": "application/json"})
    assert r.status_code == 400 and "appears twice" in r.json()["detail"]


async def test_verify_refuses_an_unknown_member(client, session, a):
    world = await green_plan(session, a.tenant)
    pack = json.loads(await sealed(client, world.plan, a["lead"]))
    r = await client.post(VERIFY, json={**pack, "extra": 1}, headers=a["lead"])
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "extra"


@pytest.mark.parametrize("seq", [2**63 - 1, 2**63, 10**30])
async def test_a_pack_claiming_an_audit_seq_past_any_event_does_not_verify(client, session, a, seq):
    world = await green_plan(session, a.tenant)
    pack = json.loads(await sealed(client, world.plan, a["lead"]))
    pack["audit_head"]["seq"] = seq
    r = await client.post(VERIFY, json=pack, headers=a["lead"])
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["valid"] is False and got["audit_head_found"] is False
    assert "The pack has no valid audit_head." in got["reasons"]


async def test_verify_refuses_a_pack_with_a_lone_surrogate(client, session, a):
    world = await green_plan(session, a.tenant)
    body = await sealed(client, world.plan, a["lead"])
    forged = body.replace(b'"plan":{', b'"plan":{"note":"\\ud800",', 1)  # an untyped member: no 422 first
    r = await client.post(VERIFY, content=forged, headers={**a["lead"], "content-type": "application/json"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    assert "surrogate" in r.json()["detail"]


async def test_a_pack_larger_than_an_ordinary_body_still_verifies(client, session, a):
    # A plan with many long responses seals a pack past INVOLVE_MAX_BODY_BYTES (1 MiB), which verify refused (413).
    world = await green_plan(session, a.tenant)
    await factories.feedback(session, a.tenant, plan_id=world.plan.id, text="A long response. " * 70_000)
    await session.commit()
    body = await sealed(client, world.plan, a["lead"])
    assert len(body) > 1024 * 1024
    r = await client.post(VERIFY, content=body, headers={**a["lead"], "content-type": "application/json"})
    assert r.status_code == 200, r.text[:300]
    assert r.json()["valid"] is True


async def test_the_pdf_of_an_activity_with_many_short_wide_attendee_names_renders(client, session, a):
    # Words just over half the attendees column wide wrap one to a line: a 400-character piece of them ran past a
    # page, and fpdf2's refusal was a 500 after the sealing had been committed
    world = await green_plan(session, a.tenant)
    for _ in range(60):
        await factories.attendance(session, world.activities["planning"],
                                   await factories.stakeholder(session, a.tenant, name="WWWWWW"))
    await session.commit()
    r = await client.get(PACK.format(world.plan.id), params={"format": "pdf"}, headers=a["lead"])
    assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.text[:300]

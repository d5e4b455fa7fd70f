"""An erasure or a restriction racing concurrent writes on PostgreSQL: nothing the other write committed is lost, and
nothing of the person survives in what it stored. Real requests through the app; the other transaction (an editor's
PATCH under way, or any writer holding a row) is a connection beside the app's pool, as tests/race.py does."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from api.models import Activity, IdempotencyRecord, PlanRisk
from tests import factories
from tests.documents.support import consultation
from tests.race import POSTGRES_ONLY, live_app
from tests.risks.support import risk

pytestmark = POSTGRES_ONLY
ERASE = "/api/v1/stakeholders/{}/erase"


@pytest.mark.parametrize("kind", ["risk", "activity"])
async def test_an_edit_committed_while_the_erasure_scrubs_a_text_is_not_lost(kind):
    """The scrub read a row's text without a lock and wrote back the scrubbed old text by id alone: an edit that
    committed between the two was silently overwritten (the editor got 200 and a new ETag)."""
    async with live_app(f"r10_lost_{kind}", "admin") as (client, headers, db, tenant, plan, elsewhere):
        async with db.write_sessions() as session:
            ann = await factories.stakeholder(session, tenant, name="Ann Lee", kind="person",
                                              email="ann.lee@example.org", phone="07700 900123")
            if kind == "risk":
                row = await risk(session, plan, description="Ring 07700 900123")
                model, path = PlanRisk, f"/api/v1/plans/{plan.id}/risks/{{}}"
            else:
                row = await factories.activity(session, tenant, plan_id=plan.id, description="Ring 07700 900123")
                model, path = Activity, "/api/v1/activities/{}"
            await session.commit()
        async with elsewhere.connect() as editor:
            # An editor's PATCH under way: its UPDATE (new words, next version) is written, not yet committed
            await editor.execute(update(model).where(model.id == row.id).values(
                description="Ring 07700 900123 about the Bridport venue", version=model.version + 1))
            erasing = asyncio.ensure_future(client.post(ERASE.format(ann.id), headers=headers))
            await asyncio.sleep(1.5)
            assert not erasing.done(), erasing.result().text  # the erasure waits for the editor's row
            await editor.commit()
        erased = await erasing
        assert erased.status_code == 200, erased.text
        got = (await client.get(path.format(row.id), headers=headers)).json()
        # Either order of the two would keep the editor's new words (with the phone taken out)
        assert got["description"] == "Ring [removed] about the Bridport venue", got["description"]


async def test_a_restore_answered_while_the_erasure_runs_keeps_no_stored_copy_of_their_email():
    """The stored responses were scanned first; a keyed restore of a consultation that the erasure scrubbed later,
    answered in between, stored the consultation's words as they were (the person's email) and survived: a retry of
    its key replayed the email for 24 hours."""
    async with live_app("r10_replay", "admin") as (client, headers, db, tenant, plan, elsewhere):
        async with db.write_sessions() as session:
            ann = await factories.stakeholder(session, tenant, name="Ann Lee", kind="person",
                                              email="ann.lee@example.org")
            busy = await factories.activity(session, tenant, description="Ring ann.lee@example.org")
            cons = await consultation(session, plan, archived_at=datetime.now(UTC),
                                      decision_summary="Agreed after the petition of ann.lee@example.org")
            await session.commit()
        restore = f"/api/v1/plans/{plan.id}/consultations/{cons.id}/restore"
        keyed = {**headers, "Idempotency-Key": "restore-during-erasure"}
        async with elsewhere.connect() as editor:
            # Anyone's transaction holding one activity the erasure scrubs keeps the erasure running a while
            await editor.execute(select(Activity.id).where(Activity.id == busy.id).with_for_update())
            erasing = asyncio.ensure_future(client.post(ERASE.format(ann.id), headers=headers))
            await asyncio.sleep(1.5)
            assert not erasing.done(), erasing.result().text
            restored = await client.post(restore, headers=keyed)  # answered while the erasure runs
            assert restored.status_code == 200, restored.text
            await editor.commit()
        erased = await erasing
        assert erased.status_code == 200, erased.text
        current = (await client.get(f"/api/v1/plans/{plan.id}/consultations/{cons.id}", headers=headers)).json()
        assert "ann.lee" not in current["decision_summary"]  # the row itself was scrubbed
        async with elsewhere.connect() as check:
            stored = (await check.execute(select(IdempotencyRecord.body).where(
                IdempotencyRecord.tenant_id == tenant.id))).scalars().all()
        replay = await client.post(restore, headers=keyed)
        assert not any(b"ann.lee@example.org" in body for body in stored), (replay.headers.get(
            "idempotent-replayed"), replay.json().get("decision_summary"))


async def test_a_plan_naming_a_person_while_their_restriction_commits_is_refused_or_forgotten():
    """A lead's keyed POST /plans naming Bob, checked before the restriction and committed after its scan: the plan's
    audience newly named a restricted person (NO_NEW_LINK) and the lead's retry replayed his id, which every read now
    withholds. The plan now holds the people it names FOR SHARE, as feedback and attendance do: one of the two waits
    for the other."""
    from api.models import AuditHead, User

    async with live_app("r10_restrict", "admin") as (client, headers, db, tenant, plan, elsewhere):
        async with db.write_sessions() as session:
            bob = await factories.stakeholder(session, tenant, name="Bob Ray", kind="person")
            lead = User(tenant_id=tenant.id, email="lead@race.test", full_name="Lead", password_hash="x", role="lead")
            session.add(lead)
            await session.commit()
        lead_headers = {**factories.auth_headers(client._transport.app, lead), "Idempotency-Key": "plan-with-bob"}
        body = {"title": "Bob's plan", "audience_stakeholder_ids": [str(bob.id)]}
        async with elsewhere.connect() as writer:
            # Any audited write of the tenant under way holds the chain's head a moment
            await writer.execute(select(AuditHead.seq).where(AuditHead.tenant_id == tenant.id).with_for_update())
            creating = asyncio.ensure_future(client.post("/api/v1/plans", json=body, headers=lead_headers))
            await asyncio.sleep(0.7)
            restricting = asyncio.ensure_future(client.post(f"/api/v1/stakeholders/{bob.id}/restriction",
                                                            json={"reason": "Asked us to stop"}, headers=headers))
            await asyncio.sleep(0.7)
            assert not creating.done() and not restricting.done()
            await writer.commit()
        created, restricted = await creating, await restricting
        assert restricted.status_code == 200, restricted.text
        replay = await client.post("/api/v1/plans", json=body, headers=lead_headers)
        assert created.status_code in (201, 422), created.text
        # The restriction first: the plan is refused; the plan first: the restriction forgets its stored answer
        shown = (await client.get(created.headers["location"], headers=lead_headers)).json() \
            if created.is_success else {}
        assert created.status_code == 422 or str(bob.id) not in replay.text, (
            replay.headers.get("idempotent-replayed"), replay.text[:200], "read now:",
            shown.get("audience_stakeholder_ids"), shown.get("audience_withheld"))


async def test_a_plan_naming_a_person_while_their_erasure_commits_is_refused_or_forgotten():
    """Either the erasure goes first and the plan is refused (an erased person joins no audience), or the plan does
    and the erasure, after it, forgets its stored answer naming them."""
    from api.models import AuditHead

    async with live_app("r10_erase_plan", "admin") as (client, headers, db, tenant, plan, elsewhere):
        async with db.write_sessions() as session:
            bob = await factories.stakeholder(session, tenant, name="Bob Ray", kind="person")
            await session.commit()
        keyed = {**headers, "Idempotency-Key": "plan-with-bob"}
        body = {"title": "Bob's plan", "audience_stakeholder_ids": [str(bob.id)]}
        async with elsewhere.connect() as writer:
            await writer.execute(select(AuditHead.seq).where(AuditHead.tenant_id == tenant.id).with_for_update())
            creating = asyncio.ensure_future(client.post("/api/v1/plans", json=body, headers=keyed))
            await asyncio.sleep(0.7)
            erasing = asyncio.ensure_future(client.post(ERASE.format(bob.id), headers=headers))
            await asyncio.sleep(0.7)
            assert not creating.done() and not erasing.done()
            await writer.commit()
        created, erased = await creating, await erasing
        assert erased.status_code == 200, erased.text
        shown = (await client.get(created.headers["location"], headers=headers)).json() if created.is_success else {}
        replay = await client.post("/api/v1/plans", json=body, headers=keyed)
        assert created.status_code in (201, 409, 422), created.text
        assert created.status_code != 201 or replay.headers.get("idempotent-replayed") != "true", (
            "audience now:", shown.get("audience_stakeholder_ids"), replay.text[:200])

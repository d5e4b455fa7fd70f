"""Builders and helpers for the UK GDPR rights tests (evidence rows are written directly: their endpoints are
another package's)."""

import uuid

from sqlalchemy import select, text

from api import rls
from api.db import utcnow
from api.models import AuditEvent, Duty, DutyRequirement, Evidence
from tests import factories
from tests.conftest import APP_ROLE

ROLES = ("admin", "lead", "contributor", "viewer", "auditor")
NOT_ADMIN = ("lead", "contributor", "viewer", "auditor")
NIL = "00000000-0000-0000-0000-000000000000"


def person_url(stakeholder_id, tail: str = "") -> str:
    return f"/api/v1/stakeholders/{stakeholder_id}{tail}"


async def held_plan(session, tenant, title: str):
    """A plan of the tenant on legal hold."""
    return await factories.plan(session, tenant, title=title, legal_hold_at=utcnow())


def is_held(r, naming: str | None = None) -> bool:
    """A 409 legal-hold problem (naming the held plan by this title or id, when given)."""
    return is_problem(r, 409) and r.json()["type"].endswith("/legal-hold") and (
        naming is None or naming in r.json()["detail"])


def hold_url(plan_id) -> str:
    return f"/api/v1/plans/{plan_id}/legal-hold"


async def evidence(session, plan, *, activities=(), feedback=(), summary: str = "Minutes of the focus group"):
    """An evidence item of the plan linking the given activities and feedback."""
    duty = Duty(tenant_id=plan.tenant_id, jurisdiction="england", code=f"local-{uuid.uuid4()}", title="Local duty")
    session.add(duty)
    await session.flush()
    requirement = DutyRequirement(duty_id=duty.id, code="involve", title="Involve the public")
    session.add(requirement)
    await session.flush()
    row = Evidence(tenant_id=plan.tenant_id, plan_id=plan.id, requirement_id=requirement.id, summary=summary,
                   activity_ids=[str(a.id) for a in activities], feedback_ids=[str(f.id) for f in feedback],
                   document_ids=[])
    session.add(row)
    await session.flush()
    return row


async def attended(session, tenant, person, **values):
    """An activity the person attended."""
    activity = await factories.activity(session, tenant, **values)
    await factories.attendance(session, activity, person)
    return activity


async def events(session, resource_id, action: str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.resource_id == str(resource_id)).order_by(AuditEvent.seq)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list((await session.execute(stmt)).scalars())


def is_problem(r, status: int) -> bool:
    return r.status_code == status and r.headers["content-type"] == "application/problem+json"


async def lift_honours_if_match(client, session, url: str, headers: dict, current: str, model, row_id, field: str,
                                actions: list[str]) -> None:
    """DESIGN: a DELETE honours If-Match. Lifting at `url` with a stale ETag ('"1"', the record's first version) is
    a 412 problem that leaves the row's `field` set and writes no audit event (the record's trail stays `actions`);
    with the `current` ETag it lifts (200, the field cleared, a new ETag)."""
    r = await client.delete(url, headers={**headers, "If-Match": '"1"'})
    assert is_problem(r, 412), r.text
    assert getattr(await session.get(model, row_id, populate_existing=True), field) is not None
    assert [e.action for e in await events(session, row_id)] == actions
    r = await client.delete(url, headers={**headers, "If-Match": current})
    assert r.status_code == 200 and r.json()[field] is None and r.headers["ETag"] != current, r.text


async def as_app_role(session, *, tenant_id=None) -> None:
    """The application's role, with no tenant and no bypass (the suite's test code normally bypasses)."""
    await session.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))
    session.info.pop(rls.TENANT_KEY, None)
    session.info.pop(rls.BYPASS_KEY, None)
    await session.execute(text("SELECT set_config('app.tenant_id', '', true), set_config('app.bypass_rls', 'off', "
                               "true)"))
    if tenant_id is not None:
        await rls.scope(session, tenant_id)

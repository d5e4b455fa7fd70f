"""Builders for rows the tests need, written straight to the test's session."""

import itertools
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Organisation, Stakeholder, Tenant, User
from api.security import hash_password

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@lru_cache
def password_hash() -> str:
    """Hashed once per run: argon2 is slow on purpose."""
    return hash_password(PASSWORD)


async def tenant(session: AsyncSession, *, slug: str | None = None, name: str | None = None,
                 jurisdiction: str = "england") -> Tenant:
    n = next(_counter)
    row = Tenant(slug=slug or f"tenant-{n}", name=name or f"Test Health Board {n}", jurisdiction=jurisdiction,
                 settings={})
    session.add(row)
    await session.flush()
    return row


async def user(session: AsyncSession, tenant: Tenant, *, role: str = "lead", email: str | None = None,
               is_active: bool = True) -> User:
    n = next(_counter)
    row = User(tenant_id=tenant.id, email=email or f"{role}{n}@{tenant.slug}.nhs.test", full_name=f"{role.title()} {n}",
               password_hash=password_hash(), role=role, is_active=is_active)
    session.add(row)
    await session.flush()
    return row


def auth_headers(app, account, *, kind: str = "user") -> dict[str, str]:
    token, _ = app.state.tokens.issue(subject_id=account.id, subject_kind=kind, tenant_id=account.tenant_id,
                                      role=account.role,
                                      password_version=account.password_version if kind == "user" else 0)
    return {"Authorization": f"Bearer {token}"}


async def organisation(session: AsyncSession, tenant: Tenant, **values) -> Organisation:
    n = next(_counter)
    values.setdefault("name", f"Organisation {n}")
    values.setdefault("kind", "gp_practice")
    values.setdefault("tags", [])
    row = Organisation(tenant_id=tenant.id, **values)
    session.add(row)
    await session.flush()
    return row


async def stakeholder(session: AsyncSession, tenant: Tenant, **values) -> Stakeholder:
    n = next(_counter)
    values.setdefault("name", f"Stakeholder {n}")
    values.setdefault("email", f"person{n}@example.test")
    for name in ("categories", "tags", "preferred_channels", "communication_needs"):
        values.setdefault(name, [])
    row = Stakeholder(tenant_id=tenant.id, **values)
    session.add(row)
    await session.flush()
    return row


# Engagement: activities, attendance and feedback. Imports are local so these builders can be added
# without touching the import block other features edit.

async def activity(session: AsyncSession, tenant: Tenant, **values):
    from datetime import UTC, datetime

    from api.models import Activity

    n = next(_counter)
    values.setdefault("title", f"Activity {n}")
    values.setdefault("method", "focus_group")
    values.setdefault("level", "consult")
    values.setdefault("status", "done")
    values.setdefault("starts_at", datetime(2026, 3, 10, 14, 0, tzinfo=UTC))
    for name in ("audience_categories", "accessible_formats", "translation_languages"):
        values.setdefault(name, [])
    row = Activity(tenant_id=tenant.id, **values)
    session.add(row)
    await session.flush()
    return row


async def attendance(session: AsyncSession, activity, stakeholder, *, invited: bool = True, attended: bool = True,
                     role: str | None = None):
    from api.models import ActivityAttendance

    row = ActivityAttendance(activity_id=activity.id, stakeholder_id=stakeholder.id, tenant_id=activity.tenant_id,
                             invited=invited, attended=attended, role=role)
    session.add(row)
    await session.flush()
    return row


async def feedback(session: AsyncSession, tenant: Tenant, **values):
    from datetime import UTC, datetime, timedelta

    from api.models import Feedback

    values.setdefault("received_at", datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    values.setdefault("response_due_at", values["received_at"] + timedelta(days=28))
    values.setdefault("channel", "email")
    values.setdefault("type", "comment")
    values.setdefault("text", "The new clinic times do not suit working parents.")
    values.setdefault("themes", [])
    row = Feedback(tenant_id=tenant.id, **values)
    session.add(row)
    await session.flush()
    return row


# Plans and assessments (local imports too, for the same reason).

async def plan(session: AsyncSession, tenant: Tenant, *, audience_stakeholders=(), audience_organisations=(),
               **values):
    from api.models import Plan, PlanAudienceOrganisation, PlanAudienceStakeholder

    n = next(_counter)
    values.setdefault("title", f"Plan {n}")
    for name in ("objectives", "key_messages", "channels", "budget_lines", "evaluation_measures",
                 "audience_categories"):
        values.setdefault(name, [])
    row = Plan(tenant_id=tenant.id, **values)
    session.add(row)
    await session.flush()
    session.add_all([PlanAudienceStakeholder(plan_id=row.id, stakeholder_id=s.id, tenant_id=tenant.id)
                     for s in audience_stakeholders])
    session.add_all([PlanAudienceOrganisation(plan_id=row.id, organisation_id=o.id, tenant_id=tenant.id)
                     for o in audience_organisations])
    await session.flush()
    return row


async def assessment(session: AsyncSession, stakeholder: Stakeholder, *, interest: int, influence: int, plan=None,
                     **values):
    """A scoring that becomes the stakeholder's latest (for the plan, or in general): build them in time order."""
    from sqlalchemy import update

    from api.db import utcnow
    from api.models import Assessment

    plan_id = plan.id if plan is not None else None
    same_plan = Assessment.plan_id.is_(None) if plan_id is None else Assessment.plan_id == plan_id
    await session.execute(update(Assessment).where(Assessment.stakeholder_id == stakeholder.id, same_plan,
                                                   Assessment.is_latest.is_(True)).values(is_latest=False))
    values.setdefault("assessed_at", utcnow())
    row = Assessment(tenant_id=stakeholder.tenant_id, stakeholder_id=stakeholder.id, plan_id=plan_id,
                     interest=interest, influence=influence, is_latest=True, **values)
    session.add(row)
    await session.flush()
    return row

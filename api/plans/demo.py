"""The demo plan: a real grid at first sight. Its audience is mapped across all four quadrants, two
stakeholders moved quadrant in the last month (try ?since= 30 days ago), one action is overdue and
the risk log holds one risk of each RAG rating."""

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.db import new_id, utcnow
from api.models import (
    Assessment,
    Organisation,
    Plan,
    PlanAction,
    PlanAudienceOrganisation,
    PlanAudienceStakeholder,
    PlanRisk,
    Stakeholder,
    Tenant,
    User,
)

AUDIENCE_CATEGORIES = ["patient", "carer", "gp_member", "elected_representative"]
# (interest, influence) for the plan, cycling over the audience: every quadrant is used.
PLAN_SCORES = [(4, 4), (5, 1), (2, 4), (5, 5), (2, 2), (4, 2)]
# Audience positions whose plan scores were different 45 days ago: (earlier scores).
MOVED = {1: (2, 1), 3: (2, 5)}


def _item(**values) -> dict:
    return {"id": str(new_id()), **values}


def _audience(plan: Plan, stakeholders: list[Stakeholder], organisations: list[Organisation]) -> list:
    """Name what the categories miss: the organisation of someone outside them, else the person."""
    rows: list = []
    by_org = {o.id: o for o in organisations}
    chosen_orgs: set[uuid.UUID] = set()
    for person in stakeholders:
        if set(person.categories or []) & set(AUDIENCE_CATEGORIES) or person.organisation_id in chosen_orgs:
            continue
        if person.organisation_id in by_org and not chosen_orgs:
            chosen_orgs.add(person.organisation_id)
            rows.append(PlanAudienceOrganisation(plan_id=plan.id, organisation_id=person.organisation_id,
                                                 tenant_id=plan.tenant_id))
        else:
            rows.append(PlanAudienceStakeholder(plan_id=plan.id, stakeholder_id=person.id, tenant_id=plan.tenant_id))
    return rows


def _assessments(plan: Plan, stakeholders: list[Stakeholder], admin: User,
                 mapped: set[uuid.UUID]) -> list[Assessment]:
    now = utcnow()
    rows = []
    for n, person in enumerate(stakeholders):
        interest, influence = PLAN_SCORES[n % len(PLAN_SCORES)]
        common = dict(tenant_id=plan.tenant_id, stakeholder_id=person.id, assessed_by=admin.id)
        if person.id not in mapped:  # a general map made two months ago, a little more cautious than the plan's
            rows.append(Assessment(**common, interest=max(interest - 1, 1), influence=influence, is_latest=True,
                                   assessed_at=now - timedelta(days=60), rationale="Initial stakeholder mapping"))
        if n in MOVED:
            old_interest, old_influence = MOVED[n]
            rows.append(Assessment(**common, plan_id=plan.id, interest=old_interest, influence=old_influence,
                                   is_latest=False, assessed_at=now - timedelta(days=45),
                                   rationale="Mapped at the start of the plan"))
        rows.append(Assessment(**common, plan_id=plan.id, interest=interest, influence=influence,
                               attitude=(n % 5) - 2, is_latest=True,
                               assessed_at=now - timedelta(days=7 if n in MOVED else 45),
                               rationale="Reviewed at the plan's development workshop" if n in MOVED
                               else "Mapped at the start of the plan"))
    return rows


def _actions(plan: Plan, admin: User) -> list[PlanAction]:
    today = utcnow().date()
    common = dict(tenant_id=plan.tenant_id, plan_id=plan.id, owner_id=admin.id, created_by=admin.id,
                  updated_by=admin.id)
    return [
        PlanAction(**common, description="Brief the Health Scrutiny Committee on the proposals",
                   due_date=today - timedelta(days=20), status="done", completed_at=utcnow() - timedelta(days=21)),
        PlanAction(**common, description="Publish the easy read summary and survey",
                   due_date=today - timedelta(days=10), status="planned",
                   notes="Waiting for the translation into Polish"),
        PlanAction(**common, description="Run two focus groups with carers in Bridport",
                   due_date=today + timedelta(days=14), status="in_progress"),
        PlanAction(**common, description="Report back to participants: you said, we did",
                   due_date=today + timedelta(days=60), status="planned", owner_name="Engagement team"),
    ]


def _risks(plan: Plan, admin: User) -> list[PlanRisk]:
    today = utcnow().date()
    common = dict(tenant_id=plan.tenant_id, plan_id=plan.id, created_by=admin.id, updated_by=admin.id)
    return [
        PlanRisk(**common, kind="risk", description="Local media report the change as a closure",
                 likelihood=4, impact=5, owner_id=admin.id, mitigation="Brief the editor; publish the facts first",
                 review_date=today + timedelta(days=7)),
        PlanRisk(**common, kind="risk", description="GP practices cannot release staff for the workshops",
                 likelihood=3, impact=3, owner_name="Clinical lead", mitigation="Evening sessions; record them",
                 review_date=today + timedelta(days=14)),
        PlanRisk(**common, kind="issue", description="The venue has no hearing loop", likelihood=2, impact=3,
                 status="managed", mitigation="Portable loop booked", review_date=today + timedelta(days=30)),
    ]


async def seed_plan(session: AsyncSession, *, tenant: Tenant, admin: User, stakeholders: list[Stakeholder],
                    organisations: list[Organisation]) -> Plan:
    """One active plan over the demo register: audience, assessments, objectives, messages, budget,
    actions and risks (flushed, audited as one seed event)."""
    started = utcnow() - timedelta(days=50)
    plan = Plan(
        tenant_id=tenant.id, title="Bridport urgent treatment centre", programme="Integrated urgent care",
        delivery_group="West Dorset cluster", lead_id=admin.id, stage="develop", status="active",
        purpose="Involve local people, GPs and partners in designing the urgent treatment centre that replaces "
                "the minor injuries unit, and meet the duty to involve (s14Z45).",
        situation_analysis="Healthwatch's 2025 report raised travel times; two public meetings were held; the "
                           "scrutiny committee asked to be consulted on any change of opening hours.",
        approach="Inform through the newsletter and website; involve carers and GPs in focus groups; consult the "
                 "public with a survey and a public meeting.",
        start_date=started.date(), end_date=(started + timedelta(days=180)).date(),
        objectives=[
            _item(statement="Hear from 300 residents of West Dorset by the end of the survey", measure="Responses",
                  target="300", due_date=(started + timedelta(days=90)).date().isoformat(), status="on_track"),
            _item(statement="Involve every GP practice in the cluster in the design workshops",
                  measure="Practices represented", target="6 of 6", due_date=None, status="at_risk"),
        ],
        key_messages=[
            _item(text="Urgent care closer to home, open 8am to 8pm every day", approval_status="approved"),
            _item(text="No decision has been made: tell us what matters to you", approval_status="approved"),
        ],
        channels=["Staff newsletter", "Healthwatch newsletter", "Website", "GP bulletin", "Local radio"],
        budget_lines=[
            _item(item="Venue hire (two focus groups, one public meeting)", amount_pence=60000,
                  funded_from="Communications budget"),
            _item(item="Easy read and Polish translation", amount_pence=85000, funded_from="Project budget"),
            _item(item="BSL interpreter", amount_pence=36000, funded_from="Project budget"),
        ],
        evaluation_measures=[
            _item(name="Survey responses", target="300", actual="212"),
            _item(name="Seldom-heard groups reached", target="4", actual=None),
        ],
        audience_categories=AUDIENCE_CATEGORIES, approved_by=admin.id, approved_at=started + timedelta(days=5),
        created_by=admin.id, updated_by=admin.id,
    )
    session.add(plan)
    await session.flush()
    # Stakeholders already on the general map keep their scores (the demo may be seeded more than once).
    mapped = set((await session.execute(select(Assessment.stakeholder_id).where(
        Assessment.tenant_id == tenant.id, Assessment.plan_id.is_(None), Assessment.is_latest.is_(True)))).scalars())
    rows = {"audience": _audience(plan, stakeholders, organisations),
            "assessments": _assessments(plan, stakeholders, admin, mapped), "actions": _actions(plan, admin),
            "risks": _risks(plan, admin)}
    for group in rows.values():
        session.add_all(group)
    await session.flush()
    await audit.append(session, tenant_id=tenant.id, actor=audit.SYSTEM, action="seed", resource_type="plan",
                       resource_id=plan.id, changes={name: len(group) for name, group in rows.items()})
    return plan

"""An evidence item's decision binds the consultation it names, or each of the plan's when it names none: a board
minute deciding one consultation was read against the next as a decision taken before it closed (Gunning 1), and as
the decision its feedback was answered after (Gunning 4)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests import factories
from tests.duty_report.support import ROLES, consultation, evidence, green_plan, item, report, requirement


async def answered(session, tenant, world, received: datetime, responded: datetime):
    """Feedback on 'beds', answered and told the next day."""
    told = responded + timedelta(days=1)
    await factories.feedback(session, tenant, plan_id=world.plan.id, themes=["beds"], status="closed",
                             received_at=received, responded_at=responded, response_text="Beds kept",
                             told_how="email", told_at=told, closed_at=told)


async def two_consultations(session, tenant, named: str | None, decided: date):
    """The green plan's consultation A (5 January to 30 March 2026, decided 15 April) and a later one B (1 May to 30
    June, decided 15 July) whose feedback was answered on 20 May; an evidence item records a decision on `decided`,
    naming A, B or no consultation."""
    world = await green_plan(session, tenant)
    later = await consultation(session, world.plan, title="Maternity consultation", opened_date=date(2026, 5, 1),
                               closed_date=date(2026, 6, 30), minimum_days=56, decision_date=date(2026, 7, 15))
    await answered(session, tenant, world, datetime(2026, 5, 5, tzinfo=UTC), datetime(2026, 5, 20, tzinfo=UTC))
    req = await requirement(session, world.duties["nhs-act-s14z45"], "limb-c-decisions")
    await evidence(session, world.plan, req, summary="Board minute", decision="Close the walk-in centre",
                   decision_date=decided,
                   consultation_id={"A": world.consultation.id, "B": later.id, None: None}[named])
    await session.commit()
    return world


async def test_a_decision_naming_one_consultation_is_not_read_against_another(client, session, a):
    world = await two_consultations(session, a.tenant, "A", date(2026, 5, 10))
    got = await report(client, world.plan, a["lead"])
    assert item(got, "gunning-1")["status"] == "green", item(got, "gunning-1")
    assert item(got, "gunning-4")["status"] == "green", item(got, "gunning-4")


async def test_a_decision_naming_no_consultation_binds_each_of_the_plans(client, session, a):
    world = await two_consultations(session, a.tenant, None, date(2026, 5, 10))
    got = await report(client, world.plan, a["lead"])
    assert item(got, "gunning-1")["reason"] == ("The evidence records a decision dated 10 May 2026, before the "
                                                "consultation closed on 30 June 2026 (Gunning 1).")
    assert item(got, "gunning-4")["reason"] == (
        "1 response was made after the decision the evidence records, dated 10 May 2026, so it cannot show the "
        "feedback was considered (beds) (Gunning 4).")


@pytest.mark.parametrize("named", ["B", None])
async def test_a_decision_naming_the_consultation_binds_it(client, session, a, named):
    world = await two_consultations(session, a.tenant, named, date(2026, 6, 10))
    got = await report(client, world.plan, a["lead"])
    assert item(got, "gunning-1")["reason"] == ("The evidence records a decision dated 10 June 2026, before the "
                                                "consultation closed on 30 June 2026 (Gunning 1).")


async def test_feedback_in_two_windows_is_judged_by_decisions_after_the_named_one_opened(client, session, a):
    # The feedback of 10 March is in A's window (from 5 January) and in B's (from 1 March); a decision on B dated
    # before B opened is no answer to B's feedback, though A was open by then
    world = await green_plan(session, a.tenant)
    overlapping = await consultation(session, world.plan, title="Maternity consultation",
                                     opened_date=date(2026, 3, 1), closed_date=date(2026, 6, 30),
                                     decision_date=date(2026, 7, 15))
    await answered(session, a.tenant, world, datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 3, 20, tzinfo=UTC))
    req = await requirement(session, world.duties["nhs-act-s14z45"], "limb-c-decisions")
    await evidence(session, world.plan, req, summary="Board minute", decision="Close the maternity unit",
                   decision_date=date(2026, 2, 10), consultation_id=overlapping.id)
    await session.commit()
    got = await report(client, world.plan, a["lead"])
    assert item(got, "gunning-4")["status"] == "green", item(got, "gunning-4")
    # Gunning 1 reads it: a decision on B before B opened
    assert "10 February 2026" in item(got, "gunning-1")["reason"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("named", ["A", None])
async def test_the_report_lists_each_item_with_the_consultation_it_names(client, session, a, role, named):
    world = await two_consultations(session, a.tenant, named, date(2026, 4, 15))
    items = item(await report(client, world.plan, a[role]), "limb-c-decisions")["evidence"]["items"]
    assert [(i["summary"], i["consultation_id"]) for i in items] == [
        ("Board minute", str(world.consultation.id) if named else None)]

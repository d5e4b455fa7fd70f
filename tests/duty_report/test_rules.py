"""Each rule through the API: break it on a plan that is otherwise green, expect the red item and its
reason; repair it, expect green."""

from datetime import UTC, date, datetime

import pytest

from tests import factories
from tests.duty_report.support import evidence, green_plan, item, report, requirement


async def check(client, world, headers, code, *, status="red", reason=None, contains=None) -> dict:
    got = item(await report(client, world.plan, headers), code)
    assert got["status"] == status, got
    if reason is not None:
        assert got["reason"] == reason
    if contains is not None:
        assert contains in got["reason"], got["reason"]
    return got


@pytest.mark.parametrize("limb, code, words", [
    ("planning", "limb-a-planning", "(a), planning"),
    ("proposals", "limb-b-proposals", "(b), the development and consideration of proposals"),
    ("decision", "limb-c-decisions", "(c), decisions"),
])
async def test_no_involvement_for_a_limb_is_red_until_an_activity_serves_it(client, session, a, limb, code, words):
    world = await green_plan(session, a.tenant)
    world.activities[limb].status = "cancelled"
    got = await check(client, world, a["lead"], code, reason=f"No involvement is recorded for limb {words}: no "
                                                             f"activity of the plan serves it and no evidence item is "
                                                             f"linked.")
    assert got["gaps"] and got["evidence"] == {"items": [], "links": []}
    world.activities[limb].status = "done"
    await check(client, world, a["lead"], code, status="green")


@pytest.mark.parametrize("limb, code, words", [
    ("planning", "limb-a-planning", "(a), planning"),
    ("proposals", "limb-b-proposals", "(b), the development and consideration of proposals"),
    ("decision", "limb-c-decisions", "(c), decisions"),
])
async def test_a_limb_served_only_by_a_planned_activity_is_amber_until_it_is_done(client, session, a, limb, code,
                                                                                  words):
    # A planned activity is a commitment, not involvement: it made the limb green
    world = await green_plan(session, a.tenant)
    world.activities[limb].status = "planned"
    title = f"{limb.title()} workshop"
    got = await check(client, world, a["lead"], code, status="amber",
                      reason=f"Limb {words} is served only by an activity not done yet: '{title}'.")
    assert got["gaps"] == [f"Record '{title}' as done once it has taken place."]
    req = await requirement(session, world.duties["nhs-act-s14z45"], code)
    row = await evidence(session, world.plan, req, summary="Notes of the reference group")
    await check(client, world, a["lead"], code, status="green")
    await session.delete(row)
    world.activities[limb].status = "done"
    await check(client, world, a["lead"], code, status="green",
                reason=f"1 activity of the plan serves limb {words} (1 done).")


@pytest.mark.parametrize("limb, code, words", [
    ("proposals", "limb-b-proposals", "(b), the development and consideration of proposals"),
    ("decision", "limb-c-decisions", "(c), decisions"),
])
async def test_an_activity_after_the_decision_does_not_serve_the_proposals_or_decision_limbs(client, session, a, limb,
                                                                                            code, words):
    # It counted: involvement after the decision (15 April 2026) cannot have shaped the proposals or the decision
    world = await green_plan(session, a.tenant)
    world.activities[limb].starts_at = datetime(2026, 4, 15, 23, 30, tzinfo=UTC)  # 16 April in the UK (BST)
    got = await check(client, world, a["lead"], code,
                      reason=f"No involvement is recorded for limb {words} before the decision dated 15 April 2026: "
                             f"'{limb.title()} workshop' is dated after it.")
    assert got["evidence"]["links"] == []
    world.activities[limb].starts_at = datetime(2026, 4, 15, 22, 30, tzinfo=UTC)  # still 15 April in the UK
    await check(client, world, a["lead"], code, status="green")


async def test_a_planning_activity_after_the_decision_still_serves_planning(client, session, a):
    world = await green_plan(session, a.tenant)
    world.activities["planning"].starts_at = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    await check(client, world, a["lead"], "limb-a-planning", status="green")


async def test_an_evidence_item_also_shows_a_limb_met(client, session, a):
    world = await green_plan(session, a.tenant)
    world.activities["planning"].duty_limb = None
    await check(client, world, a["lead"], "limb-a-planning", reason="No involvement is recorded for limb (a), "
                                                                    "planning: no activity of the plan serves it "
                                                                    "and no evidence item is linked.")
    req = await requirement(session, world.duties["nhs-act-s14z45"], "limb-a-planning")
    await evidence(session, world.plan, req, summary="Board minutes, 4 March")
    got = await check(client, world, a["lead"], "limb-a-planning", status="green", reason="1 evidence item linked.")
    assert got["evidence"]["items"][0]["summary"] == "Board minutes, 4 March"


async def test_a_decision_before_the_consultation_closed_is_red(client, session, a):
    world = await green_plan(session, a.tenant)
    world.consultation.decision_date, world.consultation.closed_date = date(2026, 3, 3), date(2026, 3, 10)
    await check(client, world, a["lead"], "gunning-1", reason="The decision was dated 3 March 2026, before the "
                                                              "consultation closed on 10 March 2026 (Gunning 1).")
    world.consultation.decision_date = date(2026, 3, 11)
    await check(client, world, a["lead"], "gunning-1", status="green")


async def test_no_consultation_fails_the_gunning_principles(client, session, a):
    world = await green_plan(session, a.tenant)
    world.consultation.archived_at = datetime(2026, 5, 1, tzinfo=UTC)
    got = await report(client, world.plan, a["lead"])
    for code in ("gunning-1", "gunning-2", "gunning-3", "gunning-4"):  # 4 was green on the plan's answered feedback
        assert item(got, code)["status"] == "red"
        assert item(got, code)["reason"].startswith("No formal consultation is recorded for this plan")


async def test_an_open_consultation_without_a_closing_date_is_amber(client, session, a):
    world = await green_plan(session, a.tenant)
    world.consultation.closed_date = world.consultation.decision_date = None
    await check(client, world, a["lead"], "gunning-1", status="amber",
                reason="The consultation 'Urgent care consultation' has no closing date yet.")
    await check(client, world, a["lead"], "gunning-3", status="amber",
                reason="The consultation 'Urgent care consultation' has no opening or closing date, so its length "
                       "cannot be checked.")


@pytest.mark.parametrize("code, suffix", [("gunning-2", "(Gunning 2)"), ("due-regard", "(Equality Act 2010 s149)")])
async def test_an_equality_impact_assessment_not_published_at_launch_is_red(client, session, a, code, suffix):
    world = await green_plan(session, a.tenant)
    world.eia.published_at = None
    await check(client, world, a["lead"], code, reason="The equality impact assessment was not published when the "
                                                       f"consultation opened on 5 January 2026 {suffix}.")
    world.eia.published_at = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
    await check(client, world, a["lead"], code, reason="The equality impact assessment was published on 20 January "
                                                       "2026, after the consultation opened on 5 January 2026 "
                                                       f"{suffix}.")
    world.eia.published_at = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    await check(client, world, a["lead"], code, status="green")


async def test_a_consultation_pack_not_published_at_launch_is_red(client, session, a):
    world = await green_plan(session, a.tenant)
    await session.delete(world.pack)
    await session.flush()
    await check(client, world, a["lead"], "gunning-2", reason="The consultation pack was not published when the "
                                                              "consultation opened on 5 January 2026 (Gunning 2).")
    from tests.duty_report.support import document

    await document(session, world.plan, kind="consultation_pack", published_at=datetime(2026, 1, 3, tzinfo=UTC))
    await check(client, world, a["lead"], "gunning-2", status="green")


async def test_due_regard_without_a_consultation_needs_a_published_assessment(client, session, a):
    world = await green_plan(session, a.tenant)
    world.consultation.archived_at = datetime(2026, 5, 1, tzinfo=UTC)
    world.eia.published_at = None
    await check(client, world, a["lead"], "due-regard", reason="No equality impact assessment is published for this "
                                                               "plan (Equality Act 2010 s149).")
    world.eia.published_at = datetime(2026, 2, 1, tzinfo=UTC)
    await check(client, world, a["lead"], "due-regard", status="green")


async def test_a_window_shorter_than_the_minimum_without_a_reason_is_red(client, session, a):
    world = await green_plan(session, a.tenant)
    world.consultation.closed_date = date(2026, 2, 2)
    await check(client, world, a["lead"], "gunning-3",
                reason="The consultation ran 29 days (5 January 2026 to 2 February 2026, both days counted), shorter "
                       "than the stated minimum of 84 days, and no reason is recorded (Gunning 3).")
    world.consultation.shorter_reason = "Winter pressures: the service closes on 1 March"
    got = await check(client, world, a["lead"], "gunning-3", status="green")
    assert got["reason"].endswith("for the recorded reason: Winter pressures: the service closes on 1 March")


async def test_a_twelve_week_consultation_counts_both_ends_and_meets_an_84_day_minimum(client, session, a):
    # The length was closed - opened: Monday 5 January to Sunday 29 March, 12 weeks, was 83 days and red, though
    # feedback received on the closing day counts as received in the window
    world = await green_plan(session, a.tenant)
    world.consultation.closed_date = date(2026, 3, 29)
    await check(client, world, a["lead"], "gunning-3", status="green",
                reason="The consultation ran 84 days (5 January 2026 to 29 March 2026, both days counted), at least "
                       "the stated minimum of 84 days.")
    world.consultation.closed_date = date(2026, 3, 28)
    await check(client, world, a["lead"], "gunning-3", contains="ran 83 days")


async def test_a_window_with_no_minimum_set_is_amber(client, session, a):
    world = await green_plan(session, a.tenant)
    world.consultation.minimum_days = None
    await check(client, world, a["lead"], "gunning-3", status="amber", contains="no minimum duration was set")


async def test_themes_without_a_response_are_red(client, session, a):
    world = await green_plan(session, a.tenant)
    late = await factories.feedback(session, a.tenant, plan_id=world.plan.id, themes=["access", "transport"])
    await check(client, world, a["lead"], "gunning-4",
                reason="2 themes raised in feedback have no response (access, transport) (Gunning 4).")
    late.responded_at, late.response_text, late.status = datetime(2026, 4, 1, tzinfo=UTC), "A bus", "responded"
    got = await check(client, world, a["lead"], "gunning-4",
                      reason="1 response was never communicated back (Gunning 4).")
    assert got["gaps"] == ["Tell 1 stakeholder about the response to what they said."]
    late.told_how, late.told_at = "email", datetime(2026, 4, 2, tzinfo=UTC)
    await check(client, world, a["lead"], "gunning-4", status="green")


async def test_feedback_outside_every_window_does_not_turn_gunning_4_red(client, session, a):
    # Any unanswered feedback of the plan turned it red for good, even a complaint long after the consultation
    world = await green_plan(session, a.tenant)  # the window: 5 January to 30 March 2026
    for received in (datetime(2025, 11, 3, 9, 0, tzinfo=UTC), datetime(2026, 3, 30, 23, 30, tzinfo=UTC),
                     datetime(2026, 9, 1, 9, 0, tzinfo=UTC)):  # the second is 31 March in the UK (BST)
        await factories.feedback(session, a.tenant, plan_id=world.plan.id, type="complaint", themes=["parking"],
                                 received_at=received)
    got = await check(client, world, a["lead"], "gunning-4", status="green",
                      reason="The 1 piece of feedback received while the consultation was open has a response that "
                             "was communicated back.")
    assert [link["id"] for link in got["evidence"]["links"]] == [str(world.feedback.id)]
    await factories.feedback(session, a.tenant, plan_id=world.plan.id, themes=["access"],
                             received_at=datetime(2026, 3, 30, 22, 30, tzinfo=UTC))  # 30 March in the UK: inside
    await check(client, world, a["lead"], "gunning-4",
                reason="1 theme raised in feedback has no response (access) (Gunning 4).")


async def test_only_feedback_outside_the_window_is_amber_for_gunning_4(client, session, a):
    world = await green_plan(session, a.tenant)
    world.feedback.received_at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    await check(client, world, a["lead"], "gunning-4", status="amber",
                reason="No feedback was received while the consultation was open, so conscientious consideration "
                       "cannot be shown (Gunning 4).")


async def test_a_response_after_the_decision_is_red_naming_it(client, session, a):
    # A response dated after the decision counted as green: it cannot show the feedback was considered
    world = await green_plan(session, a.tenant)  # the decision: 15 April 2026
    world.feedback.responded_at = datetime(2026, 4, 15, 23, 30, tzinfo=UTC)  # 16 April in the UK (BST)
    world.feedback.themes = ["Parking at Bridport"]
    got = await check(client, world, a["lead"], "gunning-4",
                      reason="1 response was made after the decision on 'Urgent care consultation' dated 15 April "
                             "2026, so it cannot show the feedback was considered (Parking at Bridport) (Gunning 4).")
    assert got["gaps"] == ["The feedback 'Parking at Bridport' was answered on 16 April 2026, after the decision on "
                           "'Urgent care consultation'."]
    assert got["evidence"]["links"] == []
    world.feedback.responded_at = datetime(2026, 4, 14, 12, 0, tzinfo=UTC)
    await check(client, world, a["lead"], "gunning-4", status="green")


async def test_feedback_awaiting_a_response_is_amber_while_the_consultation_is_open(client, session, a):
    # Work in progress: an open, undecided consultation's outstanding responses turned it red
    world = await green_plan(session, a.tenant)
    world.consultation.closed_date, world.consultation.decision_date = date(2099, 3, 30), None
    await factories.feedback(session, a.tenant, plan_id=world.plan.id, themes=["access", "transport"])
    got = await check(client, world, a["lead"], "gunning-4", status="amber",
                      reason="1 piece of feedback received while the consultation is open awaits a response (access, "
                             "transport) (Gunning 4).")
    assert got["gaps"] == ["Respond to 1 piece of feedback before the decision."]
    world.consultation.closed_date = date(2026, 3, 30)  # closed, and still no response
    await check(client, world, a["lead"], "gunning-4",
                reason="2 themes raised in feedback have no response (access, transport) (Gunning 4).")
    world.consultation.closed_date, world.consultation.decision_date = date(2099, 3, 30), date(2026, 4, 15)
    await check(client, world, a["lead"], "gunning-4",
                reason="2 themes raised in feedback have no response (access, transport) (Gunning 4).")


async def test_a_consultation_without_an_opening_date_is_amber_for_gunning_4(client, session, a):
    world = await green_plan(session, a.tenant)
    world.consultation.opened_date = None
    got = await check(client, world, a["lead"], "gunning-4", status="amber",
                      reason="The consultation 'Urgent care consultation' has no opening date, so which feedback it "
                             "received cannot be told (Gunning 4).")
    assert got["gaps"] == ["Record when 'Urgent care consultation' opened."]


async def test_a_finding_about_everything_reads_right_for_one(client, session, a):
    world = await green_plan(session, a.tenant)
    await check(client, world, a["lead"], "gunning-4", status="green",
                reason="The 1 piece of feedback received while the consultation was open has a response that "
                       "was communicated back.")
    await check(client, world, a["lead"], "reach", status="green",
                reason="All 3 audience categories and groups of the plan were reached.")
    world.plan.audience_categories = []
    await check(client, world, a["lead"], "reach", status="green",
                reason="The 1 audience category or group of the plan was reached.")


async def test_no_feedback_is_amber_for_gunning_4(client, session, a):
    world = await green_plan(session, a.tenant)
    world.feedback.archived_at = datetime(2026, 5, 1, tzinfo=UTC)
    await check(client, world, a["lead"], "gunning-4", status="amber",
                reason="No feedback is recorded for this plan, so conscientious consideration cannot be shown "
                       "(Gunning 4).")


async def test_an_audience_category_never_reached_is_red(client, session, a):
    world = await green_plan(session, a.tenant)
    world.plan.audience_categories = ["patient", "carer", "staff"]
    await check(client, world, a["lead"], "reach", reason="Never reached by any activity of the plan: staff.")
    person = await factories.stakeholder(session, a.tenant, categories=["staff"])
    await factories.attendance(session, world.activities["decision"], person)
    await check(client, world, a["lead"], "reach", status="green")


async def test_a_seldom_heard_group_never_reached_is_red(client, session, a):
    world = await green_plan(session, a.tenant)
    world.activities["proposals"].status = "cancelled"
    got = await check(client, world, a["lead"], "reach",
                      reason="Never reached by any activity of the plan: carer, Bridport Traveller Forum.")
    assert got["gaps"] == ["The audience category 'carer' was never reached by any activity.",
                           "The seldom-heard group 'Bridport Traveller Forum' was never reached by any activity."]
    world.activities["planning"].audience_categories = ["patient", "carer"]
    # An invitation the group did not take up reached no one: it counted as reach
    line = await factories.attendance(session, world.activities["planning"], world.group, attended=False)
    await check(client, world, a["lead"], "reach", reason="Never reached by any activity of the plan: Bridport "
                                                          "Traveller Forum.")
    line.attended = True
    await check(client, world, a["lead"], "reach", status="green")


async def test_an_audience_reached_only_by_planned_activities_is_amber_until_they_are_done(client, session, a):
    # A planned activity, or an invitation to one, counted as reach ("were reached"): it is a commitment, as for the
    # involvement rules, not yet reach
    world = await green_plan(session, a.tenant)
    for activity in world.activities.values():
        activity.status = "planned"
    got = await check(client, world, a["lead"], "reach", status="amber",
                      reason="Not reached yet, only planned for: patient, carer, Bridport Traveller Forum (by "
                             "activities not done yet: 'Planning workshop', 'Proposals workshop').")
    assert got["gaps"] == ["Record 'Planning workshop' as done once it has taken place.",
                           "Record 'Proposals workshop' as done once it has taken place."]
    world.activities["planning"].status = "done"
    await check(client, world, a["lead"], "reach", status="amber",
                reason="Not reached yet, only planned for: carer, Bridport Traveller Forum (by an activity not done "
                       "yet: 'Proposals workshop').")
    world.activities["proposals"].status = "done"
    await check(client, world, a["lead"], "reach", status="green")


async def test_a_name_with_an_apostrophe_is_named_whole_in_the_reason(client, session, a):
    world = await green_plan(session, a.tenant)
    world.plan.audience_categories = ["patient", "carer", "Travellers' site"]
    world.group.name = "St Mary's Women's Group"
    world.activities["proposals"].status = "cancelled"
    await check(client, world, a["lead"], "reach", reason="Never reached by any activity of the plan: carer, "
                                                          "Travellers' site, St Mary's Women's Group.")


async def test_a_seldom_heard_member_of_an_audience_organisation_counts(client, session, a):
    world = await green_plan(session, a.tenant)
    org = await factories.organisation(session, a.tenant)
    await factories.stakeholder(session, a.tenant, name="Young Carers Group", organisation_id=org.id,
                                tags=["seldom-heard"])
    from api.models import PlanAudienceOrganisation

    session.add(PlanAudienceOrganisation(plan_id=world.plan.id, organisation_id=org.id, tenant_id=a.tenant.id))
    await session.flush()
    await check(client, world, a["lead"], "reach", contains="Young Carers Group")


async def test_a_restricted_seldom_heard_person_is_left_out_of_the_report(client, session, a):
    world = await green_plan(session, a.tenant)
    org = await factories.organisation(session, a.tenant)
    named = await factories.stakeholder(session, a.tenant, name="Jane Restricted", categories=["seldom_heard"])
    member = await factories.stakeholder(session, a.tenant, name="Joan Restricted", organisation_id=org.id,
                                         tags=["seldom-heard"])
    from api.models import PlanAudienceOrganisation, PlanAudienceStakeholder

    session.add_all([PlanAudienceStakeholder(plan_id=world.plan.id, stakeholder_id=named.id, tenant_id=a.tenant.id),
                     PlanAudienceOrganisation(plan_id=world.plan.id, organisation_id=org.id, tenant_id=a.tenant.id)])
    await session.commit()
    await check(client, world, a["lead"], "reach", contains="Jane Restricted, Joan Restricted")
    for person in (named, member):
        r = await client.post(f"/api/v1/stakeholders/{person.id}/restriction", json={"reason": "Accuracy contested"},
                              headers=a["admin"])
        assert r.status_code == 200, r.text
    # Out of plan audiences, grids and reports (Art. 18): no role reads their names in the duty report.
    for role in ("admin", "viewer"):
        r = await client.get(f"/api/v1/plans/{world.plan.id}/duty-report", headers=a[role])
        assert r.status_code == 200 and "Restricted" not in r.text, r.text
    await check(client, world, a["lead"], "reach", status="green")


async def test_no_audience_is_amber(client, session, a):
    plan = await factories.plan(session, a.tenant)
    from tests.duty_report.support import assessment, catalogue

    await assessment(session, plan, await catalogue(session))
    await check(client, type("W", (), {"plan": plan}), a["lead"], "reach", status="amber",
                reason="The plan names no audience categories and no seldom-heard groups, so reach cannot be "
                       "checked.")


async def test_substantial_variation_without_osc_consultation_is_red(client, session, a):
    world = await green_plan(session, a.tenant)
    world.letter.direction = "received"
    await check(client, world, a["lead"], "osc-consultation",
                reason="The change is a substantial variation, but no correspondence to the Overview & Scrutiny "
                       "Committee is logged.")
    world.letter.direction = "sent"
    await check(client, world, a["lead"], "osc-consultation", status="green",
                reason="The change is a substantial variation and the Overview & Scrutiny Committee was consulted on "
                       "20 January 2026 (1 item sent).")


async def test_substantial_variation_not_assessed_is_amber(client, session, a):
    world = await green_plan(session, a.tenant)
    world.scrutiny.substantial_variation = None
    await check(client, world, a["lead"], "osc-consultation", status="amber",
                reason="Whether the change is a substantial variation has not been assessed.")
    world.scrutiny.substantial_variation = False
    await check(client, world, a["lead"], "osc-consultation", status="green",
                reason="The change is not a substantial variation: Moves the walk-in service 12 miles")


async def test_a_required_notification_not_sent_is_red(client, session, a):
    world = await green_plan(session, a.tenant)
    world.scrutiny.sos_notified_date = None
    await check(client, world, a["lead"], "sos-notification",
                reason="Notification to the Secretary of State is required but has not been sent.")
    world.scrutiny.sos_notified_date = date(2026, 2, 3)
    await check(client, world, a["lead"], "sos-notification", status="green",
                reason="The Secretary of State was notified on 3 February 2026.")
    world.scrutiny.sos_notification_required = None
    await check(client, world, a["lead"], "sos-notification", status="amber",
                reason="Whether the Secretary of State must be notified has not been recorded.")


async def test_llais_is_named_for_a_welsh_plan(client, session, a):
    from tests.duty_report.support import assessment, catalogue

    world = await green_plan(session, a.tenant)
    wales = await catalogue(session, "wales")
    await assessment(session, world.plan, wales, applies=("llais-consultation",))
    world.scrutiny.body = "llais"
    world.letter.direction = "meeting"
    await check(client, world, a["lead"], "llais-consultation", contains="no correspondence to Llais is logged")


async def test_a_decision_the_day_the_consultation_closed_is_amber_not_after_it(client, session, a):
    # Responses arriving on the last day cannot have been considered by a decision that day; the reason said "after"
    world = await green_plan(session, a.tenant)
    world.consultation.decision_date = world.consultation.closed_date
    await check(client, world, a["lead"], "gunning-1", status="amber",
                reason="The decision was dated 30 March 2026, the day the consultation closed (Gunning 1).")


async def test_a_consultation_yet_to_open_is_amber_until_its_documents_are_due(client, session, a):
    # Nothing is late before the launch: red, in the past tense, said something had not happened that was not due
    world = await green_plan(session, a.tenant)
    world.consultation.opened_date, world.consultation.closed_date = date(2099, 1, 5), date(2099, 3, 30)
    world.consultation.decision_date = None
    world.eia.published_at = world.pack.published_at = None
    await check(client, world, a["lead"], "gunning-2", status="amber", contains="not published yet")
    await check(client, world, a["lead"], "due-regard", status="amber",
                reason="The equality impact assessment is not published yet; the consultation opens on 5 January "
                       "2099 (Equality Act 2010 s149).")


async def test_a_publication_date_ahead_is_not_a_publication(client, session, a):
    world = await green_plan(session, a.tenant)
    world.eia.published_at = datetime(2099, 1, 1, tzinfo=UTC)
    await check(client, world, a["lead"], "due-regard",
                reason="The equality impact assessment was not published when the consultation opened on 5 January "
                       "2026 (Equality Act 2010 s149).")


async def test_writing_to_the_committee_only_after_the_decision_is_not_consulting_it(client, session, a):
    world = await green_plan(session, a.tenant)
    world.letter.correspondence_date = date(2026, 8, 1)  # the decision is dated 15 April 2026
    await check(client, world, a["lead"], "osc-consultation",
                reason="The change is a substantial variation, but the Overview & Scrutiny Committee was first written "
                       "to on 1 August 2026, after the decision dated 15 April 2026.")


# The rule read only the consultation's own decision date, then only the decisions of evidence linked to it: a board
# minute filed under limb (c) went unseen
@pytest.mark.parametrize("duty,code", [("gunning", "gunning-1"), ("nhs-act-s14z45", "limb-c-decisions")])
async def test_a_decision_any_evidence_of_the_plan_records_before_the_close_is_red(client, session, a, duty, code):
    world = await green_plan(session, a.tenant)
    req = await requirement(session, world.duties[duty], code)
    await evidence(session, world.plan, req, summary="Board minute", decision="Option B",
                   decision_date=date(2026, 2, 1))
    await check(client, world, a["lead"], "gunning-1",
                reason="The evidence records a decision dated 1 February 2026, before the consultation closed on "
                       "30 March 2026 (Gunning 1).")


async def test_a_record_silent_on_a_duty_of_the_catalogue_is_amber(client, session, a):
    # A record listing only the duties a plan meets left the others unchecked, and the report green
    world = await green_plan(session, a.tenant)
    world.record.entries = [e for e in world.record.entries if e["duty_id"] == str(world.duties["nhs-act-s14z45"].id)]
    got = await report(client, world.plan, a["lead"])
    coverage = item(got, "applicability-coverage")
    assert coverage["status"] == "amber" and "Gunning principles" in coverage["reason"], coverage
    assert "gunning-1" not in [i["code"] for i in got["items"]] and got["status"] == "amber"


@pytest.mark.parametrize("recorded", ["consultation", "evidence"])
async def test_a_decision_with_no_closing_date_is_red_wherever_it_is_recorded(client, session, a, recorded):
    # A decision recorded only in evidence, with no closing date, was amber ("has no closing date yet"), while the
    # consultation's own decision was red: both now go through the same checks
    world = await green_plan(session, a.tenant)
    world.consultation.closed_date = world.consultation.decision_date = None
    if recorded == "consultation":
        world.consultation.decision_date = date(2026, 2, 1)
        said = "The decision was dated"
    else:
        req = await requirement(session, world.duties["nhs-act-s14z45"], "limb-c-decisions")
        await evidence(session, world.plan, req, summary="Board decided", decision="Close the walk-in centre",
                       decision_date=date(2026, 2, 1))
        said = "The evidence records a decision dated"
    got = await check(client, world, a["lead"], "gunning-1",
                      reason=f"{said} 1 February 2026, but the consultation 'Urgent care consultation' has no closing "
                             f"date (Gunning 1).")
    assert got["gaps"] == ["Record when 'Urgent care consultation' closed."]


async def test_a_decision_recorded_in_evidence_on_the_closing_day_is_amber_not_no_decision(client, session, a):
    # It was ignored (only a decision before the close counted) and the report said "No decision has been taken"
    world = await green_plan(session, a.tenant)
    world.consultation.decision_date = None
    req = await requirement(session, world.duties["nhs-act-s14z45"], "limb-c-decisions")
    row = await evidence(session, world.plan, req, summary="Board decided", decision="Close it",
                         decision_date=date(2026, 3, 30))
    await check(client, world, a["lead"], "gunning-1", status="amber",
                reason="The evidence records a decision dated 30 March 2026, the day the consultation closed "
                       "(Gunning 1).")
    row.decision_date = date(2026, 4, 2)
    await check(client, world, a["lead"], "gunning-1", status="green",
                reason="The evidence records a decision dated 2 April 2026, after the consultation closed on 30 March "
                       "2026.")


# Every rule that reads a decision reads it from one place (Context.decisions_for / first_decision): only Gunning 1 saw
# a decision recorded in evidence (a board minute, filed under any requirement), the others only the consultation's
# own date, so the report could call the consultation decided for Gunning 1 and undecided for the rest.

async def decided_on(session, world, recorded: str, on: date, *, filed=("gunning", "gunning-1")) -> str:
    """Record the plan's first decision on the consultation or only in an evidence item (the consultation's own date
    cleared); what the reasons call it."""
    if recorded == "consultation":
        world.consultation.decision_date = on
        return "the decision dated"
    world.consultation.decision_date = None
    req = await requirement(session, world.duties[filed[0]], filed[1])
    await evidence(session, world.plan, req, summary="Board minute", decision="Close the walk-in centre",
                   decision_date=on)
    return "the decision the evidence records, dated"


@pytest.mark.parametrize("recorded", ["consultation", "evidence"])
@pytest.mark.parametrize("limb, code, words", [
    ("proposals", "limb-b-proposals", "(b), the development and consideration of proposals"),
    ("decision", "limb-c-decisions", "(c), decisions"),
])
async def test_an_activity_after_a_decision_recorded_in_evidence_does_not_serve_the_limb(client, session, a, limb,
                                                                                          code, words, recorded):
    world = await green_plan(session, a.tenant)  # the workshops start on 10 March 2026
    said = await decided_on(session, world, recorded, date(2026, 2, 1))
    await check(client, world, a["lead"], code,
                reason=f"No involvement is recorded for limb {words} before {said} 1 February 2026: "
                       f"'{limb.title()} workshop' is dated after it.")


@pytest.mark.parametrize("recorded", ["consultation", "evidence"])
async def test_writing_to_the_committee_after_a_decision_recorded_in_evidence_is_not_consulting_it(client, session, a,
                                                                                                   recorded):
    world = await green_plan(session, a.tenant)  # the letter: 20 January 2026
    said = await decided_on(session, world, recorded, date(2026, 1, 10), filed=("nhs-act-s14z45", "limb-c-decisions"))
    await check(client, world, a["lead"], "osc-consultation",
                reason="The change is a substantial variation, but the Overview & Scrutiny Committee was first written "
                       f"to on 20 January 2026, after {said} 10 January 2026.")


@pytest.mark.parametrize("recorded", ["consultation", "evidence"])
async def test_a_response_after_a_decision_recorded_in_evidence_is_red(client, session, a, recorded):
    world = await green_plan(session, a.tenant)  # the response: 20 March 2026
    said = await decided_on(session, world, recorded, date(2026, 3, 10), filed=("nhs-act-s14z45", "limb-c-decisions"))
    named = "the decision on 'Urgent care consultation' dated" if recorded == "consultation" else said
    got = await check(client, world, a["lead"], "gunning-4",
                      reason=f"1 response was made after {named} 10 March 2026, so it cannot show the feedback was "
                             "considered (parking) (Gunning 4).")
    after = ("the decision on 'Urgent care consultation'." if recorded == "consultation"
             else "the decision the evidence records, dated 10 March 2026.")
    assert got["gaps"] == [f"The feedback 'parking' was answered on 20 March 2026, after {after}"]
    assert got["evidence"]["links"] == []


@pytest.mark.parametrize("recorded", ["consultation", "evidence"])
async def test_feedback_awaiting_a_response_is_overdue_once_evidence_records_a_decision(client, session, a, recorded):
    # Amber ("awaits a response" while the consultation is open and undecided) though Gunning 1 read the decision
    world = await green_plan(session, a.tenant)
    world.consultation.closed_date = date(2099, 3, 30)
    await decided_on(session, world, recorded, date(2026, 4, 15))
    await factories.feedback(session, a.tenant, plan_id=world.plan.id, themes=["access", "transport"])
    await check(client, world, a["lead"], "gunning-4",
                reason="2 themes raised in feedback have no response (access, transport) (Gunning 4).")


@pytest.mark.parametrize("filed", [("equality-act-s149", "due-regard"), ("nhs-act-s14z45", "limb-c-decisions")])
async def test_an_assessment_published_after_a_decision_any_evidence_records_is_red(client, session, a, filed):
    # With no consultation, s149 read only the decisions of evidence linked to it: a board minute under limb (c)
    # went unseen
    world = await green_plan(session, a.tenant)
    world.consultation.archived_at = datetime(2026, 5, 1, tzinfo=UTC)
    world.eia.published_at = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
    req = await requirement(session, world.duties[filed[0]], filed[1])
    await evidence(session, world.plan, req, summary="Board minute", decision="Close the walk-in centre",
                   decision_date=date(2026, 1, 10))
    await check(client, world, a["lead"], "due-regard",
                reason="The equality impact assessment was published on 1 February 2026, after the decision the "
                       "evidence records, dated 10 January 2026 (Equality Act 2010 s149).")


async def test_a_decision_the_evidence_records_before_a_consultation_opened_does_not_make_its_answers_late(
        client, session, a):
    # A minute deciding an earlier consultation (or anything before this one opened) bound it: every response to its
    # feedback was 'made after the decision', and its feedback stopped counting as work in progress
    world = await green_plan(session, a.tenant)
    opened = world.consultation.opened_date
    earlier = date.fromordinal(opened.toordinal() - 30)
    await decided_on(session, world, "evidence", earlier, filed=("nhs-act-s14z45", "limb-c-decisions"))
    world.consultation.decision_date = date(2026, 4, 10)  # its own, after the responses
    got = await check(client, world, a["lead"], "gunning-4", status="green")
    assert "after the decision" not in got["reason"]
    # Gunning 1 still reads it: a decision before a consultation opened is what that rule must flag
    await check(client, world, a["lead"], "gunning-1", status="red")

"""Demo engagement for the demo tenant: a season of activities (past and planned, across methods,
levels and limbs of the duty), their attendance, and feedback in every state of the loop with its
responses, so that lists, the calendar, "you said, we did" and the reports all show something.
Dates are relative to the moment the demo is created."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.db import utcnow
from api.feedback import workflow
from api.models import Activity, ActivityAttendance, Feedback, Plan, Stakeholder, Tenant, User

# (title, method, level, duty limb, status, days from now, hours long, location, cost £, unnamed, audience)
ACTIVITIES = [
    ("Staff forum: why urgent care is changing", "staff_forum", "inform", "planning", "done", -84, 1,
     "Board room, County Hall", 0, 25, ["staff"]),
    ("Standard presentation to the Health Scrutiny Committee", "briefing", "inform", "planning", "done", -70, 1,
     "Dorset Council, Dorchester", 0, 0, ["overview_scrutiny", "elected_representative"]),
    ("Carers' focus group on evening access", "focus_group", "involve", "proposals", "done", -56, 2,
     "Bridport library", 4500, 3, ["carer", "seldom_heard"]),
    ("Online survey: options for the urgent care hub", "survey", "consult", "proposals", "done", -49, 0,
     None, 1200, 0, ["patient", "public"]),
    ("Public meeting in Bridport", "public_meeting", "consult", "proposals", "done", -35, 2,
     "Bridport Arts Centre", 18000, 64, ["public", "patient"]),
    ("Newsletter article: what you told us", "newsletter_article", "inform", None, "done", -21, 0,
     None, 0, 0, ["public"]),
    ("Patient participation group briefing", "patient_participation_group", "involve", "proposals", "cancelled",
     -14, 1, "Bridport Medical Centre", 0, 0, ["patient"]),
    ("Co-design workshop: the hub's opening hours", "workshop", "co-produce", "decision", "planned", 10, 3,
     "Dorset County Hospital education centre", 6000, 0, ["patient", "carer", "staff"]),
    ("Citizens' jury on the preferred option", "citizens_jury", "collaborate", "decision", "planned", 24, 6,
     "Corn Exchange, Dorchester", 25000, 0, ["public"]),
    ("Breaking news email: decision day", "breaking_news_email", "inform", "decision", "planned", 38, 0,
     None, 0, 0, ["staff", "partner"]),
]

# (activity index or None, stakeholder index or None (anonymous), type, channel, text, themes, status,
#  publishable summary, response, outcome, action or reason, told how)
FEEDBACK = [
    (2, 5, "concern", "event", "Our members cannot get to the hub after 6pm: the last bus leaves at 5.45.",
     ["transport", "evening access"], "closed", "The last bus leaves before evening appointments end.",
     "We asked the bus operator for a later service and moved the last appointment to 7pm.", "changed",
     "Evening appointments now end by 7pm; a 9pm bus runs from next month", "letter"),
    (4, None, "suggestion", "event", "Put the opening hours on the practice screens as well as the website.",
     ["information"], "closed", "Show opening hours in GP waiting rooms, not only online.",
     "The hours now run on the screens in all twelve practices.", "changed", "Screens updated", "published"),
    (3, 1, "complaint", "survey", "The survey was only online; my neighbour has no computer.",
     ["accessibility", "digital exclusion"], "responded", "Paper copies of the survey were hard to find.",
     "Paper and easy read copies are now in every library and practice; freepost return.", "changed",
     "Printed and easy read versions distributed", None),
    (1, 3, "advice", "letter", "The committee expects to see the equality impact assessment before any decision.",
     ["equality", "scrutiny"], "considered", None, None, None, None, None),
    (4, None, "compliment", "event", "Thank you for coming to Bridport; the meeting was well run.",
     ["engagement"], "acknowledged", None, None, None, None, None),
    (None, 0, "information_request", "email", "How many patients used the minor injuries unit last winter?",
     ["data"], "received", None, None, None, None, None),
    (4, None, "concern", "event", "Closing the minor injuries unit at night will put pressure on the ambulance "
     "service.", ["ambulance", "evening access"], "closed", "Night-time closure could add to ambulance demand.",
     "The ambulance trust modelled the change: an estimated two extra calls a week, within capacity.",
     "no_change_possible", "The night service saw under one patient a night; staff are needed in the day",
     "published"),
    (2, 5, "suggestion", "event", "Could carers book on behalf of the person they care for?",
     ["booking", "carers"], "responded", "Let carers book appointments for the person they look after.",
     "Proxy booking for carers is under review with the booking system's supplier.", "under_review", None,
     "email"),
]


async def seed_engagement(session: AsyncSession, *, tenant: Tenant, admin: User, stakeholders: list[Stakeholder],
                          plan: Plan | None) -> None:
    """Add the demo season to the demo tenant (plan may be None: the activities then belong to no plan)."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    plan_id = plan.id if plan is not None else None
    activities = []
    for (title, method, level, limb, status, days, hours, place, pounds, unnamed,
         audience) in ACTIVITIES:
        starts = now.replace(hour=10) + timedelta(days=days)
        activities.append(Activity(
            tenant_id=tenant.id, title=title, method=method, level=level, duty_limb=limb, status=status,
            starts_at=starts, ends_at=starts + timedelta(hours=hours) if hours else None, location=place,
            online_url="https://forms.example.org/urgent-care" if method == "survey" else None,
            channel="face_to_face" if place else "website", led_by=admin.id, cost_pence=pounds * 100,
            unnamed_attendees=unnamed, impressions=2400 if method == "newsletter_article" else None,
            recipients=1500 if method in ("survey", "breaking_news_email") else None,
            audience_categories=audience, accessible_formats=["large_print", "easy_read"] if place else [],
            translation_languages=[], plan_id=plan_id, created_by=admin.id, updated_by=admin.id,
            outcome_summary="Views recorded in the engagement log" if status == "done" else None))
    session.add_all(activities)
    await session.flush()
    for n, activity in enumerate(activities):
        for m, person in enumerate(stakeholders):
            if (n + m) % 3 == 0:
                continue  # not everyone is invited to everything
            came = activity.status == "done" and (n + m) % 2 == 0
            session.add(ActivityAttendance(activity_id=activity.id, stakeholder_id=person.id, tenant_id=tenant.id,
                                           invited=True, attended=came, recorded_by=admin.id))
    days = workflow.response_days(tenant.settings)
    for (index, who, kind, channel, text, themes, status, summary, response, outcome, detail,
         told) in FEEDBACK:
        activity = activities[index] if index is not None else None
        received = (activity.starts_at if activity else now - timedelta(days=30)) + timedelta(hours=3)
        responded = received + timedelta(days=9) if response else None
        row = Feedback(
            tenant_id=tenant.id, received_at=received, channel=channel, type=kind, text=text, themes=themes,
            stakeholder_id=stakeholders[who].id if who is not None and who < len(stakeholders) else None,
            activity_id=activity.id if activity else None, plan_id=plan_id, status=status,
            response_due_at=workflow.response_due(received, days), publishable_summary=summary,
            publishable=bool(summary and response), acknowledged_at=received + timedelta(days=1),
            considered_at=received + timedelta(days=5) if status != "acknowledged" and status != "received" else None,
            responded_at=responded, response_text=response, outcome=outcome,
            action_taken=detail if outcome in ("changed", "partly_changed") else None,
            reason_no_change=detail if outcome == "no_change_possible" else None,
            responded_by=admin.id if response else None, told_how=told,
            told_at=responded + timedelta(days=2) if told else None,
            closed_at=responded + timedelta(days=3) if status == "closed" else None,
            created_by=admin.id, updated_by=admin.id)
        if status == "received":
            row.acknowledged_at = None
        session.add(row)
    await session.flush()
    await audit.append(session, tenant_id=tenant.id, actor=audit.SYSTEM, action="seed", resource_type="engagement",
                       resource_id=tenant.id, changes={"activities": len(ACTIVITIES), "feedback": len(FEEDBACK)})

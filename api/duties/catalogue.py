"""The built-in catalogue of duties to involve, per jurisdiction.

Each requirement names the duty-report rule that checks it (api/duty_report/rules.py); a requirement
with rule None is met by evidence items alone. Codes are stable: plans' applicability records and
evidence refer to rows by id, but partners and the report refer to requirements by code."""

from typing import TypedDict


class RequirementSpec(TypedDict):
    code: str
    title: str
    description: str
    rule: str | None


class DutySpec(TypedDict):
    code: str
    title: str
    citation: str
    summary: str
    requirements: list[RequirementSpec]


def _limbs(act: str) -> list[RequirementSpec]:
    """The three limbs of a statutory duty to involve, and reaching the people a change affects."""
    return [
        {"code": "limb-a-planning", "title": "(a) Involvement in planning",
         "description": f"People who use the services were involved in the planning of the commissioning "
                        f"arrangements or provision ({act}).", "rule": "involvement_planning"},
        {"code": "limb-b-proposals", "title": "(b) Involvement in developing and considering proposals",
         "description": "People were involved in the development and consideration of proposals for changes "
                        "that would affect how services are delivered or which are available.",
         "rule": "involvement_proposals"},
        {"code": "limb-c-decisions", "title": "(c) Involvement in decisions",
         "description": "People were involved in decisions affecting the operation of the arrangements, where "
                        "they would have such an impact.", "rule": "involvement_decisions"},
        {"code": "reach", "title": "Those affected were reached, including seldom-heard groups",
         "description": "Every audience category of the plan, and every seldom-heard group in it, was reached by "
                        "at least one activity.", "rule": "audience_reached"},
    ]


GUNNING: DutySpec = {
    "code": "gunning",
    "title": "Formal consultation: the Gunning principles",
    "citation": "R v London Borough of Brent, ex parte Gunning (1985); R (Moseley) v Haringey LBC [2014] UKSC 56",
    "summary": "Where a body consults formally, the consultation must be lawful: begun while proposals are still "
               "formative, with enough reasons and information, adequate time, and responses conscientiously "
               "taken into account in the decision.",
    "requirements": [
        {"code": "gunning-1", "title": "1. At a formative stage",
         "description": "Consultation took place while proposals were still formative: no decision was taken "
                        "before it closed.", "rule": "gunning_formative"},
        {"code": "gunning-2", "title": "2. Sufficient reasons and information",
         "description": "The consultation pack and the equality impact assessment were published when it "
                        "opened.", "rule": "gunning_information"},
        {"code": "gunning-3", "title": "3. Adequate time",
         "description": "The window was at least the minimum the plan set, or the reason for a shorter one is "
                        "recorded.", "rule": "gunning_time"},
        {"code": "gunning-4", "title": "4. Conscientious consideration",
         "description": "Every theme raised was responded to and the response was communicated back.",
         "rule": "gunning_consideration"},
    ],
}

EQUALITY: DutySpec = {
    "code": "equality-act-s149",
    "title": "Public sector equality duty",
    "citation": "Equality Act 2010 s149",
    "summary": "Due regard, before the decision, to the need to eliminate discrimination, advance equality of "
               "opportunity and foster good relations; evidenced by an equality impact assessment.",
    "requirements": [
        {"code": "due-regard", "title": "Due regard to the three aims before the decision",
         "description": "An equality impact assessment was published at launch, before any decision.",
         "rule": "equality_due_regard"},
    ],
}

CATALOGUE: dict[str, list[DutySpec]] = {
    "england": [
        {"code": "nhs-act-s14z45", "title": "Duty to involve the public (integrated care boards)",
         "citation": "NHS Act 2006 s14Z45 (s14Z2 for clinical commissioning groups until July 2022)",
         "summary": "An integrated care board must make arrangements to secure that people who are or may be "
                    "using its services are involved — by consultation, information or otherwise — in planning, "
                    "in developing and considering proposals for changes, and in decisions.",
         "requirements": _limbs("s14Z45(2)")},
        {"code": "nhs-act-s242", "title": "Duty to involve (NHS trusts and foundation trusts)",
         "citation": "NHS Act 2006 s242(1B)",
         "summary": "A trust must make arrangements so that users of its services are involved in planning, in "
                    "developing and considering proposals for changes, and in decisions affecting services.",
         "requirements": _limbs("s242(1B)")},
        GUNNING,
        EQUALITY,
        {"code": "health-scrutiny-reg23", "title": "Consult the local authority on a substantial variation",
         "citation": "Local Authority (Public Health, Health and Wellbeing Boards and Health Scrutiny) "
                     "Regulations 2013 reg 23",
         "summary": "Where a proposal is a substantial development or variation of the health service, the local "
                    "authority (its Overview & Scrutiny Committee) must be consulted.",
         "requirements": [
             {"code": "osc-consultation", "title": "The Overview & Scrutiny Committee was consulted",
              "description": "Whether the change is a substantial variation is recorded with reasons, and where it "
                             "is, correspondence with the committee is logged.", "rule": "scrutiny_consultation"},
         ]},
        {"code": "reconfiguration-notification", "title": "Notify the Secretary of State of a notifiable "
                                                          "reconfiguration",
         "citation": "NHS Act 2006 Schedule 10A (Health and Care Act 2022); in force 31 January 2024",
         "summary": "A notifiable reconfiguration of NHS services must be notified to the Secretary of State.",
         "requirements": [
             {"code": "sos-notification", "title": "The Secretary of State was notified",
              "description": "Where notification is required, the date it was sent is recorded.",
              "rule": "sos_notification"},
         ]},
    ],
    "wales": [
        {"code": "nhs-wales-act-s183", "title": "Duty to involve and consult (Wales)",
         "citation": "NHS (Wales) Act 2006 s183 (Part 12)",
         "summary": "A Welsh NHS body must make arrangements so that people are involved in planning, in "
                    "developing and considering proposals for changes, and in decisions affecting services.",
         "requirements": _limbs("s183(1)")},
        GUNNING,
        EQUALITY,
        {"code": "llais-consultation", "title": "Consult Llais on changes to services",
         "citation": "Health and Social Care (Quality and Engagement) (Wales) Act 2020; Welsh Government "
                     "guidance on changes to NHS services (2023)",
         "summary": "Llais, the citizen voice body, must be engaged on proposals for changes to services, and "
                    "consulted where the change is substantial.",
         "requirements": [
             {"code": "llais-consultation", "title": "Llais was engaged and consulted",
              "description": "Whether the change is substantial is recorded with reasons, and where it is, "
                             "correspondence with Llais is logged.", "rule": "scrutiny_consultation"},
         ]},
    ],
}

# Every rule name the catalogue uses; api/duty_report/rules.py implements exactly these.
RULES = sorted({r["rule"] for duties in CATALOGUE.values() for d in duties for r in d["requirements"] if r["rule"]})

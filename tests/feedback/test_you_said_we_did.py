from datetime import UTC, datetime

import pytest

from tests import factories
from tests.activities.support import ROLES, plan

PERSON = dict(name="Margaret Okafor", email="margaret.okafor@example.org", phone="+44 1308 422100",
              postcode="DT6 3NQ")
RAW = "I'm Margaret Okafor, 12 South Street DT6 3NQ, call 01308 422100: the 6pm last bus strands me."


@pytest.fixture
async def loop(session, a, b):
    review = await plan(session, a.tenant, title="Urgent care review")
    margaret = await factories.stakeholder(session, a.tenant, **PERSON)
    responded = datetime(2026, 3, 20, tzinfo=UTC)
    common = dict(plan_id=review.id, stakeholder_id=margaret.id, text=RAW, responded_at=responded,
                  status="closed", told_how="letter", told_at=responded)
    await factories.feedback(session, a.tenant, themes=["transport", "opening hours"], publishable=True,
                             publishable_summary="The last bus to the hub leaves too early.",
                             response_text="Margaret, we asked for a later bus (ring 01308 422100 or write to "
                                           "margaret.okafor@example.org): a 9pm bus runs from April.",
                             outcome="changed", action_taken="9pm bus", **common)
    await factories.feedback(session, a.tenant, themes=["transport"], publishable=False,
                             publishable_summary="Not yet cleared", response_text="Private reply",
                             outcome="information_given", **common)
    await factories.feedback(session, a.tenant, themes=["parking"], plan_id=review.id, text="No parking")
    await factories.feedback(session, a.tenant, themes=["transport"], plan_id=review.id, text="archived",
                             archived_at=responded)
    other = await plan(session, a.tenant, title="Other plan")
    await factories.feedback(session, a.tenant, themes=["other-plan"], plan_id=other.id)
    theirs = await plan(session, b.tenant, title="Theirs")
    await factories.feedback(session, b.tenant, themes=["theirs"], plan_id=theirs.id)
    return review, margaret, theirs


@pytest.mark.parametrize("role", ROLES)
async def test_themes_counts_and_publishable_items(client, a, loop, role):
    review, _, _ = loop
    r = await client.get(f"/api/v1/plans/{review.id}/you-said-we-did", headers=a[role])
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["plan_title"] == "Urgent care review"
    assert (body["feedback_received"], body["feedback_responded"]) == (3, 2)
    assert body["themes"] == [{"theme": "transport", "count": 2}, {"theme": "opening hours", "count": 1},
                              {"theme": "parking", "count": 1}]
    assert len(body["items"]) == 1
    item = body["items"][0]
    assert item["you_said"] == "The last bus to the hub leaves too early."
    assert item["outcome"] == "changed" and "9pm bus runs from April" in item["we_did"]


async def test_no_personal_data_in_json_or_html(client, a, loop):
    review, margaret, _ = loop
    for accept in ("application/json", "text/html"):
        r = await client.get(f"/api/v1/plans/{review.id}/you-said-we-did", headers={**a["viewer"], "Accept": accept})
        text = r.text
        for secret in ("Margaret", "Okafor", "example.org", "422100", "DT6 3NQ", "South Street", str(margaret.id),
                       "Private reply", "Not yet cleared", "strands me"):
            assert secret not in text, (accept, secret)


async def test_html_for_an_intranet_page_escapes_everything(client, session, a):
    review = await plan(session, a.tenant, title="<script>alert('plan')</script>")
    await factories.feedback(session, a.tenant, plan_id=review.id, themes=["<b>bold</b>"], publishable=True,
                             publishable_summary="<img src=x onerror=alert(1)>", response_text="We did & more",
                             outcome="information_given", responded_at=datetime(2026, 3, 20, tzinfo=UTC))
    r = await client.get(f"/api/v1/plans/{review.id}/you-said-we-did",
                         headers={**a["viewer"], "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<script>" not in r.text and "<img" not in r.text and "<b>bold" not in r.text
    assert "&lt;script&gt;" in r.text and "We did &amp; more" in r.text
    assert "Accept" in r.headers["vary"]


async def test_other_tenants_plan_is_404(client, a, loop):
    _, _, theirs = loop
    r = await client.get(f"/api/v1/plans/{theirs.id}/you-said-we-did", headers=a["admin"])
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


async def test_an_empty_plan_has_an_empty_summary(client, session, a):
    review = await plan(session, a.tenant)
    body = (await client.get(f"/api/v1/plans/{review.id}/you-said-we-did", headers=a["viewer"])).json()
    assert body["themes"] == [] and body["items"] == [] and body["feedback_received"] == 0


async def test_an_erased_persons_name_stays_out_of_you_said_we_did_and_their_feedback(client, session, a, loop):
    # The summary scrubs the words of the linked person's name; erasure wipes that name, so it must take the words
    # out of the kept paraphrases and responses itself, or they come back the moment the person is erased.
    review, margaret, _ = loop
    assert (await client.post(f"/api/v1/stakeholders/{margaret.id}/erase", headers=a["admin"])).status_code == 200
    r = await client.get(f"/api/v1/plans/{review.id}/you-said-we-did", headers=a["viewer"])
    assert r.status_code == 200 and "9pm bus runs from April" in r.json()["items"][0]["we_did"]
    listed = await client.get("/api/v1/feedback", params={"stakeholder_id": str(margaret.id)}, headers=a["admin"])
    for text in (r.text, listed.text):
        for secret in ("Margaret", "Okafor", "422100", "example.org"):
            assert secret not in text, secret


async def test_an_erased_persons_placeholder_name_is_not_scrubbed_from_the_summary(client, session, a, loop):
    # Once erased, the linked name reads "Erased stakeholder": its words are not the person's and stay in the text.
    review, margaret, _ = loop
    await factories.feedback(session, a.tenant, plan_id=review.id, stakeholder_id=margaret.id, themes=["access"],
                             publishable=True, publishable_summary="Erased words are fine",
                             response_text="We wrote to every stakeholder group", outcome="information_given",
                             responded_at=datetime(2026, 3, 21, tzinfo=UTC))
    assert (await client.post(f"/api/v1/stakeholders/{margaret.id}/erase", headers=a["admin"])).status_code == 200
    items = (await client.get(f"/api/v1/plans/{review.id}/you-said-we-did", headers=a["viewer"])).json()["items"]
    assert [(i["you_said"], i["we_did"]) for i in items][-1] == ("Erased words are fine",
                                                                 "We wrote to every stakeholder group")


async def test_themes_are_scrubbed_of_contact_details_and_linked_names(client, session, a, loop):
    """A theme is a free tag: one typed as an email, a phone, a postcode or the person's name is not published."""
    review, margaret, _ = loop
    responded = datetime(2026, 3, 21, tzinfo=UTC)
    await factories.feedback(session, a.tenant, plan_id=review.id, stakeholder_id=margaret.id, text=RAW,
                             themes=["margaret.okafor@example.org", "01308 422100", "DT6 3NQ", "okafor"],
                             publishable=True, publishable_summary="Buses", response_text="More buses",
                             outcome="changed", responded_at=responded, status="closed", told_how="letter",
                             told_at=responded)
    await factories.feedback(session, a.tenant, plan_id=review.id, themes=["Okafor family"])
    await session.commit()
    for accept in ("application/json", "text/html"):
        r = await client.get(f"/api/v1/plans/{review.id}/you-said-we-did", headers={**a["viewer"], "Accept": accept})
        for secret in ("Okafor", "okafor", "example.org", "422100", "DT6 3NQ"):
            assert secret not in r.text, (accept, secret)
    body = (await client.get(f"/api/v1/plans/{review.id}/you-said-we-did", headers=a["viewer"])).json()
    assert {"theme": "[removed]", "count": 1} in body["themes"]  # four tags, each now "[removed]": one piece raises it
    assert {"theme": "[removed] family", "count": 1} in body["themes"]
    assert body["items"][-1]["themes"] == ["[removed]"] * 4


async def test_an_item_is_scrubbed_of_every_linked_persons_name_not_only_its_own(client, session, a, loop):
    """Anonymous feedback tagged "Quintrell parking", or a paraphrase naming another who gave feedback: the counts took
    that name out, and so must the item; a two-letter surname is a name too."""
    review, _, _ = loop
    responded = datetime(2026, 3, 21, tzinfo=UTC)
    zeb = await factories.stakeholder(session, a.tenant, name="Zebedee Quintrell")
    mei = await factories.stakeholder(session, a.tenant, name="Mei Li")
    for person in (zeb, mei):
        await factories.feedback(session, a.tenant, plan_id=review.id, stakeholder_id=person.id, text=RAW)
    await factories.feedback(session, a.tenant, plan_id=review.id, text=RAW, themes=["Quintrell parking", "Li"],
                             publishable=True, publishable_summary="As Mr Quintrell said, parking is poor",
                             response_text="We told Mrs Li and Mr Quintrell", outcome="changed",
                             responded_at=responded, status="closed", told_how="letter", told_at=responded)
    await session.commit()
    body = (await client.get(f"/api/v1/plans/{review.id}/you-said-we-did", headers=a["viewer"])).json()
    item = next(i for i in body["items"] if "parking" in i["you_said"])
    assert item == {"themes": ["[removed] parking", "[removed]"], "you_said": "As Mr [removed] said, parking is poor",
                    "we_did": "We told Mrs [removed] and Mr [removed]", "outcome": "changed"}
    assert {"theme": "[removed] parking", "count": 1} in body["themes"]


async def test_a_theme_counts_each_piece_once_however_many_of_its_tags_scrub_to_it(client, session, a):
    """ThemeCount.count is how many pieces raise it: one piece tagged with two linked people's names, both scrubbed to
    "[removed] parking", raises it once; another piece raising it too makes two."""
    review = await plan(session, a.tenant)
    for name in ("Ann Example", "Bob Sample"):
        person = await factories.stakeholder(session, a.tenant, name=name)
        await factories.feedback(session, a.tenant, plan_id=review.id, stakeholder_id=person.id, text="x")
    await factories.feedback(session, a.tenant, plan_id=review.id, themes=["Example parking", "Sample parking", "Ann",
                                                                             "Bob", "Ann"])
    await factories.feedback(session, a.tenant, plan_id=review.id, themes=["Ann parking"])
    await session.commit()
    body = (await client.get(f"/api/v1/plans/{review.id}/you-said-we-did", headers=a["viewer"])).json()
    assert body["themes"] == [{"theme": "[removed] parking", "count": 2}, {"theme": "[removed]", "count": 1}]


@pytest.mark.parametrize("name,tags,said", [
    ("Margaret Okafor", ["margaret_okafor", "okafor_complaint", "okafor2"], "Mrs Okafor's bus"),
    ("Mary Smith-Jones", ["Smith-Jones", "jones parking"], "Mrs Jones said, as did Mrs Smith Jones"),
    ("Siobhan O'Neill", ["O\u2019Neill"], "Mrs O\u2019Neill and Mr Neill, as O'Neill said"),
    ("Siobhan O\u2019Neill", ["o'neill"], "Mrs O'Neill"),
])
async def test_a_name_is_scrubbed_however_it_is_joined_or_apostrophised(client, session, a, name, tags, said):
    """An underscore or a digit is no letter ("margaret_okafor"), each part of a hyphenated name is a word of it ("Mrs
    Jones"), and a curly apostrophe is an apostrophe."""
    review = await plan(session, a.tenant)
    person = await factories.stakeholder(session, a.tenant, name=name)
    await factories.feedback(session, a.tenant, plan_id=review.id, stakeholder_id=person.id, text="x")
    await factories.feedback(session, a.tenant, plan_id=review.id, themes=tags, publishable=True,
                             publishable_summary=said, response_text="We wrote back", outcome="information_given",
                             responded_at=datetime(2026, 3, 21, tzinfo=UTC))
    await session.commit()
    body = (await client.get(f"/api/v1/plans/{review.id}/you-said-we-did", headers=a["viewer"])).json()
    published = " ".join([*body["items"][0]["themes"], body["items"][0]["you_said"]]).lower()
    for word in ("okafor", "jones", "smith", "neill", "o'[", "o\u2019["):  # "O'Neill" goes whole, not to "O'[removed]"
        assert word not in published, body


async def test_an_initial_of_a_name_is_not_scrubbed(client, session, a):
    # "O" of "O'Neill", like an initial, would take every "o" out; the parts of two letters or more are enough.
    review = await plan(session, a.tenant)
    person = await factories.stakeholder(session, a.tenant, name="Siobhan O'Neill")
    await factories.feedback(session, a.tenant, plan_id=review.id, stakeholder_id=person.id, text="x")
    await factories.feedback(session, a.tenant, plan_id=review.id, themes=["O level", "parking"], publishable=True,
                             publishable_summary="Ward O is too far from the car park",
                             response_text="We asked Mrs O\u2019Neill", outcome="information_given",
                             responded_at=datetime(2026, 3, 21, tzinfo=UTC))
    await session.commit()
    body = (await client.get(f"/api/v1/plans/{review.id}/you-said-we-did", headers=a["viewer"])).json()
    assert (body["items"][0]["you_said"], body["items"][0]["we_did"]) == ("Ward O is too far from the car park",
                                                                          "We asked Mrs [removed]")
    assert body["items"][0]["themes"] == ["O level", "parking"]

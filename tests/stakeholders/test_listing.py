import pytest

from tests import factories
from tests.stakeholders.support import URL


async def names(client, headers, **params) -> list[str]:
    r = await client.get(URL, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [s["name"] for s in r.json()["items"]]


@pytest.fixture
async def register(session, a, b):
    """A small register in tenant A (and a decoy in B that no filter may ever return)."""
    surgery = await factories.organisation(session, a.tenant, name="Bridport Medical Centre")
    council = await factories.organisation(session, a.tenant, name="Dorset Council")
    their_org = await factories.organisation(session, b.tenant, name="Bridport Elsewhere")
    people = {
        "Ann Patient": dict(categories=["patient", "seldom_heard"], tags=["west"], organisation_id=surgery.id,
                            is_champion=True, contact_consent=True, email="ann@example.test",
                            owner_id=a.users["lead"].id),
        "Bob Carer": dict(categories=["carer"], tags=["east", "west"], is_public_representative=True,
                          email="Bob.Carer@example.test", external_id="CRM-9"),
        "Cllr Cath": dict(kind="person", categories=["elected_representative"], organisation_id=council.id,
                          email="cath@council.example.test"),
        "Dorset Youth Forum": dict(kind="group", categories=["community_group", "seldom_heard"], email=None),
    }
    rows = {name: await factories.stakeholder(session, a.tenant, name=name, **values)
            for name, values in people.items()}
    await factories.stakeholder(session, b.tenant, name="Ann Elsewhere", categories=["patient"], tags=["west"],
                                organisation_id=their_org.id, email="ann@elsewhere.example.test", is_champion=True)
    return {"surgery": surgery, "council": council, **rows}


async def test_default_sort_is_by_name(client, a, register):
    assert await names(client, a["viewer"]) == ["Ann Patient", "Bob Carer", "Cllr Cath", "Dorset Youth Forum"]


@pytest.mark.parametrize("params,expected", [
    ({"category": "seldom_heard"}, ["Ann Patient", "Dorset Youth Forum"]),
    ({"category": "carer"}, ["Bob Carer"]),
    ({"tag": "west"}, ["Ann Patient", "Bob Carer"]),
    ({"tag": "east"}, ["Bob Carer"]),
    ({"kind": "group"}, ["Dorset Youth Forum"]),
    ({"champion": "true"}, ["Ann Patient"]),
    ({"champion": "false"}, ["Bob Carer", "Cllr Cath", "Dorset Youth Forum"]),
    ({"public_representative": "true"}, ["Bob Carer"]),
    ({"contact_consent": "true"}, ["Ann Patient"]),
    ({"contact_consent": "false"}, ["Bob Carer", "Cllr Cath", "Dorset Youth Forum"]),
    ({"external_id": "CRM-9"}, ["Bob Carer"]),
    ({"category": "seldom_heard", "kind": "person"}, ["Ann Patient"]),
    ({"tag": "west", "champion": "false"}, ["Bob Carer"]),
], ids=lambda v: "-".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None)
async def test_filter(client, a, register, params, expected):
    assert await names(client, a["viewer"], **params) == expected


async def test_filter_by_organisation(client, a, register):
    assert await names(client, a["viewer"], organisation_id=str(register["council"].id)) == ["Cllr Cath"]


async def test_filter_by_owner(client, a, register):
    assert await names(client, a["viewer"], owner_id=str(a.users["lead"].id)) == ["Ann Patient"]
    assert await names(client, a["viewer"], owner_id=str(a.users["admin"].id)) == []


@pytest.mark.parametrize("email", ["bob.carer@example.test", "BOB.CARER@EXAMPLE.TEST"])
async def test_filter_by_email_ignores_case(client, a, register, email):
    assert await names(client, a["lead"], email=email) == ["Bob Carer"]


@pytest.mark.parametrize("email", ["élodie@example.test", "ÉLODIE@EXAMPLE.TEST", "Élodie@example.test"])
async def test_filter_by_email_ignores_the_case_of_any_letter(client, session, a, email):
    await factories.stakeholder(session, a.tenant, name="Élodie", email="Élodie@example.test")
    assert await names(client, a["lead"], email=email) == ["Élodie"]


async def test_filter_by_email_is_exact(client, a, register):
    assert await names(client, a["lead"], email="carer@example.test") == []


@pytest.mark.parametrize("q,expected", [
    ("ann", ["Ann Patient"]),
    ("DORSET", ["Cllr Cath", "Dorset Youth Forum"]),  # Cath through her organisation, Dorset Council
    ("medical centre", ["Ann Patient"]),
    ("council.example", ["Cllr Cath"]),  # email
    ("nobody", []),
])
async def test_q_searches_name_organisation_and_email(client, a, register, q, expected):
    assert await names(client, a["lead"], q=q) == expected


async def test_q_does_not_match_another_tenants_organisation(client, a, register):
    assert await names(client, a["lead"], q="elsewhere") == []


async def test_archived_lists_only_archived(client, a, register):
    r = await client.delete(f"{URL}/{register['Bob Carer'].id}", headers=a["lead"])
    assert r.status_code == 204
    assert await names(client, a["viewer"]) == ["Ann Patient", "Cllr Cath", "Dorset Youth Forum"]
    assert await names(client, a["viewer"], archived="true") == ["Bob Carer"]
    assert await names(client, a["viewer"], archived="true", tag="west") == ["Bob Carer"]


async def test_sort_and_cursor_paging_with_total(client, a, register):
    params = {"sort": "-name", "limit": 3, "include_total": "true"}
    first = (await client.get(URL, params=params, headers=a["viewer"])).json()
    assert [s["name"] for s in first["items"]] == ["Dorset Youth Forum", "Cllr Cath", "Bob Carer"]
    assert first["total"] == 4 and first["next_cursor"]
    second = (await client.get(URL, params={**params, "cursor": first["next_cursor"]}, headers=a["viewer"])).json()
    assert [s["name"] for s in second["items"]] == ["Ann Patient"]
    assert second["next_cursor"] is None and second["total"] == 4


async def test_total_counts_only_the_filtered_rows(client, a, register):
    page = (await client.get(URL, params={"category": "seldom_heard", "limit": 1, "include_total": "true"},
                             headers=a["viewer"])).json()
    assert [s["name"] for s in page["items"]] == ["Ann Patient"] and page["total"] == 2


async def test_sort_by_updated_at(client, a, register):
    await client.patch(f"{URL}/{register['Ann Patient'].id}", json={"notes": "touched"}, headers=a["lead"])
    items = await names(client, a["viewer"], sort="-updated_at")
    assert items[0] == "Ann Patient"


async def test_sort_by_created_at(client, a, register):
    assert await names(client, a["viewer"], sort="created_at") == ["Ann Patient", "Bob Carer", "Cllr Cath",
                                                                     "Dorset Youth Forum"]


async def test_sort_by_id_descending_pages_newest_first(client, a, register):
    ids = sorted(str(register[name].id) for name in ("Ann Patient", "Bob Carer", "Cllr Cath", "Dorset Youth Forum"))
    seen, cursor = [], None
    for _ in range(3):
        r = await client.get(URL, params={"sort": "-id", "limit": 2, **({"cursor": cursor} if cursor else {})},
                             headers=a["viewer"])
        assert r.status_code == 200, r.text
        seen += [s["id"] for s in r.json()["items"]]
        if not (cursor := r.json()["next_cursor"]):
            break
    assert seen == ids[::-1]
    ascending = (await client.get(URL, params={"sort": "id"}, headers=a["viewer"])).json()["items"]
    assert [s["id"] for s in ascending] == ids
    # A cursor of one direction is refused by the other.
    first = (await client.get(URL, params={"sort": "-id", "limit": 1}, headers=a["viewer"])).json()
    r = await client.get(URL, params={"sort": "id", "cursor": first["next_cursor"]}, headers=a["viewer"])
    assert r.status_code == 400


@pytest.mark.parametrize("params", [
    {"sort": "email"}, {"sort": "password_hash"}, {"cursor": "garbage"}, {"limit": 501}, {"limit": 0},
    {"category": "aliens"}, {"kind": "robot"}, {"organisation_id": "nope"}, {"champion": "maybe"}, {"q": ""},
])
async def test_bad_list_parameters_are_4xx_problems(client, a, params):
    r = await client.get(URL, params=params, headers=a["lead"])
    assert r.status_code in (400, 422)
    assert r.headers["content-type"] == "application/problem+json"


def _cursor(sort: str, values: list) -> str:
    import base64
    import json
    return base64.urlsafe_b64encode(json.dumps({"s": sort, "v": values}).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("sort,value", [
    ("name", 5), ("name", ["x"]), ("name", "a\x00b"), ("name", True),   # text that is not text
    ("name", "\ud800"),                                                # a lone surrogate: no UTF-8 form
    ("created_at", "2020-01-01T00:00:00"),                              # a moment with no offset
    ("created_at", "9999-12-31T23:59:59-05:00"), ("created_at", 5),     # out of range; not a string
    ("updated_at", {"a": 1}),
])
async def test_a_tampered_cursor_is_a_400_not_a_500(client, a, register, sort, value):
    """Found by a black-box pass (stop 19): a cursor's value of the wrong type failed as the statement ran."""
    cursor = _cursor(sort, [value, str(register["Ann Patient"].id)])
    r = await client.get(URL, params={"sort": sort, "limit": 2, "cursor": cursor}, headers=a["lead"])
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json", r.text
    # The cursor a page gives still pages.
    first = (await client.get(URL, params={"sort": sort, "limit": 2}, headers=a["lead"])).json()
    r = await client.get(URL, params={"sort": sort, "limit": 2, "cursor": first["next_cursor"]}, headers=a["lead"])
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("url", [URL, "/api/v1/organisations", "/api/v1/plans"])
async def test_a_cursor_nested_deeper_than_the_decoder_recurses_is_a_400(client, a, url):
    """Found by a review (stop 27): the JSON decoder's RecursionError escaped as a 500, on every list."""
    import base64
    cursor = base64.urlsafe_b64encode(b"[" * 1300).rstrip(b"=").decode()
    r = await client.get(url, params={"cursor": cursor}, headers=a["viewer"])
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json", r.text


@pytest.mark.parametrize("tail", [5, ["x"], {"a": 1}, True])
async def test_a_cursor_whose_id_is_not_text_is_a_400_not_a_500(client, a, tail):
    """Found by a review (stop 26): uuid.UUID(5) raised AttributeError, which escaped as a 500 on every list."""
    r = await client.get(URL, params={"sort": "name", "cursor": _cursor("name", ["x", tail])}, headers=a["viewer"])
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json", r.text

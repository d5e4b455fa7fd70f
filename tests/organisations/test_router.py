import pytest
from sqlalchemy import func, select

from api.models import AuditEvent, Organisation
from tests import factories
from tests.replay import restore_replays

URL = "/api/v1/organisations"
WRITERS = ("admin", "lead")
READ_ONLY = ("contributor", "viewer", "auditor")


async def count(session, tenant) -> int:
    return (await session.execute(select(func.count()).select_from(Organisation)
                                  .where(Organisation.tenant_id == tenant.id))).scalar_one()


@pytest.mark.parametrize("role", WRITERS)
async def test_writers_create_an_organisation(client, a, role):
    r = await client.post(URL, json={"name": "Bridport Medical Centre", "kind": "gp_practice",
                                     "postcode": "dt6 3aj", "tags": ["west", "west"]}, headers=a[role])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["name"] == "Bridport Medical Centre"
    assert body["postcode"] == "DT6 3AJ"
    assert body["tags"] == ["west"]
    assert body["created_by"] == str(a.users[role].id)
    assert r.headers["location"] == f"{URL}/{body['id']}"
    assert r.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_create(client, session, a, role):
    r = await client.post(URL, json={"name": "X"}, headers=a[role])
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    assert await count(session, a.tenant) == 0


async def test_anonymous_gets_401_with_bearer_challenge(client):
    r = await client.get(URL)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", WRITERS + READ_ONLY)
async def test_every_role_reads(client, session, a, role):
    org = await factories.organisation(session, a.tenant, name="Healthwatch Dorset", kind="healthwatch")
    listing = await client.get(URL, headers=a[role])
    assert [o["id"] for o in listing.json()["items"]] == [str(org.id)]
    one = await client.get(f"{URL}/{org.id}", headers=a[role])
    assert one.status_code == 200
    assert one.json()["email"] is None
    assert one.headers["etag"] == '"1"'


@pytest.mark.parametrize("body,field", [
    ({"name": ""}, "name"),
    ({"name": "X", "kind": "spaceship"}, "kind"),
    ({"name": "X", "email": "not-an-email"}, "email"),
    ({"name": "X", "postcode": "NOT A CODE"}, "postcode"),
    ({"name": "X", "website": "javascript:alert(1)"}, "website"),
    ({"name": "X", "tenant_id": "00000000-0000-0000-0000-000000000000"}, "tenant_id"),
    ({"name": "X", "id": "00000000-0000-0000-0000-000000000000"}, "id"),
    ({"name": "X", "created_by": "00000000-0000-0000-0000-000000000000"}, "created_by"),
])
async def test_bad_input_is_422_and_writes_nothing(client, session, a, body, field):
    r = await client.post(URL, json=body, headers=a["lead"])
    assert r.status_code == 422
    problem = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert problem["status"] == 422
    assert any(e["loc"][-1] == field for e in problem["errors"]), problem
    assert await count(session, a.tenant) == 0


async def test_malformed_json_is_400_problem(client, a):
    r = await client.post(URL, content=b'{"name": ', headers={**a["lead"], "content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["title"] == "Malformed JSON"


async def test_other_tenants_organisation_is_404_everywhere(client, session, a, b):
    theirs = await factories.organisation(session, b.tenant, name="Their GP")
    for method, path, kwargs in [
        ("GET", f"{URL}/{theirs.id}", {}),
        ("PATCH", f"{URL}/{theirs.id}", {"json": {"name": "Mine now"}}),
        ("DELETE", f"{URL}/{theirs.id}", {}),
        ("POST", f"{URL}/{theirs.id}/restore", {}),
    ]:
        r = await client.request(method, path, headers=a["admin"], **kwargs)
        assert r.status_code == 404, (method, path)
    listing = await client.get(URL, params={"include_total": "true"}, headers=a["admin"])
    assert listing.json() == {"items": [], "next_cursor": None, "total": 0}
    await session.refresh(theirs)
    assert theirs.name == "Their GP" and theirs.archived_at is None


async def test_update_changes_only_given_fields_and_bumps_etag(client, session, a):
    org = await factories.organisation(session, a.tenant, name="Old", notes="keep me")
    r = await client.patch(f"{URL}/{org.id}", json={"name": "New"}, headers=a["lead"])
    assert r.status_code == 200
    assert r.json()["name"] == "New" and r.json()["notes"] == "keep me"
    assert r.headers["etag"] == '"2"'


async def test_update_refuses_null_for_a_required_field(client, session, a):
    org = await factories.organisation(session, a.tenant, name="Keep")
    r = await client.patch(f"{URL}/{org.id}", json={"name": None}, headers=a["lead"])
    assert r.status_code == 422
    await session.refresh(org)
    assert org.name == "Keep"


async def test_stale_if_match_is_412_and_one_of_two_racing_edits_wins(client, session, a):
    org = await factories.organisation(session, a.tenant, name="Race")
    first = await client.patch(f"{URL}/{org.id}", json={"name": "A"}, headers={**a["lead"], "If-Match": '"1"'})
    second = await client.patch(f"{URL}/{org.id}", json={"name": "B"}, headers={**a["admin"], "If-Match": '"1"'})
    assert (first.status_code, second.status_code) == (200, 412)
    assert second.headers["content-type"] == "application/problem+json"
    await session.refresh(org)
    assert org.name == "A"


async def test_external_id_clash_is_409(client, session, a, b):
    await factories.organisation(session, a.tenant, external_id="ODS-1")
    await factories.organisation(session, b.tenant, external_id="ODS-2")
    clash = await client.post(URL, json={"name": "Dup", "external_id": "ODS-1"}, headers=a["lead"])
    assert clash.status_code == 409
    # the same external id in another tenant is no clash
    ok = await client.post(URL, json={"name": "Fine", "external_id": "ODS-2"}, headers=a["lead"])
    assert ok.status_code == 201


async def test_delete_archives_and_restore_brings_back(client, session, a):
    org = await factories.organisation(session, a.tenant, name="Gone")
    assert (await client.delete(f"{URL}/{org.id}", headers=a["lead"])).status_code == 204
    assert (await client.get(URL, headers=a["lead"])).json()["items"] == []
    archived = (await client.get(URL, params={"archived": "true"}, headers=a["lead"])).json()["items"]
    assert [o["id"] for o in archived] == [str(org.id)]
    assert (await client.get(f"{URL}/{org.id}", headers=a["lead"])).json()["archived_at"] is not None
    restored = await client.post(f"{URL}/{org.id}/restore", headers=a["lead"])
    assert restored.status_code == 200 and restored.json()["archived_at"] is None


async def test_a_retried_restore_with_its_key_gets_the_first_response(client, session, a):
    """A client whose restore's response was lost sends it again with its Idempotency-Key: the first answer, not a
    second restore of an organisation archived again meanwhile."""
    org = await factories.organisation(session, a.tenant, name="Gone")
    await restore_replays(client, session, f"{URL}/{org.id}", a["lead"], a["admin"])


@pytest.mark.parametrize("role", READ_ONLY)
async def test_read_only_roles_cannot_edit_or_archive(client, session, a, role):
    org = await factories.organisation(session, a.tenant, name="Stay")
    assert (await client.patch(f"{URL}/{org.id}", json={"name": "X"}, headers=a[role])).status_code == 403
    assert (await client.delete(f"{URL}/{org.id}", headers=a[role])).status_code == 403
    await session.refresh(org)
    assert org.name == "Stay" and org.archived_at is None


async def test_filters_search_sort_and_cursor_paging(client, session, a):
    names = ["Alpha Surgery", "Beta Trust", "Gamma Surgery", "Delta Council", "Epsilon Surgery"]
    for i, name in enumerate(names):
        await factories.organisation(session, a.tenant, name=name, kind="gp_practice" if "Surgery" in name else "other",
                                     tags=["west"] if i % 2 == 0 else [])
    r = await client.get(URL, params={"q": "surgery", "sort": "-name", "limit": 2, "include_total": "true"},
                         headers=a["viewer"])
    page = r.json()
    assert [o["name"] for o in page["items"]] == ["Gamma Surgery", "Epsilon Surgery"]
    assert page["total"] == 3
    nxt = (await client.get(URL, params={"q": "surgery", "sort": "-name", "limit": 2, "cursor": page["next_cursor"]},
                            headers=a["viewer"])).json()
    assert [o["name"] for o in nxt["items"]] == ["Alpha Surgery"] and nxt["next_cursor"] is None
    tagged = (await client.get(URL, params={"tag": "west"}, headers=a["viewer"])).json()["items"]
    assert sorted(o["name"] for o in tagged) == ["Alpha Surgery", "Epsilon Surgery", "Gamma Surgery"]
    kind = (await client.get(URL, params={"kind": "other"}, headers=a["viewer"])).json()["items"]
    assert sorted(o["name"] for o in kind) == ["Beta Trust", "Delta Council"]


async def test_q_treats_wildcards_literally(client, session, a):
    await factories.organisation(session, a.tenant, name="100% Community")
    await factories.organisation(session, a.tenant, name="Other")
    items = (await client.get(URL, params={"q": "%"}, headers=a["viewer"])).json()["items"]
    assert [o["name"] for o in items] == ["100% Community"]


@pytest.mark.parametrize("params", [{"sort": "password"}, {"cursor": "garbage"}, {"limit": 501}, {"limit": 0}])
async def test_bad_list_parameters_are_4xx_problems(client, a, params):
    r = await client.get(URL, params=params, headers=a["viewer"])
    assert r.status_code in (400, 422)
    assert r.headers["content-type"] == "application/problem+json"


async def test_cursor_from_another_sort_is_refused(client, session, a):
    for n in range(3):
        await factories.organisation(session, a.tenant, name=f"Org {n}")
    page = (await client.get(URL, params={"limit": 1, "sort": "name"}, headers=a["viewer"])).json()
    r = await client.get(URL, params={"limit": 1, "sort": "-name", "cursor": page["next_cursor"]}, headers=a["viewer"])
    assert r.status_code == 400


async def test_idempotency_key_replays_and_refuses_another_body(client, session, a):
    headers = {**a["lead"], "Idempotency-Key": "import-42"}
    first = await client.post(URL, json={"name": "Once"}, headers=headers)
    again = await client.post(URL, json={"name": "Once"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await count(session, a.tenant) == 1
    other = await client.post(URL, json={"name": "Twice"}, headers=headers)
    assert other.status_code == 422
    assert await count(session, a.tenant) == 1


async def test_writes_are_audited_with_before_and_after(client, session, a):
    created = (await client.post(URL, json={"name": "Audited"}, headers=a["lead"])).json()
    await client.patch(f"{URL}/{created['id']}", json={"name": "Audited 2"}, headers=a["lead"])
    events = (await session.execute(select(AuditEvent).where(AuditEvent.resource_id == created["id"])
                                    .order_by(AuditEvent.seq))).scalars().all()
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].changes == {"name": {"before": "Audited", "after": "Audited 2"}}
    assert events[1].actor_id == a.users["lead"].id


async def test_contact_details_reach_the_audit_trail_as_changed_never_their_values(client, session, a):
    # They can be a person's (a sole practitioner, an elected member), and the trail outlives any correction.
    contact = {"email": "j.smith@example.org", "phone": "01234 567890", "address": "1 High St", "postcode": "DT1 1AA",
               "notes": "Ask for Jane Smith"}
    created = (await client.post(URL, json={"name": "Sole GP", **contact}, headers=a["lead"])).json()
    await client.patch(f"{URL}/{created['id']}", json={"email": "other@example.org", "notes": None},
                       headers=a["lead"])
    events = (await session.execute(select(AuditEvent).where(AuditEvent.resource_id == created["id"])
                                    .order_by(AuditEvent.seq))).scalars().all()
    assert {name: events[0].changes[name]["after"] for name in contact} == dict.fromkeys(contact, "[personal data]")
    assert events[0].changes["name"]["after"] == "Sole GP"
    assert events[1].changes == {"email": {"before": "[personal data]", "after": "[personal data]"},
                                 "notes": {"before": "[personal data]", "after": None}}


async def test_paging_by_a_datetime_sort_reaches_the_second_page(client, session, a):
    for n in range(3):
        await factories.organisation(session, a.tenant, name=f"Dated {n}")
    first = (await client.get(URL, params={"sort": "-created_at", "limit": 2}, headers=a["viewer"])).json()
    second = await client.get(URL, params={"sort": "-created_at", "limit": 2, "cursor": first["next_cursor"]},
                              headers=a["viewer"])
    assert second.status_code == 200
    names = [o["name"] for o in first["items"] + second.json()["items"]]
    assert sorted(names) == ["Dated 0", "Dated 1", "Dated 2"]

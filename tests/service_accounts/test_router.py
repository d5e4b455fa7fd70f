import json
import uuid

import pytest
from sqlalchemy import func, select

from api.models import AuditEvent, IdempotencyRecord, ServiceAccount
from api.security import verify_password

URL = "/api/v1/service-accounts"
TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/me"
REFUSED = ("lead", "contributor", "viewer", "auditor")


async def count(session, tenant) -> int:
    stmt = select(func.count()).select_from(ServiceAccount).where(ServiceAccount.tenant_id == tenant.id)
    return (await session.execute(stmt)).scalar_one()


async def events_for(session, resource_id) -> list[AuditEvent]:
    return list((await session.execute(select(AuditEvent).where(AuditEvent.resource_id == str(resource_id))
                                       .order_by(AuditEvent.seq))).scalars().all())


async def create(client, world, *, name="Intranet calendar", role="viewer") -> dict:
    r = await client.post(URL, json={"name": name, "role": role}, headers=world["admin"])
    assert r.status_code == 201, r.text
    return r.json()


async def token(client, client_id: str, client_secret: str):
    return await client.post(TOKEN_URL, data={"grant_type": "client_credentials", "client_id": client_id,
                                              "client_secret": client_secret})


def bearer(response) -> dict[str, str]:
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_admin_creates_an_account_and_sees_its_secret_once(client, session, a):
    r = await client.post(URL, json={"name": "Intranet calendar", "role": "viewer"}, headers=a["admin"])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["client_id"].startswith("sa_") and len(body["client_secret"]) >= 32
    assert (body["name"], body["role"], body["is_active"]) == ("Intranet calendar", "viewer", True)
    assert body["created_by"] == str(a.users["admin"].id)
    assert r.headers["location"] == f"{URL}/{body['id']}"
    assert r.headers["etag"] == '"1"'
    row = await session.get(ServiceAccount, uuid.UUID(body["id"]))
    assert row.tenant_id == a.tenant.id
    assert body["client_secret"] not in row.secret_hash and verify_password(body["client_secret"], row.secret_hash)


async def test_reads_never_show_the_secret_or_its_hash(client, session, a):
    created = await create(client, a)
    one = await client.get(f"{URL}/{created['id']}", headers=a["admin"])
    listing = await client.get(URL, headers=a["admin"])
    assert one.status_code == 200 and one.headers["etag"] == '"1"'
    assert one.json()["client_id"] == created["client_id"]
    for response in (one, listing):
        assert "secret" not in response.text and "argon2" not in response.text
        assert created["client_secret"] not in response.text


@pytest.mark.parametrize("role", REFUSED)
async def test_other_roles_are_refused_everything(client, session, a, role):
    created = await create(client, a)
    for method, path, kwargs in [
        ("GET", URL, {}),
        ("POST", URL, {"json": {"name": "Mine", "role": "admin"}}),
        ("GET", f"{URL}/{created['id']}", {}),
        ("PATCH", f"{URL}/{created['id']}", {"json": {"role": "admin"}}),
        ("POST", f"{URL}/{created['id']}/rotate-secret", {}),
        ("DELETE", f"{URL}/{created['id']}", {}),
    ]:
        r = await client.request(method, path, headers=a[role], **kwargs)
        assert r.status_code == 403, (method, path)
        assert r.headers["content-type"] == "application/problem+json"
    assert await count(session, a.tenant) == 1
    assert (await token(client, created["client_id"], created["client_secret"])).status_code == 200


async def test_anonymous_gets_401(client):
    r = await client.get(URL)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("body,field", [
    ({"name": "", "role": "viewer"}, "name"),
    ({"name": "x" * 201, "role": "viewer"}, "name"),
    ({"name": "Null\x00Byte", "role": "viewer"}, "name"),
    ({"name": "X", "role": "root"}, "role"),
    ({"name": "X"}, "role"),
    ({"name": "X", "role": "viewer", "tenant_id": "00000000-0000-0000-0000-000000000000"}, "tenant_id"),
    ({"name": "X", "role": "viewer", "id": "00000000-0000-0000-0000-000000000000"}, "id"),
    ({"name": "X", "role": "viewer", "created_by": "00000000-0000-0000-0000-000000000000"}, "created_by"),
    ({"name": "X", "role": "viewer", "client_id": "sa_chosen"}, "client_id"),
    ({"name": "X", "role": "viewer", "client_secret": "chosen-secret"}, "client_secret"),
    ({"name": "X", "role": "viewer", "secret_hash": "$argon2id$forged"}, "secret_hash"),
])
async def test_bad_input_is_422_and_writes_nothing(client, session, a, body, field):
    r = await client.post(URL, json=body, headers=a["admin"])
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][-1] == field for e in r.json()["errors"]), r.json()
    assert await count(session, a.tenant) == 0


async def test_other_tenants_account_is_404_and_absent_from_lists(client, session, a, b):
    theirs = await create(client, b, name="Their feed")
    for method, path, kwargs in [
        ("GET", f"{URL}/{theirs['id']}", {}),
        ("PATCH", f"{URL}/{theirs['id']}", {"json": {"name": "Mine now"}}),
        ("POST", f"{URL}/{theirs['id']}/rotate-secret", {}),
        ("DELETE", f"{URL}/{theirs['id']}", {}),
    ]:
        r = await client.request(method, path, headers=a["admin"], **kwargs)
        assert r.status_code == 404, (method, path)
    listing = await client.get(URL, params={"include_total": "true"}, headers=a["admin"])
    assert listing.json() == {"items": [], "next_cursor": None, "total": 0}
    assert (await token(client, theirs["client_id"], theirs["client_secret"])).status_code == 200


@pytest.mark.parametrize("params", [{"sort": "secret_hash"}, {"role": "root"}, {"cursor": "garbage"},
                                    {"q": "nul\x00"}, {"limit": 0}])
async def test_bad_list_parameters_are_4xx_problems(client, a, params):
    r = await client.get(URL, params=params, headers=a["admin"])
    assert r.status_code in (400, 422)
    assert r.headers["content-type"] == "application/problem+json"


async def test_list_filters_and_sorts(client, a):
    await create(client, a, name="Bravo export", role="viewer")
    alpha = await create(client, a, name="Alpha import", role="lead")
    revoked = await create(client, a, name="Charlie old", role="viewer")
    await client.delete(f"{URL}/{revoked['id']}", headers=a["admin"])
    names = [s["name"] for s in (await client.get(URL, headers=a["admin"])).json()["items"]]
    assert names == ["Alpha import", "Bravo export", "Charlie old"]
    leads = (await client.get(URL, params={"role": "lead"}, headers=a["admin"])).json()["items"]
    assert [s["id"] for s in leads] == [alpha["id"]]
    inactive = (await client.get(URL, params={"is_active": "false"}, headers=a["admin"])).json()["items"]
    assert [s["id"] for s in inactive] == [revoked["id"]]
    found = (await client.get(URL, params={"q": alpha["client_id"]}, headers=a["admin"])).json()["items"]
    assert [s["id"] for s in found] == [alpha["id"]]
    newest = (await client.get(URL, params={"sort": "-created_at", "limit": 1}, headers=a["admin"])).json()
    assert newest["items"][0]["id"] == revoked["id"] and newest["next_cursor"]


async def test_update_changes_name_and_role_and_bumps_etag(client, session, a):
    created = await create(client, a)
    r = await client.patch(f"{URL}/{created['id']}", json={"name": "Renamed", "role": "lead"}, headers=a["admin"])
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["role"]) == ("Renamed", "lead")
    assert r.headers["etag"] == '"2"'
    issued = await token(client, created["client_id"], created["client_secret"])
    assert (await client.get(ME_URL, headers=bearer(issued))).json()["role"] == "lead"


@pytest.mark.parametrize("body,field", [
    ({"name": None}, "name"),
    ({"role": None}, "role"),
    ({"is_active": None}, "is_active"),
    ({"client_id": "sa_mine"}, "client_id"),
    ({"secret_hash": "x"}, "secret_hash"),
    ({"tenant_id": "00000000-0000-0000-0000-000000000000"}, "tenant_id"),
])
async def test_bad_update_is_422_and_changes_nothing(client, session, a, body, field):
    created = await create(client, a)
    r = await client.patch(f"{URL}/{created['id']}", json=body, headers=a["admin"])
    assert r.status_code == 422
    assert any(e["loc"][-1] == field for e in r.json()["errors"])
    row = await session.get(ServiceAccount, uuid.UUID(created["id"]))
    await session.refresh(row)
    assert (row.version, row.client_id) == (1, created["client_id"])


async def test_stale_if_match_is_412_on_every_write(client, session, a):
    created = await create(client, a)
    path = f"{URL}/{created['id']}"
    stale = {**a["admin"], "If-Match": '"1"'}
    assert (await client.patch(path, json={"name": "First"}, headers=stale)).status_code == 200
    for method, suffix, kwargs in [("PATCH", "", {"json": {"name": "Second"}}), ("DELETE", "", {}),
                                   ("POST", "/rotate-secret", {})]:
        r = await client.request(method, path + suffix, headers=stale, **kwargs)
        assert r.status_code == 412, method
        assert r.headers["content-type"] == "application/problem+json"
    row = await session.get(ServiceAccount, uuid.UUID(created["id"]))
    await session.refresh(row)
    assert (row.name, row.is_active, row.version) == ("First", True, 2)
    assert (await token(client, created["client_id"], created["client_secret"])).status_code == 200


async def test_client_credentials_grant_gives_a_token_with_the_accounts_role(client, a):
    created = await create(client, a, name="Reporting", role="auditor")
    issued = await token(client, created["client_id"], created["client_secret"])
    assert issued.status_code == 200, issued.text
    assert issued.json()["token_type"] == "bearer"
    me = (await client.get(ME_URL, headers=bearer(issued))).json()
    assert (me["id"], me["kind"], me["role"], me["name"]) == (created["id"], "service_account", "auditor", "Reporting")
    assert me["tenant"]["id"] == str(a.tenant.id)


async def test_client_credentials_grant_accepts_http_basic(client, a):
    created = await create(client, a, role="lead")
    issued = await client.post(TOKEN_URL, data={"grant_type": "client_credentials"},
                               auth=(created["client_id"], created["client_secret"]))
    assert issued.status_code == 200, issued.text
    assert (await client.get(ME_URL, headers=bearer(issued))).json()["role"] == "lead"


async def test_wrong_secret_is_401(client, a):
    created = await create(client, a)
    assert (await token(client, created["client_id"], "not-the-secret")).status_code == 401


async def test_service_account_role_is_enforced(client, a):
    lead = await create(client, a, role="lead")
    admin = await create(client, a, name="Provisioning", role="admin")
    lead_token = await token(client, lead["client_id"], lead["client_secret"])
    admin_token = await token(client, admin["client_id"], admin["client_secret"])
    assert (await client.get(URL, headers=bearer(lead_token))).status_code == 403
    made = await client.post(URL, json={"name": "Made by a machine", "role": "viewer"}, headers=bearer(admin_token))
    assert made.status_code == 201 and made.json()["created_by"] == admin["id"]


async def test_revoke_keeps_the_row_and_stops_its_tokens_and_secret(client, session, a):
    created = await create(client, a)
    issued = await token(client, created["client_id"], created["client_secret"])
    assert (await client.get(ME_URL, headers=bearer(issued))).status_code == 200
    r = await client.delete(f"{URL}/{created['id']}", headers=a["admin"])
    assert r.status_code == 204 and r.content == b""
    assert (await client.get(ME_URL, headers=bearer(issued))).status_code == 401
    assert (await token(client, created["client_id"], created["client_secret"])).status_code == 401
    kept = await client.get(f"{URL}/{created['id']}", headers=a["admin"])
    assert kept.status_code == 200 and kept.json()["is_active"] is False
    assert (await client.delete(f"{URL}/{created['id']}", headers=a["admin"])).status_code == 204
    assert await count(session, a.tenant) == 1


@pytest.mark.parametrize("how", ["delete", "patch"])
async def test_reactivation_brings_back_neither_the_old_tokens_nor_the_old_secret(client, a, how):
    created = await create(client, a)
    issued = await token(client, created["client_id"], created["client_secret"])
    item = f"{URL}/{created['id']}"
    if how == "delete":
        assert (await client.delete(item, headers=a["admin"])).status_code == 204
    else:
        assert (await client.patch(item, json={"is_active": False}, headers=a["admin"])).status_code == 200
    r = await client.patch(item, json={"is_active": True}, headers=a["admin"])
    assert r.status_code == 200 and r.json()["is_active"] is True
    assert (await client.get(ME_URL, headers=bearer(issued))).status_code == 401
    assert (await token(client, created["client_id"], created["client_secret"])).status_code == 401
    # It works again with a rotated secret, and only with that
    rotated = await client.post(f"{item}/rotate-secret", headers=a["admin"])
    assert rotated.status_code == 200
    fresh = await token(client, created["client_id"], rotated.json()["client_secret"])
    assert fresh.status_code == 200 and (await client.get(ME_URL, headers=bearer(fresh))).status_code == 200
    assert (await client.get(ME_URL, headers=bearer(issued))).status_code == 401
    # The stakeholder list is answered before the router on PostgreSQL (api/stakeholders/hot_reads.py): the same rule
    stakeholders = "/api/v1/stakeholders"
    assert (await client.get(stakeholders, headers=bearer(fresh))).status_code == 200
    assert (await client.get(stakeholders, headers=bearer(issued))).status_code == 401


async def test_rotate_secret_shows_a_new_secret_once_and_retires_the_old(client, session, a):
    created = await create(client, a)
    old_token = await token(client, created["client_id"], created["client_secret"])
    r = await client.post(f"{URL}/{created['id']}/rotate-secret", headers=a["admin"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["client_id"] == created["client_id"] and body["client_secret"] != created["client_secret"]
    assert r.headers["etag"] == '"2"'
    assert (await token(client, created["client_id"], created["client_secret"])).status_code == 401
    fresh = await token(client, created["client_id"], body["client_secret"])
    assert fresh.status_code == 200
    assert (await client.get(ME_URL, headers=bearer(fresh))).status_code == 200
    # tokens already issued live out their short lifetime; revoking is what cuts them off
    assert (await client.get(ME_URL, headers=bearer(old_token))).status_code == 200


async def test_rotating_a_revoked_account_is_409(client, a):
    created = await create(client, a)
    await client.delete(f"{URL}/{created['id']}", headers=a["admin"])
    r = await client.post(f"{URL}/{created['id']}/rotate-secret", headers=a["admin"])
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"


async def test_idempotent_replay_never_stores_or_repeats_the_secret(client, session, a):
    headers = {**a["admin"], "Idempotency-Key": "provision-7"}
    first = await client.post(URL, json={"name": "Once", "role": "viewer"}, headers=headers)
    again = await client.post(URL, json={"name": "Once", "role": "viewer"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == {**first.json(), "client_secret": None}
    assert await count(session, a.tenant) == 1
    other = await client.post(URL, json={"name": "Twice", "role": "viewer"}, headers=headers)
    assert other.status_code == 422
    stored = (await session.execute(select(IdempotencyRecord.body))).scalars().all()
    assert stored and all(first.json()["client_secret"].encode() not in body for body in stored)


async def test_every_write_is_audited_and_the_secret_never_is(client, session, a):
    created = await create(client, a)
    account_id = created["id"]
    await client.patch(f"{URL}/{account_id}", json={"name": "Renamed", "role": "lead"}, headers=a["admin"])
    rotated = (await client.post(f"{URL}/{account_id}/rotate-secret", headers=a["admin"])).json()
    await client.delete(f"{URL}/{account_id}", headers=a["admin"])
    await client.patch(f"{URL}/{account_id}", json={"is_active": True}, headers=a["admin"])
    events = [e for e in await events_for(session, account_id) if e.actor_id == a.users["admin"].id]
    assert [e.action for e in events] == ["create", "update", "role_change", "rotate_secret", "revoke",
                                          "reactivate"]
    assert all(e.resource_type == "service_account" for e in events)
    assert events[0].changes["client_id"] == {"after": created["client_id"]}
    assert events[2].changes == {"role": {"before": "viewer", "after": "lead"}}
    assert events[4].changes == {"is_active": {"before": True, "after": False}}
    row = await session.get(ServiceAccount, uuid.UUID(account_id))
    dumped = json.dumps([e.changes for e in await events_for(session, account_id)])
    for secret in (created["client_secret"], rotated["client_secret"], row.secret_hash):
        assert secret not in dumped


async def test_a_revoked_accounts_sign_in_is_audited_as_revoked_and_a_wrong_secret_as_wrong(client, session, a):
    created = await create(client, a)
    assert (await token(client, created["client_id"], "not-the-secret")).status_code == 401
    await client.delete(f"{URL}/{created['id']}", headers=a["admin"])
    assert (await token(client, created["client_id"], created["client_secret"])).status_code == 401
    failed = [e for e in await events_for(session, created["id"]) if e.action == "login_failed"]
    assert [e.changes for e in failed] == [{"reason": "wrong secret"}, {"reason": "account revoked"}]

import hashlib
import json
import uuid

import pytest
from sqlalchemy import func, select

from api.models import AuditEvent, IdempotencyRecord, User
from api.security import verify_password
from api.users import service
from tests import factories

URL = "/api/v1/users"
TOKEN_URL = "/api/v1/auth/token"
REFUSED = ("lead", "contributor", "viewer", "auditor")
PASSWORD = "a long enough passphrase"


def new_user(**overrides) -> dict:
    return {"email": "new.person@dorset.nhs.uk", "full_name": "New Person", "role": "contributor",
            "password": PASSWORD, **overrides}


async def count(session, tenant) -> int:
    stmt = select(func.count()).select_from(User).where(User.tenant_id == tenant.id)
    return (await session.execute(stmt)).scalar_one()


async def events_for(session, resource_id) -> list[AuditEvent]:
    return list((await session.execute(select(AuditEvent).where(AuditEvent.resource_id == str(resource_id))
                                       .order_by(AuditEvent.seq))).scalars().all())


async def sign_in(client, email: str, password: str):
    return await client.post(TOKEN_URL, data={"grant_type": "password", "username": email, "password": password})


async def test_admin_creates_a_user_in_their_tenant(client, session, a):
    r = await client.post(URL, json=new_user(), headers=a["admin"])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["email"] == "new.person@dorset.nhs.uk"
    assert body["role"] == "contributor" and body["is_active"] is True
    assert body["created_by"] == str(a.users["admin"].id)
    assert r.headers["location"] == f"{URL}/{body['id']}"
    assert r.headers["etag"] == '"1"'
    row = await session.get(User, uuid.UUID(body["id"]))
    assert row.tenant_id == a.tenant.id
    assert row.password_hash != PASSWORD and verify_password(PASSWORD, row.password_hash)


async def test_new_user_signs_in_with_their_password(client, a):
    await client.post(URL, json=new_user(), headers=a["admin"])
    r = await sign_in(client, "new.person@dorset.nhs.uk", PASSWORD)
    assert r.status_code == 200
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert me.json()["role"] == "contributor" and me.json()["tenant"]["id"] == str(a.tenant.id)


async def test_read_model_never_contains_the_password_or_its_hash(client, a):
    created = await client.post(URL, json=new_user(), headers=a["admin"])
    one = await client.get(f"{URL}/{created.json()['id']}", headers=a["admin"])
    listing = await client.get(URL, headers=a["admin"])
    for text in (created.text, one.text, listing.text):
        assert "password" not in text and "argon2" not in text and PASSWORD not in text


@pytest.mark.parametrize("role", REFUSED)
async def test_other_roles_are_refused_everything(client, session, a, role):
    target = a.users["viewer"]
    for method, path, kwargs in [
        ("GET", URL, {}),
        ("POST", URL, {"json": new_user()}),
        ("GET", f"{URL}/{target.id}", {}),
        ("PATCH", f"{URL}/{target.id}", {"json": {"full_name": "Changed"}}),
    ]:
        r = await client.request(method, path, headers=a[role], **kwargs)
        assert r.status_code == 403, (method, path)
        assert r.headers["content-type"] == "application/problem+json"
    assert await count(session, a.tenant) == 5
    await session.refresh(target)
    assert target.full_name != "Changed"


async def test_anonymous_gets_401(client):
    r = await client.get(URL)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("body,field", [
    (new_user(email="not-an-email"), "email"),
    (new_user(password="short"), "password"),
    (new_user(password="x" * 1025), "password"),
    (new_user(role="superuser"), "role"),
    (new_user(full_name=""), "full_name"),
    (new_user(full_name="x" * 201), "full_name"),
    (new_user(full_name="Null\x00Byte"), "full_name"),
    ({k: v for k, v in new_user().items() if k != "password"}, "password"),
    (new_user(tenant_id="00000000-0000-0000-0000-000000000000"), "tenant_id"),
    (new_user(id="00000000-0000-0000-0000-000000000000"), "id"),
    (new_user(created_by="00000000-0000-0000-0000-000000000000"), "created_by"),
    (new_user(password_hash="$argon2id$forged"), "password_hash"),
    (new_user(is_active=False), "is_active"),
])
async def test_bad_input_is_422_and_writes_nothing(client, session, a, body, field):
    r = await client.post(URL, json=body, headers=a["admin"])
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert any(e["loc"][-1] == field for e in problem["errors"]), problem
    assert PASSWORD not in r.text and "x" * 1025 not in r.text
    assert await count(session, a.tenant) == 5


async def test_email_taken_in_any_tenant_whatever_its_case_is_409(client, session, a, b):
    await factories.user(session, a.tenant, email="ours@dorset.nhs.uk")
    await factories.user(session, b.tenant, email="Theirs@Somerset.nhs.uk")
    answers = []
    for email in ("ours@dorset.nhs.uk", "THEIRS@somerset.NHS.uk"):
        r = await client.post(URL, json=new_user(email=email), headers=a["admin"])
        assert r.status_code == 409, email
        assert r.headers["content-type"] == "application/problem+json"
        answers.append({k: v for k, v in r.json().items() if k != "request_id"})
    # Sign-in finds the tenant by email, so emails are unique across tenants; the answer says no more than that one
    # is taken: the same words whether the holder is of this tenant or another, which it never names.
    assert answers[0] == answers[1]
    assert await count(session, a.tenant) == 6


async def test_an_email_differing_only_in_the_case_of_a_letter_not_ascii_is_taken_on_every_database(client, session,
                                                                                                      a, b):
    # SQLite's lower() folds ASCII letters only: the index on lower(email) let "Élodie" and "élodie" be two users
    await factories.user(session, b.tenant, email="Élodie.Martin@somerset.nhs.uk")
    await session.commit()
    r = await client.post(URL, json=new_user(email="élodie.martin@somerset.nhs.uk"), headers=a["admin"])
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json", r.text
    signed_in = await client.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": "ÉLODIE.MARTIN@somerset.nhs.uk", "password": factories.PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    assert await count(session, a.tenant) == 5


async def test_email_clash_caught_by_the_database_is_409_not_500(client, session, a, b, monkeypatch):
    async def no_check(*_args, **_kwargs):
        return None

    await factories.user(session, b.tenant, email="taken@somerset.nhs.uk")
    monkeypatch.setattr(service, "_ensure_email_free", no_check)  # as if a concurrent request won the race
    r = await client.post(URL, json=new_user(email="Taken@somerset.nhs.uk"), headers=a["admin"])
    assert r.status_code == 409
    ok = await client.post(URL, json=new_user(), headers=a["admin"])
    assert ok.status_code == 201
    assert await count(session, a.tenant) == 6


async def test_idempotency_key_replays_and_refuses_another_body(client, session, a):
    headers = {**a["admin"], "Idempotency-Key": "onboard-1"}
    first = await client.post(URL, json=new_user(), headers=headers)
    again = await client.post(URL, json=new_user(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = await client.post(URL, json=new_user(email="other@dorset.nhs.uk"), headers=headers)
    assert other.status_code == 422
    assert await count(session, a.tenant) == 6


async def test_the_idempotency_record_of_a_new_user_cannot_be_used_to_test_guesses_at_the_password(client, session,
                                                                                                   a):
    body = json.dumps(new_user()).encode()
    r = await client.post(URL, content=body, headers={**a["admin"], "Idempotency-Key": "onboard-2",
                                                      "Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    stored = (await session.execute(select(IdempotencyRecord.request_hash))).scalars().all()
    # A plain SHA-256 of the request, which a reader of the table could recompute for each guessed password.
    plain = hashlib.sha256(b"POST " + URL.encode() + b"\n" + body).hexdigest()
    assert len(stored) == 1 and stored[0] != plain and len(stored[0]) == 64


async def test_other_tenants_user_is_404_and_absent_from_lists(client, session, a, b):
    theirs = b.users["lead"]
    assert (await client.get(f"{URL}/{theirs.id}", headers=a["admin"])).status_code == 404
    patched = await client.patch(f"{URL}/{theirs.id}", json={"is_active": False}, headers=a["admin"])
    assert patched.status_code == 404
    listing = (await client.get(URL, params={"include_total": "true"}, headers=a["admin"])).json()
    assert sorted(u["id"] for u in listing["items"]) == sorted(str(u.id) for u in a.users.values())
    assert listing["total"] == 5
    await session.refresh(theirs)
    assert theirs.is_active is True


async def test_get_returns_the_user_with_its_etag(client, a):
    target = a.users["viewer"]
    r = await client.get(f"{URL}/{target.id}", headers=a["admin"])
    assert r.status_code == 200
    assert r.json()["email"] == target.email and r.json()["role"] == "viewer"
    assert r.headers["etag"] == '"1"'


async def test_filters_search_sort_and_cursor_paging(client, session, a):
    await factories.user(session, a.tenant, role="viewer", email="zed@dorset.nhs.uk", is_active=False)
    viewers = (await client.get(URL, params={"role": "viewer"}, headers=a["admin"])).json()["items"]
    assert sorted(u["email"] for u in viewers) == sorted([a.users["viewer"].email, "zed@dorset.nhs.uk"])
    inactive = (await client.get(URL, params={"is_active": "false"}, headers=a["admin"])).json()["items"]
    assert [u["email"] for u in inactive] == ["zed@dorset.nhs.uk"]
    found = (await client.get(URL, params={"q": "ZED@"}, headers=a["admin"])).json()["items"]
    assert [u["email"] for u in found] == ["zed@dorset.nhs.uk"]
    by_name = (await client.get(URL, params={"q": "Auditor"}, headers=a["admin"])).json()["items"]
    assert [u["id"] for u in by_name] == [str(a.users["auditor"].id)]
    page = (await client.get(URL, params={"sort": "-email", "limit": 4}, headers=a["admin"])).json()
    rest = (await client.get(URL, params={"sort": "-email", "limit": 4, "cursor": page["next_cursor"]},
                             headers=a["admin"])).json()
    emails = [u["email"] for u in page["items"] + rest["items"]]
    assert emails == sorted(emails, reverse=True) and len(emails) == 6 and rest["next_cursor"] is None
    by_full_name = (await client.get(URL, params={"sort": "name"}, headers=a["admin"])).json()["items"]
    names = [u["full_name"] for u in by_full_name]
    assert names == sorted(names)


@pytest.mark.parametrize("params", [{"sort": "password_hash"}, {"role": "root"}, {"cursor": "garbage"},
                                    {"limit": 501}, {"q": ""}, {"q": "nul\x00"}, {"is_active": "maybe"}])
async def test_bad_list_parameters_are_4xx_problems(client, a, params):
    r = await client.get(URL, params=params, headers=a["admin"])
    assert r.status_code in (400, 422)
    assert r.headers["content-type"] == "application/problem+json"


async def test_update_changes_only_given_fields_and_bumps_etag(client, session, a):
    target = a.users["viewer"]
    r = await client.patch(f"{URL}/{target.id}", json={"full_name": "Renamed Viewer"}, headers=a["admin"])
    assert r.status_code == 200, r.text
    assert r.json()["full_name"] == "Renamed Viewer" and r.json()["role"] == "viewer"
    assert r.json()["updated_by"] == str(a.users["admin"].id)
    assert r.headers["etag"] == '"2"'


@pytest.mark.parametrize("body,field", [
    ({"full_name": None}, "full_name"),
    ({"role": None}, "role"),
    ({"is_active": None}, "is_active"),
    ({"password": "short"}, "password"),
    ({"email": "moved@dorset.nhs.uk"}, "email"),
    ({"tenant_id": "00000000-0000-0000-0000-000000000000"}, "tenant_id"),
    ({"password_hash": "$argon2id$forged"}, "password_hash"),
    ({"version": 7}, "version"),
])
async def test_bad_update_is_422_and_changes_nothing(client, session, a, body, field):
    target = a.users["viewer"]
    r = await client.patch(f"{URL}/{target.id}", json=body, headers=a["admin"])
    assert r.status_code == 422
    assert any(e["loc"][-1] == field for e in r.json()["errors"])
    await session.refresh(target)
    assert target.version == 1 and target.email.startswith("viewer")


async def test_stale_if_match_is_412_and_one_of_two_racing_edits_wins(client, session, a):
    target = a.users["viewer"]
    first = await client.patch(f"{URL}/{target.id}", json={"full_name": "First"},
                               headers={**a["admin"], "If-Match": '"1"'})
    second = await client.patch(f"{URL}/{target.id}", json={"full_name": "Second"},
                                headers={**a["admin"], "If-Match": '"1"'})
    assert (first.status_code, second.status_code) == (200, 412)
    assert second.headers["content-type"] == "application/problem+json"
    await session.refresh(target)
    assert target.full_name == "First"


async def test_password_change_works_and_is_audited_without_the_value(client, session, a):
    target = a.users["lead"]
    new_password = "another long passphrase"
    r = await client.patch(f"{URL}/{target.id}", json={"password": new_password}, headers=a["admin"])
    assert r.status_code == 200 and r.headers["etag"] == '"2"'
    assert (await sign_in(client, target.email, factories.PASSWORD)).status_code == 401
    assert (await sign_in(client, target.email, new_password)).status_code == 200
    update = [e for e in await events_for(session, target.id) if e.action == "update"]
    assert [e.changes for e in update] == [{"password": "changed"}]
    await session.refresh(target)
    for event in await events_for(session, target.id):
        dumped = json.dumps(event.changes)
        assert new_password not in dumped and target.password_hash not in dumped


async def test_an_admin_sets_their_own_password_but_not_another_admins(client, session, a):
    """One admin setting another's password could sign in as them and act under their name in the audit trail."""
    from api.models import ServiceAccount

    me, other = a.users["admin"], await factories.user(session, a.tenant, role="admin")
    robot = ServiceAccount(tenant_id=a.tenant.id, name="HR feed", client_id="sa_passwords", role="admin",
                           secret_hash=factories.password_hash(), is_active=True)
    session.add(robot)
    await session.commit()
    machine = factories.auth_headers(client._transport.app, robot, kind="service_account")
    for headers in (a["admin"], machine):
        r = await client.patch(f"{URL}/{other.id}", json={"password": "taken over passphrase", "full_name": "X"},
                               headers=headers)
        assert r.status_code == 403 and "involve set-password" in r.json()["detail"], r.text
    await session.refresh(other)
    assert (other.version, other.password_version) == (1, 0) and other.full_name != "X"
    assert (await sign_in(client, other.email, factories.PASSWORD)).status_code == 200
    assert (await client.patch(f"{URL}/{other.id}", json={"full_name": "Renamed"}, headers=a["admin"])).status_code \
        == 200  # the rest of an admin's record is still another admin's to change
    r = await client.patch(f"{URL}/{me.id}", json={"password": "my own new passphrase"}, headers=a["admin"])
    assert r.status_code == 200, r.text
    assert (await sign_in(client, me.email, "my own new passphrase")).status_code == 200


async def test_promoting_a_user_and_setting_their_password_in_one_request_is_refused(client, session, a):
    # Otherwise one request makes an admin whose password the caller knows: the guard looked at the role before it
    lead = a.users["lead"]
    r = await client.patch(f"{URL}/{lead.id}", json={"role": "admin", "password": "known to the caller"},
                           headers=a["admin"])
    assert r.status_code == 403 and "involve set-password" in r.json()["detail"], r.text
    await session.refresh(lead)
    assert (lead.role, lead.password_version) == ("lead", 0)


async def test_a_password_change_refuses_the_tokens_issued_before_it(client, session, a):
    """Whoever learnt the old password may hold a token from it: the change signs the user out everywhere."""
    target = a.users["lead"]
    old = a["lead"]
    renamed = await client.patch(f"{URL}/{target.id}", json={"full_name": "Renamed"}, headers=a["admin"])
    assert renamed.status_code == 200
    assert (await client.get("/api/v1/me", headers=old)).status_code == 200  # other changes keep the token
    r = await client.patch(f"{URL}/{target.id}", json={"password": "another long passphrase"}, headers=a["admin"])
    assert r.status_code == 200
    for path in ("/api/v1/me", "/api/v1/organisations", "/api/v1/stakeholders"):
        refused = await client.get(path, headers=old)
        assert refused.status_code == 401, path
        assert refused.headers["www-authenticate"] == "Bearer"
        assert refused.headers["content-type"] == "application/problem+json"
    signed_in = await sign_in(client, target.email, "another long passphrase")
    fresh = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    assert (await client.get("/api/v1/me", headers=fresh)).status_code == 200
    assert (await client.get("/api/v1/me", headers=a["admin"])).status_code == 200  # the admin who changed it


async def test_an_admin_changing_their_own_password_signs_themselves_out(client, session, a):
    me = a.users["admin"]
    r = await client.patch(f"{URL}/{me.id}", json={"password": "another long passphrase"}, headers=a["admin"])
    assert r.status_code == 200
    assert (await client.get("/api/v1/me", headers=a["admin"])).status_code == 401
    assert (await sign_in(client, me.email, "another long passphrase")).status_code == 200


async def test_a_refused_password_change_keeps_the_tokens(client, session, a):
    target = a.users["lead"]
    r = await client.patch(f"{URL}/{target.id}", json={"password": "short"}, headers=a["admin"])
    assert r.status_code == 422
    stale = await client.patch(f"{URL}/{target.id}", json={"password": "another long passphrase"},
                               headers={**a["admin"], "If-Match": '"7"'})
    assert stale.status_code == 412
    assert (await client.get("/api/v1/me", headers=a["lead"])).status_code == 200
    await session.refresh(target)
    assert target.password_version == 0


async def test_create_is_audited_without_personal_data_or_password(client, session, a):
    body = (await client.post(URL, json=new_user(), headers=a["admin"])).json()
    [event] = await events_for(session, body["id"])
    assert (event.action, event.resource_type, event.actor_id) == ("create", "user", a.users["admin"].id)
    assert event.changes["email"] == {"after": "[personal data]"}
    assert event.changes["full_name"] == {"after": "[personal data]"}
    assert event.changes["role"] == {"after": "contributor"}
    dumped = json.dumps(event.changes)
    assert "new.person" not in dumped and "New Person" not in dumped and "password" not in dumped


async def test_role_change_is_audited_and_applies_to_the_existing_token(client, session, a):
    target = a.users["lead"]
    assert (await client.get("/api/v1/organisations", headers=a["lead"])).status_code == 200
    created = await client.post("/api/v1/organisations", json={"name": "Before"}, headers=a["lead"])
    assert created.status_code == 201
    r = await client.patch(f"{URL}/{target.id}", json={"role": "viewer", "full_name": "Demoted Lead"},
                           headers=a["admin"])
    assert r.status_code == 200 and r.json()["role"] == "viewer"
    refused = await client.post("/api/v1/organisations", json={"name": "After"}, headers=a["lead"])
    assert refused.status_code == 403
    events = {e.action: e.changes for e in await events_for(session, target.id)}
    assert events["role_change"] == {"role": {"before": "lead", "after": "viewer"}}
    assert events["update"] == {"full_name": {"before": "[personal data]", "after": "[personal data]"}}


async def test_deactivated_users_token_stops_working_for_good_and_reactivation_needs_a_new_sign_in(client, session, a):
    target = a.users["contributor"]
    assert (await client.get("/api/v1/me", headers=a["contributor"])).status_code == 200
    off = await client.patch(f"{URL}/{target.id}", json={"is_active": False}, headers=a["admin"])
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert (await client.get("/api/v1/me", headers=a["contributor"])).status_code == 401
    assert (await sign_in(client, target.email, factories.PASSWORD)).status_code == 401
    on = await client.patch(f"{URL}/{target.id}", json={"is_active": True}, headers=a["admin"])
    assert on.status_code == 200
    # A token from before the deactivation (a stolen laptop's session) stays refused; the user signs in again.
    assert (await client.get("/api/v1/me", headers=a["contributor"])).status_code == 401
    assert (await client.get("/api/v1/stakeholders", headers=a["contributor"])).status_code == 401
    signed_in = await sign_in(client, target.email, factories.PASSWORD)
    assert signed_in.status_code == 200
    fresh = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    assert (await client.get("/api/v1/me", headers=fresh)).status_code == 200
    actions = [e.action for e in await events_for(session, target.id) if e.actor_id == a.users["admin"].id]
    assert actions == ["deactivate", "reactivate"]


@pytest.mark.parametrize("body", [{"is_active": False}, {"role": "lead"}, {"role": "auditor", "full_name": "X"}])
async def test_admin_cannot_demote_or_deactivate_themselves(client, session, a, body):
    me = a.users["admin"]
    r = await client.patch(f"{URL}/{me.id}", json=body, headers=a["admin"])
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    await session.refresh(me)
    assert (me.role, me.is_active, me.version) == ("admin", True, 1)
    assert await events_for(session, me.id) == []


async def test_admin_may_rename_themselves_and_demote_another_admin(client, session, a):
    me = a.users["admin"]
    other = await factories.user(session, a.tenant, role="admin")
    assert (await client.patch(f"{URL}/{me.id}", json={"full_name": "Still Admin", "role": "admin"},
                               headers=a["admin"])).status_code == 200
    r = await client.patch(f"{URL}/{other.id}", json={"role": "lead", "is_active": False}, headers=a["admin"])
    assert r.status_code == 200
    assert (r.json()["role"], r.json()["is_active"]) == ("lead", False)


@pytest.mark.parametrize("body", [{"is_active": False}, {"role": "lead"}])
async def test_the_last_active_admin_cannot_be_demoted_or_deactivated_by_a_service_account(client, session, a, body):
    # A user cannot demote themselves, so the tenant always kept a human admin, until an admin service account
    # demoted the last one: then only the machine (or the platform's CLI) could manage users again.
    from api.models import ServiceAccount

    robot = ServiceAccount(tenant_id=a.tenant.id, name="HR feed", client_id="sa_last_admin", role="admin",
                           secret_hash=factories.password_hash(), is_active=True)
    session.add(robot)
    await session.commit()
    headers = factories.auth_headers(client._transport.app, robot, kind="service_account")
    me = a.users["admin"]
    r = await client.patch(f"{URL}/{me.id}", json=body, headers=headers)
    assert r.status_code == 409, r.text
    await session.refresh(me)
    assert (me.role, me.is_active) == ("admin", True)
    second = await factories.user(session, a.tenant, role="admin")
    await session.commit()
    assert (await client.patch(f"{URL}/{me.id}", json=body, headers=headers)).status_code == 200
    assert (await client.patch(f"{URL}/{second.id}", json=body, headers=headers)).status_code == 409


async def test_users_are_never_deleted(client, session, a):
    target = a.users["viewer"]
    r = await client.delete(f"{URL}/{target.id}", headers=a["admin"])
    assert r.status_code == 405
    assert await count(session, a.tenant) == 5

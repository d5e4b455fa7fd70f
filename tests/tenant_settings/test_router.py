import pytest
from sqlalchemy import select

from api.models import AuditEvent

URL = "/api/v1/tenant"
SETTINGS_URL = "/api/v1/tenant/settings"
ROLES = ("admin", "lead", "contributor", "viewer", "auditor")


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_reads_its_tenant_with_default_settings(client, a, role):
    r = await client.get(URL, headers=a[role])
    assert r.status_code == 200
    assert r.json() == {"id": str(a.tenant.id), "slug": "tenant-a", "name": a.tenant.name, "jurisdiction": "england",
                        "settings": {"grid_threshold": 3, "feedback_response_days": 20}, "version": 1}


async def test_each_tenant_sees_only_its_own(client, a, b):
    assert (await client.get(URL, headers=b["viewer"])).json()["id"] == str(b.tenant.id)


async def test_admin_changes_settings_and_it_is_audited(client, session, a, b):
    r = await client.patch(SETTINGS_URL, json={"grid_threshold": 4}, headers=a["admin"])
    assert r.status_code == 200
    assert r.json()["settings"] == {"grid_threshold": 4, "feedback_response_days": 20}
    r = await client.patch(SETTINGS_URL, json={"feedback_response_days": 30}, headers=a["admin"])
    assert r.json()["settings"] == {"grid_threshold": 4, "feedback_response_days": 30}
    await session.refresh(a.tenant)
    assert a.tenant.settings == {"grid_threshold": 4, "feedback_response_days": 30}
    assert (await client.get(URL, headers=b["admin"])).json()["settings"]["grid_threshold"] == 3
    events = (await session.execute(select(AuditEvent).where(AuditEvent.resource_type == "tenant",
                                                             AuditEvent.action == "update_settings")
                                    .order_by(AuditEvent.seq))).scalars().all()
    assert [e.changes for e in events] == [{"grid_threshold": {"before": 3, "after": 4}},
                                           {"feedback_response_days": {"before": 20, "after": 30}}]
    assert all(e.tenant_id == a.tenant.id and e.actor_id == a.users["admin"].id for e in events)


async def test_setting_the_same_value_writes_no_audit_event(client, session, a):
    r = await client.patch(SETTINGS_URL, json={"grid_threshold": 3}, headers=a["admin"])
    assert r.status_code == 200
    events = (await session.execute(select(AuditEvent).where(AuditEvent.action == "update_settings"))).all()
    assert events == []


@pytest.mark.parametrize("role", ["lead", "contributor", "viewer", "auditor"])
async def test_only_an_admin_changes_settings(client, session, a, role):
    r = await client.patch(SETTINGS_URL, json={"grid_threshold": 4}, headers=a[role])
    assert r.status_code == 403
    await session.refresh(a.tenant)
    assert a.tenant.settings == {}


@pytest.mark.parametrize("body,field", [
    ({"grid_threshold": 0}, "grid_threshold"),
    ({"grid_threshold": 6}, "grid_threshold"),
    ({"grid_threshold": None}, "grid_threshold"),
    ({"grid_threshold": "high"}, "grid_threshold"),
    ({"feedback_response_days": 0}, "feedback_response_days"),
    ({"feedback_response_days": 366}, "feedback_response_days"),
    ({"colour": "blue"}, "colour"),
])
async def test_bad_settings_are_422_and_change_nothing(client, session, a, body, field):
    r = await client.patch(SETTINGS_URL, json=body, headers=a["admin"])
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["loc"][-1] == field
    await session.refresh(a.tenant)
    assert a.tenant.settings == {}


async def test_the_threshold_moves_stakeholders_between_quadrants(client, session, a):
    from tests import factories

    person = await factories.stakeholder(session, a.tenant)
    await factories.assessment(session, person, interest=3, influence=3)
    grid = (await client.get("/api/v1/stakeholders/grid", headers=a["viewer"])).json()
    assert grid["threshold"] == 3 and grid["stakeholders"][0]["quadrant"] == "manage_closely"
    await client.patch(SETTINGS_URL, json={"grid_threshold": 4}, headers=a["admin"])
    grid = (await client.get("/api/v1/stakeholders/grid", headers=a["viewer"])).json()
    assert grid["threshold"] == 4 and grid["stakeholders"][0]["quadrant"] == "monitor"


async def test_settings_honour_if_match_as_every_single_resource_does(client, session, a):
    """Two admins read the tenant; the first's change moves its ETag on, so the second's, sent with the old one, is
    a 412 that changes nothing, until they read it again."""
    read = await client.get(URL, headers=a["admin"])
    first = read.headers["ETag"]
    assert first == '"1"' and (await client.get(URL, headers=a["viewer"])).headers["ETag"] == first
    r = await client.patch(SETTINGS_URL, json={"feedback_response_days": 30}, headers={**a["admin"],
                                                                                      "If-Match": first})
    assert r.status_code == 200 and r.headers["ETag"] == '"2"' and r.json()["version"] == 2, r.text
    r = await client.patch(SETTINGS_URL, json={"feedback_response_days": 10}, headers={**a["admin"],
                                                                                      "If-Match": first})
    assert r.status_code == 412 and r.headers["content-type"] == "application/problem+json", r.text
    await session.refresh(a.tenant)
    assert a.tenant.settings == {"feedback_response_days": 30} and a.tenant.version == 2
    events = (await session.execute(select(AuditEvent).where(AuditEvent.action == "update_settings"))).all()
    assert len(events) == 1
    current = (await client.get(URL, headers=a["admin"])).headers["ETag"]
    r = await client.patch(SETTINGS_URL, json={"feedback_response_days": 10}, headers={**a["admin"],
                                                                                      "If-Match": current})
    assert r.status_code == 200 and r.json()["settings"]["feedback_response_days"] == 10
    # A change to nothing keeps the ETag; no If-Match at all still writes, as elsewhere.
    same = await client.patch(SETTINGS_URL, json={"feedback_response_days": 10}, headers=a["admin"])
    assert same.status_code == 200 and same.headers["ETag"] == r.headers["ETag"] == '"3"'

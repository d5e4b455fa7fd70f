import pytest

from tests.duties.support import audit_events

SETTINGS_URL = "/api/v1/tenant/settings"


async def test_admin_switches_the_jurisdiction_and_the_duty_list_follows(client, session, a, b):
    r = await client.patch(SETTINGS_URL, json={"jurisdiction": "wales"}, headers=a["admin"])
    assert r.status_code == 200 and r.json()["jurisdiction"] == "wales"
    assert r.json()["settings"] == {"grid_threshold": 3, "feedback_response_days": 20}
    assert (await client.get("/api/v1/tenant", headers=a["viewer"])).json()["jurisdiction"] == "wales"
    codes = [d["code"] for d in (await client.get("/api/v1/duties", headers=a["viewer"])).json()["items"]]
    assert "nhs-wales-act-s183" in codes and "nhs-act-s14z45" not in codes
    assert (await client.get("/api/v1/tenant", headers=b["viewer"])).json()["jurisdiction"] == "england"
    await session.refresh(a.tenant)
    assert a.tenant.jurisdiction == "wales" and a.tenant.settings == {}
    events = await audit_events(session, "tenant", a.tenant.id)
    assert events[-1].changes == {"jurisdiction": {"before": "england", "after": "wales"}}


@pytest.mark.parametrize("role", ["lead", "contributor", "viewer", "auditor"])
async def test_only_an_admin_switches_the_jurisdiction(client, session, a, role):
    assert (await client.patch(SETTINGS_URL, json={"jurisdiction": "wales"}, headers=a[role])).status_code == 403
    await session.refresh(a.tenant)
    assert a.tenant.jurisdiction == "england"


@pytest.mark.parametrize("value", ["scotland", None, "England"])
async def test_an_unknown_jurisdiction_is_refused(client, session, a, value):
    r = await client.patch(SETTINGS_URL, json={"jurisdiction": value}, headers=a["admin"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["loc"][-1] == "jurisdiction"
    await session.refresh(a.tenant)
    assert a.tenant.jurisdiction == "england"
    assert await audit_events(session, "tenant", a.tenant.id) == []

"""A keyed POST at another tenant's record is a 404 every time: the key neither stores that answer (a record of
tenant a's admin) nor replays it, so nothing about the other tenant's record is kept or hinted at."""

import pytest
from sqlalchemy import func, select

from api.models import IdempotencyRecord
from tests import factories

# (route, the record it acts on, a body as the feature's own tests send)
ROUTES = [
    ("/api/v1/stakeholders/{}/restriction", "stakeholder", {"reason": "Accuracy contested by the person"}),
    ("/api/v1/stakeholders/{}/objection", "stakeholder",
     {"scope": "contact", "grounds": "Does not want newsletters any more", "objection_date": "2026-03-02"}),
    ("/api/v1/stakeholders/{}/erase", "stakeholder", None),
    ("/api/v1/plans/{}/legal-hold", "plan", {"reason": "Judicial review claim issued"}),
]


@pytest.mark.parametrize("route,record,body", ROUTES, ids=["restriction", "objection", "erase", "legal-hold"])
async def test_a_keyed_post_at_another_tenants_record_is_404_and_stores_nothing(client, session, a, b, route, record,
                                                                               body):
    theirs = await getattr(factories, record)(session, b.tenant)
    await session.commit()
    headers = {**a["admin"], "Idempotency-Key": "other-tenant"}
    for _ in range(2):
        r = await client.post(route.format(theirs.id), json=body, headers=headers)
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json", r.text
        assert "idempotent-replayed" not in r.headers
    stored = select(func.count()).select_from(IdempotencyRecord).where(IdempotencyRecord.tenant_id == a.tenant.id)
    assert (await session.execute(stored)).scalar_one() == 0

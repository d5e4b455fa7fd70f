"""Signing in writes when the user last did: neither two sign-ins at once nor one beside an admin's edit of the user
may fail the other (PostgreSQL only: SQLite runs one writer at a time)."""

import asyncio

from api.models import User
from api.security import hash_password
from tests.race import POSTGRES_ONLY, live_app

PASSWORD = "correct horse battery staple"


@POSTGRES_ONLY
async def test_sign_ins_at_once_and_a_deactivation_beside_them_all_go_through():
    async with live_app("sign_in_race", "admin") as (client, headers, db, tenant, *_):
        async with db.write_sessions() as session:
            lead = User(tenant_id=tenant.id, email="lead@race.test", full_name="Lead", role="lead",
                        password_hash=hash_password(PASSWORD))
            session.add(lead)
            await session.commit()
            lead_id = lead.id
        form = {"grant_type": "password", "username": "lead@race.test", "password": PASSWORD}
        signed_in = await asyncio.gather(*[client.post("/api/v1/auth/token", data=form) for _ in range(6)])
        assert [r.status_code for r in signed_in] == [200] * 6, [r.text for r in signed_in]
        user = (await client.get(f"/api/v1/users/{lead_id}", headers=headers))
        assert user.headers["ETag"] == '"1"' and user.json()["last_login_at"]  # a sign-in is no edit of the user
        deactivate = client.patch(f"/api/v1/users/{lead_id}", json={"is_active": False},
                                  headers={**headers, "If-Match": '"1"'})
        answers = await asyncio.gather(deactivate, *[client.post("/api/v1/auth/token", data=form) for _ in range(3)])
        assert answers[0].status_code == 200, answers[0].text
        assert {r.status_code for r in answers[1:]} <= {200, 401}, [r.text for r in answers[1:]]
        after = await client.post("/api/v1/auth/token", data=form)
        assert after.status_code == 401

"""People whose processing is restricted (UK GDPR Art. 18) in a plan's named audience. To anyone but an admin such
a person is a 404 everywhere, so they are told nothing of them: the ids they read leave them out (audience_withheld
says some are), an id of theirs sent is unknown (422, as an id not in the tenant), and the PATCH of a list they read
keeps those they could not see. An admin sees them, each read audited as feedback's are
(stakeholders.restricted_among), and is told why nobody restricted joins an audience."""

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal, Role
from api.errors import Unprocessable
from api.models import Stakeholder
from api.plans import audience
from api.stakeholders import service as stakeholders
from api.stakeholders.service import NO_NEW_LINK

FIELD = "audience_stakeholder_ids"


async def hidden(session: AsyncSession, caller: Principal | None, tenant_id: uuid.UUID,
                 people: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Those of the named people the reader is not shown: the restricted ones, to anyone but an admin (an admin's
    read of each is audited). No caller is a sealed evidence pack, which shows them as a non-admin sees them,
    whoever seals it, and audits no read."""
    if caller is None:
        return await stakeholders.restricted_of(session, tenant_id, people)
    restricted = await stakeholders.restricted_among(session, caller, people)
    return set() if caller.role == Role.admin else restricted


async def check(session: AsyncSession, *, caller: Principal, values: dict[str, Any],
                named_now: Sequence[uuid.UUID] = ()) -> list[uuid.UUID] | None:
    """Check every id of a plan body (audience.check_references) and return the named people the plan is to have
    (None when the body does not name them); `named_now` are those it names already."""
    sent = values.get(FIELD)
    restricted: set[uuid.UUID] = set()
    if sent:
        # Held (FOR SHARE) until commit, as an attendance line holds its people: a restriction or an erasure of one
        # of them waits for the plan, or the plan reads it done and refuses them. Ordered, so that two writes naming
        # the same people cannot deadlock. The same read says which of them are restricted (as
        # stakeholders.restricted_of would): held, that cannot change before the plan commits.
        locked = await session.execute(select(Stakeholder.id, Stakeholder.restricted_at).where(
            Stakeholder.tenant_id == caller.tenant_id, Stakeholder.id.in_(sent)).order_by(Stakeholder.id)
            .with_for_update(read=True))
        restricted = {row.id for row in locked if row.restricted_at is not None}
    if sent is not None:  # and which of those it names now, not sent (not held: they are leaving or kept unseen)
        restricted |= await stakeholders.restricted_of(session, caller.tenant_id, set(named_now) - set(sent))
    admin = caller.role == Role.admin
    await audience.check_references(session, tenant_id=caller.tenant_id, values=values,
                                    unseen=frozenset() if admin else frozenset(restricted))
    if sent is None:
        return None
    if not admin:
        return [*sent, *(p for p in named_now if p in restricted)]  # any restricted one sent was refused above
    errors = [{"loc": ["body", FIELD, index], "msg": NO_NEW_LINK["restricted"], "type": "restricted"}
              for index, ref in enumerate(sent) if ref in restricted and ref not in named_now]
    if errors:
        raise Unprocessable("A person whose processing is restricted cannot join the audience", errors=errors)
    return sent

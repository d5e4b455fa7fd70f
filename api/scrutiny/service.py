"""A plan's scrutiny record (one per plan), replaced whole by PUT. Before the first PUT the plan reads as an
unrecorded record of defaults (version 0) rather than 404, so a client can always GET, then PUT with the
ETag it read: If-Match "0" creates only if nobody else has meanwhile."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.auth.principal import Principal
from api.concurrency import check_if_match
from api.crud import apply
from api.errors import Unprocessable
from api.legal_hold import ensure_kept
from api.models import Scrutiny, ScrutinyCorrespondence, Tenant
from api.plans import children
from api.plans import service as plans
from api.scrutiny.schemas import CorrespondenceRead, ScrutinyBody, ScrutinyPut, ScrutinyRead

RESOURCE = "scrutiny"
FIELDS = [name for name in ScrutinyPut.model_fields]
DEFAULT_BODY = {"wales": ScrutinyBody.llais}
# The views the record states (the duty report's reg 23 and Secretary of State findings read all but the committee's):
# frozen while the plan is on legal hold. Its body and committee name still change.
VIEWS = ("substantial_variation", "substantial_variation_reason", "committee_view", "committee_view_date",
         "sos_notification_required", "sos_notified_date")
# Never in the audit trail's clear text: what staff write of the reasons and the committee's view, which may name a
# person (a councillor, a campaigner). The trail, which an erasure cannot change, records that they changed, never
# what they said (api.actions.service does the same). The committee's name names a body, not a person.
PERSONAL_FIELDS = frozenset({"substantial_variation_reason", "committee_view"})


def location(plan_id: uuid.UUID) -> str:
    return f"/api/v1/plans/{plan_id}/scrutiny"


async def default_body(session: AsyncSession, caller: Principal) -> ScrutinyBody:
    """Llais for a Welsh body, otherwise the local authority's OSC."""
    jurisdiction = (await session.execute(select(Tenant.jurisdiction).where(Tenant.id == caller.tenant_id))
                    ).scalar_one()
    return DEFAULT_BODY.get(jurisdiction, ScrutinyBody.osc)


async def record(session: AsyncSession, caller: Principal, plan_id: uuid.UUID) -> Scrutiny | None:
    """The plan's record, or None before the first PUT."""
    return (await session.execute(select(Scrutiny).where(
        Scrutiny.plan_id == plan_id, Scrutiny.tenant_id == caller.tenant_id))).scalar_one_or_none()


async def read(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID) -> ScrutinyRead:
    """The plan's record (or its defaults) with all its correspondence, oldest first."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    return await to_read(session, caller, plan_id, await record(session, caller, plan_id))


async def to_read(session: AsyncSession, caller: Principal, plan_id: uuid.UUID, row: Scrutiny | None) -> ScrutinyRead:
    """The read model of the plan's record as just loaded (None: not yet recorded) and its correspondence."""
    letters = (await session.execute(select(ScrutinyCorrespondence).where(
        ScrutinyCorrespondence.plan_id == plan_id, ScrutinyCorrespondence.tenant_id == caller.tenant_id)
        .order_by(ScrutinyCorrespondence.correspondence_date, ScrutinyCorrespondence.created_at,
                  ScrutinyCorrespondence.id))).scalars()
    correspondence = [CorrespondenceRead.model_validate(c) for c in letters]
    if row is None:
        empty: dict[str, Any] = dict.fromkeys(FIELDS) | dict.fromkeys(
            ("id", "created_at", "updated_at", "created_by", "updated_by"))
        return ScrutinyRead(**empty | {"body": await default_body(session, caller)}, recorded=False, plan_id=plan_id,
                            correspondence=correspondence, version=0)
    values = {name: getattr(row, name) for name in ScrutinyRead.model_fields if name not in ("recorded",
                                                                                            "correspondence")}
    return ScrutinyRead(**values, recorded=True, correspondence=correspondence)


def _check(values: dict[str, Any]) -> None:
    errors = []
    if values["substantial_variation"] is not None and not (values["substantial_variation_reason"] or "").strip():
        errors.append({"loc": ["body", "substantial_variation_reason"], "type": "missing",
                       "msg": "required once substantial_variation is true or false"})
    if values["sos_notified_date"] is not None and values["sos_notification_required"] is False:
        errors.append({"loc": ["body", "sos_notified_date"], "type": "inconsistent",
                       "msg": "given while sos_notification_required is false"})
    if errors:
        raise Unprocessable("The scrutiny record is inconsistent", errors=errors)


async def put(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID, data: ScrutinyPut,
              if_match: str | None) -> tuple[Scrutiny, bool]:
    """Create or replace the plan's record; (row, created). 412 when If-Match names another version; 409 when it
    would be created on an archived plan (an existing record may still be corrected), or would change its views while
    the plan is on legal hold."""
    await plans.get(session=session, caller=caller, plan_id=plan_id)
    row = await record(session, caller, plan_id)
    if row is None:
        await children.open_plan(session, caller, plan_id)
    check_if_match(if_match, row.version if row is not None else 0)
    values = data.model_dump()
    values["body"] = values["body"] or await default_body(session, caller)
    _check(values)
    if row is None:
        row = Scrutiny(tenant_id=caller.tenant_id, plan_id=plan_id, created_by=caller.id, updated_by=caller.id,
                       **values)
        session.add(row)
        await session.flush()
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="create",
                           resource_type=RESOURCE, resource_id=row.id,
                           changes=audit.diff(None, {"plan_id": plan_id, **values}, personal=PERSONAL_FIELDS))
        return row, True
    await ensure_kept(session, caller.tenant_id, row, values, fields=VIEWS, label="scrutiny record")
    before, after = apply(row, values)
    if after:
        row.updated_by = caller.id
        await session.flush()
        await audit.append(session, tenant_id=caller.tenant_id, actor=caller.actor, action="update",
                           resource_type=RESOURCE, resource_id=row.id,
                           changes=audit.diff(before, after, personal=PERSONAL_FIELDS))
    return row, False

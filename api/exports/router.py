"""GET /exports/{stakeholders,organisations,activities,feedback,attendance}: the list filters, streamed as CSV or
NDJSON."""

import uuid
from dataclasses import fields, is_dataclass
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from api.activities import service as activities
from api.activities.router import ActivityFiltersDep
from api.deps import Editor, SessionDep
from api.errors import problems
from api.exports import service
from api.exports.schemas import MEDIA_TYPES, ExportFormat
from api.feedback import service as feedback
from api.feedback.router import FeedbackFiltersDep
from api.imports.specs import ACTIVITIES, ATTENDANCE, FEEDBACK, ORGANISATIONS, STAKEHOLDERS, ResourceSpec
from api.models import Activity, ActivityAttendance, Stakeholder
from api.organisations import service as organisations
from api.organisations.schemas import OrganisationKind
from api.organisations.service import OrganisationFilters
from api.query_params import refusing_unknown
from api.ratelimit import limit_exports
from api.stakeholders import service as stakeholder_service
from api.stakeholders.router import StakeholderFiltersDep

# An export's filters narrow what leaves the register: a misspelt one, which a list would ignore, would export every
# record. Here it is a 422 before anything is read or audited.
router = APIRouter(tags=["exports"], dependencies=[Depends(limit_exports),
                                                   Depends(refusing_unknown("this export", Editor))])

FORMAT = Query(ExportFormat.csv, description="csv (the import template's columns, formula-looking cells prefixed "
                                             "with ') or ndjson (one JSON object per line, the same keys)")


def _responses(spec: ResourceSpec) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": f"Every matching {spec.label}{' line' if spec.lines else ''}, in creation order"
                             f"{' of the activities' if spec.lines else ''}. CSV starts with the header row "
                             f"({', '.join(spec.column_names)}); lists are ';'-separated.",
              "content": {"text/csv": {"schema": {"type": "string"}},
                          "application/x-ndjson": {"schema": {"type": "string"}}}},
        **problems(404, 429),
    }


async def _export(session, caller, spec: ResourceSpec, stmt, fmt: ExportFormat,
                  filters: dict[str, Any]) -> StreamingResponse:
    rows = await service.audit_export(session=session, caller=caller, spec=spec, stmt=stmt, fmt=fmt, filters=filters)
    body = service.stream(session=session, caller=caller, spec=spec, stmt=stmt, fmt=fmt)
    headers = {"Content-Disposition": f'attachment; filename="{service.filename(spec, fmt)}"',
               "X-Total-Count": str(rows)}
    return StreamingResponse(body, media_type=MEDIA_TYPES[fmt], headers=headers)


def _given(filters: Any) -> dict[str, Any]:
    """A list's filters dataclass as the audit records it: nested filters (the score filters) flattened, and
    archived only when true."""
    given: dict[str, Any] = {}
    for field in fields(filters):
        value = getattr(filters, field.name)
        given.update(_given(value) if is_dataclass(value) else {field.name: value})
    if "archived" in given:
        given["archived"] = given["archived"] or None
    return given


@router.get("/exports/stakeholders", response_class=StreamingResponse, summary="Export stakeholders",
            responses=_responses(STAKEHOLDERS))
async def export_stakeholders(session: SessionDep, caller: Editor, filters: StakeholderFiltersDep,
                              format: ExportFormat = FORMAT) -> StreamingResponse:
    """Stream the stakeholders matching the list filters (admin and lead; the export is audited). The CSV's columns
    are the import template's, so an export imports back unchanged."""
    stmt = await stakeholder_service.filtered_query(session=session, caller=caller, filters=filters)
    return await _export(session, caller, STAKEHOLDERS, stmt, format, _given(filters))


@router.get("/exports/organisations", response_class=StreamingResponse, summary="Export organisations",
            responses=_responses(ORGANISATIONS))
async def export_organisations(
    session: SessionDep, caller: Editor, format: ExportFormat = FORMAT,
    kind: OrganisationKind | None = Query(None, description="Only this kind"),
    tag: str | None = Query(None, max_length=50, description="Only those carrying this tag"),
    external_id: str | None = Query(None, max_length=200, description="Only the one with this external id"),
    q: str | None = Query(None, min_length=1, max_length=200, description="Search name and email"),
    archived: bool = Query(False, description="Export archived organisations instead of active ones"),
) -> StreamingResponse:
    """Stream the organisations matching the list filters (admin and lead; the export is audited), with the import
    template's columns."""
    filters = OrganisationFilters(kind=kind, tag=tag, external_id=external_id, q=q, archived=archived)
    stmt = organisations.filtered_query(session=session, caller=caller, filters=filters)
    return await _export(session, caller, ORGANISATIONS, stmt, format, _given(filters))


@router.get("/exports/activities", response_class=StreamingResponse, summary="Export activities",
            responses=_responses(ACTIVITIES))
async def export_activities(session: SessionDep, caller: Editor, filters: ActivityFiltersDep,
                            format: ExportFormat = FORMAT) -> StreamingResponse:
    """Stream the activities matching the list filters (admin and lead; the export is audited), with the import
    template's columns (the plan by its id and external_id)."""
    stmt = activities.filtered_query(session=session, caller=caller, filters=filters)
    return await _export(session, caller, ACTIVITIES, stmt, format, _given(filters))


@router.get("/exports/feedback", response_class=StreamingResponse, summary="Export feedback",
            responses=_responses(FEEDBACK))
async def export_feedback(session: SessionDep, caller: Editor, filters: FeedbackFiltersDep,
                          format: ExportFormat = FORMAT) -> StreamingResponse:
    """Stream the feedback matching the list filters (admin and lead; the export is audited), with the import
    template's columns (people, activities and plans by their id and external_id; the stakeholder's email too)."""
    stmt = feedback.filtered_query(session=session, caller=caller, filters=filters)
    return await _export(session, caller, FEEDBACK, stmt, format, _given(filters))


@router.get("/exports/attendance", response_class=StreamingResponse, summary="Export attendance",
            responses=_responses(ATTENDANCE))
async def export_attendance(
    session: SessionDep, caller: Editor, format: ExportFormat = FORMAT,
    activity_id: uuid.UUID | None = Query(None, description="Only this activity's log"),
    stakeholder_id: uuid.UUID | None = Query(None, description="Only this stakeholder's lines"),
    archived: bool = Query(False, description="The logs of archived activities instead of active ones"),
) -> StreamingResponse:
    """Stream the lines of the activities' attendance logs (admin and lead; the export is audited), with the import
    template's columns (activity and stakeholder by id and external id, the stakeholder's email too), so an export
    imports back unchanged. A restricted person's lines (UK GDPR Art. 18) are left out, as from every export."""
    stmt = (select(ActivityAttendance)
            .join(Activity, Activity.id == ActivityAttendance.activity_id)
            .join(Stakeholder, Stakeholder.id == ActivityAttendance.stakeholder_id)
            .where(ActivityAttendance.tenant_id == caller.tenant_id, Stakeholder.restricted_at.is_(None),
                   Activity.archived_at.is_not(None) if archived else Activity.archived_at.is_(None)))
    equal = {"activity_id": activity_id, "stakeholder_id": stakeholder_id}
    for name, value in equal.items():
        if value is not None:
            stmt = stmt.where(getattr(ActivityAttendance, name) == value)
    return await _export(session, caller, ATTENDANCE, stmt, format, {**equal, "archived": archived or None})

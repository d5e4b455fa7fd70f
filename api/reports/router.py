import uuid

from fastapi import APIRouter, Depends, Query, Response

from api.activities.engagement import MAX_YEAR, MIN_YEAR, UK, IsoDate
from api.db import utcnow
from api.deps import Reader, SessionDep
from api.errors import problems
from api.query_params import refusing_unknown
from api.reports import csv_export, duty, service
from api.reports.schemas import EngagementReport, ReportFormat

# A misspelt ?planid= would count the whole tenant, unsaid
router = APIRouter(tags=["reports"], dependencies=[Depends(refusing_unknown("this report", Reader))])

CSV_RESPONSE = {200: {"description": "JSON by default; CSV with ?format=csv",
                      "content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.get("/reports/engagement", response_model=EngagementReport, summary="Engagement report",
            responses={**problems(404), **CSV_RESPONSE})
async def get_engagement_report(
    session: SessionDep, caller: Reader,
    start: IsoDate | None = Query(None, alias="from", description="First UK day of the period (default: a year "
                                                              "before `to`)"),
    end: IsoDate | None = Query(None, alias="to", description="Last UK day of the period, inclusive (default: today)"),
    plan_id: uuid.UUID | None = Query(None, description="Limit the report to this plan: its audience, placed as its "
                                                        "grid places them, and its activities and feedback"),
    format: ReportFormat = Query(ReportFormat.json, description="json, or csv for spreadsheets"),
) -> Response:
    """Coverage and loop closure over a period: share of stakeholders engaged per quadrant and category;
    activities per method, level and duty limb; reach and cost; feedback received, responded, closed, overdue
    and the median days to respond. Every figure is counted by the database."""
    report = await service.engagement(session=session, caller=caller, start=start, end=end, plan_id=plan_id)
    if format == ReportFormat.csv:
        name = f"engagement-{report.period_from.isoformat()}-{report.period_to.isoformat()}.csv"
        return Response(csv_export.render(report), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return Response(report.model_dump_json(), media_type="application/json")


@router.get("/reports/duty", response_model=duty.DutyDischargeReport, summary="Duty to involve: annual extract",
            responses={**CSV_RESPONSE})
async def get_duty_discharge_report(
    session: SessionDep, caller: Reader,
    year: int | None = Query(None, ge=MIN_YEAR, le=MAX_YEAR, description="The UK calendar year (default: this year)"),
    format: ReportFormat = Query(ReportFormat.json, description="json, or csv for spreadsheets"),
) -> Response:
    """How the duty to involve was discharged across plans in a year: activities by limb, reach, feedback
    received, responded to and closed, and the plans whose duty report has red items (for the annual report)."""
    year = year or utcnow().astimezone(UK).year
    report = await duty.discharge(session=session, caller=caller, year=year)
    if format == ReportFormat.csv:
        return Response(duty.render_csv(report), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="duty-{year}.csv"'})
    return Response(report.model_dump_json(), media_type="application/json")

import uuid

from fastapi import APIRouter

from api.deps import Reader, SessionDep
from api.duty_report import service
from api.duty_report.schemas import DutyReport
from api.errors import problems

router = APIRouter(tags=["duty-report"])


@router.get("/plans/{plan_id}/duty-report", response_model=DutyReport, summary="Get a plan's duty report",
            responses=problems(404))
async def get_duty_report(plan_id: uuid.UUID, session: SessionDep, caller: Reader) -> DutyReport:
    """For every requirement of every duty that applies: the evidence, the gaps, red/amber/green and why."""
    return await service.plan_report(session=session, caller=caller, plan_id=plan_id)

from fastapi import APIRouter

router = APIRouter(prefix="/audit-events", tags=["audit-events"])

from fastapi import APIRouter

router = APIRouter(prefix="/stakeholders", tags=["stakeholders"])

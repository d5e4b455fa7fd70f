from fastapi import APIRouter

router = APIRouter(prefix="/service-accounts", tags=["service-accounts"])
